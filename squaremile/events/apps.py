from django.apps import AppConfig


class EventsConfig(AppConfig):
    name = "squaremile.events"
    label = "events"
    verbose_name = "Events"

    def ready(self):
        from squaremile.accounts.data_export import register_part
        from squaremile.attachments.registry import register as register_attachments
        from squaremile.audit import registry as audit_labels
        from squaremile.events import (
            importers,  # noqa: F401 - registers the iCalendar importer
            notifications,
            records,
        )
        from squaremile.events.models import Event, Report
        from squaremile.notifications import followable

        records.register()
        from squaremile.audit.services import register_people_actions

        register_people_actions("event", "its organisers")
        notifications.register_kinds()
        followable.register(Event, visible=lambda user, event: True, noun="this event")
        # flip-chart photos on a session's report, added by whoever may report the session
        register_attachments(Report, action="session.report", kinds=("image",), max_count=12)
        for key, label in (
            ("event.created", "Created"),
            ("event.changed", "Changed"),
            ("event.cancelled", "Cancelled"),
            ("event.deleted", "Deleted"),
            ("event.pitched", "A topic was pitched"),
            ("event.session_placed", "A session was placed on the grid"),
            ("event.report_filed", "A session was reported"),
            ("event.report_changed", "A session's report was changed"),
            ("event.no_report", "A session was marked “no report”"),
            ("event.closed", "Closed; proceedings sent"),
            ("event.action_changed", "An action was updated"),
            ("event.update_added", "“What happened next” added"),
        ):
            audit_labels.register(key, label)
        register_part("events", _my_events)
        # a switch on the community map: events with a place, coming up or of the last month
        from django.urls import reverse

        from squaremile.mapping.layers import MapLayer, register_layer

        register_layer(
            MapLayer(
                key="events",
                label="Events",
                url=lambda: reverse("events:map_layer"),
                colour="#b35900",
                description="Events coming up (and of the last month)",
            )
        )


def _my_events(user):
    from squaremile.events.models import Action, Registration

    return {
        "registrations": [
            {
                "event": r.event.title,
                "answer": r.answer,
                "answers": r.answers,
                "registered_at": r.created_at.isoformat(),
            }
            for r in Registration.objects.filter(user=user).select_related("event")
        ],
        "actions": [
            {
                "event": a.event.title,
                "action": a.description,
                "due": a.due.isoformat() if a.due else None,
                "status": a.status,
            }
            for a in Action.objects.filter(owner=user).select_related("event")
        ],
    }
