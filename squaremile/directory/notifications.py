"""Organisations can be followed: their followers hear of new map entries about them (the map's
``mapping.new_entry`` kind)."""

from squaremile.directory.models import Organisation
from squaremile.notifications import followable

followable.register(Organisation, noun="this organisation")
