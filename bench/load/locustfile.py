"""Square Mile under load: the mix of what people do on a community network's site.

Most visitors read: they pan and zoom the community map (the clustered map endpoint, a few views in a
row, as a drag does), open the map page and its list, browse the directory (organisations,
projects, areas), search, open entries, organisations, stories and events, look at wants and offers
and groups, and at a published network map. A
few signed in people (API tokens) also add map entries and correct them.

Run by bench/load/run_load.py (or `make load`), which prepares the site and the data file; by hand:
    LOAD_DATA=var/load/data.json locust -f bench/load/locustfile.py --host http://127.0.0.1:8000

LOAD_DATA is the JSON written by bench/load/prepare.py: samples of slugs and ids, the entries'
extent and the tokens. Only loopback hosts are accepted.
"""

import json
import math
import os
import random
from itertools import count
from urllib.parse import urlparse

from locust import FastHttpUser, between, events, task

with open(os.environ.get("LOAD_DATA", "var/load/data.json")) as handle:
    DATA = json.load(handle)
TOKENS = iter(DATA["tokens"] * 1000)
SERIAL = count()


@events.init.add_listener
def only_loopback(environment, **kwargs):
    host = urlparse(environment.host or "").hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        raise SystemExit(f"The load test only sends traffic to this machine (127.0.0.1), not to {host!r}.")


def viewport(zoom: int, lat: float, lng: float, width: int = 1200, height: int = 800) -> str:
    """The bbox a browser of width x height pixels shows at this zoom (Web Mercator tiles of 256 px)."""
    span_lng = 360.0 * width / (256 * 2**zoom)
    span_lat = span_lng * height / width * math.cos(math.radians(lat))
    return f"{lng - span_lng / 2:.5f},{lat - span_lat / 2:.5f},{lng + span_lng / 2:.5f},{lat + span_lat / 2:.5f}"


def pick(kind: str):
    return random.choice(DATA[kind]) if DATA.get(kind) else None


class Visitor(FastHttpUser):
    """Someone reading the site, mostly on a phone, with a few seconds between pages."""

    weight = 19
    wait_time = between(1, 6)

    def on_start(self):
        west, south, east, north = DATA["extent"]
        self.centre = [(south + north) / 2, (west + east) / 2]
        self.zoom = random.randint(11, 14)

    # -- the map --------------------------------------------------------------------------------
    @task(30)
    def pan_the_map(self):
        """One to four views in a row: a drag or a zoom, each asking for the clusters in view."""
        west, south, east, north = DATA["extent"]
        if random.random() < 0.2:  # somewhere else altogether
            self.centre = [random.uniform(south, north), random.uniform(west, east)]
            self.zoom = random.randint(10, 16)
        for _ in range(random.randint(1, 4)):
            step = 360.0 / 2**self.zoom * 2
            self.centre[0] = min(max(self.centre[0] + random.uniform(-step, step) / 2, south - 0.05), north + 0.05)
            self.centre[1] = min(max(self.centre[1] + random.uniform(-step, step), west - 0.05), east + 0.05)
            self.zoom = min(max(self.zoom + random.choice([-1, 0, 0, 0, 1]), 8), 18)
            params = {"bbox": viewport(self.zoom, *self.centre), "zoom": self.zoom}
            if random.random() < 0.15:
                params["category"] = pick("categories")
            self.client.get("/api/v1/map/clusters", params=params, name="/api/v1/map/clusters")

    @task(3)
    def map_page(self):
        self.client.get("/map/", name="/map/")

    @task(5)
    def map_list(self):
        self.client.get("/map/list/", params={"page": random.randint(1, 5)}, name="/map/list/")

    @task(10)
    def entry(self):
        if entry := pick("entries"):
            self.client.get(f"/map/entries/{entry}/", name="/map/entries/[id]/")

    # -- the directory --------------------------------------------------------------------------
    @task(8)
    def directory(self):
        page = random.choice([1, 1, 1, 2, 3, random.randint(1, 40)])
        path = random.choice(["/organisations/", "/organisations/", "/projects/"])
        self.client.get(path, params={"page": page}, name=path)

    @task(10)
    def organisation(self):
        if slug := pick("organisations"):
            self.client.get(f"/organisations/{slug}/", name="/organisations/[slug]/")

    @task(3)
    def project(self):
        if slug := pick("projects"):
            self.client.get(f"/projects/{slug}/", name="/projects/[slug]/")

    @task(3)
    def area(self):
        if slug := pick("areas"):
            self.client.get(f"/areas/{slug}/", name="/areas/[slug]/")

    @task(4)
    def home(self):
        self.client.get("/", name="/")

    # -- search ---------------------------------------------------------------------------------
    @task(6)
    def search_page(self):
        self.client.get("/search/", params={"q": pick("words")}, name="/search/")

    @task(3)
    def search_api(self):
        self.client.get("/api/v1/search", params={"q": pick("words")}, name="/api/v1/search")

    # -- network maps that are public ----------------------------------------------------------------
    @task(6)
    def stories(self):
        self.client.get("/stories/", name="/stories/")
        story = pick("stories")
        if story:
            self.client.get(f"/stories/{story}/", name="/stories/[id]/")

    @task(4)
    def events(self):
        self.client.get("/events/", name="/events/")
        slug = pick("events")
        if slug:
            self.client.get(f"/events/{slug}/", name="/events/[slug]/")

    @task(3)
    def wants_and_offers(self):
        self.client.get("/exchange/", name="/exchange/")

    @task(2)
    def groups(self):
        self.client.get("/groups/", name="/groups/")

    @task(3)
    def network_map(self):
        if slug := pick("surveys"):
            self.client.get(f"/network/{slug}/published/", name="/network/[slug]/published/")
            self.client.get(f"/network/{slug}/published.json", name="/network/[slug]/published.json")


class Contributor(Visitor):
    """A signed-in member (an API token) who reads like anyone and now and then adds a map entry
    and corrects it."""

    weight = 1
    # LOAD_CONTRIBUTORS=N: exactly N of the users are contributors (the smoke run's few users), not 1 in 20.
    fixed_count = int(os.environ.get("LOAD_CONTRIBUTORS", "0"))

    def on_start(self):
        super().on_start()
        self.headers = {"Authorization": f"Bearer {next(TOKENS)}"}
        self.mine: list[int] = []
        self.add_entry()  # what they came for

    @task(4)
    def add_entry(self):
        west, south, east, north = DATA["extent"]
        body = {
            "title": f"Load test entry {next(SERIAL)}",
            "category": pick("entry_categories"),
            "lat": random.uniform(south, north),
            "lng": random.uniform(west, east),
            "description": "Added by the load test: a *community* thing that happens here.",
        }
        with self.client.post(
            "/api/v1/map/entries", json=body, headers=self.headers, name="/api/v1/map/entries", catch_response=True
        ) as response:
            if response.status_code == 201:
                self.mine.append(response.json()["id"])
                response.success()
            else:
                response.failure(f"{response.status_code}: {response.text[:200]}")

    @task(2)
    def correct_entry(self):
        if self.mine:
            entry = random.choice(self.mine)
            self.client.patch(
                f"/api/v1/map/entries/{entry}",
                json={"description": "Corrected by the load test."},
                headers=self.headers,
                name="/api/v1/map/entries/[id]",
            )
