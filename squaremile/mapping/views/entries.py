"""Adding, changing and deleting map entries; suggestions for the organisation/project pickers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.core import signing
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.forms.utils import ErrorDict
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from squaremile.attachments.forms import ExistingAttachmentsForm
from squaremile.core import ratelimit
from squaremile.core.permissions import can
from squaremile.core.search import search
from squaremile.directory.models import Organisation, Project
from squaremile.mapping.entries import services
from squaremile.mapping.entries.forms import EntryForm
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.places.models import Area

THANKS_SALT = "mapping.entry-thanks"
MAX_ID = 2**63  # larger numbers in a URL are no entry (and would overflow the database's integers)


def _signed_in(request) -> bool:
    return request.user.is_authenticated


def _area_centroids() -> dict:
    return {
        slug: [lat, lng]
        for slug, lat, lng in Area.objects.filter(centroid_lat__isnull=False).values_list(
            "slug", "centroid_lat", "centroid_lng"
        )
    }


def _render_form(request, form, *, entry=None, existing=None, status=200):
    return render(
        request,
        "mapping/entry_form.html",
        {
            "form": form,
            "entry": entry,
            "existing": existing,
            "anonymous": form.anonymous,
            "centroids": _area_centroids(),
            "threat_ids": list(Category.objects.filter(is_threat=True).values_list("pk", flat=True)),
            "heading": f"Change “{entry.title}”" if entry else "Add to the map",
        },
        status=status,
    )


def _refreshing(request) -> bool:
    """The no-JavaScript "show this category's questions" button: re-show, save nothing."""
    return request.method == "POST" and "refresh" in request.POST


def _quiet(form):
    """A bound form shown again without error messages (nothing was submitted yet)."""
    form._errors = ErrorDict()
    return form


@require_http_methods(["GET", "POST"])
def entry_create(request):
    anonymous = not _signed_in(request)
    if anonymous and not services.anonymous_allowed():
        return redirect_to_login(request.get_full_path())
    if not anonymous and not can(request.user, "entry.add"):
        raise PermissionDenied
    form = EntryForm(request.POST or None, request.FILES or None, anonymous=anonymous)
    if request.method == "GET":
        wanted = request.GET.get("category", "")[:110]
        category = Category.objects.filter(is_active=True).filter(
            Q(slug=wanted) | Q(pk=int(wanted) if wanted.isdigit() and len(wanted) < 10 else 0)
        ).first() if wanted else None  # fmt: skip
        if category is not None:  # "/map/add/?category=threat-or-cut" starts in that category
            form = EntryForm(initial={"category": category.pk}, anonymous=anonymous)
        return _render_form(request, form)
    if _refreshing(request):
        return _render_form(request, _quiet(form))
    usage = None
    if anonymous:  # counted per address and per email before anything is saved; given back if refused
        try:
            usage = ratelimit.hit(
                "map-submission", ip=ratelimit.client_ip(request), email=request.POST.get("submitter_email", "")[:254]
            )
        except ratelimit.RateLimited as exc:
            form.is_valid()
            form.add_error(
                None,
                f"You have sent several entries in a short time. Please wait {ratelimit.wait_words(exc.retry_after)} "
                "and try again, or sign in.",
            )
            return ratelimit.with_retry_after(_render_form(request, form, status=429), exc)
    if form.is_valid():
        kwargs = form.service_kwargs()
        data = kwargs.pop("data")
        if anonymous:
            data["submitter_name"] = form.cleaned_data.get("submitter_name", "")
            data["submitter_email"] = form.cleaned_data.get("submitter_email", "")
        try:
            entry = services.entry_create(by=request.user if not anonymous else None, **data, **kwargs)
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            token = signing.dumps(entry.pk, salt=THANKS_SALT)
            return redirect(reverse("mapping:entry_thanks") + f"?e={token}")
    if usage is not None:
        usage.refund()  # nothing was saved: a mistake in the form does not count
    return _render_form(request, form, status=400)


@require_GET
def entry_thanks(request):
    try:
        pk = signing.loads(request.GET.get("e", ""), salt=THANKS_SALT, max_age=7 * 24 * 3600)
    except signing.BadSignature:
        raise Http404("No entry here.") from None
    entry = get_object_or_404(Entry.objects.select_related("category"), pk=pk)
    can_see = entry.status == EntryStatus.PUBLISHED or (
        _signed_in(request) and (entry.owner_id == request.user.pk or services.is_moderator(request.user))
    )
    return render(request, "mapping/entry_thanks.html", {"entry": entry, "can_see": can_see})


def _editable(request, pk, action):
    if not 0 < pk < MAX_ID:
        raise Http404("No such entry on the map.")
    entry = get_object_or_404(Entry.objects.select_related("category", "organisation", "project"), pk=pk)
    if not _signed_in(request):
        return entry, redirect_to_login(request.get_full_path())
    if not can(request.user, action, entry):
        raise PermissionDenied
    if action == "entry.change" and not services.may_edit(entry, request.user):
        raise PermissionDenied
    return entry, None


@require_http_methods(["GET", "POST"])
def entry_edit(request, pk):
    entry, login = _editable(request, pk, "entry.change")
    if login:
        return login
    # the photos it has (remove one, write or change its description): the attachments app's form
    existing = ExistingAttachmentsForm(
        request.POST if request.method == "POST" else None, attachments=entry.attachments.all(), prefix="photo"
    )
    form = EntryForm(request.POST or None, request.FILES or None, entry=entry, removing=existing.removals_asked())
    if request.method == "GET":
        return _render_form(request, form, entry=entry, existing=existing)
    if _refreshing(request):
        return _render_form(request, _quiet(form), entry=entry, existing=existing)
    existing_ok = existing.is_valid()
    if form.is_valid() and existing_ok:
        kwargs = form.service_kwargs()
        try:
            entry = services.entry_update(
                entry=entry, by=request.user, data=kwargs["data"], answers=kwargs["answers"],
                add_photos=kwargs["photos"], photo_alt=kwargs["photo_alt"],
                remove_photos=existing.removals(), describe_photos=existing.descriptions(),
            )  # fmt: skip
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            if entry.status == EntryStatus.PENDING and not services.is_moderator(request.user):
                messages.success(
                    request, f"Saved “{entry.title}”. It waits for a moderator before it shows on the map."
                )
            else:
                messages.success(request, f"Saved “{entry.title}”.")
            return redirect(entry)
    if not existing_ok:  # in the error summary; each photo's box shows its own error too
        problems = [f"{existing.fields[name].label}: {' '.join(errs)}" if name in existing.fields else " ".join(errs)
                    for name, errs in existing.errors.items()]  # fmt: skip
        form.add_error(None, "Photos already on the map: " + "; ".join(problems))
    return _render_form(request, form, entry=entry, existing=existing, status=400)


@require_http_methods(["GET", "POST"])
def entry_delete(request, pk):
    entry, login = _editable(request, pk, "entry.delete")
    if login:
        return login
    if request.method == "POST":
        title = entry.title
        services.entry_delete(entry=entry, by=request.user)
        messages.success(request, f"Deleted “{title}”.")
        return redirect("mapping:map")
    return render(request, "mapping/entry_confirm_delete.html", {"entry": entry})


@require_GET
def entry_questions(request):
    """The extra questions of one category, for the form's htmx swap when the category changes."""
    form = EntryForm(initial={"category": request.GET.get("category", "")}, anonymous=False)
    return render(request, "mapping/includes/_question_fields.html", {"form": form})


@require_GET
def suggest(request, kind):
    """Up to 10 names from the directory for the organisation/project pickers (a <datalist>)."""
    model = {"organisation": Organisation, "project": Project}.get(kind)
    if model is None:
        raise Http404
    text = (request.GET.get("q") or request.GET.get(f"{kind}_name") or "").strip()[:200]
    items = []
    if len(text) >= 2:
        # the search index answers in milliseconds over any number of records (prefix on the last word)
        items = [{"id": h.object_id, "name": h.title} for h in search(text, kinds=[kind], limit=10).hits]
    return render(request, "mapping/includes/_suggestions.html", {"items": items})
