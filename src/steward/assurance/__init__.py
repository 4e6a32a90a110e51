"""Assurance: where the organisation stands, from the system's own evidence (issue 16).

It reads every other domain through their services and records what only a person can
attest. One module (or sub-package) per part, each with its own tables and events:
``controls`` (the catalogue, measures, attestations, self-assessment), ``breaches``
(the Arts 33-34 register), ``audits`` (audits, recommendations, the action plan),
``processing`` (the Art 30 record and the information asset register), ``oversight``
(who looked at a record, break-glass review, the periodic access review), ``report``
(the board report and the auditor's evidence pack)."""
