"""The eight starting categories of the community map (DESIGN.md), with a few extra questions."""

from django.db import migrations

CATEGORIES = [
    # slug, name, colour, icon, is_threat, description
    (
        "existing-work",
        "Existing work",
        "#1d6b48",
        "seedling",
        False,
        "Something already happening here: a group, a service, a regular activity.",
    ),
    (
        "innovation",
        "Innovation",
        "#6a3fa0",
        "bulb",
        False,
        "A new way of doing things that others could learn from or copy.",
    ),
    (
        "new-organisation",
        "New organisation",
        "#00677a",
        "star",
        False,
        "A group, charity, co-operative or social enterprise that started recently.",
    ),
    (
        "community-anchor-organisation",
        "Community anchor organisation",
        "#1f4e9c",
        "anchor",
        False,
        "A local organisation many others rely on: a development trust, a community centre, a hub.",
    ),
    (
        "hyperlocal-website",
        "Hyperlocal website",
        "#8a4b08",
        "globe",
        False,
        "A news site, blog, forum or social media group for one neighbourhood or village.",
    ),
    (
        "community-of-interest",
        "Community of interest",
        "#a3266f",
        "people",
        False,
        "People brought together by something they share rather than where they live.",
    ),
    (
        "community-asset-or-space",
        "Community asset or space",
        "#5c5a00",
        "house",
        False,
        "A building, green space or facility the community uses or owns: a hall, a park, a library.",
    ),
    (
        "threat-or-cut",
        "Threat or cut",
        "#b3261e",
        "warning",
        True,
        "Something under threat or being cut: funding, a building, a service, staff.",
    ),
]

QUESTIONS = {
    "threat-or-cut": [
        ("What is being cut?", "choice", "Funding\nBuilding\nService\nStaff\nOther", True, ""),
        ("How many people are affected?", "number", "", False, "Your best estimate is fine."),
    ],
    "community-asset-or-space": [
        ("Is it open to the public?", "yesno", "", False, ""),
    ],
    "existing-work": [
        ("How often does it happen?", "choice", "Every day\nEvery week\nEvery month\nNow and then", False, ""),
    ],
    "hyperlocal-website": [
        ("Web address", "text", "", False, "For example https://kettleby-news.example"),
    ],
}


def _question_maker(apps):
    """This migration writes CategoryQuestion rows; called with the live app registry (tests, the
    load benchmark re-seed after a flush), where the questions live in `questions.Question` since
    mapping 0008, it writes those."""
    try:
        CategoryQuestion = apps.get_model("mapping", "CategoryQuestion")
    except LookupError:
        Question = apps.get_model("questions", "Question")
        ContentType = apps.get_model("contenttypes", "ContentType")
        category_type = ContentType.objects.get_for_model(apps.get_model("mapping", "Category"))

        def make(*, category, **values):
            return Question.objects.create(owner_type=category_type, owner_id=category.pk, **values)

        return make
    return CategoryQuestion.objects.create


def seed(apps, schema_editor):
    Category = apps.get_model("mapping", "Category")
    make_question = _question_maker(apps)
    for position, (slug, name, colour, icon, is_threat, description) in enumerate(CATEGORIES):
        category, created = Category.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "colour": colour,
                "icon": icon,
                "is_threat": is_threat,
                "description": description,
                "position": position,
            },
        )
        if not created:
            continue
        for qpos, (label, kind, choices, required, help_text) in enumerate(QUESTIONS.get(slug, [])):
            make_question(
                category=category,
                label=label,
                kind=kind,
                choices=choices,
                required=required,
                help_text=help_text,
                position=qpos,
            )


def unseed(apps, schema_editor):
    Category = apps.get_model("mapping", "Category")
    Entry = apps.get_model("mapping", "Entry")
    slugs = [c[0] for c in CATEGORIES]
    used = set(Entry.objects.filter(category__slug__in=slugs).values_list("category__slug", flat=True))
    Category.objects.filter(slug__in=[s for s in slugs if s not in used]).delete()


class Migration(migrations.Migration):
    dependencies = [("mapping", "0002_cells")]

    operations = [migrations.RunPython(seed, unseed)]
