"""Form pieces shared by every app."""

from collections.abc import Callable

from django import forms
from django.core.exceptions import ValidationError
from django.http import QueryDict
from django.utils.datastructures import MultiValueDict

from squaremile.core.geo import MILE_M
from squaremile.core.text import clean_text


class CleanTextMixin:
    """Every text a form receives goes through `core.text.clean_text` before any field sees it:
    control characters, bidi overrides and invisible characters removed, NFC. Every form class in
    the project has this mixin first (use `Form` / `ModelForm` below; a test walks every form class
    and fails on one without it), so no form can forget it.

    It works on the submitted data, once, when the form is validated: each string value is cleaned,
    single-line for fields shown as one line, multi-line (newlines and tabs kept) for fields shown
    as a text box and for keys that are not fields (rows a form reads itself, such as the survey's
    ties). Fields with a password widget are left exactly as typed, and a field's value holding NUL
    is left for the field to refuse. A form shown again with errors shows the cleaned text, which
    is what would be stored."""

    def full_clean(self):
        if self.is_bound and not getattr(self, "_text_cleaned", False):
            self.data = self._cleaned_text_data()
            self._text_cleaned = True
        super().full_clean()

    def _cleaned_text_data(self):
        by_key = {self.add_prefix(name): field for name, field in self.fields.items()}

        def clean(key, value):
            if not isinstance(value, str):
                return value
            field = by_key.get(key)
            if field is None:
                return clean_text(value, multiline=True)
            if isinstance(field.widget, forms.PasswordInput) or "\x00" in value:
                # Passwords as typed. NUL is left for the field to refuse ("Null characters are not
                # allowed."), as the API refuses it: a client that sends it has a bug worth seeing.
                return value
            return clean_text(value, multiline=isinstance(field.widget, forms.Textarea))

        data = self.data
        if isinstance(data, MultiValueDict):
            cleaned = QueryDict(mutable=True, encoding=data.encoding) if isinstance(data, QueryDict) else data.copy()
            for key, values in data.lists():
                cleaned.setlist(key, [clean(key, v) for v in values])
            if isinstance(cleaned, QueryDict):
                cleaned._mutable = False
            return cleaned
        return {
            key: [clean(key, v) for v in value] if isinstance(value, list | tuple) else clean(key, value)
            for key, value in data.items()
        }


def with_clean_text(form_class):
    """The form class itself when it already cleans text, else a subclass that does (for forms
    that Django builds, such as the admin's)."""
    if issubclass(form_class, CleanTextMixin):
        return form_class
    return type(form_class.__name__, (CleanTextMixin, form_class), {"__module__": form_class.__module__})


class ServiceErrorsMixin:
    """`form.add_service_errors(exc)`: a service refused the write with a ValidationError; show its
    messages on the form, each on the field it names when the form has that field (`field_for` maps a
    service's name to the form's, e.g. "answers.12" -> "q_12"), else at the top of the form."""

    def add_service_errors(self, exc: ValidationError, *, field_for: Callable[[str], str] | None = None) -> None:
        if not hasattr(exc, "error_dict"):
            self.add_error(None, exc.messages)
            return
        for name, errors in exc.error_dict.items():
            target = field_for(name) if field_for else name
            self.add_error(target if target in self.fields else None, [m for e in errors for m in e.messages])


class Form(CleanTextMixin, ServiceErrorsMixin, forms.Form):
    """The project's form: Django's, with user text cleaned at the door and a service's refusals
    shown on its fields."""


class ModelForm(CleanTextMixin, ServiceErrorsMixin, forms.ModelForm):
    """The project's model form: Django's, with user text cleaned at the door and a service's
    refusals shown on its fields."""


class LocationFieldsMixin(Form):
    """Latitude/longitude typed or picked on the small map; both or neither."""

    lat = forms.FloatField(
        label="Latitude", required=False, min_value=-90, max_value=90,
        help_text="Tap the map to set the point, or type it (for example 53.8008).",
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lat": ""}),
    )  # fmt: skip
    lng = forms.FloatField(
        label="Longitude", required=False, min_value=-180, max_value=180,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal", "data-map-lng": ""}),
    )  # fmt: skip

    def clean(self):
        cleaned = super().clean()
        lat, lng = cleaned.get("lat"), cleaned.get("lng")
        if (lat is None) != (lng is None) and not self.has_error("lat") and not self.has_error("lng"):
            raise forms.ValidationError("Give both latitude and longitude, or leave both empty.")
        return cleaned


def grouped_skill_choices(queryset):
    """Skill choices grouped by family, for checkbox lists a person can scan."""
    groups: dict[str, list] = {}
    for skill in queryset.select_related("family").order_by("family__position", "family__name", "name"):
        groups.setdefault(skill.family.name, []).append((skill.pk, skill.name))
    return list(groups.items())


class ChipsSelectMultiple(forms.CheckboxSelectMultiple):
    """Many choices (a hundred skills) in a short form: grouped in closed sections, the chosen ones
    listed first; `static/js/chips.js` turns them into removable chips and adds "type to find"."""

    template_name = "core/widgets/chips.html"  # pages that use it load js/chips.js

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        groups, chosen, count = [], [], 0
        for group_name, options, _index in context["widget"]["optgroups"]:
            picked = [o["label"] for o in options if o["selected"]]
            chosen.extend(picked)
            count += len(options)
            if group_name is None and groups and groups[-1]["name"] is None:  # flat choices: one list
                groups[-1]["options"].extend(options)
                groups[-1]["chosen"] += len(picked)
            else:
                groups.append({"name": group_name, "options": list(options), "chosen": len(picked)})
        context["widget"].update(groups=groups, chosen=chosen, count=count, flat=all(g["name"] is None for g in groups))
        return context


def radius_choices():
    miles = [0.25, 0.5, 1, 2, 3, 5, 10, 15, 25]
    return [(round(m * MILE_M), f"{m:g} mile" + ("" if m == 1 else "s")) for m in miles]


class FastSelect(forms.Select):
    """A <select> whose options are built in Python rather than one template per option: the same
    HTML as Django's Select for flat choices, at a fraction of the cost on long lists (the directory
    filters render a hundred skills and every area on each page)."""

    def render(self, name, value, attrs=None, renderer=None):
        from django.forms.utils import flatatt
        from django.utils.html import format_html, format_html_join

        final_attrs = self.build_attrs(self.attrs, {**(attrs or {}), "name": name})
        selected = "" if value is None else str(value)
        options = []
        for option_value, label in self.choices:
            option_value = "" if option_value is None else str(getattr(option_value, "value", option_value))
            pattern = (
                '<option value="{}" selected>{}</option>'
                if option_value == selected
                else '<option value="{}">{}</option>'
            )
            options.append(format_html(pattern, option_value, label))
        return format_html(
            "<select{}>{}</select>", flatatt(final_attrs), format_html_join("", "{}", ((o,) for o in options))
        )


def question_label(label: str, *, required: bool) -> str:
    """The label of an organiser's question: a required one says so in words, where everyone sees it
    (the form's own fields mark their optional parts instead)."""
    return f"{label} (required)" if required else label
