"""Subject access requests and the other individual rights: intake, the statutory clock, the
search and its proof, on one transition table (policy.py)."""
