import factory
from allauth.account.models import EmailAddress

from squaremile.accounts.models import Profile, Role, User

PASSWORD = "a-long-test-password-1"


class UserFactory(factory.django.DjangoModelFactory):
    """A verified user with a profile. `role=` sets the role."""

    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    role = Role.MEMBER
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def finish(obj, create, extracted, **kwargs):
        if not create:
            return
        obj.save()
        EmailAddress.objects.get_or_create(user=obj, email=obj.email, defaults={"verified": True, "primary": True})
        Profile.objects.get_or_create(user=obj, defaults={"display_name": obj.email.split("@")[0].title()})
