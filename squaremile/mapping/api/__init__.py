"""The community map's API: one router made of the map (read), entries (write, moderation) and io parts."""

from ninja import Router

from squaremile.mapping.api.entries import router as entries_router
from squaremile.mapping.api.io import router as io_router
from squaremile.mapping.api.map import router as map_router

router = Router()
router.add_router("", map_router)
router.add_router("", entries_router)
router.add_router("", io_router)
