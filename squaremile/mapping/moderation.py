"""Entries in the shared moderation machinery (registered from MappingConfig.ready)."""
