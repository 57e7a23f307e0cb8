"""Reads for the community map (permission-aware). Writes live in services.py."""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.http import Http404

from squaremile.core.permissions import can
from squaremile.mapping.cells import clusters
from squaremile.mapping.entries.filters import MapFilters, filtered_entries
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.questions.answers import display_answer, is_empty
from squaremile.questions.models import Question


def can_view_entry(user, entry: Entry) -> bool:
    """Published entries are public; others only for their owner and moderators."""
    return entry.status == EntryStatus.PUBLISHED or can(user, "entry.change", entry)


def entry_for_viewer(pk: int, *, user) -> Entry:
    if not 0 < pk < 2**63:
        raise Http404("No such entry on the map.")
    entry = (
        Entry.objects.select_related("category", "area", "organisation", "project", "owner", "merged_into")
        .prefetch_related("attachments", Prefetch("category__questions", queryset=Question.objects.all()))
        .filter(pk=pk)
        .first()
    )
    if entry is None or not can_view_entry(user, entry):
        raise Http404("No such entry on the map.")
    return entry


def merged_into_id(pk: int) -> int | None:
    """For an entry merged into another, the id of the one it was merged into."""
    if not 0 < pk < 2**63:
        return None
    return (
        Entry.objects.filter(pk=pk, status=EntryStatus.MERGED, merged_into__isnull=False)
        .values_list("merged_into_id", flat=True)
        .first()
    )


def entry_answers(entry: Entry) -> list[dict]:
    """The category's extra questions with this entry's answers, in the category's order; unanswered
    questions are left out. Uses the prefetched `category.questions`."""
    answers = entry.answers or {}
    out = []
    for question in entry.category.questions.all():
        value = answers.get(str(question.pk))
        if is_empty(value):
            continue
        out.append({"question": question.label, "answer": display_answer(question, value), "kind": question.kind})
    return out


def category_questions() -> list[Question]:
    """Every category's extra questions, categories in their order, each with `.category` set
    (the import's column choices and the exports' column names)."""
    out = []
    for category in Category.objects.prefetch_related("questions").order_by("position", "name", "pk"):
        for question in category.questions.all():
            question.category = category
            out.append(question)
    return out


def categories_with_questions() -> QuerySet[Category]:
    return Category.objects.filter(is_active=True).prefetch_related("questions").order_by("position", "name")


def active_categories() -> list[Category]:
    return list(Category.objects.filter(is_active=True).order_by("position", "name"))


def map_view(filters: MapFilters) -> dict:
    """Clusters or markers for a viewport (see clusters.view)."""
    return clusters.view(filters)


def entry_list(filters: MapFilters, *, user) -> QuerySet[Entry]:
    """Entries for the list beside the map and the list page: newest first."""
    return filtered_entries(filters, user=user).order_by("-id")
