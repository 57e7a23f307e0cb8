"""Writes of the import pipeline, for callers outside the web wizard: check every row and apply
all or nothing, with the importer's permission (see `pipeline.py`)."""

from squaremile.imports.pipeline import apply, preview

__all__ = ["apply", "preview"]
