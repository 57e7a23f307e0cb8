"""The starting taxonomy of community skills and kinds of resource, from data/taxonomy.json.

Idempotent: rows are matched by slug and updated, so running it again (or calling
`load_taxonomy` again, as `seed_demo` does after a flush) never duplicates anything. Rows that
a network has added itself are left alone. Reversing does nothing: by then people and
organisations may be using the skills.
"""

import json
from pathlib import Path

from django.db import migrations

TAXONOMY_FILE = Path(__file__).resolve().parent.parent / "data" / "taxonomy.json"


def read_taxonomy() -> dict:
    with TAXONOMY_FILE.open(encoding="utf-8") as fh:
        return json.load(fh)


def load_taxonomy(family_model, skill_model, resource_model) -> dict:
    """Create or update every family, skill and resource kind in the file; return counts."""
    data = read_taxonomy()
    skills = 0
    for position, fam in enumerate(data["families"]):
        family, _ = family_model.objects.update_or_create(
            slug=fam["slug"],
            defaults={"name": fam["name"], "description": fam.get("description", ""), "position": position},
        )
        for item in fam["skills"]:
            skill_model.objects.update_or_create(
                slug=item["slug"],
                defaults={"name": item["name"], "description": item.get("description", ""), "family": family},
            )
            skills += 1
    for item in data["resources"]:
        resource_model.objects.update_or_create(
            slug=item["slug"], defaults={"name": item["name"], "description": item.get("description", "")}
        )
    return {"families": len(data["families"]), "skills": skills, "resources": len(data["resources"])}


def forwards(apps, schema_editor):
    load_taxonomy(
        apps.get_model("directory", "SkillFamily"),
        apps.get_model("directory", "Skill"),
        apps.get_model("directory", "ResourceKind"),
    )


class Migration(migrations.Migration):
    dependencies = [("directory", "0001_initial")]
    operations = [migrations.RunPython(forwards, migrations.RunPython.noop)]
