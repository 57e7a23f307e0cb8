"""The shared pages of an import wizard: upload -> choose columns -> preview (counts and every bad
row) -> apply (all or nothing). A feature app wires them to its own URLs with its importer:

    path("import/", views.start, {"key": "directory.organisations"}, name="import_start"),
    path("import/<int:pk>/columns/", views.columns, {"key": ...}, name="import_columns"),
    path("import/<int:pk>/preview/", views.preview, {"key": ...}, name="import_preview"),
    path("import/<int:pk>/apply/", views.apply, {"key": ...}, name="import_apply"),
    path("import/<int:pk>/file/", views.replace_file, {"key": ...}, name="import_file"),

The importer's `urls(job)` names those pages; the templates are `imports/start.html`,
`imports/columns.html` and `imports/preview.html` (an app may pass its own with `template=`).
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from squaremile.core.forms import Form
from squaremile.core.jobs import TooManyJobs, job_for
from squaremile.core.models import Job, JobStatus
from squaremile.core.pagination import paginate
from squaremile.core.permissions import PLURAL, RULES, can, refusal
from squaremile.imports import jobs, pipeline, selectors, tasks
from squaremile.imports.reading import ImportFileError

NOT_IN_FILE = ("", "— Not in the file —")
CHOICE_LABEL_MAX = 48
SAMPLE_COLUMNS = 30
ACCEPT = ".csv,.tsv,.txt,.json,.geojson,text/csv,text/tab-separated-values,application/json,application/geo+json"


class ImportFileForm(Form):
    file = forms.FileField(label="File to import", widget=forms.ClearableFileInput(attrs={"accept": ACCEPT}))

    def __init__(self, *args, max_bytes: int, help_text: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.max_bytes = max_bytes
        self.fields["file"].help_text = help_text or pipeline.Importer.file_help

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > self.max_bytes:
            raise forms.ValidationError(
                f"The file is larger than {self.max_bytes // (1024 * 1024)} MB. Split it into smaller files."
            )
        return upload


def _choice_label(index: int, name: str) -> str:
    if len(name) <= CHOICE_LABEL_MAX:
        return name
    return f"{name[: CHOICE_LABEL_MAX - 14].rstrip()}… (column {index + 1})"


class ColumnsForm(Form):
    """One select per target, listing the file's columns by position (short labels, so a wide file
    keeps the page small)."""

    def __init__(self, *args, importer, columns: list[str], mapping: dict, table_kind: str = "csv", **kwargs):
        super().__init__(*args, **kwargs)
        self.importer, self.columns, self.table_kind = importer, columns, table_kind
        choices = [NOT_IN_FILE] + [(str(i), _choice_label(i, c)) for i, c in enumerate(columns)]
        position = {c: str(i) for i, c in enumerate(columns)}
        for target in importer.all_targets():
            help_text = target.help or ""
            if target.required and not help_text:
                help_text = "Needed."
            self.fields[f"map_{target.key}"] = forms.ChoiceField(
                label=target.label, choices=choices, required=False, help_text=help_text,
                initial=position.get(mapping.get(target.key, ""), ""),
            )  # fmt: skip

    def options(self, *, source: str, extra: dict | None = None):
        mapping = {
            name.removeprefix("map_"): self.columns[int(value)]
            for name, value in self.cleaned_data.items()
            if name.startswith("map_") and value
        }
        return self.importer.options_class(mapping=mapping, source=source[:200], extra=extra or {})

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        from squaremile.imports.reading import Table

        table = Table(kind=self.table_kind, columns=self.columns, rows=[], numbers=[])
        for key, message in self.importer.options_errors(table, self.options(source="")).items():
            name = f"map_{key}"
            self.add_error(name if name in self.fields else None, message)
        return cleaned


def _importer(key: str) -> pipeline.Importer:
    return pipeline.get(key)


def _require(request, importer) -> None:
    if not can(request.user, importer.permission):
        if not request.user.is_authenticated:
            raise PermissionDenied(refusal(request.user, importer.permission))
        who = PLURAL[RULES[importer.permission].min_role]  # the real reason: who may, and what
        raise PermissionDenied(f"Only {who} may import {importer.words[1]}.")


def _job(request, importer, pk) -> Job:
    _require(request, importer)
    job = job_for(request.user, pk)
    if job is None or job.kind != importer.key:
        raise Http404("No import here.")
    return job


def _stage_redirect(importer, job: Job, here: str):
    """Send a request for the wrong step to the right one (None when `here` is right)."""
    stage = job.params.get("stage")
    if stage == here or (here == "columns" and stage in ("mapping", "preview")):
        return None
    urls = importer.urls(job)
    if stage == "mapping":
        return redirect(urls["columns"])
    if stage == "preview":
        return redirect(urls["preview"])
    return redirect(job)


def _base(importer, step: int, **more) -> dict:
    return {"importer": importer, "step": step, "words": importer.words, **more}


@login_required
@require_http_methods(["GET", "POST"])
def start(request, key: str, template: str = "imports/start.html", extra_context: dict | None = None):
    importer = _importer(key)
    _require(request, importer)
    max_bytes = importer.limits().max_bytes
    form = ImportFileForm(
        request.POST or None, request.FILES or None, max_bytes=max_bytes, help_text=importer.file_help
    )
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            job, _ = jobs.start(importer, by=request.user, upload=upload, filename=upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            return redirect(importer.urls(job)["columns"])
    recent = selectors.recent_imports(request.user, importer)
    context = _base(importer, 1, form=form, recent=recent, max_mb=max_bytes // (1024 * 1024), **(extra_context or {}))
    return render(request, template, context, status=400 if request.method == "POST" else 200)


@login_required
@require_http_methods(["GET", "POST"])
def columns(request, pk: int, key: str, template: str = "imports/columns.html", form_class=None):
    importer = _importer(key)
    job = _job(request, importer, pk)
    elsewhere = _stage_redirect(importer, job, "columns")
    if elsewhere:
        return elsewhere
    params = job.params
    mapping = params.get("mapping") or params.get("guess") or {}
    names = params.get("columns", [])
    form_class = form_class or ColumnsForm
    form = form_class(
        request.POST or None, importer=importer, columns=names, mapping=mapping,
        table_kind=params.get("format", "csv"), initial=importer.columns_initial(params),
    )  # fmt: skip
    status = 400 if request.method == "POST" else 200
    if request.method == "POST" and form.is_valid():
        options = form.options(source=job.input_filename, extra=params.get("extra"))
        try:
            jobs.save_options(importer, job=job, by=request.user, options=options)
        except TooManyJobs as exc:  # the choices are kept; nothing was queued
            form.add_error(None, str(exc))
            status = 429
        else:
            try:
                tasks.check_now_or_queue(importer, job)
            except Exception:  # logged, and the job says it failed in plain words
                return redirect(job)
            job.refresh_from_db()
            if job.params.get("stage") == "preview":
                return redirect(importer.urls(job)["preview"])
            return redirect(job)
    context = _base(
        importer, 2, job=job, form=form, columns=names, sample_columns=names[:SAMPLE_COLUMNS],
        sample=[row[:SAMPLE_COLUMNS] for row in params.get("sample", [])], urls=importer.urls(job),
        is_geojson=params.get("format") == "geojson", **importer.columns_context(form),
    )  # fmt: skip
    return render(request, template, context, status=status)


@login_required
@require_GET
def preview(request, pk: int, key: str, template: str = "imports/preview.html"):
    importer = _importer(key)
    job = _job(request, importer, pk)
    elsewhere = _stage_redirect(importer, job, "preview")
    if elsewhere:
        return elsewhere
    report = job.report or {}
    counts = report.get("counts", {})
    errors = report.get("errors") or []
    context = _base(
        importer, 3, job=job, report=report, counts=counts, errors=paginate(request, errors, 100) if errors else None,
        can_apply=not counts.get("bad") and bool(counts.get("rows")), urls=importer.urls(job),
        file_form=ImportFileForm(max_bytes=importer.limits().max_bytes, help_text=importer.file_help),
    )  # fmt: skip
    return render(request, template, context)


@login_required
@require_POST
def apply(request, pk: int, key: str):
    importer = _importer(key)
    job = _job(request, importer, pk)
    elsewhere = _stage_redirect(importer, job, "preview")
    if elsewhere:
        return elsewhere
    urls = importer.urls(job)
    if (job.report or {}).get("counts", {}).get("bad"):
        messages.error(request, "Nothing was applied: fix the rows with problems first, then upload the file again.")
        return redirect(urls["preview"])
    try:
        claimed = jobs.queue_apply(importer, job=job)
    except TooManyJobs as exc:
        messages.error(request, str(exc))
        return redirect(urls["preview"])
    if not claimed:  # a second click, or another tab: the first one is under way
        return redirect(job)
    try:
        tasks.apply_now_or_queue(importer, job)
    except Exception:  # logged; nothing was applied (one transaction) and the job says it failed
        return redirect(job)
    job.refresh_from_db()
    if job.params.get("stage") == "preview":
        messages.error(request, job.message)
        return redirect(urls["preview"])
    if job.status == JobStatus.DONE:
        messages.success(request, job.message)
    return redirect(job)


@login_required
@require_POST
def replace_file(request, pk: int, key: str):
    """A corrected file for the same import: back to the column step with the choices kept."""
    importer = _importer(key)
    job = _job(request, importer, pk)
    urls = importer.urls(job)
    if job.params.get("stage") not in ("mapping", "preview"):
        return redirect(job)
    form = ImportFileForm(
        request.POST, request.FILES, max_bytes=importer.limits().max_bytes, help_text=importer.file_help
    )
    if form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            jobs.replace_file(importer, job=job, by=request.user, upload=upload, filename=upload.name)
        except ImportFileError as exc:
            form.add_error("file", str(exc))
        else:
            messages.success(request, f"Read “{upload.name}”. Check the columns, then check the rows again.")
            return redirect(urls["columns"])
    messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
    return redirect(urls["preview"])
