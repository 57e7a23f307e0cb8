"""RSS and Atom feeds of a public group's latest conversations. A private group has no feed, for
anyone (feed readers carry no log-in): its address answers 404 like an unknown group's."""

from __future__ import annotations

from django.contrib.syndication.views import Feed
from django.http import Http404
from django.utils.feedgenerator import Atom1Feed

from squaremile.conversations import selectors
from squaremile.conversations.models import Access, Group
from squaremile.core.text import plain_text, xml_safe


class GroupFeed(Feed):
    def get_object(self, request, slug):
        group = Group.objects.filter(slug=slug[:140]).first()
        if group is None or group.access == Access.PRIVATE:
            raise Http404("No such group.")
        return group

    def title(self, obj):
        return xml_safe(f"{obj.name}: conversations")

    def link(self, obj):
        return obj.get_absolute_url()

    def description(self, obj):
        return xml_safe(plain_text(obj.purpose, 300))

    def items(self, obj):
        return selectors.public_threads(obj)

    def item_title(self, item):
        return xml_safe(item.title)

    def item_description(self, item):
        opening = item.posts.filter(number=1, status="published").first()
        return xml_safe(plain_text(opening.body if opening else "", 500))

    def item_pubdate(self, item):
        return item.created_at

    def item_updateddate(self, item):
        return item.last_activity_at

    def item_link(self, item):
        return item.get_absolute_url()


class GroupAtomFeed(GroupFeed):
    feed_type = Atom1Feed
    subtitle = GroupFeed.description
