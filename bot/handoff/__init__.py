"""Handoff to a human counsellor: queue, state machine and relay, kept in Redis."""
