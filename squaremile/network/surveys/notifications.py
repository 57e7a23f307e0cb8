"""What network mapping tells people, through the one notification system: invitations and private
links are e-mailed to addresses (often of people with no account) with a "don't e-mail me again"
link; surveys can be followed by the people who may see their answers (new answers, daily digest)."""

from squaremile.core.permissions import can
from squaremile.network.models import Survey
from squaremile.notifications import followable, kinds
from squaremile.notifications.models import Delivery

INVITATION, PRIVATE_LINK, NEW_RESPONSE = "network.invitation", "network.private_link", "network.new_response"


def _organiser(user, survey) -> bool:
    return isinstance(survey, Survey) and can(user, "survey.view_responses", survey)


# Sent to typed addresses, not chosen on the preferences page (the mail's own link stops them).
kinds.register(
    INVITATION, label="Invitations to answer a questionnaire", default=Delivery.IMMEDIATE,
    subject="You are invited to answer a questionnaire", audience=lambda user: False,
)  # fmt: skip
kinds.register(
    PRIVATE_LINK, label="The private link to your answers", default=Delivery.IMMEDIATE,
    subject="The private link to your answers", audience=lambda user: False,
)  # fmt: skip
kinds.register(
    NEW_RESPONSE, label="New answers to questionnaires you follow", default=Delivery.DAILY,
    description="For organisers: when someone answers a questionnaire you follow.",
    check=_organiser, audience=lambda user: can(user, "survey.add"),
)  # fmt: skip
followable.register(Survey, visible=_organiser, noun="this questionnaire")
