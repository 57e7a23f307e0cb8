"""The standard questions of a network survey, their default wording, and the scales they use.

An organiser may reword any standard question (`Survey.wording`: key -> text); `wording(survey)`
gives the text to show. Custom questions are `Question` rows (see models)."""

from __future__ import annotations

STANDARD_QUESTIONS: dict[str, str] = {
    "works_with": "Who do you work with? Name the people and groups you work or do things with.",
    "strength": "How often or how closely do you work with them?",
    "sharing": "How good are they at sharing (information, contacts, resources)?",
    "skills": "What are your skills?",
    "resources": "What resources do you have (a room, a van, equipment, funds, time)?",
    "willingness": "How willing are you to share your skills and resources with others in the network?",
    "needs": "What do you need? Skills or resources you are looking for.",
}

STANDARD_LABELS: dict[str, str] = {
    "works_with": "Who you work with",
    "strength": "How often or how closely",
    "sharing": "How good they are at sharing",
    "skills": "Your skills",
    "resources": "Your resources",
    "willingness": "Your willingness to share",
    "needs": "What you need",
}

STRENGTH_CHOICES = [(1, "Now and then"), (2, "Regularly"), (3, "Closely")]
SHARING_CHOICES = [(1, "Not much"), (2, "Quite good"), (3, "Very good")]
WILLINGNESS_CHOICES = [
    (0, "Not at the moment"),
    (1, "A little, now and then"),
    (2, "Happy to share some"),
    (3, "Happy to share a lot"),
    (4, "Whatever helps"),
]
LEVEL_CHOICES = [("", "None"), ("some", "Some"), ("strong", "Strong")]

DEFAULT_THRESHOLD = 5
MIN_THRESHOLD = 2


def default_consent_text(threshold: int = DEFAULT_THRESHOLD) -> str:
    return (
        "Your answers are kept private to the organisers of this survey. You choose what the network map "
        "that others can see shows about you:\n\n"
        "- **With my name**: you appear on the map with your name.\n"
        '- **Without my name**: you appear only as your stream or role (for example "community group"). '
        f"To make sure nobody can tell who you are, we only show you this way in a group of at least "
        f"{threshold} people who share the same description; otherwise you are left out of the shared map.\n"
        "- **Not shown at all**: you do not appear on the shared map, but your answers still count in the "
        "totals.\n\n"
        "People you name who have not answered themselves are shown without a name, unless they are an "
        "organisation listed in the directory. You can change your answers or your choice at any time "
        "with your private link."
    )


def wording(survey) -> dict[str, str]:
    """The question text to show for each standard question (the organiser's rewording if any)."""
    custom = survey.wording if isinstance(survey.wording, dict) else {}
    return {key: (custom.get(key) or "").strip() or text for key, text in STANDARD_QUESTIONS.items()}


def strength_label(value) -> str:
    return dict(STRENGTH_CHOICES).get(value, "")


def sharing_label(value) -> str:
    return dict(SHARING_CHOICES).get(value, "")


def willingness_label(value) -> str:
    return dict(WILLINGNESS_CHOICES).get(value, "")
