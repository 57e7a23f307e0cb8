"""Who may open what of a survey: the one place for the rules that the pages and the JSON API apply,
so that they always agree.

* `survey_or_404(slug)`: the survey at an address.
* `is_organiser(user, survey, action)` / `require_organiser(...)`: the survey's organisers
  (`survey.view_responses` to read, `survey.change` to write; administrators too).
* `map_preview(user, survey)`: the published map is for everyone once published; before that only its
  organisers preview it, anyone else gets a 404.
* `questionnaire_admission(survey, user, invitation=, response=)`: may this person open the
  questionnaire now? The round must be open, and the audience must admit them: anyone with the link,
  signed-in members, or only invited people (an unused invitation). Someone coming back to their own
  answers (their private link, or signed in) is admitted while the round is open. The same rule
  governs everything the questionnaire offers, such as the name suggester, and the writes
  (`services.response_submit` raises the same refusals through `check_open` / `check_audience`).
* `questionnaire_grant(...)` / `may_suggest_names(request, survey)`: the questionnaire page hands the
  browser a signed, short-lived grant (an HTTP header htmx sends with the page's requests) that says
  through which invitation or private link it was opened; the suggester re-checks the admission of
  that invitation or answer at every request. The grant holds database ids, never the link's secret
  (it is bound to the link's hash: a new invitation link revokes it).
"""

from __future__ import annotations

from dataclasses import dataclass

from django.core import signing
from django.core.exceptions import PermissionDenied
from django.http import Http404

from squaremile.core.permissions import can
from squaremile.network.models import Invitation, Response, Round, Survey
from squaremile.network.surveys import selectors, services

GRANT_HEADER = "X-Questionnaire-Grant"
GRANT_SALT = "squaremile.network.questionnaire-grant"
GRANT_MAX_AGE = 12 * 3600  # a questionnaire left open longer stops suggesting; answering still works


def survey_or_404(slug: str) -> Survey:
    try:
        return selectors.survey_by_slug(slug)
    except Survey.DoesNotExist:
        raise Http404("There is no survey at this address.") from None


def is_organiser(user, survey: Survey, action: str = "survey.view_responses") -> bool:
    return can(user, action, survey)


def require_organiser(user, survey: Survey, action: str = "survey.view_responses", message: str = "") -> None:
    if not is_organiser(user, survey, action):
        raise PermissionDenied(message or "Only the survey's organisers can see this.")


def map_preview(user, survey: Survey) -> bool:
    """The published map's rule: False when it is published (everyone sees it), True when an organiser
    previews it before publication; a 404 for anyone else."""
    if survey.is_published:
        return False
    if is_organiser(user, survey):
        return True
    raise Http404("This network map is not published.")


@dataclass(frozen=True)
class Admission:
    """The answer of `questionnaire_admission`. `refused` is "" when admitted, else why: "not_yet",
    "closed", "sign_in", "invited_only", "invitation_used" or "wrong_survey"."""

    round: Round
    existing: Response | None = None  # the answers this person comes back to change
    invitation: Invitation | None = None
    refused: str = ""
    message: str = ""
    status: int = 200

    @property
    def admitted(self) -> bool:
        return not self.refused


def questionnaire_admission(
    survey: Survey,
    user,
    *,
    invitation: Invitation | None = None,
    response: Response | None = None,
    round_: Round | None = None,
) -> Admission:
    """May this person open the survey's questionnaire now (see the module's docstring)? `invitation`:
    the invitation whose link they opened; `response`: the answers whose private link they opened.
    Without either, a signed-in person's own answers in the current round count as `response`."""
    round_ = round_ or services.current_round(survey)

    def refuse(code: str, message: str, status: int = 403) -> Admission:
        return Admission(round_, response, invitation, code, message, status)

    if (invitation is not None and invitation.survey_id != survey.pk) or (
        response is not None and response.round.survey_id != survey.pk
    ):
        return refuse("wrong_survey", "This link belongs to another survey.", 404)
    if response is None and invitation is None:
        response = services.response_for_user(round_, user)

    def open_now():
        try:
            services.check_open(round_)
        except services.SurveyNotOpen as exc:
            return refuse(exc.code or "closed", exc.messages[0])
        return None

    def audience():
        if response is not None:  # admitted when they first answered
            return None
        try:
            services.check_audience(survey, user, invitation)
        except services.NotAdmitted as exc:
            return refuse(exc.code, str(exc), 410 if exc.code == "invitation_used" else 403)
        return None

    # an invitation link's own trouble (used already) is told first; otherwise whether the survey is open
    checks = (audience, open_now) if invitation is not None else (open_now, audience)
    for check in checks:
        refusal = check()
        if refusal is not None:
            return refusal
    return Admission(round_, response, invitation)


def questionnaire_grant(
    survey: Survey, *, invitation: Invitation | None = None, response: Response | None = None
) -> str:
    """The signed grant a questionnaire page opened through an invitation or a private link gives the
    browser, for the requests the page makes (the name suggester)."""
    value = {"s": survey.pk}
    if invitation is not None:  # bound to the link's current secret: a new link revokes the grant
        value["i"], value["h"] = invitation.pk, invitation.token_hash[:16]
    elif response is not None:
        value["r"], value["h"] = response.pk, response.token_hash[:16]
    return signing.dumps(value, salt=GRANT_SALT)


def _granted(request, survey: Survey) -> tuple[Invitation | None, Response | None]:
    raw = request.headers.get(GRANT_HEADER, "")
    if not raw or len(raw) > 500:
        return None, None
    try:
        value = signing.loads(raw, salt=GRANT_SALT, max_age=GRANT_MAX_AGE)
    except signing.BadSignature:  # forged, damaged or expired
        return None, None
    if not isinstance(value, dict) or value.get("s") != survey.pk:
        return None, None
    invitation = Invitation.objects.filter(survey=survey, pk=value["i"]).first() if value.get("i") else None
    response = (
        Response.objects.select_related("round").filter(round__survey=survey, pk=value["r"]).first()
        if value.get("r")
        else None
    )
    granted = invitation or response
    if granted is None or granted.token_hash[:16] != value.get("h"):
        return None, None
    return invitation, response


def may_suggest_names(request, survey: Survey) -> bool:
    """The name suggester answers whoever may open the questionnaire now, and the survey's organisers
    (who type in paper answers whatever the audience or dates)."""
    if is_organiser(request.user, survey, "survey.change"):
        return True
    invitation, response = _granted(request, survey)
    return questionnaire_admission(survey, request.user, invitation=invitation, response=response).admitted
