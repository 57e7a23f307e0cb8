from django.urls import path

from squaremile.exchange import views

app_name = "exchange"

urlpatterns = [
    path("exchange/", views.item_list, name="list"),
    path("exchange/new/", views.item_create, name="create"),
    path("exchange/mine/", views.my_items, name="mine"),
    path("exchange/alerts/", views.alerts, name="alerts"),
    path("exchange/alerts/<int:pk>/delete/", views.alert_delete, name="alert_delete"),
    path("exchange/map.geojson", views.map_layer, name="map_layer"),
    path("exchange/feed.rss", views.feed, name="feed"),
    path("exchange/export.jsonld", views.export_jsonld, name="jsonld"),
    path("exchange/areas/", views.more_index, name="more_index"),
    path("exchange/areas/<slug:slug>/", views.more_with_more, name="more"),
    path("exchange/areas/<slug:slug>/noticeboard/", views.noticeboard_print, name="noticeboard"),
    path("exchange/areas/<slug:slug>/noticeboard.pdf", views.noticeboard_pdf, name="noticeboard_pdf"),
    path("exchange/<int:pk>/", views.item_detail, name="detail"),
    path("exchange/<int:pk>/edit/", views.item_edit, name="edit"),
    path("exchange/<int:pk>/promise/", views.item_promise, name="promise"),
    path("exchange/<int:pk>/done/", views.item_done, name="done"),
    path("exchange/<int:pk>/withdraw/", views.item_withdraw, name="withdraw"),
    path("exchange/<int:pk>/reopen/", views.item_reopen, name="reopen"),
    path("exchange/<int:pk>/renew/", views.item_renew, name="renew"),
    path("exchange/<int:pk>/act/<str:token>/", views.item_act, name="act"),
]
