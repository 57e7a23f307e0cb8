"""Network mapping's API: surveys (organisers) and the maps (published views, analysis)."""

from ninja import Router

from squaremile.network.api.maps import router as maps_router
from squaremile.network.api.surveys import router as surveys_router

router = Router()
router.add_router("", surveys_router)
router.add_router("", maps_router)
