"""Retention: a versioned schedule, person-based triggers, holds and proven disposal."""
