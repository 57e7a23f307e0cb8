"""Writes of stories: telling one (a draft saved as it is typed, then published or sent for
review), changing and deleting it, what it is about, replies and "this helped me", filing a linked
story, and the feeds organisers add. Keyword-only, atomic, permission-checked; search, audit and
notifications kept in step here."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.text import slugify

from squaremile.attachments import services as attachments
from squaremile.audit import services as audit
from squaremile.core.permissions import can, require
from squaremile.core.records import may_see, ref_of
from squaremile.core.text import plain_text, safe_link
from squaremile.moderation import services as moderation
from squaremile.moderation.models import ModerationState as S
from squaremile.places.selectors import area_for_point
from squaremile.stories import indexing, selectors
from squaremile.stories import notifications as story_notifications
from squaremile.stories.models import (
    Story,
    StoryComment,
    StoryFeed,
    StoryHelped,
    StoryKind,
    StoryLink,
    StoryTag,
)
from squaremile.stories.moderation import TRACKED

MAX_LINKS = 20
MAX_TAGS = 10
MAX_MEDIA_LINKS = 6
COMMENT_MAX = 1000
EDITABLE = ("title", "body", "area", "lat", "lng", "happened_on", "media_links", "organisation")


def review_first() -> bool:
    """Does a new member's first story wait for a moderator (setting STORIES_REVIEW_FIRST)?"""
    return bool(getattr(settings, "STORIES_REVIEW_FIRST", True))


def needs_review(user) -> bool:
    """A member's first story waits for review when the operator chose so; organisers' never, nor
    the stories of someone who already has one published."""
    if not review_first() or can(user, "story.publish_trusted"):
        return False
    return not Story.objects.filter(owner=user, kind=StoryKind.OWN, status=S.PUBLISHED).exists()


# ---- pieces ------------------------------------------------------------------------------------
def parse_tags(text: str) -> list[str]:
    names, seen = [], set()
    for raw in (text or "").replace("\n", ",").split(","):
        name = " ".join(raw.split())[:60]
        slug = slugify(name)[:70]
        if name and slug and slug not in seen:
            seen.add(slug)
            names.append(name)
    if len(names) > MAX_TAGS:
        raise ValidationError({"tags": [f"At most {MAX_TAGS} tags."]})
    return names


def clean_media_links(text: str) -> str:
    """One address a line, http or https only (shown as links; never fetched)."""
    lines = [line.strip() for line in (text or "").splitlines() if line.strip()]
    if len(lines) > MAX_MEDIA_LINKS:
        raise ValidationError({"media_links": [f"At most {MAX_MEDIA_LINKS} links."]})
    bad = [line for line in lines if not safe_link(line).startswith(("http://", "https://")) or len(line) > 500]
    if bad:
        raise ValidationError({"media_links": [f"Not a web address: {bad[0][:80]}"]})
    return "\n".join(lines)


def _set_tags(story: Story, names: Sequence[str]) -> None:
    tags = []
    for name in names:
        slug = slugify(name)[:70]
        tag, made = StoryTag.objects.get_or_create(slug=slug, defaults={"name": name})
        if made:
            selectors.forget_filter_choices()
        tags.append(tag)
    story.tags.set(tags)


def _set_links(story: Story, records: Sequence, *, by) -> None:
    """What the story is about: records `by` may see (others are refused), in the given order."""
    if len(records) > MAX_LINKS:
        raise ValidationError({"about": [f"At most {MAX_LINKS} links."]})
    wanted = []
    for obj in records:
        if not may_see(by, obj):
            raise ValidationError({"about": ["You cannot link to something you cannot see."]})
        wanted.append(obj)
    StoryLink.objects.filter(story=story).delete()
    StoryLink.objects.bulk_create(
        StoryLink(
            story=story,
            content_type=ContentType.objects.get_for_model(obj),
            object_id=obj.pk,
            ref=ref_of(obj),
            position=i,
        )
        for i, obj in enumerate(wanted)
    )


def _check_organisation(story: Story, by) -> None:
    org = story.organisation
    if org is not None and not can(by, "organisation.speak_for", org):
        raise ValidationError({"organisation": ["You can speak only for an organisation you belong to."]})


def _apply(story: Story, data: dict) -> None:
    for name in EDITABLE:
        if name in data:
            setattr(story, name, data[name])
    if "media_links" in data:
        story.media_links = clean_media_links(data["media_links"] or "")
    story.title = (story.title or "").strip()[:200]
    story.summary = plain_text(story.body, 240)
    if (story.lat is None) != (story.lng is None):
        raise ValidationError({"lat": ["Give both latitude and longitude, or neither."]})
    if story.has_location and story.area_id is None:
        story.area = area_for_point(lat=story.lat, lng=story.lng)


def _event(story: Story, by, action: str, *, changes=None, note: str = "") -> None:
    audit.record(actor=by, action=f"story.{action}", target=story, changes=changes, note=note)


def _finish(story: Story, data: dict, *, by, photos, alts, about) -> None:
    if "tags" in data:
        _set_tags(story, parse_tags(data["tags"]) if isinstance(data["tags"], str) else list(data["tags"]))
    if about is not None:
        _set_links(story, about, by=by)
    if photos:
        attachments.attach_all(owner=story, files=photos, alts=alts, user=by)


# ---- telling -------------------------------------------------------------------------------------
@transaction.atomic
def story_save_draft(*, by, data: dict, story: Story | None = None, about: Sequence | None = None) -> Story:
    """Save what has been typed so far as the person's draft (created on the first call). Nothing
    is checked beyond what the columns need: a draft may be half a sentence."""
    if story is None:
        require(by, "story.add")
        story = Story(owner=by, kind=StoryKind.OWN, status=S.DRAFT)
    else:
        require(by, "story.change", story)
        story = Story.objects.select_for_update().get(pk=story.pk)
        if story.status != S.DRAFT:
            raise ValidationError({"__all__": ["This story is no longer a draft."]})
    _apply(story, {k: v for k, v in data.items() if k in EDITABLE and k != "organisation"})
    if not story.title:
        story.title = "Untitled draft"
    story.save()
    if "tags" in data or about is not None:
        try:
            _finish(story, {k: v for k, v in data.items() if k == "tags"}, by=by, photos=(), alts=(), about=about)
        except ValidationError:
            pass  # a draft keeps what it can; the form says what is wrong when it is sent
    return story


@attachments.removes_stored_files_on_failure
@transaction.atomic
def story_tell(
    *,
    by,
    data: dict,
    draft: Story | None = None,
    photos: Sequence = (),
    alts=(),
    about: Sequence = (),
    publish: bool = True,
) -> Story:
    """Tell a story: from the person's draft (if any) to a published story, or one waiting for
    review (a new member's first story, when the operator chose so), or a draft kept (`publish`
    False)."""
    require(by, "story.add")
    if draft is not None:
        require(by, "story.change", draft)
        story = Story.objects.select_for_update().get(pk=draft.pk)
        if story.status != S.DRAFT:
            raise ValidationError({"__all__": ["This story was already sent."]})
    else:
        story = Story(owner=by, kind=StoryKind.OWN, status=S.DRAFT)
    _apply(story, data)
    if not story.title:
        raise ValidationError({"title": ["Give your story a title."]})
    _check_organisation(story, by)
    if publish:
        if needs_review(by):
            story.status = S.PENDING
        else:
            story.status, story.published_at = S.PUBLISHED, timezone.now()
    story.save()
    _finish(story, data, by=by, photos=photos, alts=alts, about=about)
    _event(story, by, "told" if publish else "drafted", changes=audit.diff({}, audit.snapshot(story, TRACKED)))
    indexing.sync(story)
    if story.status == S.PENDING:
        transaction.on_commit(lambda: story_notifications.story_waiting(story))
    elif story.status == S.PUBLISHED:
        transaction.on_commit(lambda: story_notifications.story_published(story, by=by))
    return story


@attachments.removes_stored_files_on_failure
@transaction.atomic
def story_update(
    *,
    story: Story,
    by,
    data: dict,
    photos: Sequence = (),
    alts=(),
    about: Sequence | None = None,
    publish: bool = False,
    remove_photos: Sequence[int] = (),
    describe_photos: dict[int, str] | None = None,
) -> Story:
    """Change a story; `remove_photos` (ids) and `describe_photos` ({id: alt text}) change the
    photos it already has, through the attachments app (before the new ones are added)."""
    require(by, "story.change", story)
    story = Story.objects.select_for_update().get(pk=story.pk)
    before = audit.snapshot(story, TRACKED)
    photo_changes = {}
    if remove_photos or describe_photos:
        done = attachments.update_existing(owner=story, remove=remove_photos, describe=describe_photos, user=by)
        if done["removed"]:
            photo_changes["photos removed"] = [", ".join(done["removed"]), ""]
        for name, (old, new) in done["described"].items():
            photo_changes[f"{name} description"] = [old, new]
    _apply(story, data)
    if not story.title:
        raise ValidationError({"title": ["Give your story a title."]})
    if "organisation" in data:
        _check_organisation(story, by)
    if publish and story.status == S.DRAFT:
        if needs_review(by):
            story.status = S.PENDING
        else:
            story.status, story.published_at = S.PUBLISHED, timezone.now()
    story.save()
    _finish(story, data, by=by, photos=photos, alts=alts, about=about)
    _event(story, by, "changed", changes={**audit.diff(before, audit.snapshot(story, TRACKED)), **photo_changes})
    indexing.sync(story)
    if story.status == S.PENDING and before.get("status") != story.status:
        transaction.on_commit(lambda: story_notifications.story_waiting(story))
    return story


@transaction.atomic
def story_delete(*, story: Story, by) -> None:
    require(by, "story.delete", story)
    story = Story.objects.select_for_update().get(pk=story.pk)
    _event(story, by, "deleted")
    moderation.forget_reports(target=story)
    indexing.remove(story.pk)
    story.delete()


# ---- moderation ---------------------------------------------------------------------------------
def story_moderate(*, story: Story, by, action: str, note: str = "") -> Story:
    return moderation.take(kind="story", action=action, user=by, obj=story, note=note)


# ---- linked stories: filing them ------------------------------------------------------------------
@transaction.atomic
def story_tag(*, story: Story, by, area=None, about: Sequence = ()) -> Story:
    """File a published story (a linked one, typically) under an area and/or link it to records:
    anyone signed in may, as with tagging a photo; links already there stay."""
    require(by, "story.tag", story)
    if story.status != S.PUBLISHED:
        raise ValidationError({"__all__": ["Only published stories can be filed."]})
    story = Story.objects.select_for_update().get(pk=story.pk)
    changed = {}
    if area is not None and story.area_id != area.pk:
        changed["area"] = [str(story.area or ""), str(area)]
        story.area = area
        story.save(update_fields=["area", "updated_at"])
    have = {(link.content_type_id, link.object_id) for link in story.links.all()}
    start = len(have)
    added = []
    for obj in about:
        if not may_see(by, obj):
            raise ValidationError({"about": ["You cannot link to something you cannot see."]})
        key = (ContentType.objects.get_for_model(obj).pk, obj.pk)
        if key in have:
            continue
        have.add(key)
        added.append(
            StoryLink(
                story=story, content_type_id=key[0], object_id=obj.pk, ref=ref_of(obj), position=start + len(added)
            )
        )
    if len(have) > MAX_LINKS:
        raise ValidationError({"about": [f"At most {MAX_LINKS} links."]})
    StoryLink.objects.bulk_create(added)
    if added:
        changed["about"] = ["", ", ".join(link.ref for link in added)]
    if changed:
        _event(story, by, "filed", changes=changed)
        indexing.sync(story)
    return story


# ---- responses ----------------------------------------------------------------------------------
@transaction.atomic
def comment_add(*, story: Story, by, body: str) -> StoryComment:
    require(by, "story.respond", story)
    body = (body or "").strip()
    if not body:
        raise ValidationError({"body": ["Write your reply."]})
    if len(body) > COMMENT_MAX:
        raise ValidationError({"body": [f"At most {COMMENT_MAX} characters: a short reply."]})
    if story.status != S.PUBLISHED:
        raise ValidationError({"body": ["You can reply to a published story only."]})
    comment = StoryComment.objects.create(story=story, owner=by, body=body)
    audit.record(actor=by, action="storycomment.added", target=comment)
    transaction.on_commit(lambda: story_notifications.story_response(story, by=by, what="replied to"))
    return comment


@transaction.atomic
def comment_delete(*, comment: StoryComment, by) -> None:
    if comment.owner_id != getattr(by, "pk", None):
        require(by, "storycomment.moderate", comment)
    moderation.forget_reports(target=comment)
    audit.record(actor=by, action="storycomment.deleted", target=comment)
    comment.delete()


@transaction.atomic
def helped_toggle(*, story: Story, by) -> bool:
    """Say (or take back) "this helped me": once per person. Returns whether it now counts."""
    require(by, "story.respond", story)
    if story.status != S.PUBLISHED:
        raise ValidationError({"__all__": ["Only a published story can be marked."]})
    if story.owner_id == by.pk:
        raise ValidationError({"__all__": ["This is your own story."]})
    gone, _ = StoryHelped.objects.filter(story=story, user=by).delete()
    if gone:
        Story.objects.filter(pk=story.pk).update(helped_count=F("helped_count") - 1)
        return False
    try:
        with transaction.atomic():
            StoryHelped.objects.create(story=story, user=by)
    except IntegrityError:  # a double click that raced: it counts once
        return True
    Story.objects.filter(pk=story.pk).update(helped_count=F("helped_count") + 1)
    transaction.on_commit(lambda: story_notifications.story_response(story, by=by, what="says this helped them:"))
    return True


# ---- feeds --------------------------------------------------------------------------------------
def clean_feed_url(url: str) -> str:
    url = (url or "").strip()
    if not url.startswith(("http://", "https://")) or len(url) > 500:
        raise ValidationError({"url": ["Give the feed's web address (starting with https:// or http://)."]})
    return url


@transaction.atomic
def feed_add(*, by, title: str, url: str, area=None) -> StoryFeed:
    require(by, "storyfeed.add")
    url = clean_feed_url(url)
    title = (title or "").strip()[:200]
    if not title:
        raise ValidationError({"title": ["Name the site, as people know it."]})
    if StoryFeed.objects.filter(url=url).exists():
        raise ValidationError({"url": ["This feed is already here."]})
    feed = StoryFeed.objects.create(title=title, url=url, area=area, owner=by, next_poll_at=timezone.now())
    audit.record(actor=by, action="storyfeed.added", target=feed)
    return feed


@transaction.atomic
def feed_update(*, feed: StoryFeed, by, title: str | None = None, area=None, active: bool | None = None) -> StoryFeed:
    require(by, "storyfeed.change", feed)
    before = audit.snapshot(feed, ("title", "area", "active"))
    if title is not None:
        feed.title = title.strip()[:200] or feed.title
    feed.area = area
    if active is not None:
        feed.active = active
        if active:
            feed.failures, feed.next_poll_at = 0, timezone.now()
    feed.save()
    audit.record(
        actor=by,
        action="storyfeed.changed",
        target=feed,
        changes=audit.diff(before, audit.snapshot(feed, ("title", "area", "active"))),
    )
    return feed


@transaction.atomic
def feed_delete(*, feed: StoryFeed, by) -> None:
    """Remove a feed and the linked stories it brought."""
    require(by, "storyfeed.change", feed)
    audit.record(actor=by, action="storyfeed.deleted", target=feed)
    ids = list(feed.stories.values_list("pk", flat=True))
    for pk in ids:
        indexing.remove(pk)
    feed.delete()


def feed_poll_now(*, feed: StoryFeed, by):
    """An organiser asks for a poll now: still at most every STORIES_FEED_MIN_MINUTES."""
    require(by, "storyfeed.change", feed)
    from squaremile.stories.feeds import poller

    return poller.poll_feed(feed, now=timezone.now(), force=False)


def parse_date(value) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError as exc:
        raise ValidationError({"happened_on": ["Give a date like 2026-05-14."]}) from exc
