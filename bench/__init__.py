"""A rerunnable benchmark of closient on a generated multi-tenant catalogue."""
