from django.urls import path

from squaremile.imports import views as import_views
from squaremile.methods import views
from squaremile.methods.game import views as game

IMPORT = {"key": "methods.methods"}

app_name = "methods"

urlpatterns = [
    # the library
    path("methods/", views.method_list, name="list"),
    path("methods/helper/", views.helper_view, name="helper"),
    path("methods/new/", views.method_create, name="create"),
    path("methods/export.json", views.export_json, name="export_json"),
    path("methods/export.csv", views.export_csv, name="export_csv"),
    path("methods/import/", import_views.start, IMPORT, name="import_start"),
    path("methods/import/<int:pk>/columns/", import_views.columns, IMPORT, name="import_columns"),
    path("methods/import/<int:pk>/preview/", import_views.preview, IMPORT, name="import_preview"),
    path("methods/import/<int:pk>/apply/", import_views.apply, IMPORT, name="import_apply"),
    path("methods/import/<int:pk>/file/", import_views.replace_file, IMPORT, name="import_file"),
    path("methods/collections/", views.collection_list, name="collections"),
    path("methods/collections/new/", views.collection_edit, name="collection_create"),
    path("methods/collections/<slug:slug>/", views.collection_detail, name="collection"),
    path("methods/collections/<slug:slug>/edit/", views.collection_edit, name="collection_edit"),
    path("methods/collections/<slug:slug>/booklet/", views.collection_booklet, name="collection_booklet"),
    path("methods/<slug:slug>/", views.method_detail, name="detail"),
    path("methods/<slug:slug>/print/", views.method_print, name="print"),
    path("methods/<slug:slug>/edit/", views.method_edit, name="edit"),
    path("methods/<slug:slug>/used/", views.report_create, name="report"),
    path("methods/<slug:slug>/edits/<int:pk>/", views.revision_detail, name="revision"),
    # the skills game
    path("game/", game.home, name="game_home"),
    path("game/join/", game.join, name="join"),
    path("game/new/", game.game_create, name="game_create"),
    path("game/decks/", game.decks, name="decks"),
    path("game/decks/new/", game.deck_edit, name="deck_create"),
    path("game/decks/<int:pk>/", game.deck_edit, name="deck"),
    path("game/decks/<int:pk>/paper/", game.paper, name="paper"),
    path("game/<int:pk>/", game.game_detail, name="game"),
    path("game/<int:pk>/results/", game.game_results_view, name="game_results"),
    path("game/<int:pk>/gaps/", game.gaps, name="gaps"),
    path("game/groups/<str:key>/", game.group_results, name="group_results"),
    path("game/j/<str:code>/", game.join_code, name="join_code"),
    path("game/t/<str:code>/", game.play, name="play"),
    path("game/t/<str:code>/state/", game.state, name="state"),
    path("game/t/<str:code>/sort/", game.sort, name="sort"),
    path("game/t/<str:code>/undo/", game.unsort, name="unsort"),
    path("game/t/<str:code>/finish/", game.finish, name="finish"),
    path("game/t/<str:code>/qr.svg", game.qr, name="qr"),
    path("game/t/<str:code>/results/", game.table_results, name="table_results"),
    path("game/t/<str:code>/my-skills/", game.my_skills, name="my_skills"),
    path("game/t/<str:code>/tally/", game.tally, name="tally"),
]
