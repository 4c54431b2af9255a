"""Selectors: read-only queries returning querysets. One module per entity."""
