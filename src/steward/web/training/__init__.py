"""Staff training pages and API, one module per area; each router is listed once in
web/app.py."""
