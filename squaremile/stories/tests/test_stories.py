"""Telling a story, what it is about, where it shows, responses, the booklet."""

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.models import SearchDocument
from squaremile.core.records import ref_of
from squaremile.directory.tests.factories import OrganisationFactory
from squaremile.mapping.tests.factories import EntryFactory
from squaremile.moderation.models import Report
from squaremile.notifications.models import Notification
from squaremile.places.tests.factories import AreaFactory
from squaremile.stories import services
from squaremile.stories.models import Story, StoryHelped, StoryLink
from squaremile.stories.tests.factories import StoryFactory, png_bytes

pytestmark = pytest.mark.django_db


def _photo(name="a.png", colour="green"):
    return SimpleUploadedFile(name, png_bytes(colour), content_type="image/png")


def test_first_story_of_a_new_member_waits_then_later_ones_publish(settings, django_capture_on_commit_callbacks):
    settings.STORIES_REVIEW_FIRST = True
    member = UserFactory()
    first = services.story_tell(by=member, data={"title": "Our street party"})
    assert first.status == "pending"
    assert not SearchDocument.objects.filter(kind="story", object_id=first.pk).exists()
    moderator = UserFactory(role="moderator")
    with django_capture_on_commit_callbacks(execute=True):
        services.story_moderate(story=first, by=moderator, action="publish")
    first.refresh_from_db()
    assert first.status == "published" and first.published_at
    assert SearchDocument.objects.filter(kind="story", object_id=first.pk).exists()
    assert Notification.objects.filter(recipient=member, kind="stories.story_published").exists()
    second = services.story_tell(by=member, data={"title": "The litter pick"})
    assert second.status == "published"


def test_operator_may_publish_first_stories_at_once(settings):
    settings.STORIES_REVIEW_FIRST = False
    assert services.story_tell(by=UserFactory(), data={"title": "A"}).status == "published"


def test_organisers_never_wait(settings):
    settings.STORIES_REVIEW_FIRST = True
    assert services.story_tell(by=UserFactory(role="organiser"), data={"title": "A"}).status == "published"


def test_tell_on_the_form_with_two_photos_and_links(client, settings):
    settings.STORIES_REVIEW_FIRST = False
    member = UserFactory()
    entry = EntryFactory(title="Canal path")
    org = OrganisationFactory(name="Canal Friends")
    client.force_login(member)
    r = client.post(
        reverse("stories:create"),
        {
            "title": "We cleared the canal path",
            "body": "Twenty of us, **one** Saturday.",
            "photos": [_photo("one.png"), _photo("two.png", "red")],
            "photo_alt": ["People with rakes", "The clean path"],
            "about": f"{ref_of(entry)}\n{org.get_absolute_url()}",
            "tags": "canal, litter",
            "action": "publish",
        },
    )
    assert r.status_code == 302, r.content.decode()[:2000]
    story = Story.objects.get(title="We cleared the canal path")
    assert story.status == "published"
    assert story.attachments.count() == 2
    assert sorted(a.alt for a in story.attachments.all()) == ["People with rakes", "The clean path"]
    assert [link.ref for link in story.links.all()] == [ref_of(entry), ref_of(org)]
    page = client.get(story.get_absolute_url()).content.decode()
    assert "Canal path" in page and "Canal Friends" in page and "<strong>one</strong>" in page
    assert '"@type": "Article"' in page and 'property="og:image"' in page
    # and the story shows back on both pages
    assert "Stories about this" in client.get(entry.get_absolute_url()).content.decode()
    org_page = client.get(org.get_absolute_url()).content.decode()
    assert "We cleared the canal path" in org_page


def test_cannot_link_what_you_cannot_see(client):
    member = UserFactory()
    hidden = EntryFactory(status="pending", owner=UserFactory())
    client.force_login(member)
    r = client.post(reverse("stories:create"), {"title": "X", "about": ref_of(hidden), "action": "publish"})
    assert r.status_code == 400 and "not something you can see" in r.content.decode()
    assert not Story.objects.filter(title="X").exists()


def test_form_keeps_what_was_typed_on_error(client):
    client.force_login(UserFactory())
    r = client.post(reverse("stories:create"), {"title": "", "body": "Keep me please", "action": "publish"})
    assert r.status_code == 400
    assert "Keep me please" in r.content.decode()


def test_draft_is_saved_as_you_type_and_sent_later(client, settings):
    settings.STORIES_REVIEW_FIRST = False
    member = UserFactory()
    client.force_login(member)
    r = client.post(reverse("stories:autosave"), {"title": "Half a", "body": "We met at"})
    assert r.status_code == 200
    draft_id = r.json()["draft"]
    r = client.post(
        reverse("stories:autosave"), {"title": "Half a story", "body": "We met at the hall", "draft": draft_id}
    )
    assert r.json()["draft"] == draft_id
    draft = Story.objects.get(pk=draft_id)
    assert (draft.status, draft.body) == ("draft", "We met at the hall")
    assert client.get(draft.get_absolute_url()).status_code == 200  # the author sees it
    other = UserFactory()
    client.force_login(other)
    assert client.get(draft.get_absolute_url()).status_code == 404
    assert client.post(reverse("stories:autosave"), {"title": "Mine now", "draft": draft_id}).status_code == 404
    client.force_login(member)
    form = client.get(reverse("stories:create") + f"?draft={draft_id}").content.decode()
    assert "We met at the hall" in form
    r = client.post(
        reverse("stories:create"), {"title": "Half a story", "body": "Done", "draft": draft_id, "action": "publish"}
    )
    assert r.status_code == 302
    assert Story.objects.filter(owner=member).count() == 1
    assert Story.objects.get(pk=draft_id).status == "published"


def test_autosave_needs_login(client):
    r = client.post(reverse("stories:autosave"), {"title": "x"})
    assert r.status_code == 302 and not Story.objects.exists()


def test_list_filters_and_query_count(client, django_assert_num_queries):
    area = AreaFactory(name="Kettleby")
    org = OrganisationFactory()
    for i in range(12):
        StoryFactory(title=f"Garden {i}", area=area if i % 2 else None, organisation=org if i % 3 == 0 else None)
    StoryFactory(title="Draft one", status="draft")
    from django.contrib.contenttypes.models import ContentType

    ContentType.objects.get_for_model(Story)  # the content types' cache, as in any running site
    # session-less: stories (+1 look-ahead), their tags, photos; the tags and areas to filter by
    with django_assert_num_queries(5):
        r = client.get(reverse("stories:list"))
    with django_assert_num_queries(3):  # the tags and areas to filter by are the same for everyone: cached
        client.get(reverse("stories:list"))
    page = r.content.decode()
    assert "Garden 11" in page and "Draft one" not in page
    page = client.get(reverse("stories:list") + f"?area={area.slug}").content.decode()
    assert "Garden 1<" in page and "Garden 2<" not in page
    page = client.get(reverse("stories:list") + f"?organisation={org.slug}").content.decode()
    assert "Garden 3<" in page and "Garden 1<" not in page
    assert client.get(reverse("stories:list") + "?area=nowhere").status_code == 404


def test_near_my_square_mile(client):
    member = UserFactory()
    profile = member.profile
    profile.lat, profile.lng, profile.radius_m = 53.80, -1.55, 1600
    profile.save()
    StoryFactory(title="Close by", lat=53.801, lng=-1.551)
    StoryFactory(title="Far away", lat=51.5, lng=-0.1)
    client.force_login(member)
    page = client.get(reverse("stories:list") + "?near=1").content.decode()
    assert "Close by" in page and "Far away" not in page


def test_rss_and_atom_for_a_list(client):
    area = AreaFactory()
    StoryFactory(title="In the area \x01", area=area, lat=53.8, lng=-1.5)
    StoryFactory(title="Elsewhere")
    rss = client.get(reverse("stories:rss") + f"?area={area.slug}")
    assert rss.status_code == 200 and b"<rss" in rss.content and b"In the area" in rss.content
    assert b"Elsewhere" not in rss.content and b"georss:point" in rss.content
    atom = client.get(reverse("stories:atom"))
    assert b"<feed" in atom.content and b"Elsewhere" in atom.content


def test_map_layer(client):
    StoryFactory(title="On the map", lat=53.8, lng=-1.55)
    StoryFactory(title="Hidden", lat=53.8, lng=-1.55, status="pending")
    r = client.get(reverse("stories:map_layer") + "?bbox=-1.6,53.7,-1.5,53.9")
    data = r.json()
    assert [f["properties"]["title"] for f in data["features"]] == ["On the map"]
    assert data["features"][0]["properties"]["kind"] == "story"
    assert client.get(reverse("stories:map_layer") + "?bbox=a,b").status_code == 400
    assert client.get(reverse("stories:map_layer") + "?bbox=-1,95,1,96").status_code == 400


def test_replies_and_helped_notify_the_author(client, django_capture_on_commit_callbacks):
    author = UserFactory()
    story = StoryFactory(owner=author)
    reader = UserFactory()
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        r = client.post(reverse("stories:reply", args=[story.pk]), {"body": "Thank you for this!"})
    assert r.status_code == 302
    assert "Thank you for this!" in client.get(story.get_absolute_url()).content.decode()
    assert client.post(reverse("stories:reply", args=[story.pk]), {"body": "x" * 1001}).status_code == 400
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("stories:helped", args=[story.pk]))
        client.post(reverse("stories:helped", args=[story.pk]))  # taken back
        client.post(reverse("stories:helped", args=[story.pk]))
    story.refresh_from_db()
    assert story.helped_count == 1 and StoryHelped.objects.filter(story=story).count() == 1
    assert Notification.objects.filter(recipient=author, kind="stories.story_response").count() == 3


def test_reports_hide_a_story_after_enough_people(settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 2
    from squaremile.moderation import services as moderation

    story = StoryFactory()
    services.indexing.sync(story)
    for _ in range(2):
        moderation.report(user=UserFactory(), target=story, reason="spam")
    story.refresh_from_db()
    assert story.status == "hidden"
    assert Report.objects.count() == 2
    assert not SearchDocument.objects.filter(kind="story", object_id=story.pk).exists()


def test_search_finds_published_public_stories_only(client):
    published = services.story_tell(by=UserFactory(role="organiser"), data={"title": "Wildflower verge"})
    services.story_tell(by=UserFactory(role="organiser"), data={"title": "Wildflower draft"}, publish=False)
    from squaremile.core.search import search

    hits = search("wildflower", kinds=["story"]).hits
    assert [h.object_id for h in hits] == [published.pk]


def test_members_may_file_a_linked_story(client):
    story = StoryFactory(kind="linked", owner=None, source="Gazette", link="https://x.example/1")
    entry = EntryFactory()
    area = AreaFactory()
    client.force_login(UserFactory())
    r = client.post(reverse("stories:file", args=[story.pk]), {"area": area.pk, "about": entry.get_absolute_url()})
    assert r.status_code == 302
    story.refresh_from_db()
    assert story.area == area and StoryLink.objects.filter(story=story, object_id=entry.pk).exists()


def test_only_owner_or_moderator_changes(client):
    story = StoryFactory()
    client.force_login(UserFactory())
    assert client.get(reverse("stories:edit", args=[story.pk])).status_code == 403
    client.force_login(story.owner)
    r = client.post(reverse("stories:edit", args=[story.pk]), {"title": "Renamed", "action": "save"})
    assert r.status_code == 302
    story.refresh_from_db()
    assert story.title == "Renamed"


def test_booklet_html_and_pdf(client):
    StoryFactory(title="Booklet story", body="Told **well**.")
    client.force_login(UserFactory())
    assert client.get(reverse("stories:booklet")).status_code == 403
    client.force_login(UserFactory(role="organiser"))
    r = client.get(reverse("stories:booklet") + "?title=Our+stories&date_from=")
    assert r.status_code == 200 and "Booklet story" in r.content.decode()
    pdf = client.get(reverse("stories:booklet_pdf") + "?title=Our+stories")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("stories:booklet") + "?ids=abc").status_code == 400


def test_about_search_offers_only_visible_records(client):
    EntryFactory(title="Community orchard")
    from squaremile.core.search import index_document
    from squaremile.mapping.entries.services import entry_create  # noqa: F401 - index through the service below

    visible = EntryFactory(title="Orchard visible")
    hidden = EntryFactory(title="Orchard hidden", status="pending", owner=UserFactory())
    for e in (visible, hidden):
        index_document(kind="entry", object_id=e.pk, title=e.title, url=e.get_absolute_url())
    client.force_login(UserFactory())
    html = client.get(reverse("stories:about_search") + "?q=orchard").content.decode()
    assert "Orchard visible" in html and "Orchard hidden" not in html


def test_api_list_read_create_update(client):
    from squaremile.accounts import services as account_services

    member = UserFactory(role="organiser")
    _token, key = account_services.api_token_create(user=member, by=member, name="t")
    entry = EntryFactory()
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    r = client.post(
        "/api/v1/stories",
        json.dumps({"title": "From the API", "tags": ["api"], "about": [ref_of(entry)]}),
        content_type="application/json",
        **auth,
    )
    assert r.status_code == 201, r.content
    data = r.json()
    assert data["about"][0]["ref"] == ref_of(entry) and data["tags"] == ["api"]
    r = client.patch(
        f"/api/v1/stories/{data['id']}", json.dumps({"title": "Renamed"}), content_type="application/json", **auth
    )
    assert r.status_code == 200 and r.json()["title"] == "Renamed"
    listing = client.get("/api/v1/stories?tag=api").json()
    assert listing["count"] == 1
    assert client.post(
        "/api/v1/stories", json.dumps({"title": ""}), content_type="application/json", **auth
    ).status_code in (400, 422)
    r = client.post(
        "/api/v1/stories", json.dumps({"title": "x", "area": "nowhere"}), content_type="application/json", **auth
    )
    assert r.status_code == 400 and "area" in r.json()["errors"]
    assert (
        client.post("/api/v1/stories", json.dumps({"title": "x"}), content_type="application/json").status_code == 401
    )
    assert client.get("/api/v1/stories/999999").status_code == 404


def test_a_story_started_from_another_record_names_it(client):
    from squaremile.accounts.tests.factories import UserFactory

    teller = UserFactory()
    client.force_login(teller)
    page = client.get("/stories/tell/?about=directory.organisation:7").content.decode()
    assert "directory.organisation:7" in page


def test_a_persons_stories_are_in_their_data_download(client, settings):
    settings.STORIES_REVIEW_FIRST = False
    member = UserFactory()
    entry = EntryFactory(title="Canal path")
    client.force_login(member)
    r = client.post(
        reverse("stories:create"),
        {"title": "Told", "body": "We did it.", "photos": [_photo()], "photo_alt": ["Rakes"],
         "about": ref_of(entry), "tags": "canal", "action": "publish"},
    )  # fmt: skip
    assert r.status_code == 302
    draft = services.story_save_draft(by=member, data={"title": "Half told", "body": "So far"})
    other = StoryFactory(title="Someone else's")
    services.comment_add(story=other, by=member, body="Lovely")
    data = client.get(reverse("accounts:data_export")).json()["stories"]
    told, kept = data["stories"]
    assert (told["title"], told["status"], told["text"]) == ("Told", "published", "We did it.")
    assert told["about"] == [ref_of(entry)] and told["tags"] == ["canal"]
    assert told["photos"][0]["alt"] == "Rakes" and told["photos"][0]["content_type"] == "image/png"
    assert (kept["id"], kept["status"], kept["text"]) == (draft.pk, "draft", "So far")
    assert [c["text"] for c in data["replies"]] == ["Lovely"]
    assert "Someone else's" not in json.dumps(data)


def test_after_publishing_the_teller_or_a_moderator_removes_a_photo_or_changes_its_description(client, settings):
    from squaremile.attachments.models import Attachment
    from squaremile.audit.models import AuditEvent

    settings.STORIES_REVIEW_FIRST = False
    teller = UserFactory()
    story = services.story_tell(
        by=teller,
        data={"title": "Canal day"},
        photos=[],
        about=[],
    )
    from squaremile.attachments import services as attachments
    from squaremile.attachments.uploads import prepare_all

    attachments.attach_all(
        owner=story, files=prepare_all([_photo("a.png"), _photo("b.png", "red")], kinds=("image",)),
        alts=["Rakes", ""], user=teller,
    )  # fmt: skip
    first, second = story.attachments.order_by("position")
    edit = reverse("stories:edit", args=[story.pk])
    # someone else may not
    client.force_login(UserFactory())
    r = client.post(edit, {"title": "Canal day", "action": "save", "photo-remove": [first.pk]})
    assert r.status_code == 403 and story.attachments.count() == 2
    client.force_login(teller)
    page = client.get(edit).content.decode()
    assert "Photos already in your story" in page and 'name="photo-remove"' in page and "Describe photo 2" in page
    r = client.post(
        edit,
        {"title": "Canal day", "action": "save", "photo-remove": [first.pk],
         f"photo-alt_{first.pk}": "ignored", f"photo-alt_{second.pk}": "The clean path"},
    )  # fmt: skip
    assert r.status_code == 302, r.content.decode()[:1500]
    assert list(story.attachments.values_list("alt", flat=True)) == ["The clean path"]
    assert not Attachment.objects.filter(pk=first.pk).exists()
    event = AuditEvent.objects.filter(action="story.changed").latest("id")
    assert event.changes["photos removed"] == ["Rakes", ""]
    assert event.changes["photo 2 description"] == ["", "The clean path"]
    # a moderator may change a description too; a too long one is refused and nothing is lost
    client.force_login(UserFactory(role="moderator"))
    r = client.post(edit, {"title": "Canal day", "action": "save", f"photo-alt_{second.pk}": "x" * 400})
    assert (
        r.status_code == 400 and "Describe photo 1: Ensure this value has at most 300 characters" in r.content.decode()
    )
    r = client.post(edit, {"title": "Canal day", "action": "save", f"photo-alt_{second.pk}": "Clean path, sunny"})
    assert r.status_code == 302
    assert story.attachments.get().alt == "Clean path, sunny"
    # an id that is not this story's photo is ignored
    other = StoryFactory()
    attachments.attach_all(owner=other, files=prepare_all([_photo()], kinds=("image",)), alts=[""], user=other.owner)
    client.force_login(teller)
    r = client.post(edit, {"title": "Canal day", "action": "save", "photo-remove": [other.attachments.get().pk]})
    assert r.status_code == 400 and "Select a valid choice" in r.content.decode()
    assert other.attachments.count() == 1 and story.attachments.count() == 1
