"""Network surveys in the JSON API.

* Organisers (with a token): their surveys, one survey with its counts, its answers (confidential:
  the survey's organisers only; 403 for anyone else).
* Anyone the survey admits: `POST /network/surveys/{slug}/responses` sends a response from a form
  built elsewhere, with the same checks as the questionnaire (400 with the errors per field).

Every error is {"message", "errors"} with a 4xx status."""

from __future__ import annotations

from typing import Annotated, Literal

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.urls import reverse
from ninja import Query, Router, Schema, Status
from ninja.errors import HttpError
from pydantic import AfterValidator, Field

from squaremile.core import ratelimit
from squaremile.core.api import ErrorOut, Page, PageParams, Text, TokenAuth, optional_user, paginate
from squaremile.core.site import absolute_url
from squaremile.directory.models import Organisation
from squaremile.network import access
from squaremile.network.models import Consent, Survey
from squaremile.network.surveys import selectors, services
from squaremile.network.surveys.forms import Taxonomy
from squaremile.network.surveys.names import normalise
from squaremile.network.surveys.services import ResponseData, TieData
from squaremile.questions.answers import parse_answers

router = Router(tags=["network"])
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut}


def _email(value: str) -> str:
    try:
        validate_email(value)
    except ValidationError:
        raise ValueError("Enter a valid email address.") from None
    return value


Email = Annotated[Text, AfterValidator(_email)]
ConsentValue = Literal[tuple(Consent.values)]  # type: ignore[valid-type]
LevelValue = Literal["strong", "some"]


class SurveyOut(Schema):
    slug: str
    title: str
    audience: str
    opens_at: str | None
    closes_at: str | None
    anonymity_threshold: int
    is_published: bool
    respond_url: str
    url: str

    @staticmethod
    def resolve_opens_at(obj):
        return obj.opens_at.isoformat() if obj.opens_at else None

    @staticmethod
    def resolve_closes_at(obj):
        return obj.closes_at.isoformat() if obj.closes_at else None

    @staticmethod
    def resolve_respond_url(obj):
        return reverse("network:respond", args=[obj.slug])

    @staticmethod
    def resolve_url(obj):
        return obj.get_absolute_url()


class CountsOut(Schema):
    responses: int
    named: int
    anonymous: int
    hidden: int
    ties: int
    nodes: int
    suggestions: int = Field(description="Possible duplicate names waiting for review.")


class RoundOut(Schema):
    number: int
    label: str
    state: str = Field(description="open | not_yet | closed")
    counts: CountsOut


class SurveyDetailOut(SurveyOut):
    introduction: str
    consent_text: str
    rounds: list[RoundOut]

    @staticmethod
    def resolve_rounds(obj):
        return getattr(obj, "rounds_out", [])


class TieOut(Schema):
    name: str
    strength: int
    sharing: int | None


class ResponseOut(Schema):
    id: int
    round: int
    display_name: str
    email: str
    stream: str
    role: str
    consent: str
    willingness: int | None
    source: str
    ties: int
    submitted_at: str
    updated_at: str

    @staticmethod
    def resolve_round(obj):
        return obj.round.number

    @staticmethod
    def resolve_ties(obj):
        return obj.tie_count

    @staticmethod
    def resolve_submitted_at(obj):
        return obj.submitted_at.isoformat()

    @staticmethod
    def resolve_updated_at(obj):
        return obj.updated_at.isoformat()


class TieIn(Schema):
    name: Text = Field(..., min_length=1, max_length=200, description="The person or group, as typed.")
    strength: int = Field(2, ge=1, le=3, description="1 now and then, 2 regularly, 3 closely")
    sharing: int | None = Field(None, ge=1, le=3, description="How good they are at sharing, 1 to 3")


class ResponseIn(Schema):
    display_name: Text = Field(..., min_length=1, max_length=120)
    consent: ConsentValue
    email: Email | None = Field(None, max_length=254)
    stream: Literal["individual", "community", "public", "business", ""] = ""
    role: Text = Field("", max_length=120)
    organisation: Text | None = Field(None, max_length=220, description="A directory organisation's slug.")
    willingness: int | None = Field(None, ge=0, le=4)
    works_with: list[TieIn] = Field(default_factory=list, max_length=100)
    skills: dict[Text, LevelValue] = Field(default_factory=dict, description="skill slug -> strong | some")
    resources: dict[Text, LevelValue] = Field(default_factory=dict, description="resource slug -> strong | some")
    needs: list[Text] = Field(default_factory=list, max_length=200, description="Skill or resource slugs.")
    needs_text: Text = Field("", max_length=2000)
    answers: dict[Text, Text | bool | int | float | list[Text] | None] = Field(
        default_factory=dict,
        description="Custom question id -> answer (see the survey's questions): text; a number; yes/no as "
        "true/false or a yes/no word; a date as YYYY-MM-DD; an option; a list of options for “any of”.",
    )
    token: Text | None = Field(
        None, max_length=100, description="The private-link token of an earlier answer, to update it."
    )
    invitation: Text | None = Field(None, max_length=100, description="An invitation token (invited surveys).")


class SubmittedOut(Schema):
    id: int
    created: bool
    private_link: str | None = Field(description="Shown once: the link to come back and update.")
    token: str | None


def _survey(slug: str) -> Survey:
    return access.survey_or_404(slug)


def _organiser_survey(user, slug: str) -> Survey:
    survey = access.survey_or_404(slug)
    access.require_organiser(user, survey, message="Only the survey's organisers may see this.")
    return survey


@router.get("/network/surveys", response={200: Page[SurveyOut], **ERRORS}, auth=TokenAuth(),
            summary="My surveys (organisers; administrators see all)")  # fmt: skip
def list_surveys(request, page: Query[PageParams]):
    user = request.auth
    return paginate(selectors.surveys_run_by(user), page)


@router.get("/network/surveys/{slug}", response={200: SurveyDetailOut, **ERRORS}, auth=TokenAuth(),
            summary="One survey with its counts per round (its organisers)")  # fmt: skip
def get_survey(request, slug: Text):
    survey = _organiser_survey(request.auth, slug)
    survey.rounds_out = [
        {"number": r.number, "label": str(r), "state": services.round_state(r), "counts": selectors.dashboard_counts(r)}
        for r in selectors.rounds_of(survey)
    ]
    return survey


class ResponseFilters(Schema):
    round: int | None = Field(None, ge=1, le=10_000, description="Round number (default: the latest).")
    q: Text = Field("", max_length=100)


@router.get("/network/surveys/{slug}/responses", response={200: Page[ResponseOut], **ERRORS}, auth=TokenAuth(),
            summary="The answers (confidential: the survey's organisers only)")  # fmt: skip
def list_responses(request, slug: Text, filters: Query[ResponseFilters], page: Query[PageParams]):
    survey = _organiser_survey(request.auth, slug)
    if filters.round:
        round_ = survey.rounds.filter(number=filters.round).first()
        if round_ is None:
            raise HttpError(404, "No such round.")
    else:
        round_ = services.current_round(survey)
    qs = selectors.responses_of(round_, q=filters.q).select_related("round")
    return paginate(qs, page)


def _response_data(survey: Survey, payload: ResponseIn) -> ResponseData:
    """Slugs to records; unknown ones reported per field (400)."""
    taxonomy = Taxonomy(survey)
    errors: dict[str, list[str]] = {}
    skills = {}
    for slug, level in payload.skills.items():
        if slug in taxonomy.skills_by_slug:
            skills[taxonomy.skills_by_slug[slug]] = level
        else:
            errors.setdefault("skills", []).append(f"Unknown skill: {slug}")
    resources = {}
    for slug, level in payload.resources.items():
        if slug in taxonomy.resources_by_slug:
            resources[taxonomy.resources_by_slug[slug]] = level
        else:
            errors.setdefault("resources", []).append(f"Unknown resource: {slug}")
    needed_skills, needed_resources = [], []
    for slug in payload.needs:
        if slug in taxonomy.skills_by_slug:
            needed_skills.append(taxonomy.skills_by_slug[slug])
        elif slug in taxonomy.resources_by_slug:
            needed_resources.append(taxonomy.resources_by_slug[slug])
        else:
            errors.setdefault("needs", []).append(f"Unknown skill or resource: {slug}")
    organisation = None
    if payload.organisation:
        organisation = Organisation.objects.filter(slug=payload.organisation).first()
        if organisation is None:
            errors["organisation"] = [f"Unknown organisation: {payload.organisation}"]
    seen: set[str] = set()
    for tie in payload.works_with:
        key = normalise(tie.name)
        if key and key in seen:
            errors.setdefault("works_with", []).append(f"“{tie.name}” is listed twice.")
        seen.add(key)
    answers, problems = parse_answers(survey.questions.all(), payload.answers)
    for key, messages in problems.items():
        errors.setdefault("answers", []).extend(f"Question {key}: {message}" for message in messages)
    if errors:
        raise ValidationError(errors)
    return ResponseData(
        display_name=payload.display_name,
        consent=payload.consent,
        email=payload.email or "",
        stream=payload.stream,
        role=payload.role,
        organisation=organisation,
        willingness=payload.willingness,
        needs_text=payload.needs_text,
        needed_skills=needed_skills,
        needed_resources=needed_resources,
        skills=skills,
        resources=resources,
        ties=[TieData(name=t.name, strength=t.strength, sharing=t.sharing) for t in payload.works_with],
        answers=answers,
    )


@router.post("/network/surveys/{slug}/responses",
             response={201: SubmittedOut, 200: SubmittedOut, **ERRORS, 429: ErrorOut},
             summary="Send (or, with its token, update) a response")  # fmt: skip
def submit_response(request, slug: Text, payload: ResponseIn):
    survey = _survey(slug)
    user = optional_user(request)
    invitation = None
    if payload.invitation:
        invitation = services.invitation_for(survey, payload.invitation)
        if invitation is None:
            raise HttpError(403, "This invitation is not valid.")
    data = _response_data(survey, payload)
    usage = None
    if not payload.token:  # a new answer (and perhaps a mail): counted per address and per e-mail
        usage = ratelimit.hit("survey-response", ip=ratelimit.client_ip(request), email=data.email)
    try:
        result = services.response_submit(
            survey=survey, data=data, user=user, token=payload.token, invitation=invitation
        )
    except Exception as exc:
        if usage is not None:  # nothing was saved or sent: not counted
            usage.refund()
        if isinstance(exc, services.SurveyNotOpen):
            raise HttpError(403, exc.messages[0]) from None
        raise
    link = None
    if result.token:
        link = absolute_url(reverse("network:response_edit", args=[survey.slug, result.token]), request)
        services.email_private_link(response=result.response, link=link)
    body = {"id": result.response.pk, "created": result.created, "private_link": link, "token": result.token}
    return Status(201 if result.created else 200, body)
