"""Pages of the map's import wizard (moderators) and exports (everyone).

Import: upload -> choose columns -> preview (counts and every bad row) -> apply (all or nothing).
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
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from squaremile.core.forms import Form
from squaremile.core.jobs import TooManyJobs, enqueue_on_commit, job_for, job_requeue
from squaremile.core.models import Job
from squaremile.core.pagination import paginate
from squaremile.core.permissions import can
from squaremile.core.site import base_url
from squaremile.mapping import exports, imports, io_tasks
from squaremile.mapping.feeds import describe
from squaremile.mapping.filters import FilterError, parse_filters
from squaremile.mapping.models import Category

NOT_IN_FILE = ("", "— Not in the file —")
CHOICE_LABEL_MAX = 48  # a longer column name is shortened in the choices (each choice lists every column)
SAMPLE_COLUMNS = 30  # the sample of the file's first rows shows at most this many columns
ACCEPT = ".csv,.tsv,.txt,.json,.geojson,text/csv,text/tab-separated-values,application/json,application/geo+json"


# ---- forms --------------------------------------------------------------------------------
class ImportFileForm(Form):
    file = forms.FileField(
        label="File to import",
        help_text="A CSV file (UTF-8; commas, semicolons or tabs between cells; the first row names the "
        "columns) or a GeoJSON file of points.",
        widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}),
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > imports.max_bytes():
            raise forms.ValidationError(
                f"The file is larger than {imports.max_bytes() // (1024 * 1024)} MB. Split it into smaller files."
            )
        return upload


def _choice_label(index: int, name: str) -> str:
    if len(name) <= CHOICE_LABEL_MAX:
        return name
    return f"{name[: CHOICE_LABEL_MAX - 14].rstrip()}… (column {index + 1})"


class ColumnsForm(Form):
    """One select per thing an entry holds, listing the file's columns; plus the default category
    and whether the rows are published at once. The options' values are column positions and their
    labels are kept short, so that the page stays small for a wide file (the number of columns is
    capped when the file is read: MAP_IMPORT_MAX_COLUMNS)."""

    default_category = forms.ModelChoiceField(
        queryset=Category.objects.filter(is_active=True),
        required=False,
        empty_label="— None: every row names its category —",
        label="Default category",
        help_text="Used for rows whose category cell is empty (or when no column holds the category).",
    )
    publish = forms.TypedChoiceField(
        label="When the rows are added",
        choices=[("queue", "Send them to the moderation queue"), ("publish", "Publish them at once")],
        widget=forms.RadioSelect,
        initial="queue",
        coerce=str,
    )

    def __init__(self, *args, table_kind: str, columns: list[str], questions, mapping: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.table_kind, self.columns = table_kind, columns
        choices = [NOT_IN_FILE] + [(str(i), _choice_label(i, c)) for i, c in enumerate(columns)]
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

    def options(self, *, source: str) -> imports.ImportOptions:
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

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        table = imports.Table(kind=self.table_kind, columns=self.columns, rows=[], numbers=[])
        for key, message in imports.options_errors(table, self.options(source="")).items():
            name = "default_category" if key == "default_category" else f"map_{key}"
            self.add_error(name if name in self.fields else None, message)
        return cleaned


# ---- import -------------------------------------------------------------------------------
def _require_importer(request) -> None:
    if not can(request.user, "entry.import"):
        raise PermissionDenied("Only moderators may import entries.")


def _import_job(request, pk) -> Job:
    _require_importer(request)
    job = job_for(request.user, pk)
    if job is None or job.kind != "mapping.import":
        raise Http404("No import here.")
    return job


def _stage_redirect(job: Job, here: str):
    """Send a request for the wrong step to the right one (None when `here` is right)."""
    stage = job.params.get("stage")
    if stage == here or (here == "columns" and stage in ("mapping", "preview")):
        return None
    if stage == "mapping":
        return redirect("mapping:import_columns", job.pk)
    if stage == "preview":
        return redirect("mapping:import_preview", job.pk)
    return redirect(job)


@login_required
@require_http_methods(["GET", "POST"])
def import_start(request):
    _require_importer(request)
    form = ImportFileForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, _ = imports.start_import(by=request.user, upload=upload, filename=upload.name)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect("mapping:import_columns", job.pk)
    recent = Job.objects.filter(owner=request.user, kind="mapping.import").only(
        "pk", "status", "message", "input_filename", "created_at", "params"
    )[:10]
    return render(
        request,
        "mapping/import_start.html",
        {"form": form, "recent": recent, "max_mb": imports.max_bytes() // (1024 * 1024), "step": 1},
        status=400 if request.method == "POST" else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_columns(request, pk):
    job = _import_job(request, pk)
    elsewhere = _stage_redirect(job, "columns")
    if elsewhere:
        return elsewhere
    params = job.params
    mapping = params.get("mapping") or params.get("guess") or {}
    initial = {"publish": "publish" if params.get("publish") else "queue"}
    if params.get("default_category"):
        initial["default_category"] = params["default_category"]
    form = ColumnsForm(
        request.POST or None, initial=initial, table_kind=params.get("format", "csv"),
        columns=params.get("columns", []), questions=imports.import_questions(), mapping=mapping,
    )  # fmt: skip
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        try:
            imports.save_options(job=job, by=request.user, options=form.options(source=job.input_filename))
        except TooManyJobs as exc:  # the choices are kept; nothing was queued
            form.add_error(None, str(exc))
            status = 429
        else:
            if job.total <= imports.inline_rows():
                try:
                    imports.check_import_job(job.pk)
                except Exception:  # logged, and the job says it failed in plain words
                    return redirect(job)
                job.refresh_from_db()
                if job.params.get("stage") == "preview":
                    return redirect("mapping:import_preview", job.pk)
                return redirect(job)
            enqueue_on_commit(io_tasks.check_import, job.pk)
            return redirect(job)
    columns = params.get("columns", [])
    context = {
        "job": job, "form": form, "columns": columns, "sample_columns": columns[:SAMPLE_COLUMNS],
        "sample": [row[:SAMPLE_COLUMNS] for row in params.get("sample", [])],
        "step": 2, "is_geojson": params.get("format") == "geojson",
        "target_fields": [form[name] for name in form.target_fields],
        "question_fields": [form[name] for name in form.question_fields],
    }  # fmt: skip
    return render(request, "mapping/import_columns.html", context, status=status)


@login_required
@require_GET
def import_preview(request, pk):
    job = _import_job(request, pk)
    elsewhere = _stage_redirect(job, "preview")
    if elsewhere:
        return elsewhere
    report = job.report or {}
    counts = report.get("counts", {})
    errors = report.get("errors") or []
    context = {
        "job": job,
        "report": report,
        "counts": counts,
        "errors": paginate(request, errors, 100) if errors else None,
        "can_apply": not counts.get("bad") and bool(counts.get("rows")),
        "file_form": ImportFileForm(),
        "step": 3,
        "publish": job.params.get("publish"),
    }
    return render(request, "mapping/import_preview.html", context)


@login_required
@require_POST
def import_apply(request, pk):
    job = _import_job(request, pk)
    elsewhere = _stage_redirect(job, "preview")
    if elsewhere:
        return elsewhere
    if (job.report or {}).get("counts", {}).get("bad"):
        messages.error(request, "Nothing was applied: fix the rows with problems first, then upload the file again.")
        return redirect("mapping:import_preview", job.pk)
    try:
        claimed = job_requeue(
            job,
            message="Waiting to apply…",
            params={"stage": "applying", "continue_url": reverse("mapping:import_start"),
                    "continue_label": "Start a new import"},
        )  # fmt: skip
    except TooManyJobs as exc:
        messages.error(request, str(exc))
        return redirect("mapping:import_preview", job.pk)
    if not claimed:  # a second click, or another tab: the first one is under way
        return redirect(job)
    if job.total <= imports.inline_rows():
        try:
            imports.apply_import_job(job.pk)
        except Exception:  # logged; nothing was applied (one transaction) and the job says it failed
            return redirect(job)
        job.refresh_from_db()
        if job.params.get("stage") == "preview":
            messages.error(request, job.message)
            return redirect("mapping:import_preview", job.pk)
        messages.success(request, job.message)
        return redirect(job)
    enqueue_on_commit(io_tasks.apply_import, job.pk)
    return redirect(job)


@login_required
@require_POST
def import_replace_file(request, pk):
    """A corrected file for the same import: back to the column step with the choices kept."""
    job = _import_job(request, pk)
    if job.params.get("stage") not in ("mapping", "preview"):
        return redirect(job)
    form = ImportFileForm(request.POST, request.FILES)
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            imports.replace_file(job=job, by=request.user, upload=upload, filename=upload.name)
        except imports.ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Read “{upload.name}”. Check the columns, then check the rows again.")
            return redirect("mapping:import_columns", job.pk)
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect("mapping:import_preview", job.pk)


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
