"""The auditor's evidence pack (issue 16): one zip of the registers, the schedule, the
certificates of destruction and the measures' figures, each file holding no more personal
data than its register needs. ``parts`` says what goes in, ``service`` builds and keeps it."""
