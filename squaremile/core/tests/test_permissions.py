"""The permission matrix: every action in RULES × every kind of person × own or someone else's record.

EXPECTED is written out by hand. A change to RULES that is not mirrored here fails, and so does a
new rule without a row. Later capabilities add a row to RULES, a row to EXPECTED, and (when the
action has a service) a line to SERVICE_CALLS.

Each cell is two characters: the first for the person's own record, the second for someone else's.
"Y" means allowed, "-" means refused.
"""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from squaremile.accounts import services as account_services
from squaremile.accounts.models import ApiToken, Profile, Role, User
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core import spaces
from squaremile.core.models import Job, SpaceRole
from squaremile.core.permissions import RULES, can, forget_space_roles, refusal, require, space_of
from squaremile.directory import services as directory_services
from squaremile.directory.models import Organisation, Project, Skill
from squaremile.directory.tests.factories import OrganisationFactory, ProjectFactory
from squaremile.events import services as event_services
from squaremile.events.models import Action as EventAction
from squaremile.events.models import Event
from squaremile.events.models import Registration as EventRegistration
from squaremile.events.models import Report as EventReport
from squaremile.events.models import Room as EventRoom
from squaremile.events.models import Session as EventSession
from squaremile.mapping.entries import services as map_services
from squaremile.mapping.io import imports as map_imports
from squaremile.mapping.models import Entry
from squaremile.mapping.tests.factories import EntryFactory
from squaremile.moderation import services as moderation_services
from squaremile.moderation.models import Report
from squaremile.network.models import Survey
from squaremile.network.surveys import services as network_services
from squaremile.network.tests.factories import SurveyFactory
from squaremile.notifications import services as notification_services
from squaremile.notifications.models import Follow
from squaremile.places import services as place_services
from squaremile.places.models import Area, Place
from squaremile.places.tests.factories import AreaFactory
from squaremile.stories import services as story_services
from squaremile.stories.models import Story, StoryComment, StoryFeed, StoryLink

# "co-organiser" is a member who holds the organiser role in the record's space (core.models.SpaceRole):
# a survey's co-organiser. Their "own" record is one they added themselves.
ROLES = ["anonymous", "member", "organiser", "moderator", "admin", "superuser", "inactive", "co-organiser"]

# fmt: off
EXPECTED = {
    #                        anonymous member  organiser moderator admin  superuser inactive co-organiser
    "site.administer":      ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "job.view":             ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "Y-"),
    "organisation.add":     ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    # an organisation is a space: "co-organiser" holds its organiser role (members: directory tests)
    "organisation.change":  ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "organisation.delete":  ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "organisation.see_hidden": ("--",  "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "organisation.roles":   ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "organisation.speak_for": ("--",   "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "project.add":          ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "project.change":       ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "project.delete":       ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "taxonomy.change":      ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "organisation.import":  ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "area.add":             ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "area.change":          ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "area.delete":          ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "place.import":         ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "entry.add":            ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "entry.change":         ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "entry.delete":         ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "entry.moderate":       ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "entry.publish_trusted": ("--",    "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "category.change":      ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "entry.import":         ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "survey.add":           ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "survey.change":        ("--",     "--",   "Y-",     "Y-",     "YY",  "YY",     "--",    "YY"),
    "survey.delete":        ("--",     "--",   "Y-",     "Y-",     "YY",  "YY",     "--",    "--"),
    "survey.view_responses": ("--",    "--",   "Y-",     "Y-",     "YY",  "YY",     "--",    "YY"),
    "survey.roles":         ("--",     "--",   "Y-",     "Y-",     "YY",  "YY",     "--",    "--"),
    "moderation.report":    ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "follow.add":           ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "profile.change":       ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "Y-"),
    "profile.see_hidden":   ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "role.change":          ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "apitoken.add":         ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "Y-"),
    "apitoken.delete":      ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "Y-"),
    # exchange (wants and offers)
    "exchange.add":         ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "exchange.change":      ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "exchange.see_hidden":  ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "exchange.moderate":    ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "exchange.post_for_others": ("--", "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "exchangealert.change": ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "Y-"),
    # civic: a body is a space (its staff are the "co-organiser" column); a report's space is its body
    "body.change":          ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "YY"),
    "body.roles":           ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "YY"),
    "representative.import": ("--",    "--",   "--",     "--",     "YY",  "YY",     "--",    "--"),
    "report.add":           ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "report.change":        ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "report.comment":       ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "YY"),
    "report.status":        ("--",     "--",   "--",     "--",     "YY",  "YY",     "--",    "YY"),
    "repquestion.add":      ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "repquestion.moderate": ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "report.moderate":      ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    # conversations: a space "organiser" role grants nothing in a group (facilitators and members do)
    "group.add":            ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "group.change":         ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "group.roles":          ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "group.facilitate":     ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "group.see_hidden":     ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "group.post":           ("--",     "Y-",   "Y-",     "Y-",     "YY",  "YY",     "--",    "Y-"),
    "thread.moderate":      ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "post.change":          ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "post.moderate":        ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "message.moderate":     ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    # stories (squaremile.stories)
    "story.add":            ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "story.change":         ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "story.delete":         ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "story.moderate":       ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "story.publish_trusted": ("--",    "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "story.respond":        ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "story.tag":            ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "story.booklet":        ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "storycomment.moderate": ("--",    "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "storyfeed.add":        ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "storyfeed.change":     ("--",     "--",   "Y-",     "YY",     "YY",  "YY",     "--",    "--"),
    # events (squaremile.events): an event is a space; "own" is the event's (or the action's) owner
    "event.add":            ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "event.change":         ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "event.roles":          ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "event.see_answers":    ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "event.import":         ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "event.facilitate":     ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    "event.register":       ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "event.pitch":          ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "session.report":       ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "action.change":        ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "YY"),
    # methods
    "method.add":           ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "method.change":        ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "method.moderate":      ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "method.import":        ("--",     "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "methodrevision.add":   ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "methodrevision.moderate": ("--",  "--",   "--",     "YY",     "YY",  "YY",     "--",    "--"),
    "collection.add":       ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "collection.change":    ("--",     "--",   "Y-",     "YY",     "YY",  "YY",     "--",    "--"),
    "usagereport.add":      ("--",     "YY",   "YY",     "YY",     "YY",  "YY",     "--",    "YY"),
    "usagereport.delete":   ("--",     "Y-",   "Y-",     "YY",     "YY",  "YY",     "--",    "Y-"),
    "deck.add":             ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "deck.change":          ("--",     "--",   "Y-",     "Y-",     "YY",  "YY",     "--",    "--"),
    "game.add":             ("--",     "--",   "YY",     "YY",     "YY",  "YY",     "--",    "--"),
    "game.change":          ("--",     "--",   "Y-",     "Y-",     "YY",  "YY",     "--",    "--"),
}
# fmt: on

CASES = [
    pytest.param(action, role, whose, id=f"{action}-{role}-{whose}")
    for action in EXPECTED
    for role in ROLES
    for whose in ("own", "other")
]
# a role in a space is a row in the database: the co-organiser's cases are checked with saved records
PURE_CASES = [c for c in CASES if c.values[1] != "co-organiser"]
SPACE_CASES = [c for c in CASES if c.values[1] == "co-organiser"]


def expected(action: str, role: str, whose: str) -> bool:
    cell = EXPECTED[action][ROLES.index(role)]
    return cell[0 if whose == "own" else 1] == "Y"


def test_table_covers_every_rule_and_only_those():
    assert set(EXPECTED) == set(RULES), "add a row to EXPECTED for every rule in RULES (and remove stale ones)"
    for action, row in EXPECTED.items():
        assert len(row) == len(ROLES), action
        assert all(len(cell) == 2 and set(cell) <= {"Y", "-"} for cell in row), action


# ---- the pure rule check: no database ----------------------------------------------------------
def _person(role: str, pk: int):
    """An unsaved person of the given kind; `inactive` is a deactivated administrator, so being
    inactive must outweigh any role."""
    if role == "anonymous":
        return AnonymousUser()
    if role == "superuser":
        return User(pk=pk, email=f"u{pk}@example.org", role=Role.MEMBER, is_superuser=True, is_staff=True)
    if role == "inactive":
        return User(pk=pk, email=f"u{pk}@example.org", role=Role.ADMIN, is_active=False)
    return User(pk=pk, email=f"u{pk}@example.org", role=role)


def _record(action: str, owner_pk):
    """A record of the kind the action works on, owned by `owner_pk`."""
    kind = action.split(".")[0]
    if kind == "site":
        return None
    if kind == "job":
        return Job(owner_id=owner_pk, kind="export")
    if kind == "organisation":
        return Organisation(owner_id=owner_pk, name="Org", slug="org")
    if kind == "project":
        return Project(owner_id=owner_pk, name="Project", slug="project")
    if kind == "taxonomy":
        return Skill(name="Skill", slug="skill")
    if kind in ("area", "follow", "place"):  # following: any followable record, here an area
        return Area(name="Area", slug="area")
    if kind == "profile":
        return Profile(user_id=owner_pk)
    if kind == "role":
        return User(pk=owner_pk, email=f"u{owner_pk}@example.org") if owner_pk else User(email="x@example.org")
    if kind == "apitoken":
        return ApiToken(user_id=owner_pk, name="t")
    if kind in ("entry", "moderation"):  # moderation.report: reporting a map entry
        from squaremile.mapping.models import Entry

        return Entry(owner_id=owner_pk, title="Entry")
    if kind == "category":
        from squaremile.mapping.models import Category

        return Category(name="Category", slug="category")
    if kind == "survey":
        from squaremile.network.models import Survey

        return Survey(owner_id=owner_pk, title="Survey")
    if kind == "exchange":
        from squaremile.exchange.models import Item

        return Item(owner_id=owner_pk, title="Item", side="want")
    if kind == "exchangealert":
        from squaremile.exchange.models import Alert

        return Alert(owner_id=owner_pk, side="offer")
    if kind in ("body", "representative"):
        from squaremile.civic.models import Body

        return Body(name="Body", slug="body")
    if kind == "report":
        from squaremile.civic.models import Report

        return Report(owner_id=owner_pk, title="Report", lat=52.6, lng=-1.1)
    if kind == "repquestion":
        from squaremile.civic.models import RepQuestion

        return RepQuestion(owner_id=owner_pk, title="Question", text="Why?")
    if kind in ("group", "thread", "post", "message"):
        from squaremile.conversations.models import Conversation, Group, Message, Post, Thread

        group = Group(owner_id=owner_pk, name="Group", slug="group")
        if kind == "group":
            return group
        if kind == "message":
            return Message(author_id=owner_pk, conversation=Conversation(), body="Hi")
        thread = Thread(group=group, author_id=owner_pk, title="Thread")
        return thread if kind == "thread" else Post(thread=thread, author_id=owner_pk, body="Hi", number=2)
    if kind == "story":
        from squaremile.stories.models import Story

        return Story(owner_id=owner_pk, title="Story")
    if kind == "storycomment":
        from squaremile.stories.models import StoryComment

        return StoryComment(owner_id=owner_pk, body="Reply")
    if kind == "storyfeed":
        from squaremile.stories.models import StoryFeed

        return StoryFeed(owner_id=owner_pk, title="Feed")
    if kind == "event":
        from squaremile.events.models import Event

        return Event(owner_id=owner_pk, title="Event")
    if kind == "session":
        from squaremile.events.models import Session

        return Session(title="Session")
    if kind == "action":
        from squaremile.events.models import Action, Event

        return Action(owner_id=owner_pk, description="Action", event=Event(title="Event"))
    if kind in ("method", "methodrevision", "collection", "usagereport", "deck", "game"):
        from squaremile.methods import models as methods

        model = {
            "method": methods.Method, "methodrevision": methods.MethodRevision, "collection": methods.Collection,
            "usagereport": methods.UsageReport, "deck": methods.Deck, "game": methods.Game,
        }[kind]  # fmt: skip
        return model(owner_id=owner_pk)
    raise AssertionError(f"No record kind for {action}: add one to _record()")


@pytest.mark.parametrize(("action", "role", "whose"), PURE_CASES)
def test_rule_matrix(action, role, whose):
    actor = _person(role, pk=10)
    owner_pk = (actor.pk if role != "anonymous" else None) if whose == "own" else 99
    record = _record(action, owner_pk)
    assert can(actor, action, record) is expected(action, role, whose)
    if expected(action, role, whose):
        require(actor, action, record)
    else:
        with pytest.raises(PermissionDenied) as refused:
            require(actor, action, record)
        assert str(refused.value) == refusal(actor, action)  # who may, in plain words


def test_unknown_action_is_a_programming_error():
    with pytest.raises(KeyError):
        can(_person("admin", 1), "nothing.here")


def test_roles_are_ordered():
    """Each role can do at least everything the ones before it can."""
    for action, row in EXPECTED.items():
        ranked = [row[ROLES.index(r)] for r in ("member", "organiser", "moderator", "admin")]
        for lower, higher in zip(ranked, ranked[1:], strict=False):
            for a, b in zip(lower, higher, strict=True):
                assert not (a == "Y" and b == "-"), action


# ---- roles in a space ------------------------------------------------------------------------------
def _hold_space_role(person, record) -> None:
    """Make `person` an organiser of the record's space (for the co-organiser column)."""
    space = space_of(record)
    if space is not None and space.pk is not None:
        SpaceRole.objects.create(
            content_type=ContentType.objects.get_for_model(space), object_id=space.pk, user=person, role="organiser"
        )
        forget_space_roles(person)


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "whose"), SPACE_CASES)
def test_space_role_matrix(action, role, whose):
    actor = _make_person(role)
    other = UserFactory()
    record = _owned(action, actor if whose == "own" else other, other)
    if record is None:  # kinds that are never a space (taxonomy, categories, the site)
        record = _record(action, actor.pk if whose == "own" else other.pk)
    _hold_space_role(actor, record)
    assert can(actor, action, record) is expected(action, role, whose)
    if not expected(action, role, whose):
        with pytest.raises(PermissionDenied) as refused:
            require(actor, action, record)
        assert str(refused.value) == refusal(actor, action)


# ---- the services enforce the same table --------------------------------------------------------
def _make_person(role: str):
    if role == "co-organiser":
        return UserFactory(role=Role.MEMBER)
    if role == "anonymous":
        return AnonymousUser()
    if role == "superuser":
        return UserFactory(role=Role.MEMBER, is_superuser=True, is_staff=True)
    if role == "inactive":
        return UserFactory(role=Role.ADMIN, is_active=False)
    return UserFactory(role=role)


def _owned(action: str, owner, other):
    """The record for the call, belonging to `owner` (a saved user or None), plus its checker."""
    kind = action.split(".")[0]
    if kind == "job":
        return Job.objects.create(kind="export", owner=owner)
    if kind == "organisation":
        return OrganisationFactory(owner=owner)
    if kind == "project":
        return ProjectFactory(owner=owner)
    if kind in ("area", "follow", "place"):
        return AreaFactory()
    if kind == "profile":
        return account_services.profile_for(owner or other)
    if kind == "role":
        return owner or other
    if kind == "entry":
        return EntryFactory(owner=owner, title="Existing", verified=False)
    if kind == "moderation":  # a published entry to report: someone else's (people do not report their own)
        return EntryFactory(owner=other, title="Reported")
    if kind == "survey":
        return SurveyFactory(owner=owner)
    if kind == "event":
        from squaremile.events.tests.factories import EventFactory, OpenSpaceFactory

        return (OpenSpaceFactory if action == "event.pitch" else EventFactory)(owner=owner)
    if kind == "session":
        from squaremile.events.tests.factories import SessionFactory

        return SessionFactory()
    if kind == "action":
        from squaremile.events.tests.factories import ActionFactory

        return ActionFactory(owner=owner)
    if kind == "apitoken":
        return ApiToken.objects.create(user=owner or other, name="existing", prefix="sqm_x", key_hash=f"h{action}")
    if kind in ("body", "representative", "report", "repquestion"):
        from squaremile.civic.tests.factories import (
            BodyFactory,
            ReportFactory,
            RepQuestionFactory,
            RepresentativeFactory,
        )  # fmt: skip

        if kind == "report":  # sent to a body: the body's staff are the space's co-organisers
            return ReportFactory(owner=owner, body=BodyFactory())
        if kind == "repquestion":
            RepresentativeFactory()
            return RepQuestionFactory(owner=owner)
        return BodyFactory()
    if kind == "story":
        from squaremile.stories.tests.factories import StoryFactory

        return StoryFactory(owner=owner, title="Existing story", organisation=OrganisationFactory())
    if kind == "storycomment":
        from squaremile.stories.models import StoryComment
        from squaremile.stories.tests.factories import StoryFactory

        return StoryComment.objects.create(story=StoryFactory(owner=other), owner=owner or other, body="A reply")
    if kind == "storyfeed":
        from squaremile.stories.tests.factories import FeedFactory

        return FeedFactory(owner=owner, title="Existing feed")
    if kind == "exchange":
        from squaremile.exchange.tests.factories import ItemFactory

        return ItemFactory(owner=owner or other, title="Existing")
    if kind == "exchangealert":
        from squaremile.exchange.models import Alert

        return Alert.objects.create(owner=owner or other, side="offer")
    return None


def _import_organisations(by):
    from squaremile.directory.importers import ORGANISATIONS
    from squaremile.imports import pipeline
    from squaremile.imports.reading import Table

    table = Table.from_dicts([{"name": "Imported Group", "postcode": "LS1 4AP"}])
    options = pipeline.ImportOptions(mapping={"name": "name", "postcode": "postcode"})
    return pipeline.apply(ORGANISATIONS, table=table, options=options, by=by)


def _import_gazetteer(by):
    from squaremile.imports import pipeline
    from squaremile.imports.reading import Table
    from squaremile.places.importers import GAZETTEER

    table = Table.from_dicts([{"name": "Mill Lane", "kind": "street", "lat": "53.8", "lng": "-1.5"}])
    options = pipeline.ImportOptions(mapping={"name": "name", "kind": "kind", "lat": "lat", "lng": "lng"})
    return pipeline.apply(GAZETTEER, table=table, options=options, by=by)


# action -> a call of the service that performs it, given the acting person and the record.
# None where no service performs the action yet (say why).
SERVICE_CALLS = {
    "site.administer": None,  # the admin site and the development mailbox: core/tests/test_site.py, admin tests
    "job.view": None,  # a read: core/tests/test_jobs.py
    "organisation.see_hidden": None,  # a read: core/tests/test_visibility.py and the directory's page tests
    "organisation.add": lambda by, rec: directory_services.organisation_create(by=by, data={"name": "New org"}),
    "organisation.change": lambda by, rec: directory_services.organisation_update(
        organisation=rec, by=by, data={"name": "Changed"}
    ),
    "organisation.delete": lambda by, rec: directory_services.organisation_delete(organisation=rec, by=by),
    "organisation.roles": lambda by, rec: spaces.grant(
        space=rec, user=User.objects.exclude(pk=getattr(by, "pk", None)).order_by("pk").first(), role="member", by=by
    ),
    # a check inside the stories' and the exchange's writes (a refusal there is a form error): their tests
    "organisation.speak_for": None,
    "project.add": lambda by, rec: directory_services.project_create(by=by, data={"name": "New project"}),
    "project.change": lambda by, rec: directory_services.project_update(project=rec, by=by, data={"name": "Changed"}),
    "project.delete": lambda by, rec: directory_services.project_delete(project=rec, by=by),
    "taxonomy.change": None,  # the taxonomy is changed in the admin and by migrations only
    "organisation.import": lambda by, rec: _import_organisations(by),
    "area.add": lambda by, rec: place_services.area_create(by=by, name="New area"),
    "area.change": lambda by, rec: place_services.area_update(area=rec, by=by, name="Changed"),
    "area.delete": lambda by, rec: place_services.area_delete(area=rec, by=by),
    "place.import": lambda by, rec: _import_gazetteer(by),
    "entry.add": lambda by, rec: map_services.entry_create(
        by=by, title="New entry", category=rec.category, lat=52.6, lng=-1.1
    ),
    "entry.change": lambda by, rec: map_services.entry_update(entry=rec, by=by, data={"title": "Changed"}),
    "entry.delete": lambda by, rec: map_services.entry_delete(entry=rec, by=by),
    "entry.moderate": lambda by, rec: map_services.entry_verify(entry=rec, by=by),
    "entry.publish_trusted": None,  # not a refusal: it decides whether an entry waits for review (mapping tests)
    "category.change": None,  # categories are changed in the admin (admin role only), tested in the mapping app
    "entry.import": lambda by, rec: map_imports.import_rows(
        rows=[{"title": "Imported", "lat": "52.6", "lng": "-1.1", "id": "x-1"}],
        options=map_imports.ImportOptions(
            mapping={"title": "title", "lat": "lat", "lng": "lng", "external_id": "id"},
            default_category_id=rec.category_id,
        ),
        by=by,
    ),
    "survey.add": lambda by, rec: network_services.survey_create(by=by, data={"title": "New survey"}),
    "survey.change": lambda by, rec: network_services.survey_update(survey=rec, by=by, data={"title": "Changed"}),
    "survey.delete": lambda by, rec: network_services.survey_delete(survey=rec, by=by),
    "survey.roles": lambda by, rec: spaces.grant(
        space=rec, user=User.objects.exclude(pk=getattr(by, "pk", None)).order_by("pk").first(), by=by
    ),
    "survey.view_responses": None,  # a read: the organiser pages' matrix is in network/tests/test_survey_views.py
    "moderation.report": lambda by, rec: moderation_services.report(user=by, target=rec, reason="wrong"),
    "follow.add": lambda by, rec: notification_services.follow(user=by, target=rec),
    "profile.change": lambda by, rec: account_services.profile_update(
        profile=rec, by=by, data={"display_name": "Changed"}
    ),
    "profile.see_hidden": None,  # a read: core/tests/test_visibility.py and accounts/tests
    "role.change": lambda by, rec: account_services.role_set(user=rec, role=Role.ORGANISER, by=by),
    # the token's person: the actor themself ("own") or someone else
    "apitoken.add": lambda by, rec: account_services.api_token_create(user=rec.user, by=by, name="new"),
    "apitoken.delete": lambda by, rec: account_services.api_token_delete(token=rec, by=by),
    # exchange (wants and offers)
    "exchange.add": lambda by, rec: _exchange_post(by),
    "exchange.change": lambda by, rec: _exchange_services().item_withdraw(item=rec, by=by),
    "exchange.see_hidden": None,  # a read: exchange/tests (members-only and hidden items)
    "exchange.moderate": lambda by, rec: moderation_services.take(kind="exchange", action="hide", user=by, obj=rec),
    "exchange.post_for_others": lambda by, rec: _exchange_post(by, on_behalf_of="Mrs P"),
    "exchangealert.change": lambda by, rec: _exchange_services().alert_delete(alert=rec, by=by),
    # civic
    "body.change": None,  # bodies are changed in the admin; staff act through report.status (civic tests)
    "body.roles": lambda by, rec: spaces.grant(
        space=rec, user=User.objects.exclude(pk=getattr(by, "pk", None)).order_by("pk").first(), by=by
    ),
    "representative.import": lambda by, rec: _import_representatives(by),
    "report.add": lambda by, rec: _civic().report_create(
        by=by, category=rec.category, lat=52.6, lng=-1.1, title="Lamp out"
    ),
    "report.change": None,  # its photos, through the attachments registry (attachments tests)
    "report.comment": lambda by, rec: _civic().report_comment(report=rec, by=by, text="Still broken"),
    "report.status": lambda by, rec: _civic().report_set_status(report=rec, by=by, status="fixed"),
    "repquestion.add": lambda by, rec: _civic().question_create(
        by=by, representatives=[_civic_rep()], title="Why?", text="Because."
    ),
    "repquestion.moderate": lambda by, rec: moderation_services.take(
        kind="repquestion", action="publish", user=by, obj=rec
    ),
    "report.moderate": lambda by, rec: moderation_services.take(kind="report", action="hide", user=by, obj=rec),
    # conversations: their own tests check each service against these rows
    # (squaremile/conversations/tests/test_permissions_matrix.py)
    "group.add": None,
    "group.change": None,
    "group.roles": None,
    "group.facilitate": None,
    "group.see_hidden": None,
    "group.post": None,
    "thread.moderate": None,
    "post.change": None,
    "post.moderate": None,
    "message.moderate": None,
    # stories
    "story.add": lambda by, rec: story_services.story_tell(by=by, data={"title": "New story"}),
    "story.change": lambda by, rec: story_services.story_update(story=rec, by=by, data={"title": "Changed"}),
    "story.delete": lambda by, rec: story_services.story_delete(story=rec, by=by),
    "story.moderate": lambda by, rec: story_services.story_moderate(story=rec, by=by, action="hide"),
    "story.publish_trusted": None,  # not a refusal: it decides whether a first story waits (stories tests)
    "story.respond": lambda by, rec: story_services.comment_add(story=rec, by=by, body="Thank you"),
    "story.tag": lambda by, rec: story_services.story_tag(story=rec, by=by, about=[rec.organisation]),
    "story.booklet": None,  # a read: the booklet pages' checks are in stories/tests/test_stories.py
    "storycomment.moderate": lambda by, rec: moderation_services.take(
        kind="storycomment", action="hide", user=by, obj=rec
    ),  # fmt: skip
    "storyfeed.add": lambda by, rec: story_services.feed_add(by=by, title="Feed", url="https://feed.example.org/rss"),
    "storyfeed.change": lambda by, rec: story_services.feed_update(feed=rec, by=by, title="Changed"),
    "event.add": lambda by, rec: _event_create(by),
    "event.change": lambda by, rec: event_services.event_update(event=rec, by=by, data={"title": "Changed"}),
    "event.roles": lambda by, rec: spaces.grant(
        space=rec, user=User.objects.exclude(pk=getattr(by, "pk", None)).order_by("pk").first(), by=by
    ),
    "event.see_answers": None,  # a read: the registrations page's tests in events/tests/test_views.py
    "event.import": lambda by, rec: _import_events(by),
    "event.facilitate": lambda by, rec: event_services.room_add(event=rec, by=by, name="Main hall"),
    "event.register": lambda by, rec: event_services.register(event=rec, user=by, answer="going"),
    "event.pitch": lambda by, rec: (
        event_services.register(event=rec, user=by, answer="going"),
        event_services.pitch(event=rec, by=by, title="A topic"),
    ),
    "session.report": lambda by, rec: (
        event_services.register(event=rec.event, user=by, answer="going"),
        event_services.report_save(session=rec, by=by, data={"summary": "We talked"}),
    ),
    "action.change": lambda by, rec: event_services.action_set_status(action=rec, by=by, status="done"),
    # methods: squaremile/methods/tests (test_library.py, test_game.py) call each service as a
    # member, an organiser, a moderator and a stranger to the record
    "method.add": None,
    "method.change": None,
    "method.moderate": None,
    "method.import": None,
    "methodrevision.add": None,
    "methodrevision.moderate": None,
    "collection.add": None,
    "collection.change": None,
    "usagereport.add": None,
    "usagereport.delete": None,
    "deck.add": None,
    "deck.change": None,
    "game.add": None,
    "game.change": None,
}


def _exchange_services():
    from squaremile.exchange import services

    return services


def _civic():
    from squaremile.civic import services

    return services


def _exchange_post(by, **extra):
    from squaremile.exchange.tests.factories import car

    fields = {"side": "offer", "title": "New offer", "resource": car(), "where": "anywhere", **extra}
    return _exchange_services().item_create(by=by, fields=fields, check_rate=False)


def _event_create(by):
    import datetime as dt

    from django.utils import timezone

    start = timezone.now() + dt.timedelta(days=3)
    return event_services.event_create(
        by=by, data={"title": "New event", "starts_at": start, "ends_at": start + dt.timedelta(hours=2)}
    )


def _import_events(by):
    from squaremile.events.importers import import_ics

    ics = (
        b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nPRODID:-//t//t//EN\r\nBEGIN:VEVENT\r\nUID:perm-1@example.org\r\n"
        b"DTSTAMP:20260101T000000Z\r\nDTSTART:20300101T100000Z\r\nSUMMARY:Imported\r\nEND:VEVENT\r\nEND:VCALENDAR\r\n"
    )
    return import_ics(data=ics, by=by)


def _civic_rep():
    from squaremile.civic.models import Representative

    return Representative.objects.order_by("pk").first()


def _import_representatives(by):
    from squaremile.civic.importers import REPRESENTATIVES
    from squaremile.imports import pipeline
    from squaremile.imports.reading import Table

    table = Table.from_dicts([{"name": "Cllr New"}])
    return pipeline.apply(REPRESENTATIVES, table=table, options=pipeline.ImportOptions(mapping={"name": "name"}), by=by)


def _snapshot():
    """Everything the services above could change."""
    return (
        sorted(Organisation.objects.values_list("id", "name")),
        sorted(Project.objects.values_list("id", "name")),
        sorted(Area.objects.values_list("id", "name")),
        sorted(Place.objects.values_list("id", "name")),
        sorted(Profile.objects.values_list("id", "display_name")),
        sorted(User.objects.values_list("id", "role", "is_staff")),
        sorted(ApiToken.objects.values_list("id", "name")),
        sorted(Entry.objects.values_list("id", "title", "verified")),
        sorted(Survey.objects.values_list("id", "title")),
        sorted(SpaceRole.objects.values_list("id", "user_id", "role")),
        sorted(Report.objects.values_list("id", "reporter_id")),
        sorted(Follow.objects.values_list("id", "user_id")),
        sorted(Story.objects.values_list("id", "title", "status")),
        sorted(StoryLink.objects.values_list("id", "ref")),
        sorted(StoryComment.objects.values_list("id", "status")),
        sorted(StoryFeed.objects.values_list("id", "title")),
        _exchange_rows(),
        sorted(Event.objects.values_list("id", "title")),
        sorted(EventRegistration.objects.values_list("id", "answer")),
        sorted(EventRoom.objects.values_list("id", "name")),
        sorted(EventSession.objects.values_list("id", "title")),
        sorted(EventReport.objects.values_list("id", "summary")),
        sorted(EventAction.objects.values_list("id", "status")),
        *_civic_snapshot(),
    )


def _civic_snapshot():
    from squaremile.civic.models import Report as CivicReport
    from squaremile.civic.models import ReportUpdate, RepQuestion, Representative

    return (
        sorted(CivicReport.objects.values_list("id", "status", "moderation")),
        sorted(ReportUpdate.objects.values_list("id", flat=True)),
        sorted(RepQuestion.objects.values_list("id", "status")),
        sorted(Representative.objects.values_list("id", "name")),
    )


def _exchange_rows():
    from squaremile.exchange.models import Alert, Item

    return sorted(Item.objects.values_list("id", "status", "moderation")), sorted(Alert.objects.values_list("id"))


def test_every_rule_has_a_service_entry():
    assert set(SERVICE_CALLS) == set(RULES)


SERVICE_CASES = [c for c in CASES if SERVICE_CALLS[c.values[0]] is not None]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "whose"), SERVICE_CASES)
def test_services_enforce_the_matrix(action, role, whose):
    actor = _make_person(role)
    other = UserFactory()
    saved_actor = actor if isinstance(actor, User) else None
    record = _owned(action, saved_actor if whose == "own" else other, other)
    if role == "co-organiser":
        _hold_space_role(actor, record)
    before = _snapshot()
    call = SERVICE_CALLS[action]
    if expected(action, role, whose):
        call(actor, record)
        assert _snapshot() != before
    else:
        with pytest.raises(PermissionDenied):
            call(actor, record)
        assert _snapshot() == before


@pytest.mark.django_db
def test_member_cannot_change_someone_elses_organisation():
    owner, member = UserFactory(), UserFactory()
    org = directory_services.organisation_create(
        by=owner, data={"name": "Allotment Society", "description": "Growing food together."}
    )
    with pytest.raises(PermissionDenied):
        directory_services.organisation_update(
            organisation=org, by=member, data={"name": "Taken over", "description": "Mine now"}
        )
    org.refresh_from_db()
    assert (org.name, org.description, org.owner_id) == ("Allotment Society", "Growing food together.", owner.pk)
    from squaremile.core.models import SearchDocument

    assert SearchDocument.objects.get(kind="organisation", object_id=org.pk).title == "Allotment Society"


@pytest.mark.django_db
def test_member_cannot_delete_someone_elses_project():
    owner, member = UserFactory(), UserFactory()
    project = directory_services.project_create(by=owner, data={"name": "Repair Cafe"})
    with pytest.raises(PermissionDenied):
        directory_services.project_delete(project=project, by=member)
    assert Project.objects.filter(pk=project.pk).exists()


@pytest.mark.django_db
def test_import_boundaries_needs_an_administrator():
    from squaremile.places.tests.factories import square

    data = {
        "type": "FeatureCollection",
        "features": [{"type": "Feature", "properties": {"name": "X"}, "geometry": square(53.8, -1.55)}],
    }
    with pytest.raises(PermissionDenied):
        place_services.import_boundaries(data=data, by=UserFactory(role=Role.MODERATOR), kind="ward")
    assert not Area.objects.exists()


# ---- the pages check the same table --------------------------------------------------------------
VIEWS = {
    "organisation.add": ("directory:organisation_create", None),
    "organisation.change": ("directory:organisation_edit", "organisation"),
    "organisation.delete": ("directory:organisation_delete", "organisation"),
    "organisation.roles": ("directory:organisation_people", "organisation"),
    "project.add": ("directory:project_create", None),
    "project.change": ("directory:project_edit", "project"),
    "project.delete": ("directory:project_delete", "project"),
}
VIEW_CASES = [c for c in CASES if c.values[0] in VIEWS]


@pytest.mark.django_db
@pytest.mark.parametrize(("action", "role", "whose"), VIEW_CASES)
def test_pages_enforce_the_matrix(client, action, role, whose):
    actor = _make_person(role)
    other = UserFactory()
    if isinstance(actor, User):
        client.force_login(actor)
    url_name, kind = VIEWS[action]
    owner = actor if (whose == "own" and isinstance(actor, User)) else other
    args = []
    record = None
    if kind == "organisation":
        record = OrganisationFactory(owner=owner)
    elif kind == "project":
        record = ProjectFactory(owner=owner)
    if record is not None:
        args = [record.slug]
        if role == "co-organiser":
            _hold_space_role(actor, record)
    response = client.get(reverse(url_name, args=args))
    if expected(action, role, whose):
        assert response.status_code == 200
    elif role in ("anonymous", "inactive"):
        # an inactive account's session no longer counts: it is sent to log in like anyone else
        assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    else:
        assert response.status_code == 403


def test_a_refusal_says_who_may_in_plain_words():
    from squaremile.accounts.models import Role
    from squaremile.accounts.tests.factories import UserFactory

    member = UserFactory.build(role=Role.MEMBER)
    assert refusal(member, "organisation.change") == (
        "Only the person who added this, its organisers, or moderators, can do this."
    )
    assert refusal(member, "entry.import") == "Only moderators can do this."
    assert refusal(AnonymousUser(), "organisation.add") == "Please log in first."
