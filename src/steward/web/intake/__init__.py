"""Partner-data intake's pages and API, one module per use-case."""
