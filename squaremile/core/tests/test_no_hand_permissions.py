"""No role is compared by hand: every "may this person ..." goes through core/permissions.py.

Templates ask `{% can "action" obj as may %}`; code asks `can()` / `require()`, `holders_of()` for
"everyone who may", `staff_flag_for()` for Django's staff flag, and core/visibility.py for "may see".
This test reads every template and every module outside tests and migrations and fails, naming the
file and line, when it finds a role compared, ranked or filtered on by hand. Giving someone a role
(`role=Role.ADMIN` when creating a user, `user.role = role`) is not a check and is not flagged.
"""

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
# the one place, and the module that writes roles in a space (core.SpaceRole) for it
ALLOWED = {ROOT / "squaremile" / "core" / "permissions.py", ROOT / "squaremile" / "core" / "spaces.py"}

PYTHON_PATTERNS = [
    # a role compared: `user.role == "admin"`, `role != Role.MEMBER`, `obj.role in (...)`
    (re.compile(r"\brole\s*(==|!=)"), "compares a role"),
    (re.compile(r"(==|!=)\s*[\w.]*\brole\b(?!\w)"), "compares a role"),
    (re.compile(r"\.role\s+(not\s+)?in\b"), "tests a role's membership"),
    (re.compile(r"\bRole\.\w+\s*(==|!=)"), "compares a role"),
    # roles filtered on in a query: `role__in=[...]`, `.filter(role=...)`
    (re.compile(r"\brole__in\b"), "filters people by role"),
    (re.compile(r"\.(filter|exclude|get)\([^)]*\brole\s*="), "filters people by role"),
    # role ranks
    (re.compile(r"\brole_rank\b"), "ranks a role"),
    (re.compile(r"\bROLE_RANK\b"), "ranks a role"),
    (re.compile(r"\bRANK\s*\["), "ranks a role"),
    (re.compile(r"\bhas_role\s*\("), "checks a role"),
    # Django's flags used as a permission: `if user.is_superuser`, `... or request.user.is_staff`
    (re.compile(r"\b(if|elif|and|or|not|return)\b[^#\n]*\.(is_superuser|is_staff)\b(?!\s*=[^=])"), "checks a flag"),
]

TEMPLATE_PATTERNS = [
    # any condition on a person's role or Django flags: `{% if user.role == "moderator" %}`
    (
        re.compile(r"\{%-?\s*(if|elif)\b[^%]*\b(user|person|member|viewer|owner|by)\.role\b"),
        "tests a person's role",
    ),
    (re.compile(r"\{%-?\s*(if|elif)\b[^%]*\.role\s*(==|!=|in\b)"), "compares a role"),
    (re.compile(r"\{%-?\s*(if|elif)\b[^%]*\b(is_superuser|is_staff)\b"), "checks a flag"),
    (re.compile(r"\brole_rank\b|\bhas_role\b"), "ranks a role"),
]


def _python_files():
    for path in sorted((ROOT / "squaremile").rglob("*.py")):
        parts = set(path.relative_to(ROOT).parts)
        if "tests" in parts or "migrations" in parts or path in ALLOWED:
            continue
        yield path


def _template_files():
    yield from sorted((ROOT / "templates").rglob("*.html"))
    yield from sorted((ROOT / "templates").rglob("*.txt"))
    for folder in sorted((ROOT / "squaremile").glob("*/templates")):
        yield from sorted(folder.rglob("*.html"))
        yield from sorted(folder.rglob("*.txt"))


def _hits(text: str, patterns) -> list[tuple[int, str, str]]:
    found = []
    for number, line in enumerate(text.splitlines(), start=1):
        for pattern, what in patterns:
            if pattern.search(line):
                found.append((number, what, line.strip()))
                break
    return found


def _report(path: Path, hits) -> list[str]:
    where = path.relative_to(ROOT)
    return [
        f"{where}:{number}: {what} by hand: {line}\n"
        f"    ask core.permissions instead (can/require, holders_of, staff_flag_for; "
        f'{{% can "action" obj as may %}} in a template; core.visibility for "may see")'
        for number, what, line in hits
    ]


def test_no_module_compares_a_role_by_hand():
    problems = []
    for path in _python_files():
        problems += _report(path, _hits(path.read_text(encoding="utf-8"), PYTHON_PATTERNS))
    assert not problems, "\n".join(problems)


def test_no_template_compares_a_role_by_hand():
    problems = []
    for path in _template_files():
        problems += _report(path, _hits(path.read_text(encoding="utf-8"), TEMPLATE_PATTERNS))
    assert not problems, "\n".join(problems)


# ---- the scanner itself: it catches what it must, and lets assignments through ---------------------
@pytest.mark.parametrize(
    "line",
    [
        'if user.role == "moderator":',
        "    return request.user.role != Role.MEMBER",
        'allowed = "admin" == obj.role',
        "if obj.role in (Role.MODERATOR, Role.ADMIN):",
        "if Role.ADMIN == role:",
        "User.objects.filter(role__in=[Role.MODERATOR, Role.ADMIN])",
        "User.objects.filter(is_active=True, role=Role.MODERATOR)",
        "if role_rank(user) >= 2:",
        "return user.role_rank >= ROLE_RANK[Role.ADMIN]",
        "if rank >= RANK[ADMIN]:",
        'if user.has_role("organiser"):',
        "if request.user.is_superuser:",
        "ok = local or request.user.is_staff",
        "    return user.is_active and user.is_superuser",
    ],
)
def test_the_scanner_catches_hand_checks_in_code(line):
    assert _hits(line, PYTHON_PATTERNS), line


@pytest.mark.parametrize(
    "line",
    [
        "user = UserFactory(role=Role.ADMIN)",
        "user.role = role",
        'extra_fields.setdefault("role", Role.ADMIN)',
        "obj.is_staff = staff_flag_for(obj.role, obj.is_superuser)",
        "user.is_superuser = superuser",
        'list_display = ("email", "role", "is_active")',
        "qs = qs.filter(Q(display_name__icontains=q) | Q(role__icontains=q))",
        "for email, role, display, superuser in DEMO_ACCOUNTS:",
        '"account": {"email": user.email, "role": user.role},',
        "by = User.objects.filter(is_superuser=True, is_active=True).first()",
    ],
)
def test_the_scanner_lets_assignments_through(line):
    assert not _hits(line, PYTHON_PATTERNS), line


@pytest.mark.parametrize(
    "line",
    [
        '{% if user.role == "moderator" or user.role == "admin" %}',
        "{% if user.is_superuser %}<a>Admin</a>{% endif %}",
        "{% elif request.user.is_staff %}",
        '{% if member.role in "moderator admin" %}',
    ],
)
def test_the_scanner_catches_hand_checks_in_templates(line):
    assert _hits(line, TEMPLATE_PATTERNS), line


@pytest.mark.parametrize(
    "line",
    [
        '{% can "entry.moderate" as may_moderate %}{% if may_moderate %}',
        "{% if response.role %}<dt>Role</dt><dd>{{ response.role }}</dd>{% endif %}",
        "<td>{{ user.get_role_display }}</td>",
    ],
)
def test_the_scanner_lets_templates_show_a_role(line):
    assert not _hits(line, TEMPLATE_PATTERNS), line
