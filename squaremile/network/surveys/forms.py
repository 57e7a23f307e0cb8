"""Forms of network surveys: the organiser's survey form (with its custom questions), the phone
questionnaire (`RespondForm`, also used to type in paper answers), invitations and rounds."""

from __future__ import annotations

import re

from django import forms
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator, validate_email

from squaremile.core.forms import Form, ModelForm
from squaremile.directory.models import Organisation, ResourceKind, Skill, SkillFamily, Stream
from squaremile.network.models import Consent, Survey
from squaremile.network.surveys.names import normalise
from squaremile.network.surveys.questions import (
    MIN_THRESHOLD,
    SHARING_CHOICES,
    STANDARD_LABELS,
    STANDARD_QUESTIONS,
    STRENGTH_CHOICES,
    WILLINGNESS_CHOICES,
    wording,
)
from squaremile.network.surveys.services import ResponseData, TieData
from squaremile.places.models import Area
from squaremile.questions.answers import initial_value
from squaremile.questions.forms import add_question_fields, answers_from
from squaremile.questions.models import Question

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
NO_JS_TIE_ROWS = 8
MAX_TIES = 100
TIE_KEY = re.compile(r"^tie-(\d{1,3})-name$")


class SurveyForm(ModelForm):
    """Title, texts, dates, audience, threshold, area, the standard questions' wording, which skill
    families and kinds of resource to offer. Custom questions come in `QuestionFormSet`."""

    class Meta:
        model = Survey
        fields = [
            "title", "introduction", "consent_text", "opens_at", "closes_at", "audience",
            "anonymity_threshold", "area", "skill_families", "resource_kinds", "is_published", "allow_embed",
        ]  # fmt: skip
        labels = {
            "introduction": "Introduction",
            "consent_text": "What you promise about consent and privacy",
            "opens_at": "Opens (optional)",
            "closes_at": "Closes (optional)",
            "audience": "Who may answer",
            "anonymity_threshold": "Smallest group an anonymous person may be shown in",
            "skill_families": "Skill families to ask about",
            "resource_kinds": "Kinds of resource to ask about",
        }
        help_texts = {
            "introduction": "Shown at the top of the questionnaire. Simple formatting (markdown) works.",
            "consent_text": "Shown above the three choices (with my name, without my name, not at all).",
            "anonymity_threshold": "People who answer “without my name” are shown only in a group of at least this "
            "many people with the same description; otherwise they are left out of the shared map. At least 2.",
            "skill_families": "None ticked means all of them.",
            "resource_kinds": "None ticked means all of them.",
            "closes_at": "After this, answers can be read but no longer changed.",
        }
        widgets = {
            "introduction": forms.Textarea(attrs={"rows": 4}),
            "consent_text": forms.Textarea(attrs={"rows": 8}),
            "opens_at": DATETIME,
            "closes_at": DATETIME,
            "audience": forms.RadioSelect,
            "skill_families": forms.CheckboxSelectMultiple,
            "resource_kinds": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["anonymity_threshold"].min_value = MIN_THRESHOLD
        self.fields["anonymity_threshold"].widget.attrs["min"] = MIN_THRESHOLD
        self.fields["anonymity_threshold"].validators.append(MinValueValidator(MIN_THRESHOLD))
        self.fields["area"].queryset = Area.objects.defer("boundary").order_by("name")
        self.fields["area"].required = False
        self.fields["skill_families"].queryset = SkillFamily.objects.order_by("position", "name")
        self.fields["resource_kinds"].queryset = ResourceKind.objects.order_by("name")
        self.fields["consent_text"].required = False
        self.fields["title"].widget.attrs["autocomplete"] = "off"
        current = wording(self.instance) if self.instance.pk else dict(STANDARD_QUESTIONS)
        for key in STANDARD_QUESTIONS:
            self.fields[f"wording_{key}"] = forms.CharField(
                label=STANDARD_LABELS[key], initial=current[key], max_length=300, required=False,
                help_text="Leave empty for the standard wording." if key == "works_with" else "",
            )  # fmt: skip
        if not self.instance.pk and not self.is_bound:
            self.initial.setdefault("anonymity_threshold", 5)

    def wording_fields(self):
        return [self[f"wording_{key}"] for key in STANDARD_QUESTIONS]

    def main_fields(self):
        skip = {f"wording_{key}" for key in STANDARD_QUESTIONS}
        return [f for f in self.visible_fields() if f.name not in skip]

    def service_data(self) -> dict:
        data = {k: v for k, v in self.cleaned_data.items() if not k.startswith("wording_")}
        data["wording"] = {
            key: self.cleaned_data[f"wording_{key}"].strip()
            for key, text in STANDARD_QUESTIONS.items()
            if self.cleaned_data.get(f"wording_{key}", "").strip() not in ("", text)
        }
        return data


# ---------------------------------------------------------------- the questionnaire


class Taxonomy:
    """The skills (grouped by family) and kinds of resource a survey asks about, read once."""

    def __init__(self, survey: Survey):
        families = list(survey.skill_families.all()) or list(SkillFamily.objects.all())
        family_ids = {f.pk for f in families}
        skills = Skill.objects.filter(family_id__in=family_ids).select_related("family")
        self.families: list[tuple[SkillFamily, list[Skill]]] = []
        by_family: dict[int, list[Skill]] = {}
        for skill in skills.order_by("name"):
            by_family.setdefault(skill.family_id, []).append(skill)
        for family in sorted(families, key=lambda f: (f.position, f.name)):
            if by_family.get(family.pk):
                self.families.append((family, by_family[family.pk]))
        self.skills = {s.pk: s for _f, group in self.families for s in group}
        self.skills_by_slug = {s.slug: s for s in self.skills.values()}
        self.resources = {r.pk: r for r in (list(survey.resource_kinds.all()) or list(ResourceKind.objects.all()))}
        self.resources_by_slug = {r.slug: r for r in self.resources.values()}


class TieRow:
    def __init__(self, index: int, name: str = "", strength=None, sharing=None, errors=None):
        self.index, self.name, self.strength, self.sharing = index, name, strength, sharing
        self.errors = errors or []

    @property
    def prefix(self) -> str:
        return f"tie-{self.index}"


class RespondForm(Form):
    """The questionnaire. Fields: about you, consent, skills (`skill_<pk>`), resources (`res_<pk>`),
    willingness, needs, custom questions (`q_<pk>`, squaremile.questions); the ties come as rows
    `tie-N-name|strength|sharing` (any number of them) and are checked in `clean()`."""

    display_name = forms.CharField(
        label="Your name", max_length=120,
        help_text="Shown on the map only if you agree below.",
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )  # fmt: skip
    email = forms.EmailField(
        label="Your email (optional)", required=False,
        help_text="To receive your private link for changing your answers later. Never shown to anyone.",
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )  # fmt: skip
    stream = forms.ChoiceField(
        label="Which best describes you?", required=False, choices=[("", "Choose…"), *Stream.choices]
    )
    role = forms.CharField(
        label="Your role (optional)", max_length=120, required=False,
        help_text="For example: volunteer, parish councillor, shop owner.",
    )  # fmt: skip
    organisation_name = forms.CharField(
        label="Your group or organisation (optional)", max_length=200, required=False,
        help_text="Start typing to pick it from the directory.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "list": "org-suggestions"}),
    )  # fmt: skip
    consent = forms.ChoiceField(
        label="How may we show you on the network map?", choices=Consent.choices, widget=forms.RadioSelect,
        error_messages={"required": "Please choose one: with your name, without your name, or not at all."},
    )  # fmt: skip
    willingness = forms.TypedChoiceField(
        label="Willingness to share", choices=WILLINGNESS_CHOICES, coerce=int, required=False, empty_value=None,
        widget=forms.RadioSelect,
    )  # fmt: skip
    needed_skills = forms.MultipleChoiceField(label="Skills you need", required=False)
    needed_resources = forms.MultipleChoiceField(label="Resources you need", required=False)
    needs_text = forms.CharField(
        label="Anything else you need?", required=False, max_length=2000,
        widget=forms.Textarea(attrs={"rows": 3}),
    )  # fmt: skip

    def __init__(self, *args, survey: Survey, taxonomy: Taxonomy | None = None, paper: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        self.survey = survey
        self.paper = paper
        self.taxonomy = taxonomy or Taxonomy(survey)
        self.words = wording(survey)
        self.questions: list[Question] = list(survey.questions.all())
        level_choices = [("", "None"), ("some", "Some"), ("strong", "Strong")]
        for skill in self.taxonomy.skills.values():
            self.fields[f"skill_{skill.pk}"] = forms.ChoiceField(
                label=skill.name, choices=level_choices, required=False, widget=forms.RadioSelect
            )
        for resource in self.taxonomy.resources.values():
            self.fields[f"res_{resource.pk}"] = forms.ChoiceField(
                label=resource.name, choices=level_choices, required=False, widget=forms.RadioSelect
            )
        self.fields["needed_skills"].choices = [
            (family.name, [(str(s.pk), s.name) for s in skills]) for family, skills in self.taxonomy.families
        ]
        self.fields["needed_skills"].widget = forms.CheckboxSelectMultiple(choices=self.fields["needed_skills"].choices)
        self.fields["needed_resources"].choices = [
            (str(r.pk), r.name) for r in sorted(self.taxonomy.resources.values(), key=lambda r: r.name)
        ]
        self.fields["needed_resources"].widget = forms.CheckboxSelectMultiple(
            choices=self.fields["needed_resources"].choices
        )
        self.fields["willingness"].label = self.words["willingness"]
        add_question_fields(self, self.questions)
        for question in self.questions:  # a saved response's answers, as the fields show them
            if question.field_name in self.initial:
                self.initial[question.field_name] = initial_value(question, self.initial[question.field_name])
        if paper:
            self.fields["consent"].label = "Consent as ticked on paper"
            self.fields["email"].help_text = "Only if they wrote it down: they will not be emailed."
        self.tie_rows: list[TieRow] = []
        self._tie_data: list[TieData] = []

    # the sections, for the template
    def skill_groups(self):
        return [(family, [self[f"skill_{s.pk}"] for s in skills]) for family, skills in self.taxonomy.families]

    def resource_fields(self):
        return [self[f"res_{r.pk}"] for r in sorted(self.taxonomy.resources.values(), key=lambda r: r.name)]

    def question_fields(self):
        return [self[f"q_{q.pk}"] for q in self.questions]

    def rows_for_display(self) -> list[TieRow]:
        rows = list(self.tie_rows) if self.is_bound else list(self.initial.get("ties_rows", []))
        filled = [r for r in rows if r.name or r.errors]
        count = max(NO_JS_TIE_ROWS, len(filled) + 3)
        out = [TieRow(i, r.name, r.strength, r.sharing, r.errors) for i, r in enumerate(filled)]
        out += [TieRow(i) for i in range(len(out), count)]
        return out

    def _parse_ties(self) -> list[str]:
        errors = []
        indices = sorted({int(m.group(1)) for key in self.data for m in [TIE_KEY.match(key)] if m})
        own = normalise(self.data.get("display_name", ""))
        seen: dict[str, int] = {}
        position = 0
        for index in indices:
            prefix = f"tie-{index}"
            name = " ".join(str(self.data.get(f"{prefix}-name", "")).split())[:200]
            strength_raw = str(self.data.get(f"{prefix}-strength", "") or "")
            sharing_raw = str(self.data.get(f"{prefix}-sharing", "") or "")
            row = TieRow(index, name, strength_raw, sharing_raw)
            self.tie_rows.append(row)
            if not name:
                continue
            position += 1
            key = normalise(name)
            try:
                strength = int(strength_raw) if strength_raw else 2
                if strength not in (1, 2, 3):
                    raise ValueError
            except ValueError:
                row.errors.append("Choose how closely you work together.")
                strength = 2
            try:
                sharing = int(sharing_raw) if sharing_raw else None
                if sharing is not None and sharing not in (1, 2, 3):
                    raise ValueError
            except ValueError:
                row.errors.append("Choose how good they are at sharing.")
                sharing = None
            if not key:
                row.errors.append("Type a name with at least one letter or number.")
            elif own and key == own:
                row.errors.append("That is your own name: list the other people you work with.")
            elif key in seen:
                row.errors.append(f"“{name}” is already in your list (row {seen[key]}): each person once, please.")
            else:
                seen[key] = position
            if row.errors:
                errors.append(f"{name}: {row.errors[0]}")
            else:
                self._tie_data.append(TieData(name=name, strength=strength, sharing=sharing))
        if len(self._tie_data) > MAX_TIES:
            errors.append(f"Please list at most {MAX_TIES} people.")
        return errors

    def clean(self):
        cleaned = super().clean()
        tie_errors = self._parse_ties()
        for message in tie_errors:
            self.add_error(None, f"Who you work with — {message}")
        org_name = (cleaned.get("organisation_name") or "").strip()
        cleaned["organisation"] = None
        if org_name:
            cleaned["organisation"] = Organisation.objects.filter(name__iexact=org_name).order_by("id").first()
        return cleaned

    def response_data(self) -> ResponseData:
        c = self.cleaned_data
        role = c.get("role", "")
        org_name = (c.get("organisation_name") or "").strip()
        if org_name and c.get("organisation") is None:
            role = ", ".join(filter(None, [role, org_name]))[:120]
        return ResponseData(
            display_name=c["display_name"],
            consent=c["consent"],
            email=c.get("email", ""),
            stream=c.get("stream", ""),
            role=role,
            organisation=c.get("organisation"),
            willingness=c.get("willingness"),
            needs_text=c.get("needs_text", ""),
            needed_skills=[self.taxonomy.skills[int(pk)] for pk in c.get("needed_skills", [])],
            needed_resources=[self.taxonomy.resources[int(pk)] for pk in c.get("needed_resources", [])],
            skills={s: c.get(f"skill_{s.pk}") for s in self.taxonomy.skills.values() if c.get(f"skill_{s.pk}")},
            resources={r: c.get(f"res_{r.pk}") for r in self.taxonomy.resources.values() if c.get(f"res_{r.pk}")},
            ties=list(self._tie_data),
            answers=answers_from(c, self.questions),
        )


def initial_from_response(response) -> dict:
    """The questionnaire's initial values from a saved response (to change it)."""
    initial = {
        "display_name": response.display_name,
        "email": response.email,
        "stream": response.stream,
        "role": response.role,
        "organisation_name": response.organisation.name if response.organisation_id else "",
        "consent": response.consent,
        "willingness": response.willingness,
        "needs_text": response.needs_text,
        "needed_skills": [str(pk) for pk in response.needed_skills.values_list("pk", flat=True)],
        "needed_resources": [str(pk) for pk in response.needed_resources.values_list("pk", flat=True)],
    }
    for row in response.skills.all():
        initial[f"skill_{row.skill_id}"] = row.level
    for row in response.resources.all():
        initial[f"res_{row.resource_id}"] = row.level
    for key, value in (response.answers or {}).items():
        initial[f"q_{key}"] = value
    ties = response.ties.select_related("target").order_by("id")
    initial["ties_rows"] = [
        TieRow(i, t.typed_name or t.target.label, str(t.strength), str(t.sharing or "")) for i, t in enumerate(ties)
    ]
    return initial


# ---------------------------------------------------------------- organisers' small forms


class InvitationsForm(Form):
    people = forms.CharField(
        label="Email addresses, one per line",
        help_text="Optionally with a name after a comma: “sam@example.org, Sam Patel”.",
        widget=forms.Textarea(attrs={"rows": 6}),
        max_length=50_000,
    )

    def clean_people(self):
        people, errors, seen = [], [], set()
        for number, line in enumerate(self.cleaned_data["people"].splitlines(), start=1):
            if not line.strip():
                continue
            email, _, name = line.partition(",")
            email = email.strip().strip("<>").lower()
            try:
                validate_email(email)
            except ValidationError:
                errors.append(f"Line {number}: “{email}” is not an email address.")
                continue
            if email not in seen:
                seen.add(email)
                people.append((email, name.strip()[:120]))
        if errors:
            raise ValidationError(errors)
        if not people:
            raise ValidationError("Give at least one email address.")
        if len(people) > 500:
            raise ValidationError("Invite at most 500 people at a time.")
        return people


class RoundForm(Form):
    label = forms.CharField(label="Name of the round (optional)", max_length=120, required=False,
                            help_text="For example: “Spring 2027 gathering”.")  # fmt: skip
    opens_at = forms.DateTimeField(label="Opens (optional)", required=False, widget=DATETIME)
    closes_at = forms.DateTimeField(label="Closes (optional)", required=False, widget=DATETIME)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("opens_at") and cleaned.get("closes_at") and cleaned["closes_at"] <= cleaned["opens_at"]:
            self.add_error("closes_at", "The closing date must be after the opening date.")
        return cleaned


class MergeForm(Form):
    keep = forms.IntegerField(widget=forms.HiddenInput)
    merge = forms.IntegerField(widget=forms.HiddenInput)
    label = forms.CharField(max_length=200, required=False)


STRENGTH = STRENGTH_CHOICES
SHARING = SHARING_CHOICES
