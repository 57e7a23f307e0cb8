from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from squaremile.core import space_people
from squaremile.core.pagination import paginate
from squaremile.core.permissions import can
from squaremile.directory import hours, selectors, services
from squaremile.directory.forms import DirectoryFilterForm, OrganisationForm, PeopleFilterForm, ProjectForm
from squaremile.directory.models import Organisation, Project, ProjectStatus, ResourceKind, Skill


def _list_context(request, filter_form, page, **extra):
    return {"filter_form": filter_form, "page": page, "query": request.GET.get("q", ""), **extra}


def organisation_list(request):
    form = DirectoryFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    qs = selectors.organisation_list(**filters)
    page = paginate(request, qs)
    template = "directory/includes/_organisation_results.html" if request.htmx else "directory/organisation_list.html"
    can_import = can(request.user, "organisation.import")
    return render(request, template, _list_context(request, form, page, filtered=bool(filters), can_import=can_import))


def organisation_detail(request, slug):
    try:
        org = selectors.organisation_detail(slug)
    except Organisation.DoesNotExist:
        raise Http404("No organisation here.") from None
    return render(
        request,
        "directory/organisation_detail.html",
        {
            "org": org,
            "show_contact": selectors.can_see_contact(request.user, org),
            "openings": hours.grouped(org.opening_hours),
            "open_now": hours.is_open(org.opening_hours, timezone.localtime()),
            "can_edit": can(request.user, "organisation.change", org),
            "can_delete": can(request.user, "organisation.delete", org),
            "can_manage_people": can(request.user, "organisation.roles", org),
            "my_roles": selectors.roles_in(request.user, org),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def organisation_people(request, slug):
    """Its people: who speaks for it and who runs it with its owner; add by e-mail, remove."""
    org = get_object_or_404(Organisation, slug=slug)
    return space_people.people_page(
        request, space=org, roles=services.ORGANISATION_ROLES, template="directory/organisation_people.html",
        here=reverse("directory:organisation_people", args=[org.slug]), context={"org": org},
        noun=org.name, exclusive=[value for value, _label in services.ORGANISATION_ROLES],
        email_help="The address they log in with.", record=services.people_recorder(org),
    )  # fmt: skip


@login_required
@require_POST
def organisation_leave(request, slug):
    """A member or organiser stops being one of its people."""
    org = get_object_or_404(Organisation, slug=slug)
    return space_people.leave_page(
        request, space=org, roles=[value for value, _label in services.ORGANISATION_ROLES], then=org.get_absolute_url(),
        noun=org.name, record=services.people_recorder(org),
    )  # fmt: skip


def _edit(request, *, form_class, instance, create, update, template, kind, action):
    """Show a form; on a valid post call the service. Service errors are shown on the form and
    nothing typed is lost."""
    form = form_class(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            if instance is None:
                obj = create(by=request.user, data=form.cleaned_data)
            else:
                obj = update(instance, by=request.user, data=form.cleaned_data)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                for field, errors in exc.error_dict.items():
                    form.add_error(field if field in form.fields else None, errors)
            else:
                form.add_error(None, exc)
        else:
            messages.success(request, f"Saved “{obj.name}”.")
            return redirect(obj)
    status = 400 if request.method == "POST" else 200
    return render(request, template, {"form": form, "object": instance, "kind": kind, "action": action}, status=status)


def _confirm_delete(request, obj, *, kind, list_url, delete):
    """Ask first; delete on POST through the service, then back to the list."""
    if request.method == "POST":
        name = obj.name
        delete()
        messages.success(request, f"Deleted “{name}”.")
        return redirect(list_url)
    return render(request, "directory/confirm_delete.html", {"object": obj, "kind": kind})


@login_required
@require_http_methods(["GET", "POST"])
def organisation_create(request):
    if not can(request.user, "organisation.add"):
        raise PermissionDenied
    return _edit(
        request, form_class=OrganisationForm, instance=None, create=services.organisation_create,
        update=None, template="directory/record_form.html", kind="organisation", action="Add an organisation",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def organisation_edit(request, slug):
    org = get_object_or_404(Organisation, slug=slug)
    if not can(request.user, "organisation.change", org):
        raise PermissionDenied
    return _edit(
        request, form_class=OrganisationForm, instance=org, create=None,
        update=lambda o, **kw: services.organisation_update(organisation=o, **kw),
        template="directory/record_form.html", kind="organisation", action=f"Edit {org.name}",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def organisation_delete(request, slug):
    org = get_object_or_404(Organisation, slug=slug)
    if not can(request.user, "organisation.delete", org):
        raise PermissionDenied
    return _confirm_delete(
        request, org, kind="organisation", list_url="directory:organisation_list",
        delete=lambda: services.organisation_delete(organisation=org, by=request.user),
    )  # fmt: skip


def project_list(request):
    q = request.GET.get("q", "")[:200]
    status = request.GET.get("status", "")
    status = status if status in ProjectStatus.values else ""
    page = paginate(request, selectors.project_list(q=q, status=status))
    template = "directory/includes/_project_results.html" if request.htmx else "directory/project_list.html"
    return render(request, template, {"page": page, "query": q, "status": status, "statuses": ProjectStatus.choices})


def project_detail(request, slug):
    try:
        project = selectors.project_detail(slug)
    except Project.DoesNotExist:
        raise Http404("No project here.") from None
    return render(
        request,
        "directory/project_detail.html",
        {
            "project": project,
            "can_edit": can(request.user, "project.change", project),
            "can_delete": can(request.user, "project.delete", project),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def project_create(request):
    if not can(request.user, "project.add"):
        raise PermissionDenied
    return _edit(
        request, form_class=ProjectForm, instance=None, create=services.project_create, update=None,
        template="directory/record_form.html", kind="project", action="Add a project",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def project_edit(request, slug):
    project = get_object_or_404(Project, slug=slug)
    if not can(request.user, "project.change", project):
        raise PermissionDenied
    return _edit(
        request, form_class=ProjectForm, instance=project, create=None,
        update=lambda o, **kw: services.project_update(project=o, **kw),
        template="directory/record_form.html", kind="project", action=f"Edit {project.name}",
    )  # fmt: skip


@login_required
@require_http_methods(["GET", "POST"])
def project_delete(request, slug):
    project = get_object_or_404(Project, slug=slug)
    if not can(request.user, "project.delete", project):
        raise PermissionDenied
    return _confirm_delete(
        request, project, kind="project", list_url="directory:project_list",
        delete=lambda: services.project_delete(project=project, by=request.user),
    )  # fmt: skip


def skill_list(request):
    return render(
        request, "directory/skill_list.html",
        {"families": selectors.taxonomy(), "resources": selectors.resource_kinds()},
    )  # fmt: skip


def skill_detail(request, slug):
    skill = get_object_or_404(Skill.objects.select_related("family"), slug=slug)
    page = paginate(request, selectors.organisation_list(skill=skill))
    return render(request, "directory/taxon_detail.html", {"taxon": skill, "kind": "skill", "page": page})


def resource_detail(request, slug):
    resource = get_object_or_404(ResourceKind, slug=slug)
    page = paginate(request, selectors.organisation_list(resource=resource))
    return render(request, "directory/taxon_detail.html", {"taxon": resource, "kind": "resource", "page": page})


def people(request):
    """People near you who can…: found by a skill, a resource and a place, each person shown only as
    far as they chose to show themselves to the one looking."""
    form = PeopleFilterForm(request.GET or None)
    context = {"form": form, "searched": False}
    status = 200
    if form.is_bound:
        if form.is_valid():
            near = form.near()
            found, total = selectors.people_who_can(
                request.user, skill=form.cleaned_data.get("skill"), resource=form.cleaned_data.get("resource"),
                willing_at_least=form.cleaned_data.get("willing"), near=near,
            )  # fmt: skip
            context.update(searched=True, people=found, total=total, near=near)
        else:
            status = 400
    return render(request, "directory/people.html", context, status=status)
