"""Reads for moderation: the one queue across every registered kind, and the reports on records."""

from __future__ import annotations

import datetime as dt
import heapq
from collections import defaultdict
from dataclasses import dataclass, field

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from squaremile.core.permissions import can
from squaremile.moderation import registry
from squaremile.moderation.models import Report, ReportOutcome

OLDEST, NEWEST = "oldest", "newest"


@dataclass
class QueueItem:
    config: registry.Moderated
    obj: object
    preview: registry.Preview
    reports: list = field(default_factory=list)

    @property
    def kind(self) -> str:
        return self.config.kind

    @property
    def key(self) -> str:
        return f"{self.config.kind}:{self.obj.pk}"

    @property
    def state(self) -> str:
        return self.config.state_of(self.obj)

    @property
    def state_label(self) -> str:
        return self.config.state_label(self.obj)

    @property
    def created_at(self):
        return getattr(self.obj, self.config.created_field)

    @property
    def row_actions(self) -> list:
        """The actions offered on the row: those the record's state allows now."""
        acts = self.config.actions
        return [acts[n] for n in self.config.row_actions if n in acts and acts[n].problem(self.obj) is None]

    @property
    def reporters(self) -> int:
        return len({r.reporter_id for r in self.reports})


@dataclass
class QueueFilters:
    kinds: list[str] = field(default_factory=list)  # empty: every kind the person moderates
    states: list[str] = field(default_factory=list)  # empty: each kind's waiting states
    area_ids: list[int] | None = None
    older_than_days: int | None = None
    q: str = ""
    order: str = OLDEST


def moderated_kinds(user) -> list[registry.Moderated]:
    """The kinds this person may moderate."""
    return [config for config in registry.kinds() if can(user, config.permission)]


def _queryset(config, filters: QueueFilters):
    qs = config.queryset().filter(**{f"{config.state_field}__in": filters.states or list(config.waiting_states)})
    if filters.area_ids is not None:
        if config.area_field is None:
            return qs.none()
        qs = qs.filter(**{f"{config.area_field}__in": filters.area_ids})
    if filters.older_than_days:
        cutoff = timezone.now() - dt.timedelta(days=filters.older_than_days)
        qs = qs.filter(**{f"{config.created_field}__lte": cutoff})
    if filters.q and getattr(config, "search_field", None):
        qs = qs.filter(**{f"{config.search_field}__icontains": filters.q})
    return qs


class QueueList:
    """The queue's rows across kinds, in one order, sliceable by a Paginator: each page reads the
    keys of at most (end of page) rows per kind, then loads only that page's records and reports."""

    def __init__(self, configs, filters: QueueFilters):
        self.configs = configs
        self.filters = filters
        self._count = None

    def count(self) -> int:
        if self._count is None:
            self._count = sum(_queryset(c, self.filters).count() for c in self.configs)
        return self._count

    def __len__(self):
        return self.count()

    def _ordered(self, qs, config):
        field_name = config.created_field
        if self.filters.order == NEWEST:
            return qs.order_by(f"-{field_name}", "-pk")
        return qs.order_by(field_name, "pk")

    def __getitem__(self, index):
        if not isinstance(index, slice):
            return self[index : index + 1][0]
        start, stop = index.start or 0, index.stop
        if stop is None:
            stop = self.count()
        if len(self.configs) == 1:  # the common case: the database pages it
            config = self.configs[0]
            objs = list(self._ordered(_queryset(config, self.filters), config)[start:stop])
            return _items([(config, o) for o in objs])
        keys = []
        for n, config in enumerate(self.configs):
            qs = self._ordered(_queryset(config, self.filters), config)
            rows = qs.values_list(config.created_field, "pk")[:stop]
            keys.append([(created, pk, n) for created, pk in rows])
        reverse = self.filters.order == NEWEST
        merged = list(heapq.merge(*keys, reverse=reverse))[start:stop]
        by_config: dict[int, list] = defaultdict(list)
        for _, pk, n in merged:
            by_config[n].append(pk)
        loaded = {}
        for n, pks in by_config.items():
            config = self.configs[n]
            for obj in config.queryset().filter(pk__in=pks):
                loaded[(n, obj.pk)] = obj
        return _items([(self.configs[n], loaded[(n, pk)]) for _, pk, n in merged if (n, pk) in loaded])


def _items(pairs) -> list[QueueItem]:
    """Queue rows with their previews and open reports (one query per kind for the reports)."""
    items = [QueueItem(config=c, obj=o, preview=c.preview(o)) for c, o in pairs]
    by_model = defaultdict(list)
    for item in items:
        by_model[item.config.model].append(item)
    for model, group in by_model.items():
        ct = ContentType.objects.get_for_model(model)
        reports = Report.objects.filter(
            content_type=ct, object_id__in=[i.obj.pk for i in group], outcome=ReportOutcome.OPEN
        ).select_related("reporter__profile")
        found = defaultdict(list)
        for report in reports:
            found[report.object_id].append(report)
        for item in group:
            item.reports = found.get(item.obj.pk, [])
    return items


def queue(*, user, filters: QueueFilters) -> QueueList:
    configs = [c for c in moderated_kinds(user) if not filters.kinds or c.kind in filters.kinds]
    return QueueList(configs, filters)


def open_reports(target):
    ct = ContentType.objects.get_for_model(target)
    return Report.objects.filter(content_type=ct, object_id=target.pk, outcome=ReportOutcome.OPEN)


def has_open_report(user, target) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return open_reports(target).filter(reporter=user).exists()
