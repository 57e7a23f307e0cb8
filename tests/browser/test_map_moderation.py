"""Adding to the map and moderating, in a real browser: a visitor and a member each submit an entry
on a phone by tapping the map; a moderator finds them in the queue and publishes them; the entry is
then on its page and on the map when its category is chosen. axe on the form and the queue."""

import pytest
from django.core.cache import cache
from playwright.sync_api import expect

from squaremile.accounts.models import Role
from squaremile.mapping.cells import clusters
from squaremile.mapping.models import Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory
from squaremile.moderation.models import Report
from squaremile.questions.models import Kind as QuestionKind
from tests.browser.support import DESKTOP, PHONE, a11y_report, assert_fits_the_screen, make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture(autouse=True)
def _open_to_visitors(settings):
    settings.MAP_ANONYMOUS_SUBMISSIONS = True
    settings.MAP_MIN_SUBMIT_SECONDS = 1
    cache.clear()


@pytest.fixture
def category(transactional_db):
    category = CategoryFactory(name="Food and growing", slug="food-and-growing", colour="#2f6f4f")
    CategoryQuestionFactory(category=category, label="How many people does it feed?", kind=QuestionKind.NUMBER,
                            required=True)  # fmt: skip
    CategoryFactory(name="Closures", slug="closures", is_threat=True)
    return category


def fill_entry(page, title: str, category) -> None:
    page.get_by_label("Title").fill(title)
    page.get_by_label("Category").select_option(label=category.name)
    # the category's question arrives (htmx) once the category is chosen
    question = page.get_by_label("How many people does it feed?")
    expect(question).to_be_visible()
    question.fill("40")
    page.get_by_label("Description").fill("Every Friday in the church hall. <script>alert('x')</script>")
    mapbox = page.locator("[data-pickpoint]")
    mapbox.scroll_into_view_if_needed()
    box = mapbox.bounding_box()
    page.touchscreen.tap(box["x"] + box["width"] * 0.6, box["y"] + box["height"] * 0.4)
    expect(page.locator("[data-pick-shown]")).to_contain_text("Chosen point:")
    assert page.get_by_label("Latitude").input_value() != ""
    assert page.get_by_label("Longitude").input_value() != ""


def test_submit_moderate_publish_and_find(new_context, login, live_server, category):
    # 1. a visitor without an account, on a phone
    visitor = new_context(viewport=PHONE).new_page()
    visitor.goto("/map/add/")
    assert_fits_the_screen(visitor)
    expect(visitor.get_by_role("button", name="Show this category’s questions")).to_be_hidden()  # JS does it
    assert visitor.locator("[data-threat-only]").is_hidden()
    fill_entry(visitor, "Hall pantry", category)
    visitor.get_by_label("Category").select_option(label="Closures")
    expect(visitor.get_by_label("Takes effect on")).to_be_visible()  # the threat dates, for a threat
    expect(visitor.get_by_label("How many people does it feed?")).to_have_count(0)
    visitor.get_by_label("Category").select_option(label=category.name)
    visitor.get_by_label("How many people does it feed?").fill("40")
    expect(visitor.get_by_label("Takes effect on")).to_be_hidden()
    visitor.get_by_label("Your name").fill("Ann")
    visitor.get_by_label("Your email address").fill("ann@example.org")
    visitor.wait_for_timeout(1100)  # the form refuses what is sent faster than a person types
    visitor.get_by_role("button", name="Send for the map").click()
    expect(visitor.get_by_role("heading", name="Thank you")).to_be_visible()
    expect(visitor.locator("main")).to_contain_text("waits for a moderator")
    assert_fits_the_screen(visitor)

    # 2. a member, on a phone
    member = make_user(email="member@example.org")
    phone = new_context(viewport=PHONE).new_page()
    login(phone, member)
    phone.goto("/map/add/")
    expect(phone.get_by_label("Your email address")).to_have_count(0)
    fill_entry(phone, "Allotment swap", category)
    phone.get_by_role("button", name="Send for the map").click()
    expect(phone.get_by_role("heading", name="Thank you")).to_be_visible()

    visitor_entry = Entry.objects.get(title="Hall pantry")
    member_entry = Entry.objects.get(title="Allotment swap")
    assert visitor_entry.status == member_entry.status == EntryStatus.PENDING
    assert visitor_entry.submitter_email == "ann@example.org" and member_entry.owner == member
    assert visitor_entry.answers == {str(category.questions.get().pk): 40}

    # 3. a moderator publishes one from its row, the other with the bulk action
    moderator = make_user(email="mod@example.org", role=Role.MODERATOR)
    page = new_context(viewport=DESKTOP).new_page()
    login(page, moderator)
    page.goto("/map/queue/")
    expect(page.get_by_role("link", name="Hall pantry", exact=True)).to_be_visible()
    expect(page.get_by_role("link", name="Allotment swap", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("Ann (ann@example.org)")
    page.get_by_role("button", name="Publish “Hall pantry”").click()
    expect(page.locator(".messages")).to_contain_text("Published: “Hall pantry”")
    page.get_by_label("Select “Allotment swap”").check()
    page.get_by_label("With the ticked items").select_option("publish")
    page.get_by_role("button", name="Apply to ticked items").click()
    expect(page.locator(".messages")).to_contain_text("Done: Publish — 1 item.")
    expect(page.locator("main")).to_contain_text("nothing waits for a moderator")

    # 4. it is on its page (script shown as text), with the history for the moderator
    page.goto(visitor_entry.get_absolute_url())
    expect(page.get_by_role("heading", name="Hall pantry", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("<script>alert('x')</script>")
    expect(page.locator(".entry-history")).to_contain_text("Published")
    anonymous = new_context(viewport=PHONE).new_page()
    anonymous.goto(member_entry.get_absolute_url())
    expect(anonymous.get_by_role("heading", name="Allotment swap", exact=True)).to_be_visible()
    expect(anonymous.locator(".moderation-panel")).to_have_count(0)
    expect(anonymous.locator(".entry-history")).to_have_count(0)

    # 5. and on the map when its category is chosen (the list beside the map follows the view)
    anonymous.goto(f"/map/?category={category.slug}&lat={visitor_entry.lat}&lng={visitor_entry.lng}&zoom=15")
    expect(anonymous.locator("#cm-list")).to_contain_text("Hall pantry")
    expect(anonymous.locator("#cm-list")).to_contain_text("Allotment swap")


def test_form_keeps_what_was_typed_after_errors(new_context, login, category):
    page = new_context(viewport=PHONE).new_page()
    login(page, make_user())
    page.goto("/map/add/")
    page.get_by_label("Title").fill("Seed library")
    page.get_by_label("Category").select_option(label=category.name)
    page.get_by_label("Description").fill("Swap seeds on Saturdays")
    page.get_by_label("Photos (optional)").set_input_files(
        files=[{"name": "notes.jpg", "mimeType": "image/jpeg", "buffer": b"not a picture"}]
    )
    page.get_by_role("button", name="Send for the map").click()
    summary = page.locator("#error-summary")
    expect(summary).to_contain_text("Choose the place")
    expect(summary).to_contain_text("How many people does it feed?")
    expect(summary).to_contain_text("“notes.jpg” is not a photo we can use")
    expect(page.get_by_label("Title")).to_have_value("Seed library")
    expect(page.get_by_label("Description")).to_have_value("Swap seeds on Saturdays")
    expect(page.get_by_label("How many people does it feed?")).to_be_visible()
    assert not Entry.objects.exists()
    assert_fits_the_screen(page)


def test_organisation_picked_from_suggestions(new_context, login, category):
    from tests.browser.support import make_organisation

    member = make_user()
    make_organisation(by=member, name="Hyde Park Pantry")
    org = make_organisation(by=member, name="Hyde Park Source")
    page = new_context(viewport=PHONE).new_page()
    login(page, member)
    page.goto("/map/add/")
    page.get_by_label("Organisation (optional)").press_sequentially("Hyde Park So", delay=30)
    expect(page.locator('#organisation-suggestions option[value="Hyde Park Source"]')).to_have_count(1)
    page.get_by_label("Organisation (optional)").fill("Hyde Park Source")
    expect(page.locator("input[name=organisation]")).to_have_value(str(org.pk))
    fill_entry(page, "Seed swap", category)
    page.get_by_role("button", name="Send for the map").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert Entry.objects.get().organisation == org


def test_without_javascript_the_category_questions_come_back(new_context, login, category):
    page = new_context(viewport=PHONE, java_script_enabled=False).new_page()
    login(page, make_user())
    page.goto("/map/add/")
    page.get_by_label("Title").fill("Seed library")
    page.get_by_label("Category").select_option(label=category.name)
    page.get_by_role("button", name="Show this category’s questions").click()
    expect(page.get_by_label("How many people does it feed?")).to_be_visible()
    expect(page.get_by_label("Title")).to_have_value("Seed library")
    page.get_by_label("How many people does it feed?").fill("12")
    page.get_by_label("Latitude").fill("53.8")
    page.get_by_label("Longitude").fill("-1.55")
    page.get_by_role("button", name="Send for the map").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()
    assert Entry.objects.get().answers == {str(category.questions.get().pk): 12}


@pytest.mark.parametrize("viewport", [DESKTOP, PHONE], ids=["desktop", "phone"])
def test_form_and_queue_pass_axe_and_fit_the_screen(new_context, login, category, viewport):
    from squaremile.mapping.entries import services

    member = make_user()
    entry = services.entry_create(by=member, title="Pantry", category=category, lat=53.8, lng=-1.55,
                                  answers={str(category.questions.get().pk): 5})  # fmt: skip
    reports = []
    visitor = new_context(viewport=viewport).new_page()
    visitor.goto("/map/add/")
    reports.append(a11y_report(visitor, "add form, visitor"))
    visitor.get_by_role("button", name="Send for the map").click()  # with errors shown
    reports.append(a11y_report(visitor, "add form with errors"))
    moderator = make_user(role=Role.MODERATOR)
    page = new_context(viewport=viewport).new_page()
    login(page, moderator)
    for url in ("/map/queue/", f"/map/entries/{entry.pk}/moderate/reject/", f"/map/entries/{entry.pk}/moderate/merge/",
                f"/moderation/entry/{entry.pk}/reject/", "/map/queue/settings/", f"/map/entries/{entry.pk}/edit/",
                entry.get_absolute_url()):  # fmt: skip
        page.goto(url)
        reports.append(a11y_report(page, url))
        if viewport == PHONE:
            assert_fits_the_screen(page)
    page.goto("/map/queue/")
    page.get_by_role("button", name="Apply to ticked items").click()  # nothing ticked: errors
    expect(page.locator("#error-summary")).to_contain_text("Tick at least one item")
    reports.append(a11y_report(page, "queue with errors"))
    if viewport == PHONE:
        assert_fits_the_screen(page)
    reports = [r for r in reports if r]
    assert not reports, "\n\n".join(reports)


@pytest.mark.parametrize("decision", ["restore", "reject"])
def test_three_reports_hide_an_entry_until_a_moderator_decides(new_context, login, category, settings, decision):
    settings.MODERATION_HIDE_AFTER_REPORTS = 3
    entry = EntryFactory(category=category, status=EntryStatus.PUBLISHED, title="Fake food bank", lat=53.8, lng=-1.55)
    clusters.rebuild()
    on_map = f"/map/?category={category.slug}&lat=53.8&lng=-1.55&zoom=15"
    reporters = [make_user(email=f"reporter{i}@example.org") for i in range(3)]
    for i, person in enumerate(reporters):
        page = new_context(viewport=PHONE).new_page()
        login(page, person)
        page.goto(on_map)
        expect(page.locator("#cm-list")).to_contain_text("Fake food bank")  # still there for each of them
        page.goto(entry.get_absolute_url())
        page.get_by_role("link", name="Report this entry").click()
        page.get_by_label("It is wrong or out of date").check()
        page.get_by_label("Tell us more (optional)").fill(f"Nobody there, says reporter {i}")
        if i == 0:
            assert_fits_the_screen(page)
            report = a11y_report(page, "report form")
            assert not report, report
        page.get_by_role("button", name="Send the report").click()
        expect(page.locator(".messages")).to_contain_text("Thank you for telling us")
    assert Report.objects.count() == 3

    # hidden: gone from the map and its page for everyone else
    visitor = new_context(viewport=PHONE).new_page()
    visitor.goto(on_map)
    expect(visitor.locator("#cm-list")).not_to_contain_text("Fake food bank")
    assert visitor.goto(entry.get_absolute_url()).status == 404

    # the moderator, on a phone, sees it in the one queue with the reports, and decides
    moderator = make_user(email="mod@example.org", role=Role.MODERATOR)
    page = new_context(viewport=PHONE).new_page()
    login(page, moderator)
    page.goto("/moderation/")
    row = page.locator(".queue-row", has_text="Fake food bank")
    expect(row).to_contain_text("Hidden after reports")
    expect(row).to_contain_text("Reported by 3 people")
    expect(row).to_contain_text("Nobody there, says reporter 2")
    assert_fits_the_screen(page)
    report = a11y_report(page, "queue with a reported entry")
    assert not report, report
    if decision == "restore":
        row.get_by_role("button", name="Restore “Fake food bank”").click()
        expect(page.locator(".messages")).to_contain_text("Restored: “Fake food bank”")
        visitor.goto(on_map)
        expect(visitor.locator("#cm-list")).to_contain_text("Fake food bank")
    else:
        row.get_by_role("link", name="Reject… “Fake food bank”").click()
        page.get_by_label("Why? (the person who sent it is told)").fill("Not a real place")
        page.get_by_role("button", name="Reject").click()
        expect(page.locator(".messages")).to_contain_text("Rejected: “Fake food bank”")
        visitor.goto(on_map)
        expect(visitor.locator("#cm-list")).not_to_contain_text("Fake food bank")
    expect(page.locator("main")).to_contain_text("nothing waits for a moderator")
    entry.refresh_from_db()
    assert entry.status == (EntryStatus.PUBLISHED if decision == "restore" else EntryStatus.REJECTED)
    assert set(Report.objects.values_list("outcome", flat=True)) == {"kept" if decision == "restore" else "removed"}


def test_photos_added_on_a_phone_each_with_its_description(new_context, login, category, tmp_path):
    """Issue 12, item 5: the "add photos" field takes several photos (camera or library), asks for a
    description of each, and the entry's page shows their thumbnails linking to the full photos."""
    import io

    from PIL import Image

    from squaremile.attachments.models import Attachment

    files = []
    for name, colour in (("IMG_0001.jpg", "red"), ("IMG_0002.jpg", "blue")):
        exif = Image.Exif()
        exif[0x8825] = {1: "N", 2: (53.0, 48.0, 3.0), 3: "W", 4: (1.0, 32.0, 57.0)}  # where the phone was
        out = io.BytesIO()
        Image.new("RGB", (1200, 900), colour).save(out, "JPEG", exif=exif.tobytes())
        files.append({"name": name, "mimeType": "image/jpeg", "buffer": out.getvalue()})
    page = new_context(viewport=PHONE).new_page()
    login(page, make_user())
    page.goto("/map/add/")
    picker = page.get_by_label("Photos (optional)")
    assert picker.get_attribute("accept") == "image/*" and picker.get_attribute("capture") is None
    fill_entry(page, "Community orchard", category)
    picker.set_input_files(files=files)
    page.get_by_label("Describe “IMG_0001.jpg” for people who cannot see it").fill("Apple trees in blossom")
    page.get_by_label("Describe “IMG_0002.jpg” for people who cannot see it").fill("The orchard gate")
    expect(page.get_by_label("Describe the photos")).to_be_hidden()
    assert_fits_the_screen(page)
    page.get_by_role("button", name="Send for the map").click()
    expect(page.get_by_role("heading", name="Thank you")).to_be_visible()

    entry = Entry.objects.get()
    photos = list(entry.attachments.all())
    assert [p.alt for p in photos] == ["Apple trees in blossom", "The orchard gate"]
    for photo in photos:
        with photo.file.open("rb") as handle, Image.open(handle) as stored:
            assert not stored.getexif().get_ifd(0x8825), "the published photo has no GPS position"
        with photo.thumbnail.open("rb") as handle, Image.open(handle) as thumb:
            assert max(thumb.size) == 400 and not thumb.getexif().get_ifd(0x8825)
    page.goto(entry.get_absolute_url())
    first = page.get_by_role("img", name="Apple trees in blossom")
    expect(first).to_have_attribute("src", photos[0].thumbnail.url)
    expect(page.locator(f'a[href="{photos[0].file.url}"]')).to_have_count(1)
    expect(page.get_by_role("img", name="The orchard gate")).to_have_count(1)
    report = a11y_report(page, "entry page with photos")
    assert not report, report
    assert Attachment.objects.count() == 2


def test_the_owner_sees_their_own_entry_within_a_phone_screen(new_context, login, category):
    """Issue 13, point 4: the own-entry page was 397 px wide on a 390 px screen. Long words, a long
    address, answers, a photo and every owner's button must still fit."""
    from squaremile.mapping.entries import services

    member = make_user()
    entry = services.entry_create(
        by=member, title="Supercalifragilisticexpialidocious community larder and swap shop" * 2, category=category,
        lat=53.8, lng=-1.55, description="See https://example.org/a/very/long/path/that/never/breaks/" + "x" * 80,
        answers={str(category.questions.get().pk): 5},
    )  # fmt: skip
    page = new_context(viewport=PHONE).new_page()
    login(page, member)
    page.goto(entry.get_absolute_url())
    expect(page.get_by_role("heading", level=1)).to_contain_text("Supercalifragilistic")
    assert_fits_the_screen(page)
    page.goto(f"/map/entries/{entry.pk}/edit/")
    assert_fits_the_screen(page)
    report = a11y_report(page, "owner's edit page")
    assert not report, report
