"""The add/edit entry pages: what is typed survives errors, bots are turned away, photos are checked,
and user text is shown as text."""

import io
import time

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.tests.factories import OrganisationFactory, index
from squaremile.mapping.entries import services
from squaremile.mapping.entries.forms import sign_started
from squaremile.mapping.models import Entry, EntryStatus
from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory, EntryFactory
from squaremile.places.tests.factories import AreaFactory
from squaremile.questions.models import Kind as QuestionKind

pytestmark = pytest.mark.django_db
ADD = "/map/add/"


@pytest.fixture(autouse=True)
def _setup(settings):
    settings.MAP_MIN_SUBMIT_SECONDS = 0
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def member():
    return UserFactory(email="member@example.org")


@pytest.fixture
def category():
    return CategoryFactory(name="Community asset", slug="community-asset")


def form_data(category, **extra):
    return {"title": "Friday pantry", "category": str(category.pk), "description": "Food for all",
            "lat": "53.8", "lng": "-1.55", **extra}  # fmt: skip


def png(size=(20, 20)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, "blue").save(out, "PNG")
    return out.getvalue()


def test_anonymous_sent_to_login_unless_allowed(client, settings):
    settings.MAP_ANONYMOUS_SUBMISSIONS = False
    response = client.get(ADD)
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    settings.MAP_ANONYMOUS_SUBMISSIONS = True
    response = client.get(ADD)
    assert response.status_code == 200
    assert b'name="submitter_email"' in response.content and b'name="website"' in response.content


def test_member_adds_an_entry_and_is_thanked(client, member, category):
    client.force_login(member)
    page = client.get(ADD)
    assert page.status_code == 200 and b'name="submitter_email"' not in page.content
    response = client.post(ADD, form_data(category))
    assert response.status_code == 302 and "/map/add/thanks/" in response["Location"]
    entry = Entry.objects.get()
    assert entry.owner == member and entry.status == EntryStatus.PENDING
    thanks = client.get(response["Location"])
    assert b"waits for a moderator" in thanks.content


def test_add_page_can_start_in_a_category(client, member, category):
    CategoryQuestionFactory(category=category, label="How many places?")
    client.force_login(member)
    for wanted in (category.slug, str(category.pk)):
        html = client.get(ADD, {"category": wanted}).content.decode()
        assert f'value="{category.pk}" selected' in html and "How many places?" in html
    assert client.get(ADD, {"category": "nope"}).status_code == 200
    assert client.get(ADD, {"category": "9" * 30}).status_code == 200


def test_bad_input_keeps_what_was_typed(client, member, category):
    client.force_login(member)
    data = form_data(category, title="", lat="north-ish", description="Keep me <b>please</b>",
                     start_date="2026-05-02", end_date="2026-05-01")  # fmt: skip
    response = client.post(ADD, data)
    assert response.status_code == 400
    html = response.content.decode()
    assert "Please check the form" in html
    assert "Keep me &lt;b&gt;please&lt;/b&gt;" in html  # kept, and escaped
    assert 'value="north-ish"' in html
    assert "The end date must be on or after the start date." in html
    assert not Entry.objects.exists()


def test_no_point_and_no_area_refused_but_area_centre_works(client, member, category):
    client.force_login(member)
    response = client.post(ADD, form_data(category, lat="", lng=""))
    assert response.status_code == 400 and b"Choose the place" in response.content
    area = AreaFactory(name="Hyde Park", slug="hyde-park", lat=53.81, lng=-1.57)
    response = client.post(ADD, form_data(category, lat="", lng="", area="hyde-park"))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert (entry.lat, entry.lng) == (53.81, -1.57) and entry.area == area


def test_script_in_title_and_description_is_shown_as_text(client, member, category):
    moderator = UserFactory(role=Role.MODERATOR)
    entry = services.entry_create(by=member, title="<script>alert('t')</script>", category=category, lat=53.8,
                                  lng=-1.55, description="<script>alert('d')</script>")  # fmt: skip
    client.force_login(moderator)
    for url in (reverse("moderation:queue"), reverse("mapping:entry_edit", args=[entry.pk]),
                reverse("mapping:moderate", args=[entry.pk, "reject"])):  # fmt: skip
        html = client.get(url).content.decode()
        assert "<script>alert(" not in html, url
        assert "&lt;script&gt;alert(" in html, url


def test_category_questions_shown_for_the_chosen_category_without_js(client, member, category):
    other = CategoryFactory(name="Closures test", slug="closures-test", is_threat=True)
    question = CategoryQuestionFactory(category=category, label="How many places?", kind=QuestionKind.NUMBER,
                                       required=True)  # fmt: skip
    CategoryQuestionFactory(category=other, label="Who decided?")
    client.force_login(member)
    assert b"How many places?" not in client.get(ADD).content
    # "Show this category's questions": the form comes back with them, nothing saved, no errors shown
    response = client.post(ADD, {"category": str(category.pk), "title": "Draft", "refresh": "1"})
    html = response.content.decode()
    assert response.status_code == 200 and "How many places?" in html and "Who decided?" not in html
    assert 'value="Draft"' in html and "Please check the form" not in html
    assert not Entry.objects.exists()
    # the htmx fragment
    fragment = client.get(reverse("mapping:entry_questions"), {"category": category.pk}).content.decode()
    assert "How many places?" in fragment and "<html" not in fragment
    assert "Questions for “Community asset”" in fragment
    # required and parsed
    response = client.post(ADD, form_data(category))
    assert response.status_code == 400 and b"How many places?" in response.content
    response = client.post(ADD, form_data(category, **{f"q_{question.pk}": "lots"}))
    assert response.status_code == 400 and b"Give a number" in response.content
    response = client.post(ADD, form_data(category, **{f"q_{question.pk}": "12"}))
    assert response.status_code == 302
    assert Entry.objects.get().answers == {str(question.pk): 12}


def test_yes_no_and_choice_questions(client, member, category):
    yn = CategoryQuestionFactory(category=category, label="Step-free?", kind=QuestionKind.YESNO)
    ch = CategoryQuestionFactory(
        category=category, label="How often", kind=QuestionKind.CHOICE, choices="Weekly\nDaily"
    )
    client.force_login(member)
    response = client.post(ADD, form_data(category, **{f"q_{yn.pk}": "no", f"q_{ch.pk}": "Sometimes"}))
    assert response.status_code == 400
    response = client.post(ADD, form_data(category, **{f"q_{yn.pk}": "no", f"q_{ch.pk}": "Daily"}))
    assert response.status_code == 302
    assert Entry.objects.get().answers == {str(yn.pk): False, str(ch.pk): "Daily"}


def test_photos_checked_and_rest_of_form_kept(client, member, category, settings):
    client.force_login(member)
    bad = SimpleUploadedFile("holiday.jpg", b"not really a photo", "image/jpeg")
    response = client.post(ADD, {**form_data(category, title="Keep this title"), "photos": [bad]})
    html = response.content.decode()
    assert response.status_code == 400
    assert "“holiday.jpg” is not a photo we can use" in html and 'value="Keep this title"' in html
    settings.ATTACHMENT_MAX_BYTES = 100
    big = SimpleUploadedFile("big.png", png((60, 60)), "image/png")
    response = client.post(ADD, {**form_data(category), "photos": [big]})
    assert response.status_code == 400 and "too big" in response.content.decode()
    settings.ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024
    good = [SimpleUploadedFile(f"p{i}.png", png(), "image/png") for i in range(2)]
    response = client.post(ADD, {**form_data(category), "photos": good, "photo_alt": "The hall"})
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert [p.alt for p in entry.attachments.all()] == ["The hall", "The hall"]
    assert all(p.file.name.endswith(".png") for p in entry.attachments.all())
    too_many = [SimpleUploadedFile(f"p{i}.png", png(), "image/png") for i in range(5)]
    response = client.post(ADD, {**form_data(category), "photos": too_many})
    assert response.status_code == 400 and b"At most 4 photos" in response.content


def test_organisation_picked_by_exact_name_without_js(client, member, category):
    org = OrganisationFactory(name="Hyde Park Pantry")
    client.force_login(member)
    response = client.post(ADD, form_data(category, organisation_name="hyde park pantry"))
    assert response.status_code == 302
    assert Entry.objects.get().organisation == org
    response = client.post(ADD, form_data(category, organisation_name="Nobody Here"))
    assert response.status_code == 400 and "No organisation called “Nobody Here”" in response.content.decode()
    twin = OrganisationFactory(name="Hyde Park Pantry")
    response = client.post(ADD, form_data(category, organisation_name="Hyde Park Pantry", organisation=str(twin.pk)))
    assert response.status_code == 302
    assert Entry.objects.order_by("-id").first().organisation == twin


def test_organisation_suggestions(client):
    index(OrganisationFactory(name="Hyde Park Pantry"))
    index(OrganisationFactory(name="Leeds Food Aid"))
    html = client.get(reverse("mapping:suggest", args=["organisation"]), {"organisation_name": "hyde"}).content.decode()
    assert "Hyde Park Pantry" in html and "Leeds Food Aid" not in html and "data-id=" in html
    assert client.get(reverse("mapping:suggest", args=["people"]), {"q": "x"}).status_code == 404


# ---- anonymous visitors and bots --------------------------------------------------------------
@pytest.fixture
def anonymous(settings):
    settings.MAP_ANONYMOUS_SUBMISSIONS = True


def anon_data(category, **extra):
    return form_data(category, **{"submitter_name": "Ann", "submitter_email": "ann@example.org",
                                  "started": sign_started(), **extra})  # fmt: skip


def test_anonymous_visitor_submits_with_email(client, anonymous, category):
    response = client.post(ADD, anon_data(category))
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.owner is None and entry.submitter_email == "ann@example.org"
    assert b"ann@example.org" in client.get(response["Location"]).content
    response = client.post(ADD, anon_data(category, submitter_email=""))
    assert response.status_code == 400 and b"Your email address" in response.content


def test_honeypot_refuses(client, anonymous, category):
    response = client.post(ADD, anon_data(category, website="http://spam.example"))
    assert response.status_code == 400 and b"could not be accepted" in response.content
    assert not Entry.objects.exists()


def test_too_fast_and_forged_start_refused(client, anonymous, category, settings):
    settings.MAP_MIN_SUBMIT_SECONDS = 30
    response = client.post(ADD, anon_data(category))
    assert response.status_code == 400 and b"faster than a person" in response.content
    assert 'value="Friday pantry"' in response.content.decode()
    response = client.post(ADD, anon_data(category, started=str(int(time.time()) - 100)))
    assert response.status_code == 400 and b"could not be checked" in response.content
    assert not Entry.objects.exists()


def test_rate_limit_per_address_and_per_email(client, anonymous, category, settings):
    settings.MAP_ANONYMOUS_RATE = "2/h"
    for _ in range(2):
        assert client.post(ADD, anon_data(category)).status_code == 302
    response = client.post(ADD, anon_data(category))
    assert response.status_code == 429 and b"several entries in a short time" in response.content
    assert 'value="Friday pantry"' in response.content.decode()
    # the same email from another address is limited too
    response = client.post(ADD, anon_data(category), REMOTE_ADDR="10.9.9.9")
    assert response.status_code == 429
    # another person elsewhere is not
    response = client.post(ADD, anon_data(category, submitter_email="bo@example.org"), REMOTE_ADDR="10.9.9.8")
    assert response.status_code == 302
    assert Entry.objects.count() == 3


def test_members_are_not_rate_limited(client, member, category, settings):
    settings.MAP_ANONYMOUS_RATE = "1/h"
    client.force_login(member)
    for _ in range(3):
        assert client.post(ADD, form_data(category)).status_code == 302


# ---- edit and delete -----------------------------------------------------------------------------
def test_owner_edits_and_deletes_others_cannot(client, member, category):
    entry = services.entry_create(by=member, title="Pantry", category=category, lat=53.8, lng=-1.55)
    edit = reverse("mapping:entry_edit", args=[entry.pk])
    delete = reverse("mapping:entry_delete", args=[entry.pk])
    stranger = UserFactory()
    client.force_login(stranger)
    assert client.get(edit).status_code == 403
    assert client.post(delete).status_code == 403
    client.force_login(member)
    page = client.get(edit)
    assert page.status_code == 200 and 'value="Pantry"' in page.content.decode()
    response = client.post(edit, form_data(category, title="Friday pantry"))
    assert response.status_code == 302
    entry.refresh_from_db()
    assert entry.title == "Friday pantry"
    assert entry.events.filter(action="entry.edited", actor=member).exists()
    assert client.get(delete).status_code == 200
    assert client.post(delete).status_code == 302
    assert not Entry.objects.exists()


def test_edit_and_delete_need_sign_in(client, category):
    entry = EntryFactory(category=category)
    response = client.get(reverse("mapping:entry_edit", args=[entry.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert client.get(reverse("mapping:entry_edit", args=[entry.pk + 1000])).status_code == 404


def test_edit_removes_a_photo(client, member, category, django_capture_on_commit_callbacks):
    entry = services.entry_create(by=member, title="Pantry", category=category, lat=53.8, lng=-1.55,
                                  photos=[SimpleUploadedFile("a.png", png(), "image/png")])  # fmt: skip
    photo = entry.attachments.get()
    storage, name = photo.file.storage, photo.file.name
    assert storage.exists(name)
    client.force_login(member)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("mapping:entry_edit", args=[entry.pk]),
                               form_data(category, **{"photo-remove": [str(photo.pk)]}))  # fmt: skip
    assert response.status_code == 302
    assert not entry.attachments.exists()
    assert not storage.exists(name)
    assert entry.events.filter(action="entry.photo_removed").exists()


def test_edit_describes_a_photo_added_without_a_description(client, member, category):
    entry = services.entry_create(by=member, title="Pantry", category=category, lat=53.8, lng=-1.55,
                                  photos=[SimpleUploadedFile("a.png", png(), "image/png")])  # fmt: skip
    photo = entry.attachments.get()
    client.force_login(member)
    edit = reverse("mapping:entry_edit", args=[entry.pk])
    page = client.get(edit).content.decode()
    assert "Describe photo 1" in page and "It has no description yet" in page
    response = client.post(edit, form_data(category, title="Pantry", **{f"photo-alt_{photo.pk}": "Shelves of tins"}))
    assert response.status_code == 302
    photo.refresh_from_db()
    assert photo.alt == "Shelves of tins"
    event = entry.events.filter(action="entry.edited").latest("pk")
    assert event.changes["photo 1 description"] == ["", "Shelves of tins"]
    assert 'value="Shelves of tins"' in client.get(edit).content.decode()


def test_edit_page_uses_the_shared_photos_box_to_remove_one_describe_another_and_make_room(client, member, category,
                                                                                          settings):  # fmt: skip
    """The entry's edit page offers its photos through the attachments app's ExistingAttachmentsForm
    and _existing.html partial (as a story's does): a removal makes room for a new photo at the limit,
    and a description that is too long is refused with the page, nothing changed."""
    settings.MAP_PHOTOS_PER_ENTRY = 2
    entry = services.entry_create(by=member, title="Pantry", category=category, lat=53.8, lng=-1.55,
                                  photos=[SimpleUploadedFile("a.png", png(), "image/png"),
                                          SimpleUploadedFile("b.png", png(), "image/png")],
                                  photo_alt=["Shelves of tins", ""])  # fmt: skip
    first, second = entry.attachments.order_by("position", "id")
    client.force_login(member)
    edit = reverse("mapping:entry_edit", args=[entry.pk])
    page = client.get(edit).content.decode()
    assert 'class="attachments-existing"' in page and "Photos already on the map" in page
    assert f'name="photo-remove" value="{first.pk}"' in page and "Remove photo 2" in page
    assert f'name="photo-alt_{second.pk}"' in page and "It has no description yet" in page

    too_long = client.post(edit, form_data(category, **{f"photo-alt_{second.pk}": "x" * 400}))
    assert too_long.status_code == 400 and "Photos already on the map: Describe photo 2" in too_long.content.decode()
    assert entry.attachments.count() == 2

    full = client.post(edit, form_data(category, photos=SimpleUploadedFile("c.png", png(), "image/png")))
    assert full.status_code == 400 and entry.attachments.count() == 2  # no room without a removal

    response = client.post(edit, form_data(category, **{"photo-remove": [str(first.pk)],
                                                        f"photo-alt_{second.pk}": "The pantry's front door",
                                                        "photos": SimpleUploadedFile("c.png", png(), "image/png"),
                                                        "photo_alt": "Volunteers at the counter"}))  # fmt: skip
    assert response.status_code == 302, response.content.decode()[:2000]
    assert [p.alt for p in entry.attachments.order_by("position", "id")] == [
        "The pantry's front door", "Volunteers at the counter"]  # fmt: skip
    assert entry.events.filter(action="entry.photo_removed").count() == 1
    event = entry.events.filter(action="entry.edited").latest("pk")
    assert event.changes["photo 2 description"] == ["", "The pantry's front door"]


def test_edit_form_offers_the_entrys_closed_category(client, member, category):
    entry = services.entry_create(by=member, title="Pantry", category=category, lat=53.8, lng=-1.55)
    category.is_active = False
    category.save()
    client.force_login(member)
    edit = reverse("mapping:entry_edit", args=[entry.pk])
    assert f'value="{category.pk}" selected' in client.get(edit).content.decode()
    assert client.post(edit, form_data(category, title="Renamed")).status_code == 302
    assert f'value="{category.pk}"' not in client.get(ADD).content.decode()
