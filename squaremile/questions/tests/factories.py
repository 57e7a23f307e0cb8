"""`QuestionFactory(owner=record, ...)`: a custom question of any record that asks them."""

import factory

from squaremile.questions.models import Question


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question

    label = factory.Sequence(lambda n: f"Question {n}?")
    position = factory.Sequence(lambda n: n)
