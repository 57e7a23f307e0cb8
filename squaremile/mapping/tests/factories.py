"""Factories for the community map. `EntryFactory` saves through Entry.save(), which keeps the cell
columns; call `clusters.rebuild()` (or `publish(entry)`) to bring the aggregate cells in step."""

import factory

from squaremile.mapping.cells import clusters
from squaremile.mapping.models import Category, Entry, EntryStatus
from squaremile.questions.tests.factories import QuestionFactory


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")
    colour = "#1d6b48"
    icon = "dot"
    description = "Things of one kind."


class CategoryQuestionFactory(QuestionFactory):
    """A category's extra question (a `questions.Question` owned by the category)."""

    class Meta:
        exclude = ("category",)

    category = factory.SubFactory(CategoryFactory)
    owner = factory.SelfAttribute("category")


class EntryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Entry

    title = factory.Sequence(lambda n: f"Entry {n}")
    description = "Something that happens here."
    category = factory.SubFactory(CategoryFactory)
    status = EntryStatus.PUBLISHED
    lat = 52.6
    lng = -1.1


def publish(entry, **changes):
    """Change an entry the way the services do, keeping the cells in step."""
    before = clusters.snapshot(entry)
    for name, value in changes.items():
        setattr(entry, name, value)
    entry.save()
    clusters.apply(before, clusters.snapshot(entry))
    return entry
