from django.urls import path

from squaremile.events import feeds
from squaremile.events import views as v
from squaremile.events import views_openspace as o
from squaremile.imports import views as import_views

CSV = {"key": "events.csv"}

app_name = "events"

urlpatterns = [
    path("events/", v.event_list, name="list"),
    path("events/calendar/", v.calendar_view, name="calendar"),
    path("events/new/", v.event_create, name="create"),
    path("events/import/", v.import_events, name="import"),
    path("events/import/csv/", import_views.start, CSV, name="import_csv"),
    path("events/import/csv/<int:pk>/columns/", import_views.columns, CSV, name="import_columns"),
    path("events/import/csv/<int:pk>/preview/", import_views.preview, CSV, name="import_preview"),
    path("events/import/csv/<int:pk>/apply/", import_views.apply, CSV, name="import_apply"),
    path("events/import/csv/<int:pk>/file/", import_views.replace_file, CSV, name="import_file"),
    path("events/mine/", v.my_calendar, name="my_calendar"),
    path("events/feed.rss", feeds.EventFeed(), name="feed_rss"),
    path("events/feed.atom", feeds.EventAtomFeed(), name="feed_atom"),
    path("events/map-layer/", v.map_layer, name="map_layer"),
    path("events/calendars/area/<slug:slug>.ics", v.area_ics, name="area_ics"),
    path("events/calendars/organisation/<slug:slug>.ics", v.organisation_ics, name="organisation_ics"),
    path("events/calendars/group/<slug:slug>.ics", v.group_ics, name="group_ics"),
    path("events/calendars/person/<str:token>.ics", v.person_ics, name="person_ics"),
    path("events/guest/<str:token>/", v.guest_confirm, name="guest_confirm"),
    path("events/<slug:slug>/", v.event_detail, name="detail"),
    path("events/<slug:slug>/edit/", v.event_edit, name="edit"),
    path("events/<slug:slug>/cancel/", v.event_cancel, name="cancel"),
    path("events/<slug:slug>/questions/", v.event_questions, name="questions"),
    path("events/<slug:slug>/registrations/", v.registrations, name="registrations"),
    path("events/<slug:slug>/organisers/", v.organisers, name="organisers"),
    path("events/<slug:slug>/register/", v.register, name="register"),
    path("events/<slug:slug>/guest/", v.guest_register, name="guest_register"),
    path("events/<slug:slug>/event.ics", v.event_ics, name="ics"),
    path("events/<slug:slug>/game/", v.game_tables, name="game_tables"),
    path("events/<slug:slug>/marketplace/", o.marketplace, name="marketplace"),
    path("events/<slug:slug>/grid/", o.grid, name="grid"),
    path("events/<slug:slug>/grid/place/", o.grid_place, name="grid_place"),
    path("events/<slug:slug>/grid/room/", o.grid_room, name="grid_room"),
    path("events/<slug:slug>/grid/slot/", o.grid_slot, name="grid_slot"),
    path("events/<slug:slug>/agenda/", o.agenda, name="agenda"),
    path("events/<slug:slug>/agenda/version/", o.agenda_version, name="agenda_version"),
    path("events/<slug:slug>/agenda/fragment/", o.agenda_fragment, name="agenda_fragment"),
    path("events/<slug:slug>/wall/", o.wall, name="wall"),
    path("events/<slug:slug>/sessions/<int:pk>/", o.session_detail, name="session"),
    path("events/<slug:slug>/sessions/<int:pk>/report/", o.report, name="report"),
    path("events/<slug:slug>/sessions/<int:pk>/notes/", o.remote_note, name="remote_note"),
    path("events/<slug:slug>/sessions/<int:pk>/take-notes/", o.take_notes, name="take_notes"),
    path("events/<slug:slug>/sessions/<int:pk>/no-report/", o.no_report, name="no_report"),
    path("events/<slug:slug>/close/", o.close, name="close"),
    path("events/<slug:slug>/proceedings/", o.proceedings, name="proceedings"),
    path("events/<slug:slug>/proceedings.pdf", o.proceedings_pdf, name="proceedings_pdf"),
    path("events/<slug:slug>/actions/", o.actions, name="actions"),
    path("events/<slug:slug>/actions/add/", o.action_add, name="action_add"),
    path("events/<slug:slug>/actions/<int:pk>/", o.action_status, name="action_status"),
    path("events/<slug:slug>/updates/new/", o.update_add, name="update_add"),
]
