"""Writes for network surveys: surveys, rounds, custom questions, invitations, responses and their
ties. Keyword-only, atomic, permission-checked; every change to a round's responses, nodes or ties
ends with `data_changed(round)` so the stored analysis is recomputed (see `computing/tasks.py`).

Private links: a respondent's link carries a random token; only its sha256 is stored, so a link
that was lost cannot be recovered, only replaced.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from squaremile.audit import services as audit
from squaremile.core import ratelimit
from squaremile.core.permissions import can, require
from squaremile.network.computing import tasks
from squaremile.network.models import (
    Audience,
    Consent,
    Invitation,
    Level,
    Node,
    Response,
    ResponseResource,
    ResponseSkill,
    ResponseSource,
    Round,
    Survey,
    Tie,
    TieOrigin,
)
from squaremile.network.surveys import notifications as net_notifications
from squaremile.network.surveys.names import NameResolver, normalise
from squaremile.network.surveys.questions import MIN_THRESHOLD, default_consent_text
from squaremile.notifications.email import send_email
from squaremile.notifications.services import notify_followers
from squaremile.places.services import unique_slug
from squaremile.questions.answers import parse_answers
from squaremile.questions.services import save_questions


def hash_token(token: str) -> str:
    return hashlib.sha256(str(token).encode()).hexdigest()


def new_token() -> str:
    return secrets.token_urlsafe(24)


def data_changed(round_: Round) -> None:
    """Tell the analysis that a round's data changed (bumps its version, marks the stored analysis
    stale, recomputes now or in the background: `tasks.data_changed`)."""
    tasks.data_changed(round_)


# ---------------------------------------------------------------- surveys


SURVEY_FIELDS = (
    "title", "introduction", "consent_text", "area", "audience", "opens_at", "closes_at",
    "anonymity_threshold", "wording", "is_published", "allow_embed",
)  # fmt: skip
SURVEY_M2M = ("skill_families", "resource_kinds")


def _check_survey(survey: Survey) -> None:
    errors: dict[str, list[str]] = {}
    if survey.opens_at and survey.closes_at and survey.closes_at <= survey.opens_at:
        errors["closes_at"] = ["The closing date must be after the opening date."]
    if survey.anonymity_threshold is None or survey.anonymity_threshold < MIN_THRESHOLD:
        errors["anonymity_threshold"] = [f"The smallest group must be at least {MIN_THRESHOLD} people."]
    if not isinstance(survey.wording, dict):
        errors["wording"] = ["Wording must be a mapping of question to text."]
    try:
        survey.full_clean(exclude=["slug", *errors])
    except ValidationError as exc:
        errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _apply(survey: Survey, data: dict) -> dict:
    m2m = {name: data[name] for name in SURVEY_M2M if name in data}
    for name in SURVEY_FIELDS:
        if name in data:
            setattr(survey, name, data[name])
    survey.title = (survey.title or "").strip()
    if survey.is_published and not survey.published_at:
        survey.published_at = timezone.now()
    return m2m


@transaction.atomic
def survey_create(*, by, data: dict, questions: list[dict] | None = None) -> Survey:
    """A new survey owned by `by`, with its first round."""
    require(by, "survey.add")
    survey = Survey(owner=by)
    m2m = _apply(survey, dict(data))
    if not survey.consent_text.strip():
        survey.consent_text = default_consent_text(survey.anonymity_threshold or 5)
    _check_survey(survey)
    survey.slug = unique_slug(Survey, survey.title)
    survey.save()
    for name, values in m2m.items():
        getattr(survey, name).set(values)
    Round.objects.create(survey=survey, number=1, opens_at=survey.opens_at, closes_at=survey.closes_at)
    if survey.is_published:
        audit.record(actor=by, action="survey.published", target=survey)
    if questions:
        _save_questions(survey, questions, by)
    return survey


@transaction.atomic
def survey_update(*, survey: Survey, by, data: dict, questions: list[dict] | None = None) -> Survey:
    require(by, "survey.change", survey)
    was_published = Survey.objects.filter(pk=survey.pk, is_published=True).exists()
    m2m = _apply(survey, dict(data))
    _check_survey(survey)
    survey.save()
    if survey.is_published != was_published:
        audit.record(
            actor=by, action="survey.published" if survey.is_published else "survey.unpublished", target=survey
        )
    for name, values in m2m.items():
        getattr(survey, name).set(values)
    if questions is not None:
        _save_questions(survey, questions, by)
    # the newest round follows the survey's dates when they change
    latest = survey.rounds.order_by("-number").first()
    if latest and latest.number == 1 and ("opens_at" in data or "closes_at" in data):
        latest.opens_at, latest.closes_at = survey.opens_at, survey.closes_at
        latest.save(update_fields=["opens_at", "closes_at"])
    return survey


@transaction.atomic
def survey_delete(*, survey: Survey, by) -> None:
    require(by, "survey.delete", survey)
    # responses protect their nodes; remove answers first, then the survey and all it holds
    Tie.objects.filter(round__survey=survey).delete()
    Response.objects.filter(round__survey=survey).delete()
    survey.delete()


def _save_questions(survey: Survey, questions: list[dict], by) -> None:
    """Replace the custom questions with this ordered list (`questions.services.save_questions`)."""
    save_questions(owner=survey, items=questions, by=by, action="survey.change")


# ---------------------------------------------------------------- rounds


def current_round(survey: Survey) -> Round:
    """The newest round: where new answers go."""
    round_ = survey.rounds.order_by("-number").first()
    if round_ is None:
        round_ = Round.objects.create(survey=survey, number=1, opens_at=survey.opens_at, closes_at=survey.closes_at)
    return round_


def round_state(round_: Round, now: datetime | None = None) -> str:
    """ "open", "not_yet" or "closed" for a round (its own dates, else the survey's)."""
    now = now or timezone.now()
    opens = round_.opens_at if round_.opens_at is not None else round_.survey.opens_at
    closes = round_.closes_at if round_.closes_at is not None else round_.survey.closes_at
    if opens and now < opens:
        return "not_yet"
    if closes and now >= closes:
        return "closed"
    return "open"


@transaction.atomic
def round_create(*, survey: Survey, by, opens_at=None, closes_at=None, label: str = "") -> Round:
    """Run the survey again: a new round that new answers go to. People are the same nodes."""
    require(by, "survey.change", survey)
    if opens_at and closes_at and closes_at <= opens_at:
        raise ValidationError({"closes_at": ["The closing date must be after the opening date."]})
    last = survey.rounds.select_for_update().order_by("-number").first()
    number = (last.number if last else 0) + 1
    round_ = Round.objects.create(
        survey=survey, number=number, opens_at=opens_at, closes_at=closes_at, label=label.strip()[:120]
    )
    if last is not None and last.closes_at is None:
        # the earlier round stops taking answers when the new one starts
        last.closes_at = opens_at or timezone.now()
        last.save(update_fields=["closes_at"])
    return round_


# ---------------------------------------------------------------- invitations


@dataclass
class InvitationSent:
    invitation: Invitation
    token: str


def _invitation_mail(survey: Survey, invitation: Invitation, link: str) -> None:
    send_email(
        to=invitation.email, subject="You are invited to answer a questionnaire",
        template="network/email/invitation", context={"survey": survey, "invitation": invitation, "link": link},
        unsubscribe=net_notifications.INVITATION,
    )  # fmt: skip


@transaction.atomic
def invitations_send(*, survey: Survey, by, people: list[tuple[str, str]], link_for) -> list[InvitationSent]:
    """Invite people (email, name) by email, each with a personal link (`link_for(token)` builds it).
    Someone already invited gets a fresh link (the old one stops working). Each address counts
    against the organiser's "invitations" rate limit (ratelimit.RateLimited when over)."""
    require(by, "survey.change", survey)
    ratelimit.hit("invitations", user=str(by.pk), cost=max(1, len(people)))
    sent = []
    for email, name in people:
        token = new_token()
        invitation, _ = Invitation.objects.update_or_create(
            survey=survey,
            email=email.strip().lower(),
            defaults={"name": (name or "").strip()[:120], "token_hash": hash_token(token), "sent_at": timezone.now()},
        )
        _invitation_mail(survey, invitation, link_for(token))  # queued for when this commits
        sent.append(InvitationSent(invitation, token))
    return sent


@transaction.atomic
def invitation_resend(*, invitation: Invitation, by, link_for) -> InvitationSent:
    require(by, "survey.change", invitation.survey)
    ratelimit.hit("invitations", user=str(by.pk))
    token = new_token()
    invitation.token_hash, invitation.sent_at = hash_token(token), timezone.now()
    invitation.save(update_fields=["token_hash", "sent_at"])
    _invitation_mail(invitation.survey, invitation, link_for(token))  # queued for when this commits
    return InvitationSent(invitation, token)


def invitation_for(survey: Survey, token: str | None) -> Invitation | None:
    if not token:
        return None
    return Invitation.objects.filter(survey=survey, token_hash=hash_token(token)).first()


# ---------------------------------------------------------------- responses


class SurveyNotOpen(ValidationError):
    """The survey (its current round) does not take answers now."""


@dataclass
class TieData:
    name: str
    strength: int = 2
    sharing: int | None = None
    organisation: object | None = None  # a directory Organisation picked from the list


@dataclass
class ResponseData:
    """A respondent's answers, already parsed by a form, the API or the paper import."""

    display_name: str
    consent: str
    email: str = ""
    stream: str = ""
    role: str = ""
    organisation: object | None = None
    willingness: int | None = None
    needs_text: str = ""
    needed_skills: list = field(default_factory=list)  # Skill objects
    needed_resources: list = field(default_factory=list)  # ResourceKind objects
    skills: dict = field(default_factory=dict)  # Skill -> "strong" | "some"
    resources: dict = field(default_factory=dict)  # ResourceKind -> "strong" | "some"
    ties: list[TieData] = field(default_factory=list)
    answers: dict = field(default_factory=dict)  # str(Question.pk) -> value


@dataclass
class Submitted:
    response: Response
    token: str | None  # the new private link's token (None when an existing link was used)
    created: bool


def _validate(data: ResponseData, survey: Survey) -> None:
    from squaremile.directory.models import Stream

    errors: dict[str, list[str]] = {}
    if not (data.display_name or "").strip() or not normalise(data.display_name):
        errors["display_name"] = ["Please give your name (it is shown only if you agree below)."]
    if data.consent not in Consent.values:
        errors["consent"] = ["Please choose how you may be shown on the map."]
    if data.stream and data.stream not in Stream.values:
        errors["stream"] = ["Choose one of the streams in the list."]
    if data.willingness is not None and not 0 <= int(data.willingness) <= 4:
        errors["willingness"] = ["Choose a point on the scale from 0 to 4."]
    for level in list(data.skills.values()) + list(data.resources.values()):
        if level not in Level.values:
            errors.setdefault("skills", []).append("A level is either strong or some.")
            break
    tie_errors = []
    for i, tie in enumerate(data.ties, start=1):
        if not normalise(tie.name) and tie.organisation is None:
            tie_errors.append(f"Row {i}: give a name.")
        if tie.strength not in (1, 2, 3):
            tie_errors.append(f"Row {i}: how closely is 1, 2 or 3.")
        if tie.sharing is not None and tie.sharing not in (1, 2, 3):
            tie_errors.append(f"Row {i}: sharing is 1, 2 or 3.")
        if normalise(tie.name) and normalise(tie.name) == normalise(data.display_name):
            tie_errors.append(f"Row {i}: that is your own name; list the others you work with.")
    if tie_errors:
        errors["ties"] = tie_errors
    # the custom questions: every answer read by the one parser (the form and the API did already;
    # paper rows and other callers get the same checks), stored as it returns them
    answers, problems = parse_answers(survey.questions.all(), data.answers)
    for key, messages in problems.items():
        errors.setdefault(f"q_{key}", []).extend(messages)
    data.answers = answers
    if errors:
        raise ValidationError(errors)


def _write_answers(response: Response, data: ResponseData, resolver: NameResolver, origin: str) -> None:
    response.display_name = " ".join(data.display_name.split())[:120]
    response.email = (data.email or "").strip()[:254]
    response.stream = data.stream or ""
    response.role = (data.role or "").strip()[:120]
    response.organisation = data.organisation
    response.consent = data.consent
    response.willingness = data.willingness
    response.needs_text = (data.needs_text or "").strip()
    response.answers = {str(k): v for k, v in (data.answers or {}).items()}
    response.save()
    response.needed_skills.set(data.needed_skills)
    response.needed_resources.set(data.needed_resources)
    ResponseSkill.objects.filter(response=response).delete()
    ResponseSkill.objects.bulk_create(
        [ResponseSkill(response=response, skill=s, level=level) for s, level in data.skills.items() if level]
    )
    ResponseResource.objects.filter(response=response).delete()
    ResponseResource.objects.bulk_create(
        [ResponseResource(response=response, resource=r, level=level) for r, level in data.resources.items() if level]
    )
    # ties: this response's own ties are replaced by what it now says
    Tie.objects.filter(response=response).delete()
    source = resolver.root(response.node)
    by_target: dict[int, Tie] = {}
    for tie in data.ties:
        target = resolver.resolve(tie.name, organisation=tie.organisation)
        if target.pk == source.pk:
            raise ValidationError({"ties": [f"“{tie.name}” is you: a tie to yourself cannot be counted."]})
        current = by_target.get(target.pk)
        if current is not None:  # the same person twice: one tie, the stronger
            current.strength = max(current.strength, tie.strength)
            current.sharing = max(current.sharing or 0, tie.sharing or 0) or None
            continue
        by_target[target.pk] = Tie(
            round=response.round,
            source=source,
            target=target,
            response=response,
            typed_name=(tie.name or "")[:200],
            strength=tie.strength,
            sharing=tie.sharing,
            origin=origin,
        )
    if by_target:
        # a tie someone else recorded for this pair (an import, an introduction) gives way to the answer
        Tie.objects.filter(round=response.round, source=source, target_id__in=list(by_target)).delete()
        Tie.objects.bulk_create(list(by_target.values()))


def check_open(round_: Round) -> None:
    """Raises `SurveyNotOpen` (code "not_yet" or "closed") unless the round takes answers now."""
    state = round_state(round_)
    if state == "not_yet":
        raise SurveyNotOpen("This survey is not open yet.", code="not_yet")
    if state == "closed":
        raise SurveyNotOpen("This survey is closed: answers can no longer be changed.", code="closed")


class NotAdmitted(PermissionDenied):
    """The survey's audience does not admit this person; `code` says why ("sign_in", "invited_only",
    "invitation_used")."""

    def __init__(self, message: str, *, code: str):
        super().__init__(message)
        self.code = code


def check_audience(survey: Survey, user, invitation: Invitation | None) -> None:
    """Raises `NotAdmitted` unless the survey's audience admits a new answer from this person."""
    if survey.audience == Audience.MEMBERS and not (user and getattr(user, "is_authenticated", False)):
        raise NotAdmitted("Please sign in to answer this survey.", code="sign_in")
    if survey.audience == Audience.INVITED:
        if invitation is None or invitation.survey_id != survey.pk:
            raise NotAdmitted(
                "This survey is by invitation only: please use the link in your invitation.", code="invited_only"
            )
        if invitation.used_at is not None:
            raise NotAdmitted(
                "This invitation has already been used. To change your answers, use the private link you were given.",
                code="invitation_used",
            )


def response_for_token(survey: Survey, token: str) -> Response | None:
    if not token:
        return None
    return (
        Response.objects.select_related("round", "node")
        .filter(round__survey=survey, token_hash=hash_token(token))
        .first()
    )


def response_for_user(round_: Round, user) -> Response | None:
    if not (user and getattr(user, "is_authenticated", False)):
        return None
    return Response.objects.filter(round=round_, user=user).select_related("round", "node").first()


@transaction.atomic
def response_submit(
    *,
    survey: Survey,
    data: ResponseData,
    user=None,
    token: str | None = None,
    invitation: Invitation | None = None,
) -> Submitted:
    """A respondent's answers, online. With `token` (their private link) the answers they gave are
    updated; a signed-in member who answered already updates theirs; otherwise a new response.
    Refuses a closed or not yet open survey, and anyone the audience does not admit."""
    round_ = Round.objects.select_for_update().get(pk=current_round(survey).pk)
    existing = None
    if token:
        existing = response_for_token(survey, token)
        if existing is None:
            raise PermissionDenied("This private link is not valid.")
    elif user is not None and getattr(user, "is_authenticated", False):
        existing = response_for_user(round_, user)

    if existing is not None and existing.round_id != round_.pk:
        # a private link from an earlier round: the same person answers the new round
        check_open(round_)
        earlier, existing = existing, response_for_user(round_, user)
        if existing is None:
            existing = Response.objects.filter(round=round_, node=earlier.node).first()
        if existing is None:
            return _new_response(round_, data, user=user, node=earlier.node, invitation=None)
    if existing is not None:
        check_open(existing.round)
        _validate(data, survey)
        resolver = NameResolver(survey)
        _write_answers(existing, data, resolver, TieOrigin.SURVEY)
        data_changed(existing.round)
        return Submitted(existing, None, False)

    check_open(round_)
    check_audience(survey, user, invitation)
    return _new_response(round_, data, user=user, node=None, invitation=invitation)


def _new_response(round_, data, *, user, node, invitation, source=ResponseSource.ONLINE) -> Submitted:
    survey = round_.survey
    _validate(data, survey)
    resolver = NameResolver(survey)
    if node is None:
        node = resolver.respondent_node(
            name=data.display_name, user=user, round_=round_, organisation=data.organisation
        )
    else:
        node = resolver.root(node)
    if Response.objects.filter(round=round_, node=node).exists():
        # this person's node already answered in this round (someone with the same name): a separate
        # node, which the names review can merge if it is the same person after all
        node = resolver._add(
            Node.objects.create(
                survey=survey,
                kind="respondent",
                label=" ".join(data.display_name.split())[:200],
                match_key=normalise(data.display_name),
            )  # fmt: skip
        )
    token = new_token()
    response = Response(
        round=round_,
        node=node,
        user=user if user is not None and getattr(user, "is_authenticated", False) else None,
        token_hash=hash_token(token),
        source=source,
    )
    _write_answers(response, data, resolver, TieOrigin.SURVEY if source != ResponseSource.IMPORT else TieOrigin.IMPORT)
    if invitation is not None:
        invitation.used_at = timezone.now()
        invitation.save(update_fields=["used_at"])
    data_changed(round_)
    if source == ResponseSource.ONLINE:
        notify_followers(
            kind=net_notifications.NEW_RESPONSE, targets=[survey], target=survey, actor=user,
            title=f"New answers to “{survey.title}”", url=reverse("network:survey_detail", args=[survey.slug]),
        )  # fmt: skip
    return Submitted(response, token, True)


@transaction.atomic
def response_enter_paper(*, survey: Survey, by, data: ResponseData, response: Response | None = None) -> Response:
    """An organiser types in (or corrects) an answer given on paper, with the consent ticked on paper."""
    require(by, "survey.change", survey)
    if response is not None:
        if response.round.survey_id != survey.pk:
            raise PermissionDenied("This answer belongs to another survey.")
        _validate(data, survey)
        _write_answers(response, data, NameResolver(survey), TieOrigin.SURVEY)
        data_changed(response.round)
        return response
    round_ = current_round(survey)
    return _new_response(round_, data, user=None, node=None, invitation=None, source=ResponseSource.PAPER).response


@transaction.atomic
def responses_import(*, survey: Survey, by, rows: list[ResponseData]) -> list[Response]:
    """Many paper answers at once (a checked CSV import): all saved, or none."""
    require(by, "survey.change", survey)
    round_ = current_round(survey)
    resolver = NameResolver(survey)
    created = []
    for data in rows:
        _validate(data, survey)
        node = resolver.respondent_node(name=data.display_name, round_=round_)
        response = Response(round=round_, node=node, token_hash=hash_token(new_token()), source=ResponseSource.IMPORT)
        _write_answers(response, data, resolver, TieOrigin.SURVEY)
        created.append(response)
    data_changed(round_)
    return created


@transaction.atomic
def response_delete(*, response: Response, by) -> None:
    survey = response.round.survey
    require(by, "survey.change", survey)
    round_ = response.round
    node = response.node
    response.delete()  # its ties go with it
    if not node.responses.exists() and not node.ties_in.exists() and not node.ties_out.exists():
        node.merged.update(merged_into=None)
        node.delete()
    data_changed(round_)


def email_private_link(*, response: Response, link: str) -> None:
    """Send a respondent their private link (after the answers are saved)."""
    if not response.email:
        return
    send_email(
        to=response.email, subject="The private link to your answers", template="network/email/private_link",
        context={"survey": response.round.survey, "link": link}, unsubscribe=net_notifications.PRIVATE_LINK,
    )  # fmt: skip


def can_view_responses(user, survey: Survey) -> bool:
    return can(user, "survey.view_responses", survey)
