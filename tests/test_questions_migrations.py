"""The map's and the network's own question rows move into `questions.Question` and back, with every
answer kept: ids are kept where free; the ones that collide get new ids and their answers are
re-keyed; the network's "yes"/"no" answers become true/false (and back)."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [
    ("mapping", "0011_delete_entryphoto"),
    ("network", "0001_initial"),
    ("questions", "0001_initial"),
]
AFTER = [("mapping", "0013_delete_categoryquestion"), ("network", "0003_delete_question")]


@pytest.fixture(autouse=True)
def _back_to_the_latest_schema(transactional_db):
    """Whatever happens in the test, leave the database at the latest migrations (a later test's
    flush cannot empty tables of an older schema on PostgreSQL)."""
    yield
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(executor.loader.graph.leaf_nodes())


def migrate(targets):
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)
    return MigrationExecutor(connection).loader.project_state(targets).apps


def _old_data(apps):
    Category = apps.get_model("mapping", "Category")
    CategoryQuestion = apps.get_model("mapping", "CategoryQuestion")
    Entry = apps.get_model("mapping", "Entry")
    Survey = apps.get_model("network", "Survey")
    Question = apps.get_model("network", "Question")
    Round = apps.get_model("network", "Round")
    Node = apps.get_model("network", "Node")
    Response = apps.get_model("network", "Response")
    CategoryQuestion.objects.all().delete()  # the seeded categories' questions: only ours below
    halls = Category.objects.create(name="Halls test", slug="halls-test")
    seats = CategoryQuestion.objects.create(pk=901, category=halls, label="Seats", kind="number", position=0)
    step = CategoryQuestion.objects.create(pk=902, category=halls, label="Step free", kind="yesno", position=1)
    entry = Entry.objects.create(title="Hall", category=halls, lat=53.8, lng=-1.5, answers={"901": 120, "902": True})
    survey = Survey.objects.create(title="Net", slug="net")
    ward = Question.objects.create(pk=902, survey=survey, label="Ward", kind="choice", choices="N\nS", position=0)
    happy = Question.objects.create(pk=903, survey=survey, label="Happy?", kind="yesno", position=1)
    age = Question.objects.create(pk=904, survey=survey, label="Age", kind="number", position=2)
    round_ = Round.objects.create(survey=survey, number=1)
    node = Node.objects.create(survey=survey, kind="respondent", label="Sam", match_key="sam")
    response = Response.objects.create(
        round=round_, node=node, token_hash="x" * 64, display_name="Sam", consent="named",
        answers={"902": "N", "903": "yes", "904": 40},
    )  # fmt: skip
    return {"halls": halls.pk, "survey": survey.pk, "entry": entry.pk, "response": response.pk,
            "map": [seats.pk, step.pk], "net": [ward.pk, happy.pk, age.pk]}  # fmt: skip


def test_questions_move_to_the_shared_model_and_back_without_losing_an_answer():
    apps = migrate(BEFORE)
    ids = _old_data(apps)

    # The map's questions move first, so they keep their numbers and the survey's that clash are renumbered
    # (the graph alone leaves the order of the two apps open; it changed when later apps were added).
    migrate(AFTER[:1])
    apps = migrate(AFTER)
    Question = apps.get_model("questions", "Question")
    ContentType = apps.get_model("contenttypes", "ContentType")
    category_type = ContentType.objects.get(app_label="mapping", model="category")
    survey_type = ContentType.objects.get(app_label="network", model="survey")
    mine = Question.objects.filter(owner_type=category_type, owner_id=ids["halls"]).order_by("position")
    assert [(q.pk, q.label, q.kind) for q in mine] == [(901, "Seats", "number"), (902, "Step free", "yesno")]
    theirs = list(Question.objects.filter(owner_type=survey_type, owner_id=ids["survey"]).order_by("position"))
    assert [(q.label, q.kind) for q in theirs] == [("Ward", "choice"), ("Happy?", "yesno"), ("Age", "number")]
    ward, happy, age = theirs
    assert ward.pk not in (901, 902) and (happy.pk, age.pk) == (903, 904)  # 902 was the map's: Ward moved
    assert (age.min_value, age.max_value) == (-1_000_000, 1_000_000) and ward.choices == "N\nS"
    entry = apps.get_model("mapping", "Entry").objects.get(pk=ids["entry"])
    assert entry.answers == {"901": 120, "902": True}
    response = apps.get_model("network", "Response").objects.get(pk=ids["response"])
    assert response.answers == {str(ward.pk): "N", "903": True, "904": 40}
    # a new question after the copy gets a fresh id (the sequence follows the kept ids)
    new = Question.objects.create(owner_type=survey_type, owner_id=ids["survey"], label="New", position=3)
    assert new.pk > max(q.pk for q in theirs)
    new.delete()

    apps = migrate(BEFORE)
    CategoryQuestion = apps.get_model("mapping", "CategoryQuestion")
    NetworkQuestion = apps.get_model("network", "Question")
    assert list(CategoryQuestion.objects.order_by("pk").values_list("pk", "label", "category_id")) == [
        (901, "Seats", ids["halls"]), (902, "Step free", ids["halls"])
    ]  # fmt: skip
    back = list(NetworkQuestion.objects.order_by("position").values_list("pk", "label", "kind"))
    assert back == [(ward.pk, "Ward", "choice"), (903, "Happy?", "yesno"), (904, "Age", "number")]
    assert apps.get_model("questions", "Question").objects.count() == 0
    assert apps.get_model("mapping", "Entry").objects.get(pk=ids["entry"]).answers == {"901": 120, "902": True}
    response = apps.get_model("network", "Response").objects.get(pk=ids["response"])
    assert response.answers == {str(ward.pk): "N", "903": "yes", "904": 40}

    migrate(MigrationExecutor(connection).loader.graph.leaf_nodes())
