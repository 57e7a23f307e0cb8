import factory

from squaremile.accounts.services import profile_for
from squaremile.accounts.tests.factories import UserFactory
from squaremile.directory.models import ResourceKind, Skill
from squaremile.exchange.models import Item, Side, Where

HOME = (52.6300, -1.1300)  # a point in the demo county


def car():
    return ResourceKind.objects.get(slug="car-or-van")


def skill(slug="first-aid"):
    return Skill.objects.get(slug=slug)


def person(*, lat=HOME[0], lng=HOME[1], radius_m=1609, skills=(), resources=(), willingness=2, **kwargs):
    """A member with a square mile and what their profile says they can share."""
    user = UserFactory(**kwargs)
    profile = profile_for(user)
    profile.lat, profile.lng, profile.radius_m, profile.willingness = lat, lng, radius_m, willingness
    profile.display_name = kwargs.get("email", "").split("@")[0] or f"Neighbour {user.pk}"
    profile.save()
    for s in skills:
        profile.skills.add(s)
    for r in resources:
        profile.resources.add(r)
    return type(user).objects.get(pk=user.pk)


class ItemFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Item
        skip_postgeneration_save = True

    side = Side.OFFER
    kind = "help"
    title = factory.Sequence(lambda n: f"Item {n}")
    owner = factory.SubFactory(UserFactory)
    where = Where.POINT
    lat = HOME[0]
    lng = HOME[1]

    @factory.post_generation
    def terms(self, create, extracted, **kwargs):
        """ItemFactory(terms=[car(), skill()]) — the default is the car; terms=[] for none."""
        from squaremile.directory.models import Skill
        from squaremile.exchange.models import refresh_keys

        chosen = [car()] if extracted is None else list(extracted)
        self.skills.set([t for t in chosen if isinstance(t, Skill)])
        self.resources.set([t for t in chosen if not isinstance(t, Skill)])
        refresh_keys(self)
