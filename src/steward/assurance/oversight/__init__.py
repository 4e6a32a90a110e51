"""Oversight of access (issue 16): who looked at a case or a person's record, the review of
each break-glass use, and the periodic review of every account's access."""
