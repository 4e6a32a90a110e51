"""Pages and API of staff training, one module per area: the compliance dashboard and its
drill-downs and CSV (dashboard.py), the report over the API (report_api.py). Each module's
router is listed once in web/app.py."""
