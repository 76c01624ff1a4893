"""One router per area; each owns its prefix and tag."""
