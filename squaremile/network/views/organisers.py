"""The page of a survey's organisers: who runs it, and (for its owner and administrators) adding
and removing co-organisers. The rules are in core/permissions.py; the writes in `surveys/organisers.py`."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.core.models import SpaceRoleKind
from squaremile.core.permissions import can
from squaremile.core.space_people import PersonByEmailForm
from squaremile.network import access
from squaremile.network.surveys import organisers

ROLES = [(SpaceRoleKind.ORGANISER, "Organiser")]  # a survey's co-organisers: one role, not asked
EMAIL_HELP = "The address they log in with. They can then see the answers and change the survey, but not delete it."


@login_required
@require_http_methods(["GET", "POST"])
def survey_organisers(request, slug):
    survey = access.survey_or_404(slug)
    access.require_organiser(request.user, survey, message="Only the survey's organisers can see this page.")
    may_choose = can(request.user, "survey.roles", survey)
    form = PersonByEmailForm(request.POST or None, roles=ROLES, email_help=EMAIL_HELP) if may_choose else None
    status = 200
    if request.method == "POST":
        access.require_organiser(
            request.user, survey, "survey.roles", "Only the survey's owner can choose its organisers."
        )
        if form.is_valid():
            try:
                person = organisers.co_organiser_add(survey=survey, email=form.cleaned_data["email"], by=request.user)
            except ValidationError as exc:
                form.add_service_errors(exc)
            else:
                messages.success(request, f"{person} now helps to run this survey.")
                return redirect("network:organisers", slug=survey.slug)
        status = 400
    return render(
        request,
        "network/survey_organisers.html",
        {
            "survey": survey,
            "owner": survey.owner,
            "co_organisers": organisers.co_organisers(survey),
            "form": form,
            "may_choose": may_choose,
        },
        status=status,
    )


@login_required
@require_POST
def survey_organiser_remove(request, slug, user_id):
    survey = access.survey_or_404(slug)
    access.require_organiser(request.user, survey, "survey.roles", "Only the survey's owner can choose its organisers.")
    if organisers.co_organiser_remove(survey=survey, user_id=user_id, by=request.user):
        messages.success(request, "They no longer run this survey.")
    return redirect("network:organisers", slug=survey.slug)
