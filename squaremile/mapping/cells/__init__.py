"""Map cells: the tile arithmetic (`tiles`, pure functions), the precomputed grid cells and the clusters
drawn from them (`clusters`), and the text index behind the `q` filter (`textindex`). Everything that
keeps the map fast to read. Kept up to date by the hooks in `entries/moderation.py` and `models.py`."""
