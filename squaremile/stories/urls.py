from django.urls import path

from squaremile.stories import syndication, views

app_name = "stories"

urlpatterns = [
    path("stories/", views.story_list, name="list"),
    path("stories/feed.rss", syndication.StoriesRss(), name="rss"),
    path("stories/feed.atom", syndication.StoriesAtom(), name="atom"),
    path("stories/tell/", views.story_create, name="create"),
    path("stories/tell/save/", views.story_autosave, name="autosave"),
    path("stories/mine/", views.my_stories, name="mine"),
    path("stories/about-search/", views.about_search, name="about_search"),
    path("stories/map-layer/", views.map_layer, name="map_layer"),
    path("stories/booklet/", views.booklet, name="booklet"),
    path("stories/booklet.pdf", views.booklet_pdf, name="booklet_pdf"),
    path("stories/feeds/", views.feed_list, name="feed_list"),
    path("stories/feeds/<int:pk>/", views.feed_detail, name="feed_detail"),
    path("stories/feeds/<int:pk>/poll/", views.feed_poll, name="feed_poll"),
    path("stories/feeds/<int:pk>/delete/", views.feed_delete, name="feed_delete"),
    path("stories/<int:pk>/", views.story_detail, name="detail"),
    path("stories/<int:pk>/edit/", views.story_edit, name="edit"),
    path("stories/<int:pk>/delete/", views.story_delete, name="delete"),
    path("stories/<int:pk>/reply/", views.story_comment, name="reply"),
    path("stories/<int:pk>/helped/", views.story_helped, name="helped"),
    path("stories/<int:pk>/file/", views.story_file, name="file"),
]
