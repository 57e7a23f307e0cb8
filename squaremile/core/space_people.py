"""The people of a space on one page: who holds which role, add a person by the e-mail address of
their account with a role, remove them; and a holder giving up their own role ("leave").

One copy for every space (an event's organisers, an organisation's people): the feature app's view
finds the record, then calls `people_page(...)` (and `leave_page(...)` if people may leave); its
template includes `core/includes/_space_people.html`. The writes go through `core/spaces.py`, so
adding and removing need `"<model name>.roles"` in `core/permissions.py`, checked on every visit
and every write. Nothing here names a feature app: an app that audits role changes passes `record`,
a callable `record(by=, verb=, person=, role=)` run inside the write's transaction, with verb
"added", "removed" or "left".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from django import forms
from django.contrib import messages
from django.contrib.auth import get_user_model
from django.core.exceptions import ValidationError
from django.db import transaction
from django.shortcuts import redirect, render

from squaremile.core import spaces
from squaremile.core.forms import Form
from squaremile.core.models import SpaceRoleKind
from squaremile.core.permissions import owner_of, require, space_roles_of

NO_ACCOUNT = "Nobody has an account with this address yet. Ask them to sign up, then add them here."
Recorder = Callable[..., object] | None


class PersonByEmailForm(Form):
    """The e-mail address of someone's account and the role they are given (the roles a page offers:
    (value, label) pairs, the first chosen at first)."""

    email = forms.EmailField(label="Their e-mail address", max_length=254)
    role = forms.ChoiceField(label="Role", widget=forms.RadioSelect)

    def __init__(self, *args, roles: Sequence[tuple[str, str]], email_help: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.roles = list(roles)
        self.fields["role"].choices = self.roles
        self.fields["role"].initial = self.roles[0][0]
        self.fields["email"].help_text = email_help
        if len(self.roles) == 1:  # nothing to choose: the one role, unasked
            self.fields["role"].widget = forms.HiddenInput()
            self.fields["role"].required = False

    def clean_role(self) -> str:
        return self.cleaned_data.get("role") or self.roles[0][0]


def _record(record: Recorder, **kwargs) -> None:
    if record is not None:
        record(**kwargs)


# ---- writes ----------------------------------------------------------------------------------------
@transaction.atomic
def add_by_email(
    *, space, email: str, role: str, by, exclusive: Sequence[str] = (), record: Recorder = None,
    owner_note: str = "This is the person who added it: they can already do all of this.",
):  # fmt: skip
    """Give the person whose account has this e-mail address `role` in `space`; returns them.
    `exclusive`: roles a person holds only one of here (giving one takes the others away);
    `owner_note`: what someone who names the space's owner is told."""
    require(by, spaces.roles_action(space), space)
    if role not in SpaceRoleKind.values:
        raise ValidationError({"role": ["Choose one of the roles."]})
    person = get_user_model().objects.filter(email__iexact=email.strip(), is_active=True).first()
    if person is None:
        raise ValidationError({"email": [NO_ACCOUNT]})
    if owner_of(space) == person.pk:
        raise ValidationError({"email": [owner_note]})
    if role in exclusive:
        for other in set(exclusive) - {role}:
            spaces.revoke(space=space, user=person, role=other, by=by)
    spaces.grant(space=space, user=person, role=role, by=by)
    _record(record, by=by, verb="added", person=person, role=role)
    return person


@transaction.atomic
def remove(*, space, user_id, role: str, by, record: Recorder = None):
    """Take `role` in `space` away from the person with this id; returns them when they held it."""
    require(by, spaces.roles_action(space), space)
    person = get_user_model().objects.filter(pk=user_id).first() if str(user_id).isdigit() else None
    if person is None or not spaces.revoke(space=space, user=person, role=role, by=by):
        return None
    _record(record, by=by, verb="removed", person=person, role=role)
    return person


@transaction.atomic
def leave(*, space, user, roles: Sequence[str], record: Recorder = None) -> list[str]:
    """`user` gives up their own roles (of `roles`) in `space`: nobody else's word is needed to let
    go of one's own role. Returns the roles they held."""
    held = [role for role in roles if role in space_roles_of(user, space)]
    for role in held:
        spaces.revoke(space=space, user=user, role=role, by=user, checked_by_caller=True)
        _record(record, by=user, verb="left", person=user, role=role)
    return held


# ---- the page -----------------------------------------------------------------------------------
def people_page(
    request, *, space, roles: Sequence[tuple[str, str]], template: str, here: str, context: dict | None = None,
    noun: str = "it", exclusive: Sequence[str] = (), email_help: str = "", record: Recorder = None,
):  # fmt: skip
    """The page of a space's people: GET lists them with the form; POST adds a person (`email`,
    `role`) or removes one (`revoke`: their id, with `role`). Refused (403) to anyone who may not
    manage the space's people. `here` is the page's own address (where a write returns to); `noun`
    names the space in messages ("this event")."""
    require(request.user, spaces.roles_action(space), space)
    values = [value for value, _label in roles]
    form = PersonByEmailForm(roles=roles, email_help=email_help)
    status = 200
    if request.method == "POST":
        if request.POST.get("revoke"):
            role = request.POST.get("role")
            if role in values:
                person = remove(space=space, user_id=request.POST["revoke"], role=role, by=request.user, record=record)
                if person is not None:
                    messages.success(request, f"{person} is no longer {_a(role)} of {noun}.")
            return redirect(here)
        form = PersonByEmailForm(request.POST, roles=roles, email_help=email_help)
        if form.is_valid():
            try:
                person = add_by_email(
                    space=space, email=form.cleaned_data["email"], role=form.cleaned_data["role"], by=request.user,
                    exclusive=exclusive, record=record,
                )  # fmt: skip
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{person} is now {_a(form.cleaned_data['role'])} of {noun}.")
                return redirect(here)
        status = 400
    people = spaces.holders(space, values)
    return render(request, template, {**(context or {}), "people": people, "people_form": form}, status=status)


def leave_page(request, *, space, roles: Sequence[str], then: str, noun: str = "it", record: Recorder = None):
    """A POST by which the signed-in person gives up their roles in `space`; back to `then`."""
    if leave(space=space, user=request.user, roles=roles, record=record):
        messages.success(request, f"You are no longer one of the people of {noun}.")
    return redirect(then)


def _a(role: str) -> str:
    label = SpaceRoleKind(role).label.lower()
    return f"an {label}" if label[0] in "aeiou" else f"a {label}"
