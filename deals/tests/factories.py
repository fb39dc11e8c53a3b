import factory

from deals.models import LostReason, Pipeline, Stage


class PipelineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Pipeline
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Pipeline {n}")

    @factory.post_generation
    def stages(obj, create, extracted, **kwargs):
        # A pipeline comes with its stages unless the test passes its own list of names.
        if not create:
            return
        names = (
            extracted
            if extracted is not None
            else ["Qualified", "Contact made", "Proposal", "Negotiation"]
        )
        for i, name in enumerate(names):
            Stage.objects.create(
                pipeline=obj,
                name=name,
                order=i,
                probability=min(100, 20 * (i + 1)),
                rotting_days=14,
            )


class LostReasonFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LostReason
        django_get_or_create = ("name",)

    name = "Too expensive"
