"""Every form in the project cleans user text at the door (core.forms.CleanTextMixin).

The walk below imports every module of the project and finds every form class, so a form added
later by any app is checked without anyone remembering to list it here; the admin's forms, which
Django builds, are checked the same way."""

import importlib
import pkgutil

import pytest
from django import forms
from django.contrib import admin
from django.http import QueryDict
from django.test import RequestFactory

import squaremile
from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.core.forms import CleanTextMixin, Form, with_clean_text

HOSTILE = "Ha\u202ell\x01 \u200bHall\ufeff\x7f"


def _project_modules():
    for info in pkgutil.walk_packages(squaremile.__path__, "squaremile."):
        if ".tests" in info.name or ".migrations" in info.name:
            continue
        yield importlib.import_module(info.name)


def _subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _subclasses(sub)


def project_form_classes() -> list[type]:
    for _ in _project_modules():
        pass
    return sorted(
        {
            cls
            for cls in _subclasses(forms.BaseForm)
            if cls.__module__.startswith("squaremile.") and ".tests" not in cls.__module__
        },
        key=lambda c: f"{c.__module__}.{c.__qualname__}",
    )


def cleans_text(cls) -> bool:
    mro = cls.__mro__
    return CleanTextMixin in mro and mro.index(CleanTextMixin) < mro.index(forms.BaseForm)


def test_every_form_class_in_the_project_cleans_its_text():
    found = project_form_classes()
    names = {c.__qualname__ for c in found}
    # the walk really finds the forms (a sample from each app)
    assert {"EntryForm", "RespondForm", "SurveyForm", "ProfileForm", "OrganisationForm", "NearForm",
            "ImportFileForm", "AreaAdminForm"} <= names  # fmt: skip
    missing = [f"{c.__module__}.{c.__qualname__}" for c in found if not cleans_text(c)]
    assert not missing, (
        "These forms do not clean user text at the door; derive them from squaremile.core.forms.Form "
        f"or ModelForm: {missing}"
    )


@pytest.mark.django_db
def test_every_admin_form_cleans_its_text():
    request = RequestFactory().get("/admin/")
    request.user = UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True)
    checked = 0
    for model, model_admin in admin.site._registry.items():
        if not type(model_admin).__module__.startswith("squaremile."):
            continue  # third-party admin pages (groups, sites, task results) are not ours
        obj = model.objects.first()
        assert cleans_text(model_admin.get_form(request, obj)), model_admin
        assert cleans_text(model_admin.get_form(request, None)), model_admin
        for formset, inline in model_admin.get_formsets_with_inlines(request, obj):
            assert cleans_text(formset.form), inline
        checked += 1
    assert checked >= 10


class _Sample(Form):
    title = forms.CharField(max_length=20)
    body = forms.CharField(widget=forms.Textarea, required=False)
    password = forms.CharField(widget=forms.PasswordInput, strip=False)
    choice = forms.ChoiceField(choices=[("a", "A")], required=False)


def test_text_is_cleaned_before_validation_and_passwords_are_not():
    form = _Sample(data={"title": "Ha\u202ell\x01\tone", "body": "one\r\ntwo\x0c\u2028three\t!\x1b",
                         "password": " p\x01\u202e\u200bw\tD ", "choice": "a\u200b"})  # fmt: skip
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "Hall one"
    assert form.cleaned_data["body"] == "one\ntwo\n\nthree\t!"
    assert form.cleaned_data["password"] == " p\x01\u202e\u200bw\tD "
    assert form.cleaned_data["choice"] == "a"


def test_nul_is_refused_as_the_api_refuses_it():
    form = _Sample(data={"title": "Good\x00Neighbours", "password": "x"})
    assert not form.is_valid() and form.errors["title"] == ["Null characters are not allowed."]


def test_only_invisible_text_is_empty_and_length_counts_what_is_kept():
    form = _Sample(data={"title": "\u202e\u200b\x01", "password": "x"})
    assert not form.is_valid() and "title" in form.errors  # required
    form = _Sample(data={"title": "x" * 20 + "\u200b" * 5, "password": "x"})
    assert form.is_valid(), form.errors


def test_query_dicts_prefixes_and_keys_that_are_not_fields():
    data = QueryDict(mutable=True)
    data.setlist("s-title", ["A\u202eB"])
    data.setlist("s-password", ["p\u202e"])
    data.setlist("tie-0-name", ["Ze\u202eb", "two\r\nlines"])
    form = _Sample(data=data, prefix="s")
    assert form.is_valid(), form.errors
    assert form.cleaned_data["title"] == "AB" and form.cleaned_data["password"] == "p\u202e"
    assert form.data.getlist("tie-0-name") == ["Zeb", "two\nlines"]
    assert not form.data._mutable and data.getlist("tie-0-name")[0] == "Ze\u202eb"  # the request's stays


def test_the_page_shown_again_shows_the_cleaned_text():
    form = _Sample(data={"title": HOSTILE, "password": ""})
    assert not form.is_valid()
    assert form["title"].value() == "Hall Hall"


def test_with_clean_text_makes_django_built_forms_clean():
    class Plain(forms.Form):
        name = forms.CharField()

    cleaned = with_clean_text(Plain)
    assert cleaned is not Plain and with_clean_text(cleaned) is cleaned
    form = cleaned(data={"name": "N\u202eame"})
    assert form.is_valid() and form.cleaned_data["name"] == "Name"


@pytest.mark.django_db
def test_the_admin_stores_cleaned_text_with_its_inlines(client):
    from squaremile.directory.models import SkillFamily

    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True, is_superuser=True))
    data = {
        "name": "Gar\u202edening\u0001", "slug": "gardening", "description": "One\r\nTwo\u200b", "position": "0",
        "skills-TOTAL_FORMS": "1", "skills-INITIAL_FORMS": "0", "skills-MIN_NUM_FORMS": "0",
        "skills-MAX_NUM_FORMS": "1000", "skills-0-name": "Pru\u2066ning", "skills-0-slug": "pruning",
        "skills-0-description": "",
    }  # fmt: skip
    response = client.post("/admin/directory/skillfamily/add/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    family = SkillFamily.objects.get(slug="gardening")
    assert (family.name, family.description) == ("Gardening", "One\nTwo")
    assert family.skills.get().name == "Pruning"
