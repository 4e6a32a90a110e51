"""Demonstration data for trying Steward out: never loaded in production."""
