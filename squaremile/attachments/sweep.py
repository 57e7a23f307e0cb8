"""Orphaned media: files under MEDIA_ROOT (the default storage) that no row refers to — no
attachment, and no other file field of any installed model — and that are older than a grace
period (so that a file written a moment before its row, or an upload in progress, is never taken).
Folders starting with a dot (a restore in progress: `.restore-*`) are left alone."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from dataclasses import dataclass

from django.apps import apps
from django.conf import settings
from django.core.files.storage import FileSystemStorage, default_storage
from django.db import models
from django.utils import timezone


def grace_hours() -> float:
    return float(getattr(settings, "MEDIA_SWEEP_GRACE_HOURS", 24))


@dataclass(frozen=True)
class Orphan:
    name: str
    size: int


def file_fields() -> Iterator[tuple[type[models.Model], models.FileField]]:
    """Every concrete file field (FileField, ImageField) of every installed model."""
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                yield model, field


def referenced_names() -> set[str]:
    names: set[str] = set()
    for model, field in file_fields():
        rows = model._base_manager.exclude(**{field.attname: ""}).exclude(**{f"{field.attname}__isnull": True})
        names.update(rows.values_list(field.attname, flat=True).iterator(chunk_size=5000))
    return names


def _walk(storage, folder: str = "") -> Iterator[str]:
    dirs, files = storage.listdir(folder)
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for d in sorted(dirs):
        if not d.startswith("."):
            yield from _walk(storage, f"{folder}/{d}" if folder else d)


def orphans(*, storage=None, older_than: dt.timedelta | None = None) -> Iterator[Orphan]:
    """Files nothing refers to, last changed before now minus the grace period."""
    storage = storage or default_storage
    cutoff = timezone.now() - (older_than if older_than is not None else dt.timedelta(hours=grace_hours()))
    if isinstance(storage, FileSystemStorage) and not os.path.isdir(storage.location):
        return
    known = referenced_names()
    for name in _walk(storage):
        if name in known:
            continue
        try:
            if storage.get_modified_time(name) > cutoff:
                continue
            size = storage.size(name)
        except (FileNotFoundError, OSError):
            continue
        yield Orphan(name, size)


def sweep(*, dry_run: bool = False, storage=None, older_than: dt.timedelta | None = None) -> list[Orphan]:
    """Remove (or, dry, only list) the orphans; empty folders left behind go too."""
    storage = storage or default_storage
    found = list(orphans(storage=storage, older_than=older_than))
    if dry_run:
        return found
    for orphan in found:
        storage.delete(orphan.name)
    if isinstance(storage, FileSystemStorage):
        _remove_empty_folders(storage.location, {os.path.dirname(o.name) for o in found})
    return found


def _remove_empty_folders(root: str, folders: set[str]) -> None:
    for folder in sorted(folders, key=len, reverse=True):
        path = os.path.join(root, folder)
        while folder and os.path.isdir(path) and not os.listdir(path):
            os.rmdir(path)
            folder = os.path.dirname(folder)
            path = os.path.join(root, folder)
