"""Pages and API of partner-data intake, one module per use-case."""
