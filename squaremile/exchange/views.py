"""Pages of the exchange: the list (near me, filters, search), an item, posting and changing, the
lifecycle buttons, my items, alerts, the map layer, RSS, JSON-LD, "more with more" and the noticeboard."""

from __future__ import annotations

import json

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse, HttpResponseBadRequest, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import NoReverseMatch, reverse
from django.views.decorators.http import require_GET, require_POST

from squaremile.core import ratelimit
from squaremile.core.permissions import can
from squaremile.core.site import absolute_url
from squaremile.directory.selectors import organisations_spoken_for
from squaremile.exchange import jsonld, mails, noticeboard, selectors, services
from squaremile.exchange.forms import AlertForm, DoneForm, FilterForm, ItemForm
from squaremile.exchange.models import Alert, Item, Side, Status, Where
from squaremile.places.models import Area
from squaremile.places.selectors import descendant_ids

MAX_ID = 2**63


def _item(request, pk) -> Item:
    if not 0 < pk < MAX_ID:
        raise Http404
    item = get_object_or_404(selectors.with_related(Item.objects.all()), pk=pk)
    if not selectors.may_see(request.user, item):
        raise Http404
    return item


def _filters(request) -> tuple[FilterForm, selectors.Filters]:
    form = FilterForm(request.GET or None)
    f = selectors.Filters()
    if form.is_bound and form.is_valid():
        c = form.cleaned_data
        f.side, f.kind, f.term, f.q = c["side"], c["kind"], c["what"], c["q"]
        f.max_age_days = int(c["age"]) if c["age"] else None
        f.only_anywhere = bool(c.get("online"))
        if c.get("radius") and c.get("lat") is not None and c.get("lng") is not None:
            f.lat, f.lng, f.radius_m = c["lat"], c["lng"], c["radius"]
    area_slug = request.GET.get("area", "")[:220]
    if area_slug:
        area = Area.objects.filter(slug=area_slug).defer("boundary").first()
        if area is not None:
            f.area_ids, f.area = descendant_ids(area), area
            return form, f
    if f.only_anywhere:
        f.lat = f.lng = f.radius_m = None
        return form, f
    profile = getattr(request.user, "profile", None) if request.user.is_authenticated else None
    if f.lat is None and profile is not None and profile.lat is not None and "radius" not in request.GET:
        f.lat, f.lng, f.radius_m = profile.lat, profile.lng, max(profile.radius_m, 1609)  # near my square mile
    return form, f


@require_GET
def item_list(request):
    from squaremile.core.pagination import paginate

    form, f = _filters(request)
    near = f.lat is not None and not f.only_anywhere
    f.include_anywhere = not near  # near a point: the near ones, and the newest online ones beside them
    hidden = selectors.hidden_ids(request.user)  # once for both lists
    page = paginate(
        request, selectors.item_list(request.user, f, hidden=hidden).values_list("pk", flat=True), per_page=20
    )
    ids = list(page.object_list)
    anywhere_ids = selectors.anywhere_ids(request.user, f, hidden=hidden) if near and page.number == 1 else []
    rows = {i.pk: i for i in selectors.items_in_order(ids + anywhere_ids, f)}  # one fetch for both
    page.object_list = [rows[pk] for pk in ids if pk in rows]
    anywhere = [rows[pk] for pk in anywhere_ids if pk in rows]
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request, "exchange/list.html",
        {"form": form, "page": page, "filters": f, "query": query.urlencode(), "anywhere": anywhere,
         "near_mine": f.lat is not None and "radius" not in request.GET},
    )  # fmt: skip


@require_GET
def item_detail(request, pk: int):
    item = _item(request, pk)
    user = request.user
    may_change = can(user, "exchange.change", item)
    context = {
        "item": item,
        "may_change": may_change,
        "matches": selectors.matches_of(item, user),
        "ask": selectors.ask_for(item, user),
        "is_partner": user.is_authenticated and item.partner_id == user.pk,
        "may_answer": user.is_authenticated and item.status == Status.OPEN and item.owner_id != user.pk,
        "done_form": DoneForm(),
        "conversation_url": _conversation_url(request, item),
        "story_url": _story_url(item),
        "photos": list(item.attachments.all()),
    }
    return render(request, "exchange/detail.html", context)


def _conversation_url(request, item) -> str:
    """One tap to a private conversation with the other side (not with oneself)."""
    user = request.user
    if not user.is_authenticated:
        return ""
    other = item.owner_id if user.pk != item.owner_id else item.partner_id
    if not other:
        return ""
    try:
        base = reverse("conversations:private_start")
    except NoReverseMatch:
        return ""
    return f"{base}?with={other}&about=exchange.item:{item.pk}"


def _story_url(item) -> str:
    if item.status != Status.DONE or not item.thanks:
        return ""
    try:
        return f"{reverse('stories:create')}?about=exchange.item:{item.pk}"
    except NoReverseMatch:
        return ""


def _form_kwargs(request):
    return {
        "user": request.user,
        "may_post_for_others": can(request.user, "exchange.post_for_others"),
        "organisations": list(organisations_spoken_for(request.user)[:50]),
    }


def _render_form(request, form, *, item=None, status=200):
    heading = f"Change “{item.title}”" if item else "Ask or offer"
    return render(request, "exchange/form.html", {"form": form, "item": item, "heading": heading}, status=status)


@login_required
def item_create(request):
    if not can(request.user, "exchange.add"):
        raise PermissionDenied
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES, **_form_kwargs(request))
        if form.is_valid():
            try:
                item = services.item_create(
                    by=request.user, fields=form.fields_for_service(),
                    photos=form.cleaned_data.get("photos") or (), alts=form.cleaned_data.get("photo_alt") or (),
                )  # fmt: skip
            except ratelimit.RateLimited as exc:
                form.add_error(None, exc.message)
                return _render_form(request, form, status=429)
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Posted. We look for matches and tell you.")
                return redirect(item)
        return _render_form(request, form, status=400 if form.is_bound else 200)
    side = request.GET.get("side") if request.GET.get("side") in Side.values else Side.WANT
    form = ItemForm(initial={"side": side, "where": Where.MINE}, **_form_kwargs(request))
    return _render_form(request, form)


@login_required
def item_edit(request, pk: int):
    item = _item(request, pk)
    if not can(request.user, "exchange.change", item):
        raise PermissionDenied
    if request.method == "POST":
        form = ItemForm(request.POST, request.FILES, **_form_kwargs(request))
        if form.is_valid():
            try:
                services.item_update(
                    item=item, by=request.user, fields=form.fields_for_service(),
                    photos=form.cleaned_data.get("photos") or (), alts=form.cleaned_data.get("photo_alt") or (),
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            except PermissionDenied as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(request, "Saved.")
                return redirect(item)
        return _render_form(request, form, item=item, status=400)
    initial = {
        "side": item.side, "title": item.title, "what": item.terms, "kind": item.kind, "details": item.details,
        "when_note": item.when_note, "where": item.where, "lat": item.lat, "lng": item.lng,
        "radius_m": item.radius_m, "ongoing": item.ongoing, "ends_on": item.ends_on, "visibility": item.visibility,
        "organisation": item.organisation_id, "on_behalf_of": item.on_behalf_of, "relay_note": item.relay_note,
    }  # fmt: skip
    return _render_form(request, ItemForm(initial=initial, **_form_kwargs(request)), item=item)


def _act(request, pk, action):
    item = _item(request, pk)
    try:
        action(item)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    except PermissionDenied as exc:
        messages.error(request, str(exc) or "You cannot do that.")
    return redirect(item)


@login_required
@require_POST
def item_promise(request, pk: int):
    def act(item):
        services.item_promise(item=item, by=request.user)
        messages.success(request, "Marked as promised. Agree the details in your conversation.")

    return _act(request, pk, act)


@login_required
@require_POST
def item_done(request, pk: int):
    form = DoneForm(request.POST)
    thanks = form.cleaned_data["thanks"] if form.is_valid() else ""

    def act(item):
        services.item_done(item=item, by=request.user, thanks=thanks)
        messages.success(request, "Marked as done. Thank you for helping each other.")

    return _act(request, pk, act)


@login_required
@require_POST
def item_withdraw(request, pk: int):
    def act(item):
        services.item_withdraw(item=item, by=request.user)
        messages.success(request, "Withdrawn.")

    return _act(request, pk, act)


@login_required
@require_POST
def item_reopen(request, pk: int):
    def act(item):
        services.item_reopen(item=item, by=request.user)
        messages.success(request, "Open again.")

    return _act(request, pk, act)


@login_required
@require_POST
def item_renew(request, pk: int):
    def act(item):
        item = services.item_renew(item=item, by=request.user)
        if item.expires_at:
            messages.success(request, f"Renewed until {item.expires_at:%-d %B}.")
        else:
            messages.success(request, "Renewed.")

    return _act(request, pk, act)


MY_ITEMS_PAGE = 20


def item_act(request, pk: int, token: str):
    """A one-tap link from a mail (renew, or confirm it is done), for the person it was sent to,
    without logging in: the link shows one button; pressing it (a POST) does it."""
    from django.contrib.auth import get_user_model

    if not 0 < pk < MAX_ID:
        raise Http404
    found = mails.read_action_token(token, item_id=pk)
    item = selectors.with_related(Item.objects.all()).filter(pk=pk).first()
    person = get_user_model().objects.filter(pk=found[0], is_active=True).first() if found else None
    if item is None or person is None:
        return render(request, "exchange/act.html", {"invalid": True}, status=400)
    action = found[1]
    done, error = False, ""
    if request.method == "POST":
        try:
            if action == "renew":
                item = services.item_renew(item=item, by=person)
            else:
                item = services.item_done(item=item, by=person)
            done = True
        except (ValidationError, PermissionDenied) as exc:
            error = " ".join(getattr(exc, "messages", [])) or str(exc) or "That cannot be done now."
    elif request.method != "GET":
        return HttpResponseNotAllowed(["GET", "POST"])
    context = {"item": item, "action": action, "done": done, "error": error, "token": token,
               "lifetime": services.lifetime_days()}  # fmt: skip
    return render(request, "exchange/act.html", context, status=400 if error else 200)


@login_required
@require_GET
def my_items(request):
    from squaremile.core.pagination import paginate

    page = paginate(request, selectors.my_items(request.user), per_page=MY_ITEMS_PAGE)
    first = page.number == 1  # what I said I would do and who asked me: on the first page only
    return render(
        request, "exchange/mine.html",
        {"page": page, "items": page.object_list,
         "promised": selectors.promised_to_me(request.user)[:50] if first else [],
         "asks": selectors.asks_of(request.user)[:50] if first else []},
    )  # fmt: skip


@login_required
def alerts(request):
    if request.method == "POST":
        form = AlertForm(request.POST)
        if form.is_valid():
            c = form.cleaned_data
            try:
                services.alert_create(
                    by=request.user, side=c["side"], kind=c["kind"], skill=c["skill"], resource=c["resource"],
                    area=c["area"] if c["where"] == "area" else None, near_me=c["where"] == "mine",
                    words=c["words"], delivery=c["delivery"],
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Alert saved. New matches will reach you as you chose.")
                return redirect("exchange:alerts")
        status = 400
    else:
        form, status = AlertForm(initial=_alert_initial(request)), 200
    return render(request, "exchange/alerts.html", {"form": form, "alerts": selectors.alerts_of(request.user)},
                  status=status)  # fmt: skip


def _alert_initial(request) -> dict:
    out = {}
    for key in ("side", "kind", "what"):
        if request.GET.get(key):
            out[key] = request.GET[key][:12]
    return out


@login_required
@require_POST
def alert_delete(request, pk: int):
    if not 0 < pk < MAX_ID:
        raise Http404
    alert = get_object_or_404(Alert, pk=pk, owner=request.user)
    services.alert_delete(alert=alert, by=request.user)
    messages.success(request, "Alert removed.")
    return redirect("exchange:alerts")


# ---- machine-readable ----------------------------------------------------------------------------
@require_GET
def map_layer(request):
    """The map's "Wants and offers" layer (mapping.layers): live items in the view, people's points
    rounded to about 500 m."""
    from squaremile.mapping import layers

    bbox = layers.parse_bbox(request.GET.get("bbox"))
    if bbox is None:
        return layers.bad_bbox()
    features = selectors.map_layer(request.user, bbox=bbox, limit=layers.MAX_FEATURES + 1)
    return layers.layer_response(features)


@require_GET
def feed(request):
    form, f = _filters(request)
    if request.user.is_authenticated and "radius" not in request.GET:
        f.lat = f.lng = f.radius_m = None  # a feed is the same for everyone who opens the link
    from django.contrib.auth.models import AnonymousUser

    items = selectors.with_related(selectors.item_list(AnonymousUser(), f))[:50]
    return HttpResponse(
        noticeboard.rss(items, link=absolute_url(reverse("exchange:list"), request=request), request=request),
        content_type="application/rss+xml; charset=utf-8",
    )


@require_GET
def export_jsonld(request):
    data = jsonld.export(base=absolute_url("/", request=request).rstrip("/"))
    return HttpResponse(json.dumps(data, ensure_ascii=False, indent=1), content_type="application/ld+json")


# ---- areas ---------------------------------------------------------------------------------------
def _area(slug: str) -> Area:
    return get_object_or_404(Area.objects.defer("boundary"), slug=slug[:220])


@require_GET
def more_with_more(request, slug: str):
    area = _area(slug)
    ids = descendant_ids(area)
    balance = selectors.term_balance(ids)
    offered_only = [r for r in balance if r["offers"] and not r["wants"]][:12]
    wanted_only = [r for r in balance if r["wants"] and not r["offers"]][:12]
    for r in wanted_only:
        r["orgs"], r["org_total"] = selectors.organisations_offering(area, r["term"])
    months = selectors.needs_met_by_month(ids)
    most = max([r["offers"] + r["wants"] for r in balance[:15]] or [1])
    top_month = max([m["n"] for m in months] or [1])
    skills_views = selectors.network_skills_views(area, ids)
    return render(
        request, "exchange/more.html",
        {"area": area, "balance": balance[:15], "offered_only": offered_only, "wanted_only": wanted_only,
         "months": months, "most": most, "top_month": top_month, "met_total": sum(m["n"] for m in months),
         "skills_views": skills_views, "areas": Area.objects.defer("boundary").order_by("name")[:300]},
    )  # fmt: skip


@require_GET
def more_index(request):
    slug = request.GET.get("area", "")
    if slug:
        return redirect("exchange:more", slug=slug[:220])
    return render(request, "exchange/more_index.html", {"areas": Area.objects.defer("boundary").order_by("name")[:500]})


@require_GET
def noticeboard_print(request, slug: str):
    area = _area(slug)
    context = noticeboard.context(area, request=request)
    return render(request, "exchange/noticeboard.html", context)


@require_GET
@ratelimit.rate_limited("exchange-pdf", methods=("GET",))
def noticeboard_pdf(request, slug: str):
    from squaremile.core.pdf import pdf_response, render_pdf

    area = _area(slug)
    pdf = render_pdf("exchange/noticeboard.html", noticeboard.context(area, request=request), request=request)
    return pdf_response(pdf, filename=f"noticeboard-{area.slug}.pdf")


def bad_request(message: str):
    return HttpResponseBadRequest(message)
