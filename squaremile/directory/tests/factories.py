import factory

from squaremile.directory.models import Organisation, Project, ProjectStatus, Stream


class OrganisationFactory(factory.django.DjangoModelFactory):
    """A bare organisation row. To get it indexed for search, create through the services or call
    `squaremile.directory.tests.factories.index(org)`."""

    class Meta:
        model = Organisation

    name = factory.Sequence(lambda n: f"Organisation {n}")
    slug = factory.Sequence(lambda n: f"organisation-{n}")
    stream = Stream.COMMUNITY
    description = "A group that does good things."


class ProjectFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Project

    name = factory.Sequence(lambda n: f"Project {n}")
    slug = factory.Sequence(lambda n: f"project-{n}")
    status = ProjectStatus.ACTIVE


def index(obj):
    """Put a factory-made record in the search index the way the services do."""
    from squaremile.directory import services

    if isinstance(obj, Organisation):
        services.index_organisation(obj)
    else:
        services.index_project(obj)
    return obj
