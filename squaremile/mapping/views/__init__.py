"""Pages of the community map, by part: the map and the list (`map`), adding and changing entries
(`entries`), single moderation actions (`moderation`), the import wizard and exports (`io`).
Views parse and check; the writes are in `entries/services.py`."""
