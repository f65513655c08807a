"""Read models: what the staff and member pages show, assembled from the database in a fixed number of queries.

One module per page family, each with one job (week_grid, dashboard, fairness, member_shifts, candidates); fill
is the one fill rate they all use. Views call these and render; nothing here writes."""
