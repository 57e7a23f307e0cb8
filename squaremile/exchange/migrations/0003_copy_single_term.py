# Data: each item's single skill or resource becomes its first (and only) term, and its keys are
# built — the term and the significant words of its text — as `models.refresh_keys` does (the word
# rule is copied here as it stood, so that this migration never changes with the code).

import re

from django.db import migrations

STOP = frozenset(
    [
        "the",
        "and",
        "for",
        "with",
        "from",
        "that",
        "this",
        "have",
        "need",
        "needs",
        "want",
        "wants",
        "offer",
        "offers",
        "can",
        "any",
        "some",
        "please",
        "help",
        "would",
        "like",
        "your",
        "you",
        "our",
        "are",
        "get",
        "got",
        "who",
        "has",
        "was",
        "will",
        "just",
        "into",
        "about",
        "able",
        "anyone",
        "someone",
    ]
)
MAX_WORD_KEYS = 24


def _words(text):
    found = set()
    for w in re.findall(r"[a-z]{3,}", (text or "").lower()):
        if w in STOP:
            continue
        found.add(w[:-1] if w.endswith("s") and len(w) > 4 else w)
    return found


def _word_keys(title, details):
    keys = ["w:" + w for w in sorted(_words(title))]
    for w in sorted(_words(details)):
        if len(keys) >= MAX_WORD_KEYS:
            break
        if "w:" + w not in keys:
            keys.append("w:" + w)
    return keys[:MAX_WORD_KEYS]


def forwards(apps, schema_editor):
    Item = apps.get_model("exchange", "Item")
    ItemKey = apps.get_model("exchange", "ItemKey")
    SkillLink = Item.skills.through
    ResourceLink = Item.resources.through
    rows = Item.objects.order_by("pk").values_list("pk", "skill_id", "resource_id", "side", "cell", "title", "details")
    s_links, r_links, keys = [], [], []
    for pk, skill_id, resource_id, side, cell, title, details in rows.iterator(chunk_size=2000):
        terms = []
        if skill_id:
            s_links.append(SkillLink(item_id=pk, skill_id=skill_id))
            terms.append(f"s{skill_id}")
        if resource_id:
            r_links.append(ResourceLink(item_id=pk, resourcekind_id=resource_id))
            terms.append(f"r{resource_id}")
        for key in dict.fromkeys([*terms, *_word_keys(title, details)]):
            keys.append(ItemKey(item_id=pk, key=key, side=side, cell=cell, tagged=bool(terms)))
        if len(keys) > 5000:
            ItemKey.objects.bulk_create(keys, ignore_conflicts=True)
            keys = []
    SkillLink.objects.bulk_create(s_links, batch_size=2000, ignore_conflicts=True)
    ResourceLink.objects.bulk_create(r_links, batch_size=2000, ignore_conflicts=True)
    ItemKey.objects.bulk_create(keys, batch_size=2000, ignore_conflicts=True)


def backwards(apps, schema_editor):
    Item = apps.get_model("exchange", "Item")
    for item in Item.objects.prefetch_related("skills", "resources").iterator(chunk_size=2000):
        skill = next(iter(item.skills.all()), None)
        resource = None if skill else next(iter(item.resources.all()), None)
        Item.objects.filter(pk=item.pk).update(
            skill_id=skill.pk if skill else None,
            resource_id=resource.pk if resource else None,
            term=f"s{skill.pk}" if skill else (f"r{resource.pk}" if resource else ""),
        )


class Migration(migrations.Migration):
    dependencies = [("exchange", "0002_several_terms")]

    operations = [migrations.RunPython(forwards, backwards)]
