"""Pages and API of subject access requests, one module per part of the work: the queue and
the request (pages.py), the public form (public.py), the search (search.py), letters
(letters.py), the report (report.py). Each module's router is listed once in web/app.py."""
