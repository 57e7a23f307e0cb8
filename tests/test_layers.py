"""Imports point down only, and no two modules of an app import each other (directly or round a loop).

Every module under `squaremile/` is parsed with `ast`; every import counts, at module level or inside a
function (a lazy import is still a dependency; only imports under `if TYPE_CHECKING:` are left out of
the cycle check, as they never run). See "Layers" in docs/architecture.md.
"""

from __future__ import annotations

import ast
import functools
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "squaremile"

# Bottom first. An app may import the apps in the tiers below its own, never one in its own tier
# (siblings stay independent) or above. Apps not created yet are listed so that they land in place.
LAYERS: tuple[tuple[str, ...], ...] = (
    ("core",),
    ("imports",),  # the import pipeline needs only core, so every app above (places too) can register one
    ("places",),
    ("accounts",),
    ("audit",),
    ("notifications",),
    ("attachments", "questions"),
    ("moderation",),
    ("directory",),
    ("mapping", "network"),
    ("conversations",),  # groups, threads, private conversations, inbound mail
    ("stories",),
    ("exchange",),  # opens private conversations; a thank-you can become a story
    ("methods",),  # the skills game's results can become wants and offers
    ("events", "civic"),  # events name the methods their sessions used; civic raises map threats
    ("pages", "demo"),
)
# Upward imports that another part of issue 12 removes (helper "perm" moves the API's token check out of
# core/api.py). Each line must still be true: when the import is gone, the test asks for the line to go.
PENDING: dict[tuple[str, str], str] = {}
# Model relations that point up (a relation named by a string needs no import, so the import check cannot
# see it). The user model is exempt: every app reaches it through settings.AUTH_USER_MODEL.
RELATIONS_UP: dict[str, str] = {
    "core.SearchDocument.area": "search filters by area; the index row keeps the record's area (places)",
}
# Modules at the package root (squaremile/api.py assembles every app's router): above every app.
ROOT_TIER = len(LAYERS)


def tier_of(app: str) -> int:
    for number, tier in enumerate(LAYERS):
        if app in tier:
            return number
    raise AssertionError(
        f"squaremile/{app}/ is not in LAYERS in tests/test_layers.py: add it to the tier where it belongs "
        "(and to the list in docs/architecture.md)."
    )


@dataclass(frozen=True)
class Import:
    source: str  # module that imports, e.g. squaremile.mapping.entries.services
    target: str  # module imported, e.g. squaremile.core.permissions
    path: Path
    line: int
    runtime: bool  # False under `if TYPE_CHECKING:`

    def where(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def all_modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def _type_checking_lines(tree: ast.AST) -> set[int]:
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If):
            test = node.test
            name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
            if name == "TYPE_CHECKING":
                for child in node.body:
                    lines.update(range(child.lineno, (child.end_lineno or child.lineno) + 1))
    return lines


def imports_of(module: str, path: Path, modules: dict[str, Path]) -> list[Import]:
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    is_package = path.name == "__init__.py"
    type_only = _type_checking_lines(tree)
    found: list[Import] = []

    def add(target: str, node: ast.stmt) -> None:
        if target == "squaremile" or target.startswith("squaremile."):
            found.append(Import(module, target, path, node.lineno, node.lineno not in type_only))

    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                add(alias.name, node)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = module.split(".")
                base = base[: len(base) - node.level + (1 if is_package else 0)]
                base_name = ".".join(base + ([node.module] if node.module else []))
            else:
                base_name = node.module or ""
            for alias in node.names:
                submodule = f"{base_name}.{alias.name}"
                # `from package import submodule` depends on that submodule; `from module import name`
                # on the module.
                add(submodule if submodule in modules else base_name, node)
    return found


def app_of(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 2 or (len(parts) == 2 and (PACKAGE / parts[1]).is_dir()) else None


def kind_of(path: Path) -> str:
    parts = path.relative_to(PACKAGE).parts
    if "tests" in parts:
        return "tests"
    if "migrations" in parts:
        return "migrations"
    return "code"


@functools.cache  # parsed once for the tests below
def collect() -> tuple[dict[str, Path], list[Import]]:
    modules = all_modules()
    edges: list[Import] = []
    for module, path in modules.items():
        edges.extend(imports_of(module, path, modules))
    return modules, edges


def test_every_app_is_in_the_layer_list():
    apps = sorted(p.name for p in PACKAGE.iterdir() if (p / "__init__.py").exists())
    for app in apps:
        tier_of(app)  # raises with the advice if missing
    listed = {app for tier in LAYERS for app in tier}
    assert {"core", "places", "accounts", "directory", "mapping", "network"} <= listed


def test_imports_point_down():
    """An app imports only apps in lower tiers; tests are free; migrations may not import a higher app."""
    _, edges = collect()
    wrong = []
    for edge in edges:
        source_app, target_app = app_of(edge.source), app_of(edge.target)
        if kind_of(edge.path) == "tests" or source_app is None or source_app == target_app:
            continue
        if (edge.source, edge.target) in PENDING:
            continue
        source_tier = tier_of(source_app)
        target_tier = ROOT_TIER if target_app is None else tier_of(target_app)
        if target_tier < source_tier:
            continue
        if target_app is None:
            why = f"`{edge.target}` sits above every app (it assembles them)"
        elif target_tier == source_tier:
            why = f"`{target_app}` is a sibling of `{source_app}` in the same layer; siblings stay independent"
        else:
            why = f"`{target_app}` is in a higher layer than `{source_app}`"
        wrong.append(f"{edge.where()}: {edge.source} imports {edge.target}: {why}.")
    if wrong:
        pytest.fail(
            "Imports must point down the layers (tests/test_layers.py LAYERS; docs/architecture.md). "
            "Move the code to the app that owns it, or let the lower app offer a registration that the higher "
            "one fills in (places.listings, accounts.data_export):\n  " + "\n  ".join(sorted(set(wrong))),
            pytrace=False,
        )


def test_pending_exceptions_are_still_needed():
    _, edges = collect()
    found = {(edge.source, edge.target) for edge in edges}
    stale = [f"{a} -> {b} ({why})" for (a, b), why in PENDING.items() if (a, b) not in found]
    assert not stale, "These imports are gone: remove them from PENDING in tests/test_layers.py:\n  " + "\n  ".join(
        stale
    )


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iterative (the graph is small, but recursion limits are not worth the risk)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                components.append(sorted(component))
    return components


def test_no_import_cycles_inside_an_app():
    modules, edges = collect()
    graph: dict[str, set[str]] = {name: set() for name in modules}
    where: dict[tuple[str, str], str] = {}
    for edge in edges:
        if not edge.runtime or edge.target not in modules or edge.target == edge.source:
            continue
        if app_of(edge.source) != app_of(edge.target) or kind_of(edge.path) != "code":
            continue
        graph[edge.source].add(edge.target)
        where.setdefault((edge.source, edge.target), edge.where())
    loops = []
    for component in strongly_connected(graph):
        if len(component) < 2:
            continue
        members = set(component)
        links = [f"{where[(a, b)]}: {a} imports {b}" for a in component for b in sorted(graph[a] & members)]
        loops.append(f"{', '.join(component)} import each other:\n    " + "\n    ".join(links))
    if loops:
        pytest.fail(
            "Modules of an app must not import each other round a loop: move the shared part into a module "
            "both can import (or pass a function in).\n  " + "\n  ".join(loops),
            pytrace=False,
        )


def test_the_checker_sees_lazy_and_relative_imports(tmp_path):
    """The parser counts imports inside functions, resolves relative ones and skips TYPE_CHECKING."""
    source = PACKAGE / "core" / "fake.py"
    path = tmp_path / "fake.py"
    path.write_text(
        "from typing import TYPE_CHECKING\n"
        "from .text import clean_text\n"
        "from . import permissions\n"
        "if TYPE_CHECKING:\n"
        "    from squaremile.mapping.models import Entry\n"
        "def later():\n"
        "    from squaremile.network.surveys import services\n"
    )
    modules = {"squaremile.core.permissions": source, "squaremile.network.surveys.services": source}
    found = {(i.target, i.runtime) for i in imports_of("squaremile.core.fake", path, modules)}
    assert found == {
        ("squaremile.core.text", True),
        ("squaremile.core.permissions", True),
        ("squaremile.mapping.models", False),
        ("squaremile.network.surveys.services", True),
    }
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"], ["d"]]


@pytest.mark.django_db(databases=[])
def test_model_relations_point_down():
    """A foreign key or many-to-many field declared in an app points at the same app or a lower one."""
    from django.apps import apps
    from django.conf import settings

    wrong = []
    for model in apps.get_models():
        app = model._meta.app_config
        if not app.name.startswith("squaremile."):
            continue
        for field in model._meta.get_fields():
            if not field.is_relation or field.auto_created or field.related_model is None:
                continue
            if not (field.concrete or field.many_to_many):
                continue  # a GenericForeignKey names no model
            target = field.related_model._meta
            if not target.app_config.name.startswith("squaremile.") or target.app_label == app.label:
                continue
            if target.label == settings.AUTH_USER_MODEL:
                continue
            where = f"{model._meta.label}.{field.name}"
            if tier_of(target.app_label) >= tier_of(app.label) and where not in RELATIONS_UP:
                wrong.append(f"{where} -> {target.label}: `{target.app_label}` is not below `{app.label}`")
    if wrong:
        pytest.fail(
            "Declare the relation on the higher app's model, pointing down (as directory.Skill.people does), "
            "or use a generic relation:\n  " + "\n  ".join(sorted(wrong)),
            pytrace=False,
        )
