"""Pages of the map's import wizard (moderators) and exports (everyone).

Import: upload -> choose columns -> preview (counts and every bad row) -> apply (all or nothing),
the shared wizard of `squaremile.imports.views` with the map's importer, templates and columns form.
The file and the choices live in a `core.Job`, not in the session, so any web node can carry on a
step; files with more than MAP_IMPORT_INLINE_ROWS rows are checked and applied by a background task.

Export: /map/export/?<map filters> lists the formats with the count; small exports stream at once,
large ones (more than MAP_EXPORT_INLINE_MAX entries) become a background job for signed-in people
(anonymous visitors are asked to sign in or narrow the filters).
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_POST

from squaremile.core.forms import Form
from squaremile.core.jobs import TooManyJobs
from squaremile.core.site import base_url
from squaremile.imports import views as import_views
from squaremile.mapping.entries.filters import FilterError, parse_filters
from squaremile.mapping.io import exports, imports
from squaremile.mapping.io import tasks as io_tasks
from squaremile.mapping.io.feeds import describe
from squaremile.mapping.models import Category

# ---- import: the shared wizard's pages (squaremile.imports.views) with the map's importer --------
# The map's columns page has more than the shared one: the categories' extra questions, the default
# category and whether the rows are published at once; its templates say so.
CHOICE_LABEL_MAX = import_views.CHOICE_LABEL_MAX
KEY = imports.MAP.key


class ColumnsForm(import_views.ColumnsForm):
    """One select per thing an entry holds, listing the file's columns; plus the default category
    and whether the rows are published at once. The options' values are column positions and their
    labels are kept short, so that the page stays small for a wide file (the number of columns is
    capped when the file is read: MAP_IMPORT_MAX_COLUMNS)."""

    def __init__(self, *args, table_kind: str, columns: list[str], mapping: dict, importer=None, questions=None,
                 **kwargs):  # fmt: skip
        Form.__init__(self, *args, **kwargs)
        self.importer, self.table_kind, self.columns = imports.MAP, table_kind, columns
        questions = imports.import_questions() if questions is None else questions
        self.fields["default_category"] = forms.ModelChoiceField(
            queryset=Category.objects.filter(is_active=True),
            required=False,
            empty_label="— None: every row names its category —",
            label="Default category",
            help_text="Used for rows whose category cell is empty (or when no column holds the category).",
        )
        self.fields["publish"] = forms.TypedChoiceField(
            label="When the rows are added",
            choices=[("queue", "Send them to the moderation queue"), ("publish", "Publish them at once")],
            widget=forms.RadioSelect,
            initial="queue",
            coerce=str,
        )
        choices = [import_views.NOT_IN_FILE] + [
            (str(i), import_views._choice_label(i, c)) for i, c in enumerate(columns)
        ]
        position = {c: str(i) for i, c in enumerate(columns)}
        self.target_fields, self.question_fields = [], []
        for target in imports.TARGETS:
            help_text = target.help
            if table_kind == "geojson" and target.key in ("lat", "lng"):
                help_text = "Leave empty: each feature's point is used."
            self.fields[f"map_{target.key}"] = forms.ChoiceField(
                label=target.label, choices=choices, required=False, help_text=help_text,
                initial=position.get(mapping.get(target.key, ""), ""),
            )  # fmt: skip
            self.target_fields.append(f"map_{target.key}")
        for question in questions:
            key = imports.question_key(question)
            self.fields[f"map_{key}"] = forms.ChoiceField(
                label=f"{question.category.name}: {question.label}", choices=choices, required=False,
                initial=position.get(mapping.get(key, ""), ""),
                help_text="Needs an answer in that category." if question.required else "",
            )  # fmt: skip
            self.question_fields.append(f"map_{key}")
        self.order_fields([*self.target_fields, *self.question_fields, "default_category", "publish"])

    def options(self, *, source: str, extra: dict | None = None) -> imports.ImportOptions:
        mapping = {
            name.removeprefix("map_"): self.columns[int(value)]
            for name, value in self.cleaned_data.items()
            if name.startswith("map_") and value
        }
        category = self.cleaned_data.get("default_category")
        return imports.ImportOptions(
            mapping=mapping,
            default_category_id=category.pk if category else None,
            publish=self.cleaned_data.get("publish") == "publish",
            source=source[:200],
        )


def import_start(request):
    return import_views.start(request, key=KEY, template="mapping/import_start.html")


def import_columns(request, pk):
    return import_views.columns(request, pk, key=KEY, template="mapping/import_columns.html", form_class=ColumnsForm)


def import_preview(request, pk):
    return import_views.preview(request, pk, key=KEY, template="mapping/import_preview.html")


def import_apply(request, pk):
    return import_views.apply(request, pk, key=KEY)


def import_replace_file(request, pk):
    """A corrected file for the same import: back to the column step with the choices kept."""
    return import_views.replace_file(request, pk, key=KEY)


# ---- export -------------------------------------------------------------------------------
def _filters_or_400(request, template="mapping/export_page.html"):
    try:
        return parse_filters(request.GET), None
    except FilterError as exc:
        response = render(request, template, {"filter_errors": exc.errors, "formats": []}, status=400)
        return None, response


def _base_url(request) -> str:
    return base_url(request)


@require_GET
def export_page(request):
    filters, bad = _filters_or_400(request)
    if bad:
        return bad
    return _render_export_page(request, filters)


def _render_export_page(request, filters, *, status: int = 200):
    count = exports.export_queryset(filters, user=request.user).count()
    query = urlencode(exports.export_params(filters))
    feed_query = filters.query_string(view=False)
    large = count > exports.inline_max()
    formats = [
        {"key": key, "label": exports.FORMAT_LABELS[key], "what": what, "url": reverse("mapping:export_download",
         args=[key]) + (f"?{query}" if query else ""), "prepare_url": reverse("mapping:export_prepare", args=[key])}
        for key, (_, _, what) in exports.FORMATS.items()
    ]  # fmt: skip
    map_url = reverse("mapping:map") + (f"?{filters.query_string()}" if filters.query_string() else "")
    context = {
        "filters": filters, "summary": describe(filters), "count": count, "large": large, "formats": formats,
        "limit": exports.inline_max(), "query": query, "feed_query": feed_query, "map_url": map_url,
        "bbox": filters.bbox,
    }  # fmt: skip
    return render(request, "mapping/export_page.html", context, status=status)


@require_GET
def export_download(request, fmt):
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    filters, bad = _filters_or_400(request)
    if bad:
        return bad
    queryset = exports.export_queryset(filters, user=request.user)
    if queryset.count() > exports.inline_max():
        messages.info(request, "This export is large: it is prepared in the background. Use the buttons below.")
        return redirect(reverse("mapping:export") + (f"?{request.GET.urlencode()}" if request.GET else ""))
    return exports.stream_response(fmt, queryset, base_url=_base_url(request))


@login_required
@require_POST
def export_prepare(request, fmt):
    """Start a background export of a large result; the job page offers the file when it is ready."""
    if fmt not in exports.FORMATS:
        raise Http404("No such format.")
    filters, bad = _filters_or_400(request)
    if bad:
        return bad
    count = exports.export_queryset(filters, user=request.user).count()
    back = reverse("mapping:export") + (f"?{request.GET.urlencode()}" if request.GET else "")
    try:
        job = io_tasks.start_export(
            by=request.user, fmt=fmt, filters=filters, count=count, base_url=_base_url(request), back_url=back
        )
    except TooManyJobs as exc:  # the export page again, saying why nothing started
        messages.error(request, str(exc))
        return _render_export_page(request, filters, status=429)
    return redirect(job)
