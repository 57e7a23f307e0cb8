"""Migration 0003: each item's single skill or resource becomes its list of terms, with its keys (the
term and its words), and back again."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("exchange", "0001_initial")]
AFTER = [("exchange", "0004_remove_single_term")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema(transactional_db):
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def _migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return executor.loader.project_state(targets).apps


def test_the_single_term_becomes_the_list_and_the_keys_and_back():
    old = _migrate(BEFORE)
    User = old.get_model("accounts", "User")
    Skill = old.get_model("directory", "Skill")
    SkillFamily = old.get_model("directory", "SkillFamily")
    ResourceKind = old.get_model("directory", "ResourceKind")
    Item = old.get_model("exchange", "Item")
    owner = User.objects.create(email="owner@example.org")
    # the taxonomy's data migration may have been flushed by an earlier transactional test: make one
    skill = Skill.objects.order_by("pk").first() or Skill.objects.create(
        name="First aid", slug="first-aid", family=SkillFamily.objects.create(name="Care", slug="care")
    )
    resource = ResourceKind.objects.order_by("pk").first() or ResourceKind.objects.create(name="Ladder", slug="ladder")
    by_skill = Item.objects.create(side="want", title="Need first aid training", skill=skill, term=f"s{skill.pk}",
                                   owner=owner, cell=42)  # fmt: skip
    by_resource = Item.objects.create(side="offer", title="Ladders to lend", resource=resource,
                                      term=f"r{resource.pk}", owner=owner)  # fmt: skip

    new = _migrate(AFTER)
    Item = new.get_model("exchange", "Item")
    ItemKey = new.get_model("exchange", "ItemKey")
    assert list(Item.objects.get(pk=by_skill.pk).skills.values_list("pk", flat=True)) == [skill.pk]
    assert list(Item.objects.get(pk=by_resource.pk).resources.values_list("pk", flat=True)) == [resource.pk]
    keys = set(ItemKey.objects.filter(item_id=by_skill.pk).values_list("key", "side", "cell", "tagged"))
    assert (f"s{skill.pk}", "want", 42, True) in keys and ("w:training", "want", 42, True) in keys
    assert set(ItemKey.objects.filter(item_id=by_resource.pk).values_list("key", flat=True)) == {
        f"r{resource.pk}",
        "w:ladder",
        "w:lend",
    }

    old = _migrate(BEFORE)
    Item = old.get_model("exchange", "Item")
    back = Item.objects.get(pk=by_resource.pk)
    assert (back.resource_id, back.skill_id, back.term) == (resource.pk, None, f"r{resource.pk}")
    assert Item.objects.get(pk=by_skill.pk).term == f"s{skill.pk}"
