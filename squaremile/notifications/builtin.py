"""Registrations for the apps below this one, which cannot import it: areas can be followed."""

from squaremile.notifications import followable
from squaremile.places.models import Area

followable.register(Area, noun="this area")
