"""The assurance pages and API: one module per part, listed in sections.SECTIONS."""
