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
