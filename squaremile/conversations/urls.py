from django.urls import path

from squaremile.conversations.views import feeds, groups, private, threads
from squaremile.notifications.views_inbound import receive_view

app_name = "conversations"

urlpatterns = [
    # groups
    path("groups/", groups.group_list, name="group_list"),
    path("groups/new/", groups.group_create, name="group_create"),
    path("groups/map.geojson", groups.map_layer, name="map_layer"),
    path("groups/<slug:slug>/", groups.group_detail, name="group_detail"),
    path("groups/<slug:slug>/edit/", groups.group_edit, name="group_edit"),
    path("groups/<slug:slug>/members/", groups.group_members, name="group_members"),
    path("groups/<slug:slug>/join/", groups.group_join, name="group_join"),
    path("groups/<slug:slug>/leave/", groups.group_leave, name="group_leave"),
    path("groups/<slug:slug>/email/", groups.group_email_mode, name="group_email_mode"),
    path("groups/<slug:slug>/new/", groups.thread_create, name="thread_create"),
    path("groups/<slug:slug>/people/", groups.mention_suggest, name="mention_suggest"),
    path("groups/<slug:slug>/feed.rss", feeds.GroupFeed(), name="group_rss"),
    path("groups/<slug:slug>/feed.atom", feeds.GroupAtomFeed(), name="group_atom"),
    # threads and posts
    path("groups/t/<int:pk>/", threads.thread_detail, name="thread_detail"),
    path("groups/t/<int:pk>/reply/", threads.reply, name="reply"),
    path("groups/t/<int:pk>/quote/<int:number>/", threads.quote_reply, name="quote_reply"),
    path("groups/t/<int:pk>/vote/", threads.vote, name="vote"),
    path("groups/t/<int:pk>/do/<slug:action>/", threads.facilitate, name="facilitate"),
    path("groups/p/<int:pk>/", threads.post_link, name="post_link"),
    path("groups/p/<int:pk>/edit/", threads.post_edit, name="post_edit"),
    path("groups/p/<int:pk>/history/", threads.post_history, name="post_history"),
    path("groups/p/<int:pk>/plus-one/", threads.plus_one, name="plus_one"),
    path("groups/p/<int:pk>/answer/", threads.answer, name="answer"),
    path("groups/p/<int:pk>/publish/", threads.publish_held, name="publish_held"),
    # private conversations
    path("messages/", private.private_list, name="private_list"),
    path("messages/new/", private.private_start, name="private_start"),
    path("messages/<int:pk>/", private.private_detail, name="private_detail"),
    path("messages/block/<int:user_id>/", private.block_toggle, name="block"),
    # inbound mail from an inbound-mail service (notifications/views_inbound.py)
    path("mail/inbound/", receive_view, name="inbound_mail"),
]
