"""A person's data download ("download my data") is made of parts. `accounts` writes its own; each app
above it that keeps records about a person registers a part once (in its `AppConfig.ready()`), so that
`accounts` never imports it:

    register_part("organisations_added", lambda user: [...])
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

_parts: dict[str, Callable[[Any], Any]] = {}


def register_part(key: str, collect: Callable[[Any], Any]) -> None:
    """`collect(user)` returns what goes under `key` in the download (JSON-serialisable)."""
    _parts[key] = collect


def parts() -> dict[str, Callable[[Any], Any]]:
    return dict(_parts)
