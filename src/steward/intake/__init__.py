"""Partner-data intake: partners, data-sharing agreements, submissions, validation and
quarantine. Uses records and identity through their services; nothing below imports it."""
