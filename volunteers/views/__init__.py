"""Staff and member pages of the volunteers app: one module per topic."""
