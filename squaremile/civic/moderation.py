"""Questions to representatives in the shared moderation (`squaremile.moderation`): a question is
published (and then sent to its representatives) only after a moderator has checked it for abuse and
personal data. Registered from `CivicConfig.ready()`."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from squaremile.civic import services
from squaremile.civic.models import Report, RepQuestion
from squaremile.core.text import plain_text
from squaremile.moderation import actions, registry
from squaremile.moderation.models import ModerationState as S


class QuestionPublish(actions.Publish):
    help = "It is shown in public and e-mailed to the representatives it asks."
    from_states = frozenset({S.PENDING, S.REJECTED})

    def apply(self, obj, *, user, note):
        obj._first_publication = obj.published_at is None
        obj.status = S.PUBLISHED
        obj.published_at = obj.published_at or timezone.now()

    def after(self, obj, *, user, note, old_state):
        if getattr(obj, "_first_publication", False):
            services.question_published(obj)


class QuestionReject(actions.Reject):
    help = "It is not shown nor sent; the person who asked it sees your reason."
    from_states = frozenset({S.PENDING, S.PUBLISHED, S.HIDDEN})


@registry.register
class QuestionModeration(registry.Moderated):
    kind = "repquestion"
    label, label_plural = "question to representatives", "questions to representatives"
    model = RepQuestion
    tracked = ("title", "text", "status")

    def get_action_classes(self):
        return [QuestionPublish, QuestionReject, actions.Archive, actions.Hide, actions.Restore]

    def queryset(self):
        return RepQuestion.objects.select_related("owner__profile", "area")

    def preview(self, obj) -> registry.Preview:
        return registry.Preview(
            title=obj.title, url=obj.get_absolute_url(), excerpt=plain_text(obj.text)[:240],
            who=str(obj.owner) if obj.owner_id else "", area=obj.area.name if obj.area_id else "",
        )  # fmt: skip

    def after_report_url(self, obj) -> str:
        return reverse("civic:questions")


@registry.register
class ReportModeration(registry.Moderated):
    """Problem reports are public at once (as on FixMyStreet) and checked afterwards: people flag one
    ("Report this"), it is hidden after MODERATION_HIDE_AFTER_REPORTS flags, and the one queue lists
    it for a moderator to restore or take down. A report made without an account is a "draft" until
    its e-mail link is clicked: not in the queue, not public."""

    kind = "report"
    label, label_plural = "problem report", "problem reports"
    model = Report
    state_field = "moderation"
    tracked = ("title", "description", "moderation")
    row_actions = ("restore", "hide", "archive")
    waiting_states = (S.HIDDEN,)

    def get_action_classes(self):
        return [actions.Hide, actions.Restore, actions.Archive]

    def queryset(self):
        return Report.objects.select_related("owner__profile", "area", "category")

    def preview(self, obj) -> registry.Preview:
        return registry.Preview(
            title=obj.title, url=obj.get_absolute_url(), excerpt=plain_text(obj.description)[:240],
            who=str(obj.owner) if obj.owner_id else (obj.reporter_name or ""),
            area=obj.area.name if obj.area_id else "",
        )  # fmt: skip

    def after_report_url(self, obj) -> str:
        return reverse("civic:reports")

    def after_change(self, obj, before) -> None:
        from squaremile.core.search import remove_document

        if obj.moderation == S.PUBLISHED:
            services.index_report(obj)
        else:
            remove_document(kind="civic_report", object_id=obj.pk)
