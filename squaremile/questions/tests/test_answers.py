"""The one answer parser, table by table: every kind, good and bad input, the yes/no words."""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from squaremile.questions.answers import (
    NO_WORDS,
    REQUIRED_MESSAGE,
    YES_WORDS,
    answer_text,
    display_answer,
    initial_value,
    parse_answer,
    parse_answers,
)
from squaremile.questions.models import Kind, Question


def q(kind, *, choices="", required=False, pk=1, **extra) -> Question:
    return Question(pk=pk, label="Q", kind=kind, choices=choices, required=required, **extra)


GOOD = [
    (q(Kind.TEXT), "  Sam ", "Sam"),
    (q(Kind.TEXT), 12, "12"),
    (q(Kind.TEXT), "x" * 2000, "x" * 2000),
    (q(Kind.LONGTEXT), "line one\nline two", "line one\nline two"),
    (q(Kind.LONGTEXT), "x" * 4000, "x" * 4000),
    (q(Kind.NUMBER), "12", 12),
    (q(Kind.NUMBER), "3.5", 3.5),
    (q(Kind.NUMBER), "-2", -2),
    (q(Kind.NUMBER), "1,000", 1000),  # thousands
    (q(Kind.NUMBER), "12,500,000", 12_500_000),
    (q(Kind.NUMBER), "3,5", 3.5),  # a decimal comma
    (q(Kind.NUMBER), "1 200", 1200),
    (q(Kind.NUMBER), 40, 40),
    (q(Kind.NUMBER), 2.0, 2),
    (q(Kind.NUMBER, min_value=0, max_value=10), "10", 10),
    (q(Kind.DATE), "2026-03-31", "2026-03-31"),
    (q(Kind.DATE), "31/03/2026", "2026-03-31"),
    (q(Kind.DATE), "31.03.2026", "2026-03-31"),
    (q(Kind.DATE), "2026-03-31T10:00:00", "2026-03-31"),
    (q(Kind.DATE), dt.date(2026, 3, 31), "2026-03-31"),
    (q(Kind.YESNO), True, True),
    (q(Kind.YESNO), False, False),
    (q(Kind.CHOICE, choices="Weekly\nMonthly"), "monthly", "Monthly"),
    (q(Kind.CHOICE, choices="Weekly\nMonthly"), " Weekly ", "Weekly"),
    (q(Kind.MULTIPLE, choices="Tea\nCoffee\nCake"), ["cake", "Tea"], ["Tea", "Cake"]),
    (q(Kind.MULTIPLE, choices="Tea\nCoffee\nCake"), "coffee; tea", ["Tea", "Coffee"]),
    (q(Kind.MULTIPLE, choices="Tea\nCoffee\nCake"), "Cake, Coffee", ["Coffee", "Cake"]),
    (q(Kind.MULTIPLE, choices="Tea, hot\nCake"), "Tea, hot", ["Tea, hot"]),
    (q(Kind.SCALE), "3", 3),
    (q(Kind.SCALE), 0, 0),
]

BAD = [
    (q(Kind.TEXT), "x" * 2001, "2,000 characters"),
    (q(Kind.TEXT), ["a"], "as text"),
    (q(Kind.LONGTEXT), "x" * 4001, "4,000 characters"),
    (q(Kind.NUMBER), "lots", "Give a number"),
    (q(Kind.NUMBER), True, "Give a number"),
    (q(Kind.NUMBER), "nan", "Give a number"),
    (q(Kind.NUMBER), "1e20", "Give a number"),
    (q(Kind.NUMBER, min_value=0, max_value=10), "11", "from 0 to 10"),
    (q(Kind.NUMBER, min_value=5), "4", "5 or more"),
    (q(Kind.NUMBER, max_value=1_000_000), "1000001", "1,000,000 or less"),
    (q(Kind.DATE), "2026-13-01", "YYYY-MM-DD"),
    (q(Kind.DATE), "31/02/2024", "YYYY-MM-DD"),
    (q(Kind.DATE), 20260331, "YYYY-MM-DD"),
    (q(Kind.YESNO), "maybe", "Answer yes or no."),
    (q(Kind.YESNO), 2, "Answer yes or no."),
    (q(Kind.CHOICE, choices="Weekly\nMonthly"), "Daily", "Choose one of: Weekly, Monthly."),
    (q(Kind.CHOICE, choices="Weekly\nMonthly"), ["Weekly"], "Choose one of"),
    (q(Kind.MULTIPLE, choices="Tea\nCoffee"), "Tea; Juice", "Choose any of: Tea, Coffee."),
    (q(Kind.SCALE), "5", "from 0 to 4"),
    (q(Kind.SCALE), "2.5", "from 0 to 4"),
    (q(Kind.SCALE), True, "from 0 to 4"),
]


@pytest.mark.parametrize(("question", "raw", "expected"), GOOD)
def test_good_answers_are_stored_as_documented(question, raw, expected):
    value = parse_answer(question, raw)
    assert value == expected and type(value) is type(expected)
    assert parse_answer(question, value) == expected  # what is stored reads back the same


@pytest.mark.parametrize(("question", "raw", "words"), BAD)
def test_bad_answers_say_what_is_expected(question, raw, words):
    with pytest.raises(ValidationError) as err:
        parse_answer(question, raw)
    assert words in err.value.messages[0]
    assert "Q" not in err.value.messages[0].split()  # no label: the caller places the message


@pytest.mark.parametrize("word", sorted(YES_WORDS))
def test_every_yes_word(word):
    for raw in (word, word.upper(), f" {word.title()} "):
        assert parse_answer(q(Kind.YESNO), raw) is True


@pytest.mark.parametrize("word", sorted(NO_WORDS))
def test_every_no_word(word):
    for raw in (word, word.upper(), f" {word.title()} "):
        assert parse_answer(q(Kind.YESNO), raw) is False


def test_the_yes_no_words_are_the_union_of_the_old_sets():
    assert {"yes", "y", "true", "1", "on"} == YES_WORDS and {"no", "n", "false", "0", "off"} == NO_WORDS
    assert not YES_WORDS & NO_WORDS


@pytest.mark.parametrize("kind", Kind.values)
@pytest.mark.parametrize("empty", [None, "", "   ", []])
def test_empty_is_none_or_required(kind, empty):
    choices = "A\nB"
    assert parse_answer(q(kind, choices=choices), empty) is None
    with pytest.raises(ValidationError) as err:
        parse_answer(q(kind, choices=choices, required=True), empty)
    assert err.value.messages == [REQUIRED_MESSAGE]


def test_parse_answers_keys_and_unknown_questions():
    questions = [q(Kind.NUMBER, pk=1, required=True), q(Kind.YESNO, pk=2), q(Kind.TEXT, pk=3)]
    clean, errors = parse_answers(questions, {"2": "y", 3: "  ", "9": "x"})
    assert clean == {"2": True}
    assert errors == {"9": ["There is no such question here."], "1": [REQUIRED_MESSAGE]}


def test_display_answer_in_words():
    assert display_answer(q(Kind.YESNO), True) == "Yes" and display_answer(q(Kind.YESNO), "no") == "No"
    assert display_answer(q(Kind.MULTIPLE, choices="A\nB"), ["A", "B"]) == "A, B"
    assert display_answer(q(Kind.DATE), "2026-03-31") == "31 March 2026"
    assert display_answer(q(Kind.NUMBER), 1200) == "1,200" and display_answer(q(Kind.NUMBER), 3.5) == "3.5"
    assert display_answer(q(Kind.TEXT), "<b>") == "<b>"  # escaped by the template that shows it
    assert display_answer(q(Kind.TEXT), None) == ""


def test_answer_text_reads_back_through_the_parser():
    cases = [(q(Kind.YESNO), False), (q(Kind.MULTIPLE, choices="A\nB"), ["A", "B"]), (q(Kind.NUMBER), 3.5),
             (q(Kind.DATE), "2026-03-31"), (q(Kind.SCALE), 4)]  # fmt: skip
    for question, value in cases:
        assert parse_answer(question, str(answer_text(question, value))) == value


def test_initial_value_for_the_form():
    assert initial_value(q(Kind.YESNO), True) == "yes" and initial_value(q(Kind.YESNO), "no") == "no"
    assert initial_value(q(Kind.MULTIPLE), "A") == ["A"] and initial_value(q(Kind.TEXT), "x") == "x"
