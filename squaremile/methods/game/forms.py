"""Forms of the skills game."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from squaremile.core.forms import Form
from squaremile.methods.models import Deck, Pile


class JoinForm(Form):
    code = forms.CharField(max_length=12, label="Table code", help_text="Six letters and numbers, e.g. K7PQ2M.")
    name = forms.CharField(max_length=40, label="Your first name", help_text="What the table calls you.")


class NameForm(Form):
    name = forms.CharField(max_length=40, label="Your first name", help_text="What the table calls you.")


class GameForm(Form):
    name = forms.CharField(
        max_length=140, label="Name of the game", help_text="e.g. “Skills night at the community centre”."
    )
    deck = forms.ModelChoiceField(queryset=Deck.objects.all(), empty_label=None)
    played_on = forms.DateField(label="Date", widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}))
    group = forms.CharField(
        max_length=300,
        required=False,
        label="Who is playing? (optional)",
        help_text="A team’s name (“Millbrook Tenants”), or the address of its organisation’s or group’s page here. "
        "Games of the same group show its results over time.",
    )
    area = forms.ModelChoiceField(
        queryset=None, required=False, label="Area (optional)", help_text="Where gaps the game finds are recorded."
    )
    phone_tables = forms.IntegerField(min_value=0, max_value=40, initial=1, label="Tables playing on phones")
    screen_tables = forms.IntegerField(min_value=0, max_value=40, initial=0, label="Tables sharing one screen")
    paper_tables = forms.IntegerField(min_value=0, max_value=40, initial=0, label="Tables playing on paper")

    def __init__(self, *args, areas=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["area"].queryset = areas
        if not self.is_bound:
            self.initial.setdefault("played_on", timezone.localdate())

    def clean(self):
        data = super().clean()
        total = sum(data.get(k) or 0 for k in ("phone_tables", "screen_tables", "paper_tables"))
        if not self.errors and total == 0:
            raise forms.ValidationError("Add at least one table.")
        if total > 40:
            raise forms.ValidationError("At most 40 tables in one game.")
        return data


class DeckForm(Form):
    name = forms.CharField(max_length=120)
    description = forms.CharField(max_length=300, required=False)
    cards = forms.ModelMultipleChoiceField(
        queryset=None, widget=forms.CheckboxSelectMultiple, label="Cards in the deck"
    )

    def __init__(self, *args, cards=None, words=None, **kwargs):
        """`cards`: every card one may choose; `words`: {card id: this deck's phrasing}."""
        super().__init__(*args, **kwargs)
        self.fields["cards"].queryset = cards
        self.card_list = list(cards)
        words = words or {}
        for card in self.card_list:
            self.fields[f"text_{card.pk}"] = forms.CharField(
                max_length=120,
                required=False,
                label=f"Words on the card (skill: {card.skill.name if card.skill else card.text})",
                help_text="Blank: the card's own words.",
            )
            self.initial.setdefault(f"text_{card.pk}", words.get(card.pk) or card.text)

    def rows(self):
        """(card, its checkbox, its words field) for the deck page's table."""
        boxes = {str(w.data["value"]): w for w in self["cards"]}
        return [(c, boxes.get(str(c.pk)), self[f"text_{c.pk}"]) for c in self.card_list]

    def texts(self) -> dict[int, str]:
        """{card id: this deck's words} for the cards whose words differ from the card's own."""
        out = {}
        for card in self.card_list:
            text = (self.cleaned_data.get(f"text_{card.pk}") or "").strip()
            if text and text != card.text:
                out[card.pk] = text
        return out

    def clean_cards(self):
        cards = self.cleaned_data["cards"]
        if len(cards) < 10:
            raise forms.ValidationError("A deck needs at least 10 cards (a short deck has 30 to 50).")
        return cards


class TallyForm(Form):
    """One choice a card: the pile the tally sheet marks it on (or none)."""

    def __init__(self, *args, cards=(), initial_piles=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.cards = list(cards)
        choices = [("", "Not marked")] + list(Pile.choices)
        for number, card in enumerate(self.cards, start=1):
            self.fields[f"card_{card.pk}"] = forms.ChoiceField(
                choices=choices, required=False, label=f"{number}. {card.text}", widget=forms.RadioSelect
            )
            if initial_piles and card.pk in initial_piles:
                self.initial[f"card_{card.pk}"] = initial_piles[card.pk]

    def piles(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data[f"card_{c.pk}"] for c in self.cards if self.cleaned_data.get(f"card_{c.pk}")}

    def rows(self):
        return [(n, card, self[f"card_{card.pk}"]) for n, card in enumerate(self.cards, start=1)]
