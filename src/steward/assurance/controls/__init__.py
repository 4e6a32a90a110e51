"""The control catalogue, the computed measures and their thresholds (issue 16, "Control
framework"): catalogue.py reads and checks the catalogue, measures.py names every measure
and composes the owning domains' figures, service.py is what the pages, API and CLI call."""
