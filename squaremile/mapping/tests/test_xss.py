"""Organiser-written help text of a category's questions is shown as text, never run (issue 14)."""

import pytest

from squaremile.mapping.tests.factories import CategoryFactory, CategoryQuestionFactory

pytestmark = pytest.mark.django_db
HOSTILE = '"><script>alert(1)</script><img src=x onerror=alert(2)>'


@pytest.mark.parametrize("kind", ["text", "number", "choice", "date", "yesno"])
def test_category_question_help_text_is_inert_on_the_entry_form(client, kind):
    from squaremile.accounts.tests.factories import UserFactory

    category = CategoryFactory(slug="hostile")
    CategoryQuestionFactory(category=category, help_text=HOSTILE, kind=kind, choices="a\nb")
    client.force_login(UserFactory())
    for path in ("/map/add/?category=hostile", f"/map/add/questions/?category={category.pk}"):
        html = client.get(path).content.decode()
        assert "<script>alert(1)" not in html and "<img src=x onerror" not in html, path
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html, path
