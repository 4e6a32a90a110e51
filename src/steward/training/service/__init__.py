"""Use-cases of staff training, one module each (ARCHITECTURE.md: split by use-case)."""
