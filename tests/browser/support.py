"""Helpers shared by the browser tests: making records, reading emails, and the page checks
(axe-core, and reflow on a phone). Fixtures live in conftest.py."""

import functools
import importlib
import re

from axe_playwright_python.sync_playwright import Axe

DESKTOP = {"width": 1280, "height": 800}
PHONE = {"width": 390, "height": 844}
BLOCKING_IMPACTS = ("serious", "critical")


@functools.cache
def _axe() -> Axe:
    return Axe()  # reads the bundled axe.min.js once per process


def load_taxonomy() -> dict:
    """Put the starting skills taxonomy (the data migration's file) into the database, in three
    queries rather than the migration's row-by-row upserts. The first test on a fresh database
    still has what the migration loaded; later ones start from an empty (flushed) database."""
    from squaremile.directory.models import ResourceKind, Skill, SkillFamily

    if SkillFamily.objects.exists():
        return {"families": SkillFamily.objects.count(), "skills": Skill.objects.count()}
    data = importlib.import_module("squaremile.directory.migrations.0002_taxonomy").read_taxonomy()
    families = SkillFamily.objects.bulk_create(
        SkillFamily(name=f["name"], slug=f["slug"], description=f.get("description", ""), position=i)
        for i, f in enumerate(data["families"])
    )
    skills = Skill.objects.bulk_create(
        Skill(family=family, name=s["name"], slug=s["slug"], description=s.get("description", ""))
        for family, f in zip(families, data["families"], strict=True)
        for s in f["skills"]
    )
    resources = ResourceKind.objects.bulk_create(
        ResourceKind(name=r["name"], slug=r["slug"], description=r.get("description", "")) for r in data["resources"]
    )
    return {"families": len(families), "skills": len(skills), "resources": len(resources)}


def make_user(**kwargs):
    from squaremile.accounts.tests.factories import UserFactory

    return UserFactory(**kwargs)


def make_organisation(*, by, **data):
    """An organisation made through the service, so that it is indexed for search and placed in its area."""
    from squaremile.directory import services

    data.setdefault("description", "A group that does good things.")
    m2m = {name: data.pop(name) for name in ("skills", "resources", "areas_served") if name in data}
    return services.organisation_create(by=by, data={**data, **m2m})


def make_project(*, by, **data):
    from squaremile.directory import services

    data.setdefault("description", "A project that gets things done.")
    return services.project_create(by=by, data=data)


def assert_fits_the_screen(page) -> None:
    """Nothing on the page makes it scroll sideways (WCAG 1.4.10, reflow): on a phone, a page
    wider than the screen hides part of every line."""
    page.wait_for_load_state("load")  # measured before its stylesheet arrives, any page is too wide
    overflow = page.evaluate(
        """() => {
            const width = document.documentElement.clientWidth;
            if (document.documentElement.scrollWidth <= width) return null;
            const name = (el) => el.tagName.toLowerCase() + (el.id ? "#" + el.id : "") +
                (typeof el.className === "string" && el.className.trim()
                    ? "." + el.className.trim().split(/\\s+/).join(".") : "");
            const wide = [...document.querySelectorAll("body *")]
                .filter((el) => el.getBoundingClientRect().right > width + 1);
            return {width, scrollWidth: document.documentElement.scrollWidth, wide: wide.slice(0, 5).map(name)};
        }"""
    )
    assert overflow is None, f"{page.url} scrolls sideways: {overflow}"


def confirmation_link(message) -> str:
    """The first link in an email's text that leads back to the site."""
    match = re.search(r"https?://[^\s<>\"]+/accounts/[^\s<>\"]+", message.body)
    assert match, f"no account link in the email:\n{message.body}"
    return match.group(0)


def _format_violation(violation) -> str:
    lines = [f"- {violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>"]
    for node in violation["nodes"][:8]:
        target = " ".join(str(t) for t in node["target"])
        summary = (node.get("failureSummary") or "").replace("\n", " ")
        lines.append(f"    at {target}: {summary[:300]}")
    if len(violation["nodes"]) > 8:
        lines.append(f"    ... and {len(violation['nodes']) - 8} more")
    return "\n".join(lines)


def axe_violations(page) -> list[dict]:
    """The serious and critical axe-core violations on the whole page as it is now (Leaflet's own
    map controls included: nothing is excluded)."""
    page.wait_for_load_state("load")  # colours and sizes are only right once the stylesheet is in
    results = _axe().run(page)
    return [v for v in results.response["violations"] if v.get("impact") in BLOCKING_IMPACTS]


def a11y_report(page, label: str) -> str:
    """An empty string when the page passes, else a readable list of what axe found."""
    violations = axe_violations(page)
    if not violations:
        return ""
    return f"{label} ({page.url}):\n" + "\n".join(_format_violation(v) for v in violations)


def wait_until(page, expression: str, *, timeout_ms: int = 10_000) -> None:
    """Wait until a JavaScript expression is true on the page. Playwright's own `wait_for_function`
    evaluates its predicate with eval() inside the page, which the Content-Security-Policy forbids
    (as it should); `page.evaluate` goes through the browser's debugging protocol instead."""
    import time

    deadline = time.monotonic() + timeout_ms / 1000
    while not page.evaluate(expression):
        if time.monotonic() > deadline:
            raise AssertionError(f"Still false after {timeout_ms} ms: {expression}")
        page.wait_for_timeout(50)


def choose_place(page, box, typed: str, option: str) -> None:
    """Type into a "place name or postcode" box (static/js/placesearch.js) and tap the suggestion
    whose text starts with `option`. Typing before the script has started would send no request, and
    the suggestions come from the API after a short pause: on a loaded test machine either may take a
    while, so wait for both generously."""
    from playwright.sync_api import expect

    expect(box).to_have_attribute("role", "combobox", timeout=30_000)  # the script is listening
    box.fill(typed)
    choice = page.get_by_role("listbox", name="Places that match").get_by_role(
        "option", name=re.compile("^" + re.escape(option))
    )
    expect(choice).to_be_visible(timeout=30_000)
    choice.tap()
