import pytest
from django.core.management import CommandError, call_command

from api.models import ApiToken


def test_it_prints_a_key_that_provisions_people(client, service_account, capsys):
    call_command("scim_token", service_account.email, "--name", "Okta", "--days", "30")
    key = capsys.readouterr().out.strip()

    token = ApiToken.objects.get(user=service_account)
    assert (token.name, token.scopes, token.kind) == ("Okta", ["scim"], "service")
    assert client.get("/scim/v2/Users", HTTP_AUTHORIZATION=f"Bearer {key}").status_code == 200


@pytest.mark.parametrize("days", ["0", "400"])
def test_it_refuses_a_lifetime_out_of_bounds_and_makes_nothing(service_account, days):
    with pytest.raises(CommandError, match=r"expiry|year"):
        call_command("scim_token", service_account.email, "--days", days)
    assert not ApiToken.objects.exists()


def test_it_refuses_someone_who_is_not_staff(alice):
    with pytest.raises(CommandError, match="not an active staff account"):
        call_command("scim_token", alice.email)
    assert not ApiToken.objects.exists()
