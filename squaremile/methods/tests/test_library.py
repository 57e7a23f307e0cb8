import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django.urls import reverse

from squaremile.accounts.tests.factories import UserFactory
from squaremile.audit.models import AuditEvent
from squaremile.methods import exports, helper, selectors, services
from squaremile.methods.models import Method, MethodRevision, Purpose
from squaremile.methods.tests.factories import MethodFactory, ReportFactory, StepFactory, moderator, organiser
from squaremile.moderation.models import ModerationState as S

pytestmark = pytest.mark.django_db

DATA = {
    "name": "Circle of names", "summary": "Everyone says their name and one thing.", "purposes": ["relationships"],
    "min_people": 3, "max_people": 30, "minutes": 20, "setting": "face", "difficulty": "easy",
    "licence": "CC-BY-SA-4.0",
    "description": "Stand in a **circle**.<script>alert(1)</script>",
}  # fmt: skip


def test_anyone_signed_in_proposes_a_method_and_a_moderator_publishes_it(client):
    member = UserFactory()
    method = services.method_create(
        by=member, data=DATA, steps=[{"title": "Round", "minutes": 10, "text": "Go round."}]
    )
    assert method.status == S.PENDING and method.steps.count() == 1
    assert client.get(method.get_absolute_url()).status_code == 404  # not yet for visitors
    services.method_publish(by=moderator(), method=method)
    method.refresh_from_db()
    assert method.status == S.PUBLISHED and method.published_at
    page = client.get(method.get_absolute_url()).content.decode()
    assert "<strong>circle</strong>" in page and "<script>alert" not in page
    assert "CC BY-SA 4.0" in page
    assert method in list(selectors.method_list(None, selectors.MethodFilters(q="names")))


def test_a_member_cannot_publish_at_once_and_visitors_cannot_propose():
    with pytest.raises(PermissionDenied):
        services.method_create(by=UserFactory(), data=DATA, publish=True)
    from django.contrib.auth.models import AnonymousUser

    with pytest.raises(PermissionDenied):
        services.method_create(by=AnonymousUser(), data=DATA)


def test_group_range_is_checked():
    with pytest.raises(ValidationError):
        services.method_create(by=UserFactory(), data={**DATA, "min_people": 10, "max_people": 5})


def test_a_proposed_edit_waits_then_is_applied_and_its_history_kept():
    method = MethodFactory(name="Old name")
    StepFactory(method=method, title="Old step")
    member = UserFactory()
    revision = services.revision_propose(
        by=member, method=method, data={**services.method_data(method), "name": "New name"},
        steps=[{"title": "New step", "minutes": 5, "text": ""}], note="Clearer",
    )  # fmt: skip
    method.refresh_from_db()
    assert method.name == "Old name" and revision.status == S.PENDING
    with pytest.raises(PermissionDenied):
        services.revision_accept(by=member, revision=revision)
    services.revision_accept(by=moderator(), revision=revision)
    method.refresh_from_db()
    revision.refresh_from_db()
    assert method.name == "New name" and [s.title for s in method.steps.all()] == ["New step"]
    assert revision.status == S.PUBLISHED
    changed = AuditEvent.objects.filter(action="method.changed", object_id=method.pk).get()
    assert changed.changes["name"] == ["Old name", "New name"] and "steps" in changed.changes


def test_usage_reports_count_on_the_method():
    method = MethodFactory()
    by = UserFactory()
    report = services.usage_report_create(
        by=by, method=method, used_on=datetime.date(2026, 3, 1), people=20, event="events.event:4"
    )
    method.refresh_from_db()
    assert method.use_count == 1 and report.event_ref == "events.event:4"
    with pytest.raises(ValidationError):
        services.usage_report_create(by=by, method=method, used_on=datetime.date(2999, 1, 1), people=5)
    with pytest.raises(PermissionDenied):
        services.usage_report_delete(by=UserFactory(), report=report)
    services.usage_report_delete(by=by, report=report)
    method.refresh_from_db()
    assert method.use_count == 0


def test_filters_by_purpose_people_time_and_setting():
    fits = MethodFactory(purposes=",skills,", min_people=5, max_people=50, minutes=45, setting="both")
    MethodFactory(purposes=",skills,", min_people=5, max_people=10, minutes=45)  # too small a group
    MethodFactory(purposes=",decide,", min_people=5, max_people=50, minutes=45)  # another purpose
    MethodFactory(purposes=",skills,", min_people=5, max_people=50, minutes=120)  # too long
    MethodFactory(purposes=",skills,", min_people=5, max_people=50, minutes=45, setting="online")
    MethodFactory(purposes=",skills,", status=S.PENDING)
    found = selectors.method_list(
        None, selectors.MethodFilters(purpose="skills", people=20, minutes=60, setting="face")
    )
    assert list(found) == [fits]


def test_the_helper_ranks_what_fits_first_and_says_why():
    best = MethodFactory(name="Skills sort", purposes=",skills,", min_people=3, max_people=100, minutes=45)
    MethodFactory(name="Big vote", purposes=",decide,", min_people=3, max_people=100, minutes=45)
    MethodFactory(name="Long day", purposes=",skills,", min_people=3, max_people=100, minutes=400)
    found = helper.suggest(helper.Need(people=20, minutes=60, setting="face", words="find out what skills we have"))
    assert found[0].method == best
    assert found[0].reasons[0] == "It helps you find out our skills."
    assert "Works for 20 people (it suits 3 to 100)." in found[0].reasons
    assert "Long day" not in [s.method.name for s in found]
    assert helper.purposes_in("we need to decide and make a plan") == [Purpose.DECIDE, Purpose.PLAN]


def test_list_and_detail_pages_use_few_queries(client, django_assert_max_num_queries):
    for _i in range(30):
        m = MethodFactory()
        StepFactory(method=m)
        ReportFactory(method=m)
    with django_assert_max_num_queries(8):
        assert client.get(reverse("methods:list") + "?purpose=ideas&people=10").status_code == 200
    with django_assert_max_num_queries(16):
        assert client.get(m.get_absolute_url()).status_code == 200


def test_collection_booklet_prints_and_makes_a_pdf(client):
    methods = [MethodFactory(), MethodFactory()]
    StepFactory(method=methods[0], title="Warm up")
    collection = services.collection_save(by=organiser(), title="A kit for enablers", methods=methods)
    page = client.get(reverse("methods:collection_booklet", args=[collection.slug]))
    assert "Warm up" in page.content.decode() and "In this booklet" in page.content.decode()
    pdf = client.get(reverse("methods:collection_booklet", args=[collection.slug]) + "?format=pdf")
    assert pdf["Content-Type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    with pytest.raises(PermissionDenied):
        services.collection_save(by=UserFactory(), title="Mine", methods=methods)


def test_export_then_import_round_trip_through_the_pipeline():
    from squaremile.imports import pipeline
    from squaremile.imports.reading import read_table
    from squaremile.methods.importers import METHODS

    m = MethodFactory(name="=cmd|' /C calc'!A0", licence="CC0-1.0")
    StepFactory(method=m, title="Begin", minutes=7)
    text = exports.csv_text(exports.published())
    assert "'=cmd" in text  # no spreadsheet formula
    m.delete()
    table = read_table(text.encode(), "methods.csv")
    options = pipeline.ImportOptions(mapping=pipeline.guess_mapping(table.columns, METHODS.targets))
    result = pipeline.apply(METHODS, table=table, options=options, by=moderator())
    made = Method.objects.get()
    assert made.name == "=cmd|' /C calc'!A0" and made.licence == "CC0-1.0" and made.status == S.PUBLISHED
    assert [(s.title, s.minutes) for s in made.steps.all()] == [("Begin", 7)]
    again = pipeline.apply(
        METHODS,
        table=read_table(exports.csv_text(exports.published()).encode(), "m.csv"),
        options=options,
        by=moderator(),
    )
    assert again.unchanged == 1 and result.created == 1


def test_json_export_carries_each_licence(client):
    MethodFactory(licence="CC-BY-4.0")
    body = client.get(reverse("methods:export_json")).json()
    assert body["methods"][0]["licence_url"] == "https://creativecommons.org/licenses/by/4.0/"


def test_pages_refuse_and_keep_what_was_typed(client):
    client.force_login(UserFactory())
    response = client.post(
        reverse("methods:create"), {"name": "Half typed", "steps-TOTAL_FORMS": "0", "steps-INITIAL_FORMS": "0"}
    )
    assert response.status_code == 400 and "Half typed" in response.content.decode()
    assert not MethodRevision.objects.exists()


def test_json_export_then_import_round_trip_all_or_nothing(client):
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from squaremile.imports import pipeline
    from squaremile.imports.reading import read_table
    from squaremile.methods.importers import METHODS

    a = MethodFactory(name="Story circle", purposes=",relationships,stories,", links="https://a.example/\nhttps://b.example/",
                      licence="CC-BY-4.0", min_people=3, max_people=12, minutes=45)  # fmt: skip
    StepFactory(method=a, title="Sit | in a ring", minutes=5, text="Chairs in a circle.\nNo tables.")
    StepFactory(method=a, title="Tell", minutes=30, text="Each in turn.")
    MethodFactory(name="World café")
    exported = client.get(reverse("methods:export_json")).content
    before = {m["id"]: m for m in json.loads(exported)["methods"]}
    Method.objects.all().delete()
    table = read_table(exported, "methods.json")
    assert table.kind == "json"
    options = pipeline.ImportOptions(mapping=pipeline.guess_mapping(table.columns, METHODS.targets))
    result = pipeline.apply(METHODS, table=table, options=options, by=moderator())
    assert result.created == 2
    after = {m["id"]: m for m in json.loads(client.get(reverse("methods:export_json")).content)["methods"]}
    keep = ("name", "summary", "purposes", "links", "steps", "licence", "min_people", "max_people", "minutes")
    assert {k: {f: v[f] for f in keep} for k, v in after.items()} == {
        k: {f: v[f] for f in keep} for k, v in before.items()
    }
    assert after[a.slug]["steps"][0] == {
        "title": "Sit | in a ring",
        "minutes": 5,
        "text": "Chairs in a circle.\nNo tables.",
    }
    again = pipeline.apply(METHODS, table=read_table(exported, "m.json"), options=options, by=moderator())
    assert again.unchanged == 2 and again.created == 0
    # a bad file: every bad record named, nothing written
    doc = json.loads(exported)
    doc["methods"][0]["purposes"] = ["stories", "juggling"]
    doc["methods"][0]["id"] = "new-one"
    doc["methods"][1]["steps"] = [{"minutes": 3}]
    doc["methods"][1]["id"] = "new-two"
    doc["methods"].append("not a method")
    bad = read_table(json.dumps(doc).encode(), "bad.json")
    with pytest.raises(pipeline.ImportRejected) as caught:
        pipeline.apply(METHODS, table=bad, options=options, by=moderator())
    errors = {e["row"]: e["message"] for e in caught.value.plan.errors}
    assert set(errors) == {1, 2, 3}
    assert "juggling" in errors[1] and "title" in errors[2] and "not an object" in errors[3]
    assert Method.objects.count() == 2
    # the wizard takes a .json upload to its columns page
    web = Client()
    web.force_login(moderator())
    upload = SimpleUploadedFile("methods.json", exported, content_type="application/json")
    response = web.post(reverse("methods:import_start"), {"file": upload})
    assert response.status_code == 302 and "/columns/" in response["Location"]


def test_the_import_wizard_runs_to_the_end_and_links_back_to_the_library(client):
    """Start → columns → preview → apply, through the pages (the end page names where to go next)."""
    import json

    from django.core.files.uploadedfile import SimpleUploadedFile

    from squaremile.core.models import Job, JobStatus

    MethodFactory(name="Story circle")
    exported = client.get(reverse("methods:export_json")).content
    Method.objects.all().delete()
    web = Client()
    web.force_login(moderator())
    upload = SimpleUploadedFile("methods.json", exported, content_type="application/json")
    response = web.post(reverse("methods:import_start"), {"file": upload})
    job = Job.objects.get()
    assert response["Location"] == reverse("methods:import_columns", args=[job.pk])
    columns = job.params["columns"]
    form = {f"map_{key}": str(columns.index(column)) for key, column in job.params["guess"].items()}
    response = web.post(reverse("methods:import_columns", args=[job.pk]), form)
    assert response["Location"] == reverse("methods:import_preview", args=[job.pk]), response.content.decode()[:500]
    assert "Story circle" in web.get(response["Location"]).content.decode()
    response = web.post(reverse("methods:import_apply", args=[job.pk]))
    job.refresh_from_db()
    assert response.status_code == 302 and job.status == JobStatus.DONE, job.message
    assert job.params["continue_url"] == reverse("methods:list")
    assert job.params["continue_label"] == "See the methods"
    assert list(Method.objects.values_list("name", flat=True)) == ["Story circle"]
    assert json.loads(exported)["methods"][0]["name"] == "Story circle"
