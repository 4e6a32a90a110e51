"""Finding what to redact in a disclosure, and redacting it for real.

A leaf library: text and PDFs in, spans and redacted pages out. It knows nothing of the
database; the subject access service (steward.sar) builds a CaseContext from the records and
stores the decisions. See docs/design/disclosure-plan.md and docs/disclosure.md.
"""
