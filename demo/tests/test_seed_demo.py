import pytest
from django.core.management import call_command

from demo.seed import DEMO_PASSWORD
from people.models import User

pytestmark = pytest.mark.django_db


def test_seeding_twice_creates_nothing_twice_and_prints_the_logins(capsys):
    call_command("seed_demo")
    counts = User.objects.count()
    call_command("seed_demo")

    assert User.objects.count() == counts
    output = capsys.readouterr().out
    assert "coordinator@demo.example" in output
    assert DEMO_PASSWORD in output


def test_demo_logins_work_with_the_printed_password(client):
    call_command("seed_demo")

    for email in ["admin@demo.example", "coordinator@demo.example", "hr@demo.example", "mentee@demo.example"]:
        assert client.login(email=email, password=DEMO_PASSWORD), email
