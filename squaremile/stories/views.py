"""The pages of stories: the list (and its feeds), one story, telling one on a phone (with a draft
saved as it is typed), replies and "this helped me", filing a linked story, the feeds organisers
add, the booklet, and the map layer. Every 4xx is decided here."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponseBadRequest, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.html import escape
from django.views.decorators.http import require_GET, require_POST

from squaremile.attachments.forms import ExistingAttachmentsForm
from squaremile.core import ratelimit
from squaremile.core.pdf import pdf_response, render_pdf
from squaremile.core.permissions import can, refusal, signed_in
from squaremile.core.records import card, may_see, ref_of
from squaremile.core.site import absolute_url
from squaremile.core.text import plain_text
from squaremile.directory.models import Organisation
from squaremile.directory.selectors import organisations_spoken_for
from squaremile.mapping import layers
from squaremile.places.models import Area
from squaremile.stories import selectors, services
from squaremile.stories.feeds import poller
from squaremile.stories.forms import BookletForm, CommentForm, FeedForm, FileStoryForm, StoryForm
from squaremile.stories.models import Story, StoryFeed, StoryKind, StoryTag


# ---- the list ------------------------------------------------------------------------------------
def parse_filters(request) -> selectors.StoryFilters:
    """The list's filters from the query string (a missing area, tag or organisation is a 404)."""
    get = request.GET
    filters = selectors.StoryFilters()
    if get.get("area"):
        filters.area = get_object_or_404(Area.objects.defer("boundary"), slug=get["area"][:220])
    if get.get("tag"):
        filters.tag = get_object_or_404(StoryTag, slug=get["tag"][:70])
    if get.get("organisation"):
        filters.organisation = get_object_or_404(Organisation, slug=get["organisation"][:220])
    if get.get("kind") in StoryKind.values:
        filters.kind = get["kind"]
    filters.q = " ".join(get.get("q", "").split())[:200]
    if get.get("near") and signed_in(request.user):
        profile = getattr(request.user, "profile", None)
        if profile is not None and profile.lat is not None and profile.lng is not None:
            filters.near = (profile.lat, profile.lng, float(profile.radius_m))
    return filters


def _page_number(request) -> int:
    try:
        return max(1, min(int(request.GET.get("page", "1")), selectors.MAX_PAGE))
    except ValueError:
        return 1


def _query_without(request, *names) -> str:
    q = request.GET.copy()
    for name in names:
        q.pop(name, None)
    return q.urlencode()


@require_GET
def story_list(request):
    filters = parse_filters(request)
    page = _page_number(request)
    stories, has_next = selectors.page_of(selectors.filtered(filters), page)
    profile = getattr(request.user, "profile", None) if signed_in(request.user) else None
    context = {
        "stories": stories,
        "filters": filters,
        "page": page,
        "has_next": has_next,
        "query": _query_without(request, "page"),
        "feed_query": _query_without(request, "page", "near"),
        **selectors.filter_choices(),  # tags, areas
        "has_square_mile": profile is not None and profile.lat is not None,
        "may_tell": can(request.user, "story.add"),
        "may_feeds": can(request.user, "storyfeed.add"),
        "may_booklet": can(request.user, "story.booklet"),
    }
    return render(request, "stories/story_list.html", context)


# ---- one story -----------------------------------------------------------------------------------
def _jsonld(story: Story, request) -> dict:
    data = {
        "@context": "https://schema.org",
        "@type": "Article",
        "headline": story.title[:110],
        "url": absolute_url(story.get_absolute_url(), request=request),
        "description": plain_text(story.body, 200),
        "datePublished": story.published_at.isoformat() if story.published_at else None,
        "dateModified": story.updated_at.isoformat() if story.updated_at else None,
    }
    if story.is_linked:
        data["isBasedOn"] = story.link or None
        data["publisher"] = {"@type": "Organization", "name": story.source}
    elif story.organisation_id:
        data["author"] = {"@type": "Organization", "name": story.organisation.name}
    elif story.owner_id:
        data["author"] = {"@type": "Person", "name": str(story.owner)}
    photos = [a for a in story.attachments.all() if a.is_image]
    if photos:
        data["image"] = [absolute_url(p.file.url, request=request) for p in photos[:3]]
    if story.area_id:
        data["contentLocation"] = {"@type": "Place", "name": story.area.name}
    return {k: v for k, v in data.items() if v}


def _detail_context(request, story: Story, *, comment_form=None) -> dict:
    photos = [a for a in story.attachments.all() if a.is_image]
    return {
        "story": story,
        "photos": photos,
        "og_image": absolute_url(photos[0].file.url, request=request) if photos else "",
        "share_url": absolute_url(story.get_absolute_url(), request=request),
        "about": selectors.linked_records(story, request.user),
        "media": [line for line in story.media_links.splitlines() if line.strip()],
        "jsonld": _jsonld(story, request) if story.is_published else None,
        "comment_form": comment_form or CommentForm(),
        "helped": selectors.has_helped(story, request.user),
        "may_change": can(request.user, "story.change", story),
        "may_respond": can(request.user, "story.respond", story) and story.is_published,
        "may_tag": story.is_published and can(request.user, "story.tag", story),
        "file_form": FileStoryForm(),
    }


@require_GET
def story_detail(request, pk: int):
    story = selectors.story_for_page(pk, request.user)
    if story is None:
        raise Http404("No such story")
    return render(request, "stories/story_detail.html", _detail_context(request, story))


# ---- telling -------------------------------------------------------------------------------------
def _form_context(request, form, *, story=None, draft=None, existing=None) -> dict:
    refs = form.data.get("about", "") if form.is_bound else form.initial.get("about", "")
    chosen, _bad = selectors.resolve_refs(refs.replace(",", "\n").splitlines(), request.user)
    return {
        "form": form,
        "story": story,
        "draft": draft,
        "existing": existing,
        "chosen": [(ref_of(obj), card(obj)) for obj in chosen],
    }


def _resolve_about(request, form, field="about"):
    records, bad = selectors.resolve_refs(form.about_lines(), request.user)
    if bad:
        form.add_error(field, f"Not found, or not something you can see: {bad[0][:100]}")
    return records


@login_required
def story_create(request):
    if not can(request.user, "story.add"):
        raise PermissionDenied(refusal(request.user, "story.add"))
    draft = selectors.draft_of(request.user, request.POST.get("draft") or request.GET.get("draft"))
    organisations = organisations_spoken_for(request.user)
    if request.method != "POST":
        # "Tell it as a story" from another record (a need met, an event) names it: ?about=exchange.item:12
        initial = {"about": request.GET.get("about", "")[:300]}
        if draft is not None:
            initial = {
                "title": "" if draft.title == "Untitled draft" else draft.title,
                "body": draft.body,
                "area": draft.area_id,
                "happened_on": draft.happened_on,
                "media_links": draft.media_links,
                "tags": ", ".join(t.name for t in draft.tags.all()),
                "lat": draft.lat,
                "lng": draft.lng,
                "draft": draft.pk,
                "about": "\n".join(link.ref for link in draft.links.all()),
            }
        form = StoryForm(initial=initial, organisations=organisations)
        return render(request, "stories/story_form.html", _form_context(request, form, draft=draft))
    form = StoryForm(request.POST, request.FILES, organisations=organisations)
    publish = request.POST.get("action", "publish") != "draft"
    if form.is_valid():
        about = _resolve_about(request, form)
        if not form.errors:
            try:
                story = services.story_tell(
                    by=request.user,
                    data=form.story_data(),
                    draft=draft,
                    photos=form.cleaned_data["photos"],
                    alts=form.cleaned_data["photo_alt"],
                    about=about,
                    publish=publish,
                )
            except ValidationError as exc:
                form.add_service_errors(exc, field_for=lambda f: f if f in form.fields else None)
            else:
                if story.status == "published":
                    messages.success(request, "Thank you: your story is published.")
                elif story.status == "pending":
                    messages.success(
                        request,
                        "Thank you: a moderator will look at your first story soon, then it "
                        "will be published. Your next stories will be published at once.",
                    )
                else:
                    messages.success(request, "Your draft is kept. Come back to it any time from “My stories”.")
                return redirect(story.get_absolute_url())
    return render(request, "stories/story_form.html", _form_context(request, form, draft=draft), status=400)


@login_required
@require_POST
def story_autosave(request):
    """The draft, saved as it is typed (stories.js posts the form here every few seconds). Answers
    JSON: the draft's id (to send with the next save) and when it was saved."""
    try:
        ratelimit.hit("stories-autosave", user=str(request.user.pk))
    except ratelimit.RateLimited as exc:
        return ratelimit.with_retry_after(
            JsonResponse({"message": "Saving too often; wait a moment."}, status=429), exc
        )
    draft = None
    if request.POST.get("draft"):
        draft = selectors.draft_of(request.user, request.POST["draft"])
        if draft is None:
            return JsonResponse({"message": "That draft is no longer here (it was sent or deleted)."}, status=404)
    form = StoryForm(request.POST, organisations=Organisation.objects.none())
    form.is_valid()  # a draft keeps whatever parts are valid
    data = {
        k: v
        for k, v in form.cleaned_data.items()
        if k in ("title", "body", "area", "happened_on", "media_links", "tags", "lat", "lng")
    }
    if "lat" in data and "lng" in data and (data["lat"] is None) != (data["lng"] is None):
        data.pop("lat"), data.pop("lng")
    about, _bad = selectors.resolve_refs(form.about_lines() if "about" in form.cleaned_data else [], request.user)
    try:
        story = services.story_save_draft(by=request.user, data=data, story=draft, about=about)
    except ValidationError as exc:
        return JsonResponse({"message": " ".join(exc.messages)}, status=400)
    except PermissionDenied as exc:
        return JsonResponse({"message": str(exc)}, status=403)
    return JsonResponse({"draft": story.pk, "saved": timezone.localtime(story.updated_at).strftime("%H:%M:%S")})


def _editable(request, pk, action="story.change") -> Story:
    story = get_object_or_404(Story, pk=pk)
    if not selectors.can_view(request.user, story):
        raise Http404("No such story")
    if not can(request.user, action, story):
        raise PermissionDenied(refusal(request.user, action))
    return story


@login_required
def story_edit(request, pk: int):
    story = _editable(request, pk)
    if story.is_linked:
        raise Http404("Stories from other sites are changed where they were written.")
    organisations = organisations_spoken_for(story.owner) if story.owner_id else Organisation.objects.none()
    if story.organisation_id:
        organisations = organisations | Organisation.objects.filter(pk=story.organisation_id)
    existing = ExistingAttachmentsForm(
        request.POST if request.method == "POST" else None, attachments=story.attachments.all(), prefix="photo"
    )
    photo_room = max(0, 6 - len(existing.attachments) + existing.removals_asked())
    if request.method != "POST":
        initial = {
            "title": story.title,
            "body": story.body,
            "area": story.area_id,
            "happened_on": story.happened_on,
            "media_links": story.media_links,
            "tags": ", ".join(t.name for t in story.tags.all()),
            "lat": story.lat,
            "lng": story.lng,
            "organisation": story.organisation_id,
            "about": "\n".join(link.ref for link in story.links.all()),
        }
        form = StoryForm(initial=initial, organisations=organisations, photo_limit=photo_room)
        return render(request, "stories/story_form.html", _form_context(request, form, story=story, existing=existing))
    form = StoryForm(request.POST, request.FILES, organisations=organisations, photo_limit=photo_room)
    existing_ok = existing.is_valid()
    if form.is_valid() and existing_ok:
        about = _resolve_about(request, form)
        if not form.errors:
            try:
                story = services.story_update(
                    story=story,
                    by=request.user,
                    data=form.story_data(),
                    photos=form.cleaned_data["photos"],
                    alts=form.cleaned_data["photo_alt"],
                    about=about,
                    publish=request.POST.get("action") == "publish",
                    remove_photos=existing.removals(),
                    describe_photos=existing.descriptions(),
                )
            except ValidationError as exc:
                form.add_service_errors(exc, field_for=lambda f: f if f in form.fields else None)
            else:
                messages.success(request, "Your story is saved.")
                return redirect(story.get_absolute_url())
    if not existing_ok:  # shown in the error summary; each photo's box shows its own error too
        problems = [f"{existing.fields[name].label}: {' '.join(errs)}" if name in existing.fields else " ".join(errs)
                    for name, errs in existing.errors.items()]  # fmt: skip
        form.add_error(None, "Photos already in your story: " + "; ".join(problems))
    context = _form_context(request, form, story=story, existing=existing)
    return render(request, "stories/story_form.html", context, status=400)


@login_required
def story_delete(request, pk: int):
    story = _editable(request, pk, "story.delete")
    if request.method == "POST":
        services.story_delete(story=story, by=request.user)
        messages.success(request, "The story is deleted.")
        return redirect("stories:mine")
    return render(request, "stories/story_confirm_delete.html", {"story": story})


@login_required
@require_GET
def my_stories(request):
    return render(
        request,
        "stories/my_stories.html",
        {
            "drafts": selectors.my_drafts(request.user)[:50],
            "stories": selectors.my_stories(request.user)[:100],
        },
    )


# ---- what a story is about: the picker -------------------------------------------------------------
PICKER_KINDS = ["entry", "organisation", "project", "story"]


@require_GET
def about_search(request):
    """Records a person may link a story to, matching what they typed (the picker on the form):
    search results resolved through `core.records`, so nothing they may not see is offered; people
    by the name they show (to those they show it to), and areas by name."""
    from squaremile.core.records import resolve_url
    from squaremile.core.search import search

    q = " ".join(request.GET.get("q", "").split())[:100]
    results = []
    if len(q) >= 2:
        for hit in search(q, limit=12).hits:
            obj = resolve_url(hit.url, user=request.user)
            if obj is not None:
                results.append(obj)
        # map entries keep their own text index (the map's), not the site's: looked up by title here
        from squaremile.mapping.models import Entry

        results += list(
            Entry.objects.filter(status="published", title__icontains=q)
            .select_related("category")
            .order_by("title")[:6]
        )
        results += list(Area.objects.defer("boundary").filter(name__icontains=q).order_by("name")[:4])
        from squaremile.directory import selectors as directory_selectors

        results += [p for p in directory_selectors.people_named(request.user, q)[:4] if p is not None]
    seen, shown = set(), []
    for obj in results:
        obj = getattr(obj, "profile", obj) if obj.__class__.__name__ == "User" else obj
        c = card(obj) if may_see(request.user, obj) else None
        if c is None or c.ref in seen:
            continue
        seen.add(c.ref)
        shown.append(c)
    return render(request, "stories/includes/_about_results.html", {"results": shown[:12], "q": q})


# ---- responses ----------------------------------------------------------------------------------
def _published_story(pk) -> Story:
    story = get_object_or_404(Story, pk=pk)
    if not story.is_published:
        raise Http404("No such story")
    return story


@login_required
@require_POST
def story_comment(request, pk: int):
    story = _published_story(pk)
    try:
        ratelimit.hit("stories-reply", user=str(request.user.pk))
    except ratelimit.RateLimited as exc:
        return ratelimit.too_many_requests(request, exc)
    form = CommentForm(request.POST)
    if form.is_valid():
        try:
            comment = services.comment_add(story=story, by=request.user, body=form.cleaned_data["body"])
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Your reply is posted.")
            return redirect(comment.get_absolute_url())
    story = selectors.story_for_page(pk, request.user)
    return render(request, "stories/story_detail.html", _detail_context(request, story, comment_form=form), status=400)


@login_required
@require_POST
def story_helped(request, pk: int):
    story = _published_story(pk)
    try:
        counted = services.helped_toggle(story=story, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(story.get_absolute_url())
    story.refresh_from_db(fields=["helped_count"])
    if request.htmx:
        return render(
            request, "stories/includes/_helped.html", {"story": story, "helped": counted, "may_respond": True}
        )
    messages.success(request, "Thank you for saying so." if counted else "Taken back.")
    return redirect(story.get_absolute_url() + "#helped")


@login_required
@require_POST
def story_file(request, pk: int):
    story = _published_story(pk)
    form = FileStoryForm(request.POST)
    if form.is_valid():
        about = _resolve_about(request, form)
        if not form.errors:
            try:
                services.story_tag(story=story, by=request.user, area=form.cleaned_data.get("area"), about=about)
            except ValidationError as exc:
                form.add_service_errors(exc, field_for=lambda f: f if f in form.fields else None)
            else:
                messages.success(request, "Thank you: the story is filed.")
                return redirect(story.get_absolute_url())
    return render(request, "stories/story_file.html", {"story": story, "form": form}, status=400)


# ---- the map layer -------------------------------------------------------------------------------
@require_GET
def map_layer(request):
    """Published stories with a point in `?bbox=west,south,east,north`: the map's "Stories" layer
    (`mapping.layers`), at most MAX_FEATURES."""
    box = layers.parse_bbox(request.GET.get("bbox"))
    if box is None:
        return layers.bad_bbox()
    west, south, east, north = box
    if west > east:  # across the antimeridian: not a community's map
        return layers.bad_bbox()
    stories = selectors.in_bbox(west=west, south=south, east=east, north=north, limit=layers.MAX_FEATURES + 1)
    features = [
        layers.feature(lat=s.lat, lng=s.lng, title=s.title, url=s.get_absolute_url(), kind="story") for s in stories
    ]
    response = layers.layer_response(features)
    response["Cache-Control"] = "public, max-age=60"
    return response


# ---- feeds organisers add ----------------------------------------------------------------------------
def feed_list(request):
    may_add = can(request.user, "storyfeed.add")
    form = FeedForm(request.POST or None) if may_add else None
    if request.method == "POST":
        if not may_add:
            raise PermissionDenied(refusal(request.user, "storyfeed.add"))
        if form.is_valid():
            try:
                feed = services.feed_add(
                    by=request.user,
                    title=form.cleaned_data["title"],
                    url=form.cleaned_data["url"],
                    area=form.cleaned_data.get("area"),
                )
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                outcome = services.feed_poll_now(feed=feed, by=request.user)
                if outcome.error:
                    messages.error(request, f"The feed was added, but it could not be read: {outcome.error}")
                else:
                    messages.success(request, f"The feed was added: {outcome.added} stories found.")
                return redirect(feed.get_absolute_url())
        return render(request, "stories/feed_list.html", {"feeds": selectors.feeds(), "form": form}, status=400)
    return render(request, "stories/feed_list.html", {"feeds": selectors.feeds(), "form": form})


def feed_detail(request, pk: int):
    feed = get_object_or_404(StoryFeed.objects.select_related("area"), pk=pk)
    stories = list(selectors.for_cards(feed.stories.filter(status="published").order_by("-published_at", "-id"))[:20])
    return render(
        request,
        "stories/feed_detail.html",
        {
            "feed": feed,
            "stories": stories,
            "may_change": can(request.user, "storyfeed.change", feed),
            "min_minutes": int(poller.min_interval().total_seconds() // 60),
        },
    )


@login_required
@require_POST
def feed_poll(request, pk: int):
    feed = get_object_or_404(StoryFeed, pk=pk)
    if not can(request.user, "storyfeed.change", feed):
        raise PermissionDenied(refusal(request.user, "storyfeed.change"))
    outcome = services.feed_poll_now(feed=feed, by=request.user)
    if not outcome.polled:
        messages.info(request, "It was read less than 30 minutes ago: it will be read again soon by itself.")
    elif outcome.error:
        messages.error(request, f"The feed could not be read: {outcome.error}")
    else:
        messages.success(request, f"Read: {outcome.added} new, {outcome.updated} updated.")
    return redirect(feed.get_absolute_url())


@login_required
def feed_delete(request, pk: int):
    feed = get_object_or_404(StoryFeed, pk=pk)
    if not can(request.user, "storyfeed.change", feed):
        raise PermissionDenied(refusal(request.user, "storyfeed.change"))
    if request.method == "POST":
        services.feed_delete(feed=feed, by=request.user)
        messages.success(request, "The feed and its stories are removed.")
        return redirect("stories:feed_list")
    return render(request, "stories/feed_confirm_delete.html", {"feed": feed})


# ---- the booklet -------------------------------------------------------------------------------------
def _booklet(request):
    if not can(request.user, "story.booklet"):
        raise PermissionDenied(refusal(request.user, "story.booklet"))
    form = BookletForm(request.GET or None)
    if not request.GET or not form.is_valid():
        return form, None
    c = form.cleaned_data
    stories = selectors.booklet_stories(
        ids=c["ids"], tag=c["tag"], area=c["area"], date_from=c["date_from"], date_to=c["date_to"]
    )
    return form, stories


@login_required
@require_GET
def booklet(request):
    form, stories = _booklet(request)
    if stories is None:
        status = 400 if request.GET and form.errors else 200
        return render(request, "stories/booklet_form.html", {"form": form}, status=status)
    context = {
        "stories": stories,
        "title": form.cleaned_data["title"] or "Stories of our square mile",
        "pdf_query": request.GET.urlencode(),
        "made_on": timezone.localdate(),
    }
    return render(request, "stories/booklet_print.html", context)


@login_required
@require_GET
def booklet_pdf(request):
    form, stories = _booklet(request)
    if stories is None:
        return HttpResponseBadRequest(escape("Choose which stories first: " + json.dumps(form.errors.get_json_data())))
    context = {
        "stories": stories,
        "title": form.cleaned_data["title"] or "Stories of our square mile",
        "made_on": timezone.localdate(),
    }
    return pdf_response(render_pdf("stories/booklet_print.html", context, request=request), filename="stories.pdf")
