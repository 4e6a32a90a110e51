"""Partner-data intake's pages and API."""
