"""Use-cases of partner-data intake, one module each (ARCHITECTURE.md: split by use-case)."""
