"""Staff training pages and API, one module per area."""
