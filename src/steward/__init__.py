"""Steward: information governance for family-court records."""
