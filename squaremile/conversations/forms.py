"""Forms of conversations: every one derives from `core.forms` (text cleaned at the door)."""

from __future__ import annotations

from django import forms

from squaremile.attachments.forms import AltTextsField, AttachmentsField
from squaremile.conversations.models import Access, DecisionKind, EmailMode, Group
from squaremile.core.forms import Form, ModelForm


class GroupForm(ModelForm):
    class Meta:
        model = Group
        fields = ["name", "purpose", "topic", "area", "organisation", "access", "moderate_first_posts"]
        labels = {
            "purpose": "What is the group for?",
            "topic": "Topic (one or two words, e.g. food, housing, transport)",
            "access": "Who can join?",
            "moderate_first_posts": "New members' first posts to check before they show (0: none)",
        }
        widgets = {"access": forms.RadioSelect, "purpose": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["access"].choices = Access.choices
        self.fields["area"].required = False
        self.fields["organisation"].required = False


class ThreadForm(Form):
    title = forms.CharField(max_length=200, label="Title")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=20000, label="Your message",
                           help_text="Markdown works. Write @name to tell someone; paste a link to a page of "
                                     "this site to show it as a card.")  # fmt: skip
    photos = AttachmentsField(required=False, label="Photos or files (optional)", max_files=4, kinds=("image", "file"))
    photo_alt = AltTextsField(for_field="photos")


class ReplyForm(Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, label="Your reply",
                           help_text="Markdown works. Write @name to tell someone.")  # fmt: skip
    quote = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**31)
    photos = AttachmentsField(required=False, label="Photos or files (optional)", max_files=4, kinds=("image", "file"))
    photo_alt = AltTextsField(for_field="photos")


class EditForm(Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 6}), max_length=20000, label="Your message")


class JoinForm(Form):
    message = forms.CharField(max_length=300, required=False, label="Say why you'd like to join (optional)")


class EmailModeForm(Form):
    email_mode = forms.ChoiceField(choices=EmailMode.choices, widget=forms.RadioSelect, label="E-mail from this group")


class OutcomeForm(Form):
    outcome = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=8000,
                              label="What came of it?",
                              help_text="Shown at the top and sent to everyone who took part.")  # fmt: skip


class DecisionForm(Form):
    kind = forms.ChoiceField(choices=DecisionKind.choices, widget=forms.RadioSelect, label="Kind of decision",
                             initial=DecisionKind.PROPOSAL)  # fmt: skip
    question = forms.CharField(max_length=300, label="What is being decided?")
    options = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), required=False, max_length=3000,
                              label="Options (for a choice: one per line)")  # fmt: skip
    closes_on = forms.DateField(label="Closes on", widget=forms.DateInput(attrs={"type": "date"}))
    live_results = forms.BooleanField(required=False, label="Show the results while it is open")


class VoteForm(Form):
    choice = forms.CharField(max_length=200, widget=forms.RadioSelect, label="Your answer")
    reason = forms.CharField(max_length=500, required=False, label="Your reason",
                             help_text="Needed to disagree or block.")  # fmt: skip

    def __init__(self, *args, choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["choice"] = forms.ChoiceField(choices=choices, widget=forms.RadioSelect, label="Your answer")


class SlowForm(Form):
    minutes = forms.IntegerField(min_value=0, max_value=1440, label="One reply per person every (minutes; 0: off)")


class MoveForm(Form):
    group = forms.ModelChoiceField(queryset=Group.objects.none(), label="Move to group")

    def __init__(self, *args, groups=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["group"].queryset = groups if groups is not None else Group.objects.none()


class MergeForm(Form):
    into = forms.IntegerField(min_value=1, max_value=2**31, label="Merge into the conversation number")


class SplitForm(Form):
    from_number = forms.IntegerField(min_value=2, max_value=2**31, label="Move replies from number")
    title = forms.CharField(max_length=200, label="Title of the new conversation")


class InviteForm(Form):
    email = forms.EmailField(label="Their e-mail address (they need an account here)")


class PrivateStartForm(Form):
    subject = forms.CharField(max_length=200, required=False, label="Subject (optional)")
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 5}), max_length=20000, label="Your message")


class MessageForm(Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 4}), max_length=20000, label="Your message")


class SearchForm(Form):
    q = forms.CharField(max_length=200, required=False, label="Search this group")


def with_mentions(form, url: str):
    """The message box suggests people as one types @name (`static/js/mentions.js` asks `url`);
    without JavaScript, @Name is typed as plain text and works the same."""
    form.fields["body"].widget.attrs.update({"data-mention-url": url, "autocomplete": "off"})
    return form
