"""Pages and API of partner-data intake (steward.intake)."""
