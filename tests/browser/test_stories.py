"""Stories on a phone (issue 15, "Done when"): a resident tells a story with two photos, links it to
a map entry and an organisation, and it appears on all three pages, on the map layer, in search and
in the feeds; an organiser adds a feed and its items appear as linked stories; a hostile feed is
refused with a clear message. Phone viewport (390x844, touch) throughout."""

import io
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from PIL import Image
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.stories.models import Story
from tests.browser.support import a11y_report, assert_fits_the_screen, make_organisation, make_user, wait_until

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

GOOD_FEED = b"""<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Valley News</title>
<link>https://valley.example.org/</link><description>News</description>
<item><title>Bakery gives away its bread at closing time</title><link>https://valley.example.org/bread</link>
<guid>https://valley.example.org/bread</guid>
<description>Every evening, what is left goes to the food bank.</description></item>
<item><title>Choir sings at the care home</title><link>https://valley.example.org/choir</link>
<guid>https://valley.example.org/choir</guid><description>Songs and tea on Sunday.</description></item>
</channel></rss>"""
BOMB = b"""<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;">]>
<rss version="2.0"><channel><title>&lol2;</title><item><title>&lol2;</title></item></channel></rss>"""


@pytest.fixture
def local_feeds():
    routes = {"/news.rss": GOOD_FEED, "/bomb.rss": BOMB}

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args):
            pass

        def do_GET(self):  # noqa: N802
            body = routes.get(self.path)
            self.send_response(200 if body else 404)
            self.send_header("Content-Type", "application/rss+xml")
            self.send_header("Content-Length", str(len(body or b"")))
            self.end_headers()
            self.wfile.write(body or b"")

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def _png(tmp_path, name, colour):
    path = tmp_path / name
    buf = io.BytesIO()
    Image.new("RGB", (120, 80), colour).save(buf, "PNG")
    path.write_bytes(buf.getvalue())
    return str(path)


@pytest.fixture
def place(transactional_db):
    from squaremile.mapping.tests.factories import EntryFactory
    from squaremile.places.tests.factories import AreaFactory

    area = AreaFactory(name="Canal Ward", slug="canal-ward")
    owner = make_user(email="org@example.org")
    org = make_organisation(by=owner, name="Friends of the Canal", lat=53.8, lng=-1.55)
    entry = EntryFactory(title="Towpath garden", lat=53.8005, lng=-1.5505, area=area)
    return {"area": area, "org": org, "entry": entry}


def test_resident_tells_a_story_on_a_phone_and_it_shows_everywhere(
    phone_page, login, live_server, place, tmp_path, settings
):
    settings.STORIES_REVIEW_FIRST = False
    page = phone_page
    resident = make_user(email="resident@example.org", role=Role.MEMBER)
    login(page, resident)
    page.goto("/stories/")
    page.get_by_role("link", name="Tell a story").click()
    expect(page.get_by_role("heading", name="Tell a story")).to_be_visible()
    page.get_by_label("Title").fill("We planted the towpath garden")
    page.get_by_label("Your story").fill("Twelve neighbours, one wet Saturday, **forty** bulbs.")
    wait_until(page, "document.querySelector('[data-draft-id]').value !== ''")  # the draft is on the server
    expect(page.locator("[data-draft-status]")).to_contain_text("Draft saved")
    draft = Story.objects.get(owner=resident)
    assert draft.status == "draft" and "forty" in draft.body

    photos = page.locator("input[type=file][name=photos]")
    assert photos.get_attribute("capture") == "environment" and photos.get_attribute("accept").startswith("image/")
    photos.set_input_files([_png(tmp_path, "one.png", "green"), _png(tmp_path, "two.png", "blue")])
    page.locator("#id_photo_alt-0").fill("Neighbours with spades")
    page.locator("#id_photo_alt-1").fill("Bulbs in the ground")

    search = page.get_by_label("Find a place on the map, an organisation, a project or a person")
    search.fill("Towpath")
    page.get_by_role("button", name="Link Towpath garden").click()
    search.fill("Friends of")
    page.get_by_role("button", name="Link Friends of the Canal").click()
    expect(page.locator("[data-about-chosen] li")).to_have_count(2)
    page.get_by_label("Where did it happen? (optional)").select_option(label="Canal Ward")
    page.get_by_label("Tags (optional)").fill("gardening, canal")
    # the exact spot: a tap on the map sets it (the boxes follow)
    point_map = page.get_by_role("region", name="Map: tap to choose where it happened")
    point_map.scroll_into_view_if_needed()
    expect(page.locator("[data-pick-shown]")).to_have_text("No point chosen yet.")
    point_map.tap()
    expect(page.locator("[data-pick-shown]")).to_contain_text("Chosen point: 53.")
    page.get_by_text("Coordinates", exact=True).click()
    lat, lng = float(page.get_by_label("Latitude").input_value()), float(page.get_by_label("Longitude").input_value())
    assert abs(lat - 53.80) < 0.01 and abs(lng + 1.55) < 0.01, (lat, lng)
    # typing them works as well (keyboard, or no map): the map follows
    page.get_by_label("Latitude").fill("53.8005")
    page.get_by_label("Longitude").fill("-1.5505")
    page.get_by_label("Longitude").press("Tab")
    expect(page.locator("[data-pick-shown]")).to_have_text("Chosen point: 53.80050, -1.55050")
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Publish my story").click()

    expect(page.get_by_role("heading", level=1)).to_have_text("We planted the towpath garden")
    expect(page.get_by_text("your story is published")).to_be_visible()
    story = Story.objects.get(title="We planted the towpath garden")
    assert story.pk == draft.pk and story.status == "published" and story.attachments.count() == 2
    expect(page.get_by_role("img", name="Neighbours with spades")).to_be_visible()
    about = page.locator(".story-about")
    expect(about.get_by_role("link", name="Towpath garden")).to_be_visible()
    expect(about.get_by_role("link", name="Friends of the Canal")).to_be_visible()
    assert_fits_the_screen(page)
    report = a11y_report(page, "story page")

    # on the pages of what it is about, and of its area
    for url in (place["entry"].get_absolute_url(), place["org"].get_absolute_url(), place["area"].get_absolute_url()):
        page.goto(url)
        panel = page.locator("section.related-panel", has_text="Stories about this")
        expect(panel.get_by_role("link", name="We planted the towpath garden")).to_be_visible()
    # on the map's Stories layer
    layer = page.request.get("/stories/map-layer/?bbox=-1.6,53.7,-1.5,53.9").json()
    assert [f["properties"]["title"] for f in layer["features"]] == ["We planted the towpath garden"]
    page.goto("/map/?lat=53.8005&lng=-1.5505&zoom=16&layers=stories")
    expect(page.locator("#cm-layers-status")).to_contain_text("Stories: 1 in view")
    # in the site's search and in the feeds
    page.goto("/search/?q=towpath+garden")
    expect(page.get_by_role("link", name="We planted the towpath garden")).to_be_visible()
    assert b"We planted the towpath garden" in page.request.get("/stories/feed.rss?tag=gardening").body()
    assert b"We planted the towpath garden" in page.request.get("/stories/feed.atom?area=canal-ward").body()
    page.goto("/stories/?tag=gardening")
    expect(page.get_by_role("link", name="We planted the towpath garden")).to_be_visible()
    report += a11y_report(page, "stories list")
    assert not report, report


def test_organiser_adds_feeds_and_a_hostile_one_is_refused(phone_page, login, live_server, local_feeds):
    page = phone_page
    login(page, make_user(email="organiser@example.org", role=Role.ORGANISER))
    page.goto("/stories/feeds/")
    page.get_by_label("The site's name").fill("Valley News")
    page.get_by_label("Feed address").fill(local_feeds + "/news.rss")
    page.get_by_role("button", name="Add the feed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Valley News")
    expect(page.get_by_role("status").filter(has_text="Working")).to_be_visible()
    expect(page.get_by_role("link", name="Bakery gives away its bread at closing time")).to_be_visible()
    report = a11y_report(page, "feed page")
    page.get_by_role("link", name="Bakery gives away its bread at closing time").click()
    expect(page.get_by_role("link", name="Read it on Valley News")).to_be_visible()
    page.goto("/stories/?kind=linked")
    expect(page.get_by_role("link", name="Choir sings at the care home")).to_be_visible()

    page.goto("/stories/feeds/")
    page.get_by_label("The site's name").fill("Laughing Post")
    page.get_by_label("Feed address").fill(local_feeds + "/bomb.rss")
    page.get_by_role("button", name="Add the feed").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Laughing Post")
    state = page.locator(".feed-state")
    expect(state).to_contain_text("Refused or failing")
    expect(state).to_contain_text("billion laughs")
    expect(state).to_contain_text("Nothing from this feed was added")
    assert not Story.objects.filter(feed__title="Laughing Post").exists()
    assert_fits_the_screen(page)
    report += a11y_report(page, "refused feed page")
    assert not report, report


def test_after_publishing_the_teller_removes_a_photo_and_describes_another_on_a_phone(
    phone_page, login, live_server, tmp_path, settings
):
    from squaremile.attachments import services as attachments
    from squaremile.attachments.uploads import prepare_all
    from squaremile.stories import services

    settings.STORIES_REVIEW_FIRST = False
    teller = make_user(email="teller@example.org", role=Role.MEMBER)
    story = services.story_tell(by=teller, data={"title": "Our canal clean-up", "lat": 53.8, "lng": -1.55})

    def upload(name, colour):
        from django.core.files.uploadedfile import SimpleUploadedFile

        return SimpleUploadedFile(name, open(_png(tmp_path, name, colour), "rb").read(), content_type="image/png")

    attachments.attach_all(
        owner=story, files=prepare_all([upload("a.png", "green"), upload("b.png", "blue")], kinds=("image",)),
        alts=["Bags of litter", ""], user=teller,
    )  # fmt: skip
    page = phone_page
    login(page, teller)
    page.goto(story.get_absolute_url())
    page.get_by_role("link", name="Change this story").click()
    expect(page.get_by_role("group", name="Photos already in your story")).to_be_visible()
    # the point it has shows on the map and in words
    expect(page.locator("[data-pick-shown]")).to_contain_text("Chosen point: 53.80000, -1.55000")
    page.get_by_label("Remove photo 1").check()
    page.get_by_role("textbox", name="Describe photo 2").fill("The clean towpath in the sun")
    assert_fits_the_screen(page)
    report = a11y_report(page, "story edit page with photos")
    page.get_by_role("button", name="Save").click()
    expect(page.get_by_text("Your story is saved")).to_be_visible()
    expect(page.get_by_role("img", name="The clean towpath in the sun")).to_be_visible()
    expect(page.get_by_role("img", name="Bags of litter")).to_have_count(0)
    assert list(story.attachments.values_list("alt", flat=True)) == ["The clean towpath in the sun"]
    assert not report, report
