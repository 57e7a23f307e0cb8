"""Questions to representatives in the shared moderation (`squaremile.moderation`): a question is
published (and then sent to its representatives) only after a moderator has checked it for abuse and
personal data. Registered from `CivicConfig.ready()`."""

from __future__ import annotations

from django.urls import reverse
from django.utils import timezone

from squaremile.civic import services
from squaremile.civic.models import RepQuestion
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
