"""Forms for the moderation queue and for reporting a record."""

from django import forms

from squaremile.core.forms import Form
from squaremile.moderation import selectors
from squaremile.moderation.models import ModerationState, ReportReason
from squaremile.moderation.services import TEXT_MAX

WAITING = "waiting"
AGES = [("", "Any age"), ("1", "Waiting over a day"), ("7", "Waiting over a week"), ("30", "Waiting over a month")]
ORDERS = [(selectors.OLDEST, "Oldest first"), (selectors.NEWEST, "Newest first")]


class QueueFilterForm(Form):
    kind = forms.ChoiceField(required=False, label="Kind")
    state = forms.ChoiceField(required=False, label="Showing")
    area = forms.ModelChoiceField(queryset=None, required=False, to_field_name="slug", empty_label="Every area")
    age = forms.ChoiceField(required=False, choices=AGES, label="Age")
    q = forms.CharField(required=False, max_length=200, label="Title contains")
    order = forms.ChoiceField(required=False, choices=ORDERS, label="Order")

    def __init__(self, *args, configs=(), **kwargs):
        from squaremile.places.models import Area

        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = [("", "Every kind")] + [(c.kind, c.label_plural.capitalize()) for c in configs]
        self.fields["state"].choices = [(WAITING, "Waiting or hidden after reports"), *ModerationState.choices]
        self.fields["area"].queryset = Area.objects.order_by("name")

    def filters(self) -> selectors.QueueFilters:
        valid = {}
        if self.is_bound:
            self.is_valid()
            valid = {k: v for k, v in getattr(self, "cleaned_data", {}).items() if k not in self.errors}
        state = valid.get("state") or WAITING
        area = valid.get("area")
        area_ids = None
        if area is not None:
            from squaremile.places.selectors import descendant_ids

            area_ids = descendant_ids(area)
        return selectors.QueueFilters(
            kinds=[valid["kind"]] if valid.get("kind") else [],
            states=[] if state == WAITING else [state],
            area_ids=area_ids,
            older_than_days=int(valid["age"]) if valid.get("age") else None,
            q=(valid.get("q") or "").strip(),
            order=valid.get("order") or selectors.OLDEST,
        )


class BulkForm(Form):
    ACTIONS = [
        ("", "Choose an action…"),
        ("publish", "Publish"),
        ("reject", "Reject (give a reason)"),
        ("archive", "Archive"),
        ("hide", "Hide"),
        ("restore", "Restore"),
    ]
    action = forms.ChoiceField(choices=ACTIONS, label="With the ticked items")
    items = forms.MultipleChoiceField(choices=[], label="Items", error_messages={"required": "Tick at least one item."})
    reason = forms.CharField(
        required=False, max_length=2000, label="Reason (needed to reject)", widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        raw = self.data.getlist("items") if hasattr(self.data, "getlist") else []
        self.fields["items"].choices = [(v, v) for v in raw if _key(v)]

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("action") == "reject" and not (cleaned.get("reason") or "").strip():
            self.add_error("reason", "Say why, for the people who sent them.")
        return cleaned


def _key(value) -> tuple[str, int] | None:
    """ "entry:12" -> ("entry", 12); None for anything else."""
    kind, _, pk = str(value).partition(":")
    if not kind or len(kind) > 40 or not pk.isdigit() or len(pk) > 18:
        return None
    return kind, int(pk)


class ActionForm(Form):
    reason = forms.CharField(
        required=False, max_length=2000, label="Note (optional)", widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, needs_reason: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if needs_reason:
            self.fields["reason"].required = True
            self.fields["reason"].label = "Why? (the person who sent it is told)"
            self.fields["reason"].error_messages["required"] = "Say why, for the person who sent it."


class ReportForm(Form):
    reason = forms.ChoiceField(choices=ReportReason.choices, widget=forms.RadioSelect, label="What is wrong with it?")
    text = forms.CharField(
        required=False,
        max_length=TEXT_MAX,
        label="Tell us more (optional)",
        help_text="Needed if you chose “Something else”. The moderators read it; nobody else does.",
        widget=forms.Textarea(attrs={"rows": 3}),
    )

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("reason") == ReportReason.OTHER and not (cleaned.get("text") or "").strip():
            self.add_error("text", "Say in a few words what is wrong.")
        return cleaned
