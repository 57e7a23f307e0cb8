"""A category's extra questions are `questions.Question` rows: administrators edit them in the
category's admin page (a generic inline, checked by the model); they go with their category."""

import pytest

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.mapping.tests.factories import CategoryFactory
from squaremile.questions.models import Question

pytestmark = pytest.mark.django_db
PREFIX = "questions-question-owner_type-owner_id"


def _post(category, **rows):
    data = {
        "name": category.name, "slug": category.slug, "description": "", "colour": "#2f6f4f", "icon": "dot",
        "parent": "", "is_active": "on", "position": "0",
        f"{PREFIX}-TOTAL_FORMS": "1", f"{PREFIX}-INITIAL_FORMS": "0",
        f"{PREFIX}-MIN_NUM_FORMS": "0", f"{PREFIX}-MAX_NUM_FORMS": "1000",
    }  # fmt: skip
    data.update({f"{PREFIX}-0-{k}": v for k, v in rows.items()})
    return data


def test_administrators_add_questions_in_the_category_admin(client):
    category = CategoryFactory()
    client.force_login(UserFactory(role=Role.ADMIN, is_staff=True))
    url = f"/admin/mapping/category/{category.pk}/change/"
    page = client.post(url, _post(category, label="Size", kind="choice", choices="Small", position="0"))
    assert page.status_code == 200 and "Give at least two options" in page.content.decode()
    assert not category.questions.exists()
    page = client.post(url, _post(category, label="Seats", kind="number", min_value="0", max_value="500",
                                  position="0"))  # fmt: skip
    assert page.status_code == 302, page.content.decode()[:2000]
    (question,) = category.questions.all()
    assert (question.label, question.kind, question.min_value, question.max_value) == ("Seats", "number", 0, 500)
    assert question.owner == category


def test_deleting_a_category_deletes_its_questions():
    category = CategoryFactory()
    gone = Question.objects.create(owner=category, label="Seats", kind="number")
    other = Question.objects.create(owner=CategoryFactory(), label="Kept", kind="text")
    category.delete()
    assert not Question.objects.filter(pk=gone.pk).exists() and Question.objects.filter(pk=other.pk).exists()
