"""Pages of the method library: browse and filter, the helper, a method (and its print view / PDF),
propose a method or an edit, "we used this", collections and their booklets, exports."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from squaremile.core import records
from squaremile.core.pagination import paginate
from squaremile.core.pdf import pdf_response, render_pdf
from squaremile.core.permissions import can, refusal
from squaremile.methods import exports, helper, selectors, services
from squaremile.methods.forms import (
    CollectionForm,
    EditNoteForm,
    FilterForm,
    HelperForm,
    MethodForm,
    StepFormSet,
    UsageReportForm,
)
from squaremile.methods.models import Collection, Method, MethodRevision, Purpose
from squaremile.moderation.models import ModerationState as S


def _refuse(request, action):
    raise PermissionDenied(refusal(request.user, action))


def method_list(request):
    form = FilterForm(request.GET or None)
    filters = selectors.MethodFilters()
    if request.GET and form.is_valid():
        data = form.cleaned_data
        filters = selectors.MethodFilters(
            q=data["q"] or "", purpose=data["purpose"] or "", people=data["people"], minutes=data["minutes"],
            setting=data["setting"] or "", sort=data["sort"] or "name",
        )  # fmt: skip
    methods = selectors.method_list(request.user, filters)
    if isinstance(methods, list):  # a search, in its rank order
        page = paginate(request, methods, per_page=20)
    else:  # the page's ids first (from the list's index), then those 20 rows
        page = paginate(request, methods.values_list("pk", flat=True), per_page=20)
        page.object_list = selectors.methods_in_order(list(page.object_list))
    template = "methods/includes/_results.html" if getattr(request, "htmx", False) else "methods/method_list.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "filtered": bool(request.GET), "may_add": can(request.user, "method.add"),
         "may_import": can(request.user, "method.import"), "collections": selectors.collections()[:6]},
    )  # fmt: skip


def helper_view(request):
    """ "What should we do?": a short form, then the methods that fit, each with its reasons."""
    form = HelperForm(request.GET or None)
    suggestions = None
    if request.GET and form.is_valid():
        d = form.cleaned_data
        suggestions = helper.suggest(
            helper.Need(people=d["people"], minutes=d["minutes"], setting=d["setting"], words=d["words"])
        )
    status = 400 if request.GET and not form.is_valid() else 200
    return render(request, "methods/helper.html", {"form": form, "suggestions": suggestions}, status=status)


def _method_or_404(request, slug) -> Method:
    method = selectors.method_detail(request.user, slug)
    if method is None:
        raise Http404("No method here.")
    return method


def method_detail(request, slug):
    method = _method_or_404(request, slug)
    steps = list(method.steps.all())
    running, timeline = 0, []
    for step in steps:
        timeline.append((step, running))
        running += step.minutes
    return render(
        request,
        "methods/method_detail.html",
        {
            "method": method,
            "timeline": timeline,
            "steps_total": running,
            "reports": selectors.reports_of(method),
            "totals": selectors.report_totals(method),
            "pending": selectors.pending_revisions(method) if can(request.user, "methodrevision.moderate") else [],
            "may_change": can(request.user, "method.change", method),
            "may_propose": can(request.user, "methodrevision.add", method),
            "may_report": can(request.user, "usagereport.add"),
            "may_moderate": can(request.user, "method.moderate", method),
        },
    )


def method_print(request, slug):
    method = _method_or_404(request, slug)
    context = {"methods": [method], "title": method.name, "intro": ""}
    if request.GET.get("format") == "pdf":
        return pdf_response(render_pdf("methods/print.html", context, request=request), filename=f"{method.slug}.pdf")
    return render(request, "methods/print.html", context)


def _steps_from(formset) -> list[dict]:
    return [f.cleaned_data for f in formset.forms if f.cleaned_data and (f.cleaned_data.get("title") or "").strip()]


@login_required
@require_http_methods(["GET", "POST"])
def method_create(request):
    if not can(request.user, "method.add"):
        _refuse(request, "method.add")
    form = MethodForm(request.POST or None)
    steps = StepFormSet(request.POST or None, prefix="steps")
    if request.method == "POST" and form.is_valid() and steps.is_valid():
        try:
            method = services.method_create(by=request.user, data=form.data_for_service(), steps=_steps_from(steps))
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Thank you: a moderator will check it and publish it in the library.")
            return redirect(method)
    status = 400 if request.method == "POST" else 200
    return render(request, "methods/method_form.html", {"form": form, "steps": steps, "method": None}, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def method_edit(request, slug):
    """Moderators edit at once; everyone else proposes an edit that a moderator accepts."""
    method = _method_or_404(request, slug)
    direct = can(request.user, "method.change", method)
    if not direct and not can(request.user, "methodrevision.add", method):
        _refuse(request, "methodrevision.add")
    if not direct and method.status != S.PUBLISHED:
        raise Http404("Only published methods take proposed edits.")
    initial_steps = [{"title": s.title, "minutes": s.minutes, "text": s.text} for s in method.steps.all()]
    form = MethodForm(request.POST or None, instance=method)
    steps = StepFormSet(request.POST or None, prefix="steps", initial=initial_steps)
    note = EditNoteForm(request.POST or None)
    if request.method == "POST" and form.is_valid() and steps.is_valid() and note.is_valid():
        method = Method.objects.get(pk=method.pk)  # the form changed its instance in memory
        try:
            if direct:
                services.method_update(
                    by=request.user,
                    method=method,
                    data=form.data_for_service(),
                    steps=_steps_from(steps),
                    note=note.cleaned_data["note"],
                )
                messages.success(request, "Saved.")
            else:
                services.revision_propose(
                    by=request.user,
                    method=method,
                    data=form.data_for_service(),
                    steps=_steps_from(steps),
                    note=note.cleaned_data["note"],
                )
                messages.success(request, "Thank you: a moderator will look at your edit.")
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            return redirect(method)
    status = 400 if request.method == "POST" else 200
    return render(
        request,
        "methods/method_form.html",
        {"form": form, "steps": steps, "note": note, "method": method, "direct": direct},
        status=status,
    )


def revision_detail(request, slug, pk):
    revision = MethodRevision.objects.select_related("method", "owner").filter(pk=pk, method__slug=slug).first()
    if revision is None or not (can(request.user, "methodrevision.moderate") or revision.owner_id == request.user.pk):
        raise Http404("No proposed edit here.")
    method = revision.method
    current = services.method_data(method)
    rows = []
    labels = {f.name: f.verbose_name for f in Method._meta.fields}
    for key, new in revision.data.items():
        old = current.get(key)
        if key == "steps":
            old = "\n".join(f"{s['title']} ({s['minutes']} min): {s['text']}" for s in old or [])
            new = "\n".join(f"{s['title']} ({s['minutes']} min): {s['text']}" for s in new or [])
        if key == "purposes":
            names = dict(Purpose.choices)
            old, new = ", ".join(names.get(p, p) for p in old or []), ", ".join(names.get(p, p) for p in new or [])
        if old != new:
            rows.append((str(labels.get(key, key)).capitalize(), old, new))
    return render(request, "methods/revision_detail.html", {"revision": revision, "method": method, "rows": rows})


@login_required
@require_http_methods(["GET", "POST"])
def report_create(request, slug):
    method = _method_or_404(request, slug)
    if not can(request.user, "usagereport.add"):
        _refuse(request, "usagereport.add")
    form = UsageReportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        linked = records.resolve_url(d["link"], user=request.user) if d["link"] else None
        if d["link"] and linked is None:
            form.add_error("link", "That is not the address of an event or story on this site that you can see.")
        else:
            event = linked if linked is not None and linked._meta.app_label == "events" else None
            story = linked if linked is not None and event is None else None
            try:
                services.usage_report_create(
                    by=request.user, method=method, used_on=d["used_on"], people=d["people"], place=d["place"],
                    worked=d["worked"], did_not_work=d["did_not_work"], event=event, story=story,
                    photos=d["photos"] or (), photo_alts=d["photo_alt"] or (),
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, "Thank you: your report helps the next group.")
                return redirect(reverse("methods:detail", args=[method.slug]) + "#reports")
    status = 400 if request.method == "POST" else 200
    return render(request, "methods/report_form.html", {"form": form, "method": method}, status=status)


# --- collections -----------------------------------------------------------------------------------


def collection_list(request):
    return render(
        request,
        "methods/collection_list.html",
        {"collections": selectors.collections(), "may_add": can(request.user, "collection.add")},
    )


def _collection_or_404(slug) -> Collection:
    collection = Collection.objects.filter(slug=slug).select_related("owner").first()
    if collection is None:
        raise Http404("No collection here.")
    return collection


def collection_detail(request, slug):
    collection = _collection_or_404(slug)
    return render(
        request,
        "methods/collection_detail.html",
        {"collection": collection, "methods": selectors.collection_methods(collection),
         "may_change": can(request.user, "collection.change", collection)},
    )  # fmt: skip


def collection_booklet(request, slug):
    collection = _collection_or_404(slug)
    context = {
        "methods": selectors.collection_methods(collection),
        "title": collection.title,
        "intro": collection.description,
    }
    if request.GET.get("format") == "pdf":
        return pdf_response(
            render_pdf("methods/print.html", context, request=request), filename=f"{collection.slug}.pdf"
        )
    return render(request, "methods/print.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def collection_edit(request, slug=None):
    collection = _collection_or_404(slug) if slug else None
    action = "collection.change" if collection else "collection.add"
    if not can(request.user, action, collection):
        _refuse(request, action)
    initial = {}
    if collection is not None:
        initial = {
            "title": collection.title,
            "description": collection.description,
            "methods": list(collection.methods.all()),
        }
    form = CollectionForm(
        request.POST or None, initial=initial, methods_qs=Method.objects.filter(status=S.PUBLISHED).order_by("name")
    )
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            collection = services.collection_save(
                by=request.user,
                title=d["title"],
                description=d["description"],
                methods=list(d["methods"]),
                collection=collection,
            )
        except ValidationError as exc:
            form.add_service_errors(exc)
        else:
            messages.success(request, "Saved.")
            return redirect(collection)
    status = 400 if request.method == "POST" else 200
    return render(request, "methods/collection_form.html", {"form": form, "collection": collection}, status=status)


# --- open data -------------------------------------------------------------------------------------


def export_json(request):
    return exports.json_response(exports.published())


def export_csv(request):
    return exports.csv_response(exports.published())
