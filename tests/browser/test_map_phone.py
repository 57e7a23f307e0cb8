"""The community map on a phone (issue 13): pop-ups that stay open, piles of entries at one spot
that can be read one by one, "See it on the community map" from an entry, a header that leaves
room for the map, and one threats filter. Phone viewport (390x844, touch) throughout."""

import importlib
import os
import random
import re
from pathlib import Path

import pytest
from django.apps import apps as django_apps
from playwright.sync_api import expect

from squaremile.mapping.cells import clusters
from squaremile.mapping.models import Category, Entry, EntryStatus
from tests.browser.support import PHONE, a11y_report, assert_fits_the_screen, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

CENTRE = (53.8, -1.55)
SCREENSHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def screenshot(page, name: str) -> None:
    """The README's phone screenshots are taken by these tests when asked:
    SQUAREMILE_SCREENSHOTS=1 pytest tests/browser/test_map_phone.py (other runs leave them alone)."""
    if os.environ.get("SQUAREMILE_SCREENSHOTS"):
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENSHOTS / name))


@pytest.fixture
def categories(transactional_db):
    importlib.import_module("squaremile.mapping.migrations.0003_seed_categories").seed(django_apps, None)
    return {c.slug: c for c in Category.objects.all()}


def add(categories, points, *, title="Entry"):
    slugs = sorted(categories)
    rows = [
        Entry(
            title=f"{title} {i}",
            category=categories[slugs[i % len(slugs)]],
            status=EntryStatus.PUBLISHED,
            lat=lat,
            lng=lng,
            **clusters.cell_columns(lat, lng),
        )
        for i, (lat, lng) in enumerate(points)
    ]
    Entry.objects.bulk_create(rows)
    clusters.rebuild()
    return list(Entry.objects.filter(title__startswith=f"{title} ").order_by("id"))


def drawn(page):
    wait_until(page, "document.getElementById('community-map').dataset.total !== undefined")
    wait_until(page, "!document.getElementById('community-map').hasAttribute('aria-busy')")


def marker_points(page) -> list[dict]:
    """Centres of the single-entry markers well inside the map (not under its controls), each on top there."""
    return page.evaluate(
        """() => {
            const m = document.getElementById('community-map').getBoundingClientRect();
            return [...document.querySelectorAll('.cm-marker-icon')].map((el) => {
                const r = el.getBoundingClientRect();
                return {x: r.left + r.width / 2, y: r.top + r.height / 2, title: el.getAttribute('title'), el};
            }).filter((p) => p.x > m.left + 60 && p.x < m.right - 30 && p.y > m.top + 90 && p.y < m.bottom - 40 &&
                document.elementFromPoint(p.x, p.y)?.closest('.cm-marker-icon') === p.el)
              .map(({x, y, title}) => ({x, y, title}));
        }"""
    )


def test_ten_of_ten_popups_stay_open(phone_page, categories):
    # Entries spread over a street-sized view: tapping one near an edge makes the pop-up pan the map.
    rng = random.Random(3)
    add(
        categories,
        [(CENTRE[0] + rng.uniform(-0.004, 0.004), CENTRE[1] + rng.uniform(-0.004, 0.004)) for _ in range(40)],
    )
    page = phone_page
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=16")
    drawn(page)
    opened = 0
    tried = set()
    for _ in range(10):
        close = page.locator(".leaflet-popup-close-button")
        if close.count():
            close.tap()
            expect(page.locator(".leaflet-popup")).to_have_count(0)
            drawn(page)
        point = next((p for p in marker_points(page) if p["title"] not in tried), None)
        if point is None:  # the pop-ups' pans have carried the untried markers off screen: back to the start
            page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=16")
            drawn(page)
            point = next((p for p in marker_points(page) if p["title"] not in tried), None)
        assert point is not None, f"only {len(tried)} markers could be tapped"
        tried.add(point["title"])
        page.touchscreen.tap(point["x"], point["y"])
        expect(page.locator(".leaflet-popup-content")).to_contain_text(point["title"])
        page.wait_for_timeout(1000)  # the pan, the reload and the redraw are over by now
        if page.locator(".leaflet-popup-content").filter(has_text=point["title"]).count():
            opened += 1
        drawn(page)
    assert opened == 10, f"{opened} of 10 pop-ups still open a second after the tap"

    # Tapping the marker of the open pop-up again does not close it.
    title = page.locator(".cm-popup-title").text_content()
    again = next(p for p in marker_points(page) if p["title"] == title)
    page.touchscreen.tap(again["x"], again["y"])
    page.wait_for_timeout(600)
    expect(page.locator(".leaflet-popup-content")).to_contain_text(title)
    # The address names the open entry, so the view can be shared with it.
    assert "entry=" in page.url
    screenshot(page, "map-popup-phone.png")
    report = a11y_report(page, "map with a pop-up open")
    assert not report, report


def test_every_entry_of_a_pile_at_one_spot_is_reachable(phone_page, categories):
    pile = add(categories, [CENTRE] * 100, title="Pile")
    add(categories, [(CENTRE[0] + 0.002 * (i - 2), CENTRE[1] - 0.003) for i in range(5)], title="Nearby")
    page = phone_page
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=16")
    drawn(page)
    pile_icon = page.locator(".cm-pile-icon")
    expect(pile_icon).to_have_count(1)
    assert pile_icon.get_attribute("title").startswith("100 entries at this spot")
    pile_icon.tap()
    items = page.locator(".cm-pile-list a")
    expect(items).to_have_count(100)
    hrefs = set(items.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"))
    assert hrefs == {e.get_absolute_url() for e in pile}
    wait_until(page, "getComputedStyle(document.querySelector('.leaflet-popup')).opacity === '1'")  # faded in
    report = a11y_report(page, "pile list")
    assert not report, report
    # The last one too: scrolled into view inside the pop-up and followed.
    last = items.nth(99)
    last.scroll_into_view_if_needed()
    title = last.text_content()
    last.tap()
    expect(page.get_by_role("heading", level=1)).to_have_text(title)


def test_a_small_pile_is_spread_round_its_spot(phone_page, categories):
    pile = add(categories, [CENTRE] * 9, title="Stall")
    page = phone_page
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=18")
    drawn(page)
    page.locator(".cm-pile-icon").tap()
    spread = page.locator(".cm-marker-icon")
    expect(spread).to_have_count(9)
    boxes = [spread.nth(i).bounding_box() for i in range(9)]
    for i, a in enumerate(boxes):  # no two overlap: each can be tapped
        for b in boxes[i + 1 :]:
            assert abs(a["x"] - b["x"]) >= 30 or abs(a["y"] - b["y"]) >= 30
    screenshot(page, "map-pile-phone.png")
    spread.nth(4).tap()
    expect(page.locator(".leaflet-popup-content a")).to_have_count(1)
    href = page.locator(".leaflet-popup-content a").get_attribute("href")
    assert href in {e.get_absolute_url() for e in pile}


def test_see_it_on_the_community_map_opens_the_entry(phone_page, categories):
    rng = random.Random(5)
    add(categories, [(CENTRE[0] + rng.gauss(0, 0.05), CENTRE[1] + rng.gauss(0, 0.08)) for _ in range(300)])
    entry = Entry.objects.order_by("id")[137]
    page = phone_page
    page.goto(entry.get_absolute_url())
    page.get_by_role("link", name="See it on the community map").tap()
    page.wait_for_url("**/map/?**")
    drawn(page)
    expect(page.locator(".leaflet-popup-content")).to_contain_text(entry.title)
    centre = page.evaluate(
        "(() => { const q = new URLSearchParams(location.search);"
        " return {lat: +q.get('lat'), lng: +q.get('lng'), zoom: +q.get('zoom')}; })()"
    )
    assert centre["zoom"] >= 16
    assert abs(centre["lat"] - entry.lat) < 0.003 and abs(centre["lng"] - entry.lng) < 0.004
    page.wait_for_timeout(1000)
    expect(page.locator(".leaflet-popup-content")).to_contain_text(entry.title)


def test_the_phone_header_is_short_and_its_menu_opens(phone_page, new_context, categories):
    page = phone_page
    page.goto("/map/")
    height = page.locator(".site-header").bounding_box()["height"]
    assert height <= 0.15 * PHONE["height"], f"the header takes {height:.0f} of {PHONE['height']} px"
    nav = page.get_by_role("navigation", name="Main")
    expect(nav).to_be_hidden()
    button = page.get_by_role("button", name="Menu")
    expect(button).to_have_attribute("aria-expanded", "false")
    button.tap()
    expect(nav).to_be_visible()
    expect(page.get_by_role("button", name="Close menu")).to_have_attribute("aria-expanded", "true")
    report = a11y_report(page, "phone menu open")
    assert not report, report
    assert_fits_the_screen(page)
    nav.get_by_role("link", name="Organisations").tap()
    page.wait_for_url("**/organisations/**")
    page.keyboard.press("Escape")

    # Without JavaScript the menu is a link to itself, shown by :target.
    nojs = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    nojs.goto("/map/list/")
    assert nojs.locator(".site-header").bounding_box()["height"] <= 0.15 * PHONE["height"]
    expect(nojs.get_by_role("navigation", name="Main")).to_be_hidden()
    nojs.get_by_role("link", name="Menu").tap()
    expect(nojs.get_by_role("navigation", name="Main")).to_be_visible()
    nojs.get_by_role("link", name="Close the menu").tap()
    expect(nojs.get_by_role("navigation", name="Main")).to_be_hidden()


def test_one_threats_filter(phone_page, categories):
    add(categories, [(CENTRE[0] + 0.0004 * (i - 8), CENTRE[1]) for i in range(16)])
    page = phone_page
    # An old link to the threats layer still works, and says so in the one control there is.
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=14&threats=only")
    drawn(page)
    threat_total = Entry.objects.filter(category__is_threat=True).count()
    assert page.locator("#community-map").get_attribute("data-total") == str(threat_total)
    expect(page.locator("#cm-filter-panel")).to_have_attribute("open", "")  # the filters are on: shown open
    form = page.locator("#map-filters")
    expect(form.locator("[name=threats]")).to_have_count(0)
    expect(form.get_by_label("Threat or cut")).to_be_checked()
    for c in Category.objects.filter(is_threat=False):
        expect(form.get_by_label(c.name, exact=True)).not_to_be_checked()
    # Unticking it shows everything again: nothing left over that could contradict it.
    form.get_by_label("Threat or cut").uncheck()
    wait_until(page, "document.getElementById('community-map').dataset.total === '16'")
    wait_until(page, "document.getElementById('cm-list').getAttribute('aria-busy') === 'false'")  # not dimmed
    report = a11y_report(page, "filters open")
    assert not report, report


@pytest.mark.parametrize("viewport", [{"width": 1366, "height": 768}, PHONE], ids=["1366", "phone"])
def test_no_filter_box_is_cut_off(new_context, categories, viewport):
    """Every filter box is wide enough to show what it holds (the date boxes, two to a row in the
    side panel, cut their dates off at 1366 px) and lies inside the panel."""
    page = new_context(viewport=viewport).new_page()
    for url in (f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=14", "/map/list/"):
        page.goto(url)
        panel = page.locator("#cm-filter-panel summary")
        if panel.count():
            panel.click()
        boxes = page.evaluate(
            """() => {
                const form = document.querySelector('form.cm-filters'), f = form.getBoundingClientRect();
                return [...form.querySelectorAll('input:not([type=checkbox]), select, button')].map((e) => {
                    const r = e.getBoundingClientRect();
                    const inside = r.left >= f.left && r.right <= f.right + 0.5;
                    return {name: e.name || e.textContent, type: e.type, width: r.width, inside};
                });
            }"""
        )
        assert all(b["inside"] for b in boxes), boxes
        dates = [b for b in boxes if b["type"] == "date"]
        assert len(dates) == 2 and all(b["width"] >= 176 for b in dates), dates
        report = a11y_report(page, url)
        assert not report, report


def test_a_group_at_the_deepest_zoom_lists_its_entries(phone_page, categories):
    """More entries at one spot than the map draws one by one (500): at the deepest zoom the group
    circle cannot zoom in any further, so selecting it lists them, 100 at a time."""
    pile = add(categories, [CENTRE] * 520, title="Hall")
    page = phone_page
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=19")
    drawn(page)
    cluster = page.locator(".cm-cluster-icon")
    expect(cluster).to_have_count(1)
    cluster.tap()
    items = page.locator(".cm-pile-list a")
    expect(items).to_have_count(100)
    expect(page.locator(".cm-popup-title")).to_have_text("520 entries here")
    for shown in (200, 300, 400, 500, 520):
        page.get_by_role("button", name="Show more").tap()
        expect(items).to_have_count(shown)
    expect(page.get_by_role("button", name="Show more")).to_have_count(0)
    hrefs = set(items.evaluate_all("(links) => links.map((a) => a.getAttribute('href'))"))
    assert hrefs == {e.get_absolute_url() for e in pile}
    page.wait_for_timeout(800)
    expect(items).to_have_count(520)  # the pop-up survived the reloads its pans caused


def test_pop_ups_and_piles_by_keyboard(page, categories):
    """Enter on a marker opens its pop-up with the focus on its link; Escape closes it and gives the
    focus back to the map. Enter on a pile spreads it and focuses its first entry."""
    add(categories, [CENTRE] * 5, title="Stall")
    add(categories, [(CENTRE[0] + 0.0008, CENTRE[1] + 0.0012)], title="Shop")
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=17")
    drawn(page)
    page.locator(".cm-marker-icon[title='Shop 0']").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content a")).to_be_focused()
    expect(page.locator(".leaflet-popup-content a")).to_have_text("Shop 0")
    page.keyboard.press("Escape")
    expect(page.locator(".leaflet-popup")).to_have_count(0)
    expect(page.locator("#community-map")).to_be_focused()
    page.locator(".cm-pile-icon").focus()
    page.keyboard.press("Enter")
    expect(page.locator(".cm-marker-icon[title^='Stall']")).to_have_count(5)
    focused = page.evaluate("document.activeElement.getAttribute('title')")
    assert focused.startswith("Stall")
    page.keyboard.press("Enter")
    expect(page.locator(".leaflet-popup-content a")).to_have_text(focused)


def test_the_count_in_view_is_what_is_in_view(phone_page, categories):
    """The grid cells counted reach past the view's edges; the status must count what is inside
    the map on screen, or say "about" (issue 13, point 13)."""
    # A grid wider and taller than the phone's view at zoom 15, so entries lie just past every edge.
    add(categories, [(CENTRE[0] + 0.002 * i, CENTRE[1] + 0.003 * j) for i in range(-6, 7) for j in range(-6, 7)])
    page = phone_page
    page.goto(f"/map/?lat={CENTRE[0]}&lng={CENTRE[1]}&zoom=15")
    drawn(page)
    on_screen = page.evaluate(
        """() => {
            const m = document.getElementById('community-map').getBoundingClientRect();
            const icons = [...document.querySelectorAll('.cm-marker-icon')].map((el) => el.getBoundingClientRect());
            return {
                inside: icons.filter((r) => {
                    const x = r.left + r.width / 2, y = r.top + r.height / 2;
                    return x >= m.left && x <= m.right && y >= m.top && y <= m.bottom;
                }).length,
                all: icons.length,
            };
        }"""
    )
    assert on_screen["all"] > on_screen["inside"] > 0, on_screen  # some markers drawn lie past the edges
    state = page.locator("#community-map")
    assert int(state.get_attribute("data-total")) == on_screen["all"]
    # A marker's centre and its point differ by at most a pixel or two at the very edge.
    in_view = int(state.get_attribute("data-in-view"))
    assert abs(in_view - on_screen["inside"]) <= 2, (in_view, on_screen)
    expect(page.locator("#cm-status")).to_have_text(f"{in_view} entries in view.")

    # Zoomed out to clusters (more entries than are ever shown one by one), whole cells are counted
    # and the status says the figure is approximate.
    add(
        categories,
        [(52.5 + 0.01 * (i % 20), -2.0 + 0.01 * (i // 20)) for i in range(clusters.MARKERS_BELOW)],
        title="Far",
    )
    page.goto("/map/?lat=53.2&lng=-1.8&zoom=6")
    drawn(page)
    assert page.locator("#community-map").get_attribute("data-clusters") != "0"
    expect(page.locator("#cm-status")).to_contain_text(re.compile(r"^About [\d,]+ entries in view, in \d+ groups"))
