"""Redis: the one source of truth (trackers, locks, handoff queue, relay)."""
