import factory
from allauth.account.models import EmailAddress

from people.models import User

DEFAULT_PASSWORD = "correct-horse-battery-staple"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"person{n}@example.org")
    full_name = factory.Faker("name")
    password = factory.PostGenerationMethodCall("set_password", DEFAULT_PASSWORD)

    @factory.post_generation
    def verified_email(user, create, extracted, **kwargs):
        """People in tests have confirmed their address, as they would have to sign in."""
        if create:
            user.save()
            EmailAddress.objects.create(user=user, email=user.email, primary=True, verified=extracted is not False)


def answer(user: User, key: str, label: str | None = None, *, prefer_not: bool = False, text: str = ""):
    """`user`'s consented answer to the attribute `key`: the option called `label`,
    "prefer not to say", or a self-description `text`."""
    from django.utils import timezone

    from people.attributes import default_lists_add
    from people.models import Attribute, AttributeAnswer, AttributeOption

    default_lists_add(Attribute, AttributeOption)  # a flushed (transactional) test database has none
    attribute = Attribute.objects.get(key=key)
    option = attribute.options.get(label__iexact=label) if label else None
    answer, _ = AttributeAnswer.objects.update_or_create(
        user=user, attribute=attribute,
        defaults={"option": option, "prefer_not_to_say": prefer_not, "self_description": "" if option else text,
                  "consented_at": timezone.now()},
    )  # fmt: skip
    return answer
