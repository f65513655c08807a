"""Calendar subscription feeds: a member's own shifts, a community's roster and one duty's, at secret URLs."""
