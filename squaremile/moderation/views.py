"""The one moderation queue (every registered kind), its bulk and single actions, and the page
where a signed-in person reports a record."""

from __future__ import annotations

from collections import defaultdict

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import EmptyPage, PageNotAnInteger, Paginator
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.core.permissions import can, refusal
from squaremile.moderation import registry, selectors, services
from squaremile.moderation.forms import ActionForm, BulkForm, QueueFilterForm, ReportForm, _key

PER_PAGE = 25


def _configs_or_refuse(request):
    configs = selectors.moderated_kinds(request.user)
    if not configs:
        raise PermissionDenied("Only moderators can do this.")
    return configs


def _next_url(request, default: str) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        return target
    return default


def _page(request, object_list):
    paginator = Paginator(object_list, PER_PAGE)
    try:
        return paginator.page(request.GET.get("page") or 1)
    except PageNotAnInteger:
        return paginator.page(1)
    except EmptyPage:
        return paginator.page(paginator.num_pages)


@login_required
@require_http_methods(["GET"])
def queue(request):
    configs = _configs_or_refuse(request)
    return _render_queue(request, configs, BulkForm())


def _render_queue(request, configs, bulk_form, *, status=200):
    filter_form = QueueFilterForm(request.GET or None, configs=configs)
    filters = filter_form.filters()
    page = _page(request, selectors.queue(user=request.user, filters=filters))
    params = request.GET.copy()
    params.pop("page", None)
    return render(
        request,
        "moderation/queue.html",
        {
            "filter_form": filter_form,
            "filters": filters,
            "page": page,
            "bulk_form": bulk_form,
            "query": params.urlencode(),
            "checked": set(request.POST.getlist("items")),
            "several_kinds": len(configs) > 1,
        },
        status=status,
    )


def _load(keys) -> list:
    """The records named by "kind:pk" keys, in the order given (unknown ones left out)."""
    wanted = defaultdict(list)
    for key in keys:
        parsed = _key(key)
        if parsed:
            wanted[parsed[0]].append(parsed[1])
    found = {}
    for kind, pks in wanted.items():
        config = registry.get(kind)
        if config is None:
            continue
        for obj in config.model._default_manager.filter(pk__in=pks):
            found[f"{kind}:{obj.pk}"] = obj
    return [found[k] for k in keys if k in found]


@login_required
@require_POST
def bulk(request):
    """One action on every ticked item: all of them or none, with every reason listed."""
    configs = _configs_or_refuse(request)
    form = BulkForm(request.POST)
    if form.is_valid():
        keys = form.cleaned_data["items"]
        items = _load(keys)
        try:
            if len(items) != len(set(keys)):
                raise ValidationError({"items": ["Some of the ticked items no longer exist."]})
            done = services.bulk(
                action=form.cleaned_data["action"], items=items, user=request.user,
                note=form.cleaned_data.get("reason", ""),
            )  # fmt: skip
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields and field != "items" else None, errors)
        else:
            label = dict(BulkForm.ACTIONS)[form.cleaned_data["action"]].split(" (")[0]
            messages.success(request, f"Done: {label} — {done} item{'' if done == 1 else 's'}.")
            return redirect(_next_url(request, reverse("moderation:queue")))
    return _render_queue(request, configs, form, status=400)


def _record(kind: str, pk: int):
    config = registry.get(kind)
    if config is None or not 0 < pk < 2**63:
        raise Http404("There is nothing here.")
    obj = config.queryset().filter(pk=pk).first()
    if obj is None:
        raise Http404("There is nothing here.")
    return config, obj


@login_required
@require_http_methods(["GET", "POST"])
def act(request, kind: str, pk: int, action: str):
    """One moderation action on one record. GET asks (with a reason when one is needed)."""
    config, obj = _record(kind, pk)
    if not can(request.user, config.permission, obj):
        raise PermissionDenied(refusal(request.user, config.permission))
    act_ = config.actions.get(action)
    if act_ is None:
        raise Http404("There is no such action.")
    form = ActionForm(request.POST or None, needs_reason=act_.needs_reason)
    if request.method == "POST" and form.is_valid():
        try:
            services.run(action=act_, user=request.user, obj=obj, note=form.cleaned_data.get("reason", ""))
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"{act_.done}: “{config.preview(obj).title}”.")
            return redirect(_next_url(request, reverse("moderation:queue")))
    return render(
        request,
        "moderation/act.html",
        {
            "config": config, "obj": obj, "action": act_, "form": form, "preview": config.preview(obj),
            "problem": act_.problem(obj), "next": _next_url(request, ""),
            "reports": selectors.open_reports(obj).select_related("reporter__profile"),
        },
        status=400 if request.method == "POST" else 200,
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def report(request, kind: str, pk: int):
    """A signed-in person reports a record, once, with a reason."""
    config, obj = _record(kind, pk)
    if not can(request.user, "moderation.report"):
        raise PermissionDenied(refusal(request.user, "moderation.report"))
    preview = config.preview(obj)
    if not services.may_report(request.user, obj):
        raise Http404("There is nothing here.")
    already = selectors.has_open_report(request.user, obj)
    form = ReportForm(request.POST or None)
    if request.method == "POST" and not already and form.is_valid():
        try:
            services.report(
                user=request.user, target=obj, reason=form.cleaned_data["reason"], text=form.cleaned_data["text"]
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(
                request, "Thank you for telling us. A moderator will look at it, and we will tell you what they decide."
            )
            obj.refresh_from_db()
            default = preview.url if services.may_report(request.user, obj) else config.after_report_url(obj)
            return redirect(default)
    return render(
        request,
        "moderation/report.html",
        {"config": config, "obj": obj, "preview": preview, "form": form, "already": already},
        status=400 if request.method == "POST" and not already else 200,
    )
