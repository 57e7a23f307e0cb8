"""The parts of moderation that need no moderated model. Map entries, the first moderated kind,
exercise the actions, reports and the queue in mapping/tests/test_moderation_*.py (a test here
cannot import a feature app above moderation)."""

import pytest
from django.contrib.auth.models import AnonymousUser

from squaremile.accounts.models import Role
from squaremile.accounts.tests.factories import UserFactory
from squaremile.moderation import registry, selectors, services
from squaremile.moderation.forms import BulkForm, ReportForm, _key


def test_item_keys_are_kind_and_number():
    assert _key("entry:12") == ("entry", 12)
    for junk in ("entry", "entry:", ":3", "entry:x", "entry:-1", f"entry:{2**64}", "x" * 50 + ":1"):
        assert _key(junk) is None


def test_threshold_setting(settings):
    settings.MODERATION_HIDE_AFTER_REPORTS = 5
    assert services.hide_after_reports() == 5
    settings.MODERATION_HIDE_AFTER_REPORTS = 0
    assert services.hide_after_reports() == 1
    del settings.MODERATION_HIDE_AFTER_REPORTS
    assert services.hide_after_reports() == 3


def test_a_kind_needs_a_key():
    class Nameless(registry.Moderated):
        model = object

    with pytest.raises(ValueError):
        registry.register(Nameless)


def test_forms_ask_for_reasons():
    form = BulkForm({"action": "reject", "items": ["entry:1"], "reason": " "})
    assert not form.is_valid() and "reason" in form.errors
    form = ReportForm({"reason": "other", "text": ""})
    assert not form.is_valid() and "text" in form.errors
    assert ReportForm({"reason": "spam"}).is_valid()


@pytest.mark.django_db
def test_only_moderators_have_kinds_to_moderate():
    assert selectors.moderated_kinds(AnonymousUser()) == []
    assert selectors.moderated_kinds(UserFactory(role=Role.MEMBER)) == []
    moderator_kinds = {c.kind for c in selectors.moderated_kinds(UserFactory(role=Role.MODERATOR))}
    assert moderator_kinds == {c.kind for c in registry.kinds()}
