"""Which area holds each of many points, in one pass (imports use it)."""

import math


class AreaIndex:
    """The most specific area holding each point, for many points at once: every area's boundary in
    a shapely STRtree, queried once for all the points (the same answer as
    `places.selectors.area_for_point`, without a query per point)."""

    def __init__(self):
        from shapely import STRtree
        from shapely.geometry import shape

        from squaremile.places.models import Area

        self.ids: list[int] = []
        self.sizes: list[float] = []
        geoms = []
        for pk, boundary, size in Area.objects.filter(boundary__isnull=False).values_list(
            "pk", "boundary", "area_sq_deg"
        ):
            try:
                geom = shape(boundary)
            except Exception:  # noqa: S112 - a stored boundary was checked on save; skip anything odd
                continue
            if geom.is_empty:
                continue
            geoms.append(geom)
            self.ids.append(pk)
            self.sizes.append(size if size is not None else geom.area)
        self.tree = STRtree(geoms) if geoms else None

    def lookup(self, points: list[tuple[float, float]]) -> list[int | None]:
        if self.tree is None or not points:
            return [None] * len(points)
        import numpy as np
        import shapely

        lats = np.fromiter((p[0] for p in points), dtype=float, count=len(points))
        lngs = np.fromiter((p[1] for p in points), dtype=float, count=len(points))
        pts = shapely.points(lngs, lats)
        point_idx, area_idx = self.tree.query(pts, predicate="intersects")
        best: list[int | None] = [None] * len(points)
        best_size = [math.inf] * len(points)
        for p, a in zip(point_idx.tolist(), area_idx.tolist(), strict=True):
            if self.sizes[a] < best_size[p]:
                best_size[p] = self.sizes[a]
                best[p] = self.ids[a]
        return best
