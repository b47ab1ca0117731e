"""Single sign-on settings read from the environment, failing loudly on bad values."""

import json

import pytest
from django.core.exceptions import ImproperlyConfigured

from people.sso_settings import DEFAULT_SAML_ATTRIBUTES, parse_oidc_providers, parse_saml_providers
from people.tests.test_settings import run_manage

KEYCLOAK = {
    "id": "keycloak",
    "name": "Acme Keycloak",
    "server_url": "https://login.acme.example/realms/staff/",
    "client_id": "mentoring",
    "secret": "s3cret",
}
ENTRA_SAML = {
    "id": "entra",
    "name": "Entra ID",
    "idp_entity_id": "https://sts.windows.net/tenant-id/",
    "metadata_url": "https://login.microsoftonline.com/tenant-id/federationmetadata/2007-06/federationmetadata.xml",
}


def oidc(**changes) -> str:
    entry = {**KEYCLOAK, **changes}
    return json.dumps([{k: v for k, v in entry.items() if v is not None}])


def saml(**changes) -> str:
    entry = {**ENTRA_SAML, **changes}
    return json.dumps([{k: v for k, v in entry.items() if v is not None}])


def test_an_oidc_provider_becomes_an_allauth_app_with_pkce_on_by_default():
    [app] = parse_oidc_providers("SSO_OIDC_PROVIDERS", oidc())

    assert app == {
        "provider_id": "keycloak",
        "name": "Acme Keycloak",
        "client_id": "mentoring",
        "secret": "s3cret",
        "settings": {"server_url": "https://login.acme.example/realms/staff", "oauth_pkce_enabled": True},
    }


def test_oidc_options_are_passed_on():
    [app] = parse_oidc_providers(
        "SSO_OIDC_PROVIDERS",
        oidc(
            pkce=False,
            scope=["openid", "email"],
            verified_email=["Acme.example"],
            token_auth_method="client_secret_basic",
        ),
    )

    assert app["settings"] == {
        "server_url": "https://login.acme.example/realms/staff",
        "oauth_pkce_enabled": False,
        "scope": ["openid", "email"],
        "verified_email": ["acme.example"],
        "token_auth_method": "client_secret_basic",
    }


def test_nothing_set_means_no_providers():
    assert parse_oidc_providers("SSO_OIDC_PROVIDERS", "") == []
    assert parse_saml_providers("SSO_SAML_PROVIDERS", "  ") == []


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        ("{not json", "SSO_OIDC_PROVIDERS is not valid JSON"),
        ('{"id": "x"}', "must be a JSON list"),
        ('["keycloak"]', "SSO_OIDC_PROVIDERS[0] must be an object"),
        (oidc(id=None), '"id" is required'),
        (oidc(id="Key Cloak"), "must be lowercase letters"),
        (oidc(name=""), '"name" is required'),
        (oidc(client_id=None), '"client_id" is required'),
        (oidc(server_url="login.acme.example"), '"server_url" must be an https:// URL'),
        (oidc(server_url="http://login.acme.example"), '"server_url" must be an https:// URL'),
        (oidc(pkce="yes"), '"pkce" must be true or false'),
        (oidc(scope="openid email"), '"scope" must be a non-empty list'),
        (oidc(scope=["email"]), '"scope" must include "openid"'),
        (oidc(verified_email="yes"), '"verified_email" must be true, false or a list of domains'),
        (oidc(token_auth_method="jwt"), '"token_auth_method" must be'),
        (oidc(secret=None, pkce=False), "a public client"),
        (oidc(client_secret="typo"), "unknown key(s) client_secret"),
        (json.dumps([KEYCLOAK, KEYCLOAK]), "the id 'keycloak' is used twice"),
    ],
)
def test_a_malformed_oidc_provider_names_the_variable_entry_and_problem(raw, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_oidc_providers("SSO_OIDC_PROVIDERS", raw)

    assert message in str(error.value)
    assert str(error.value).startswith("SSO_OIDC_PROVIDERS")


def test_plain_http_is_accepted_only_for_an_idp_on_this_machine():
    [app] = parse_oidc_providers("SSO_OIDC_PROVIDERS", oidc(server_url="http://127.0.0.1:8080/realms/dev"))

    assert app["settings"]["server_url"] == "http://127.0.0.1:8080/realms/dev"


def test_a_saml_provider_with_a_metadata_url_becomes_an_allauth_app_with_the_default_attributes():
    [app] = parse_saml_providers("SSO_SAML_PROVIDERS", saml(attribute_mapping={"email": "mail"}))

    assert app["provider_id"] == app["client_id"] == "entra"
    assert app["settings"]["idp"] == {
        "entity_id": ENTRA_SAML["idp_entity_id"],
        "metadata_url": ENTRA_SAML["metadata_url"],
    }
    assert app["settings"]["attribute_mapping"] == {**DEFAULT_SAML_ATTRIBUTES, "email": ["mail"]}


def test_a_saml_provider_can_be_given_its_sso_url_and_certificate_instead():
    [app] = parse_saml_providers(
        "SSO_SAML_PROVIDERS",
        saml(metadata_url=None, sso_url="https://idp.example/sso", x509cert="MIIC...", sp_entity_id="urn:mentoring",
             verified_email=True),
    )  # fmt: skip

    assert app["settings"]["idp"] == {
        "entity_id": ENTRA_SAML["idp_entity_id"], "sso_url": "https://idp.example/sso", "x509cert": "MIIC...",
    }  # fmt: skip
    assert app["settings"]["sp"] == {"entity_id": "urn:mentoring"}
    assert app["settings"]["verified_email"] is True


@pytest.mark.parametrize(
    ("raw", "message"),
    [
        (saml(idp_entity_id=None), '"idp_entity_id" is required'),
        (saml(metadata_url=None), 'needs "metadata_url", or "sso_url" and "x509cert"'),
        (saml(metadata_url=None, sso_url="https://idp.example/sso"), 'needs "metadata_url"'),
        (saml(sso_url="https://idp.example/sso", x509cert="MIIC"), "not both"),
        (saml(attribute_mapping={"mail": "email"}), "\"attribute_mapping\" has 'mail'"),
        (saml(attribute_mapping={"email": []}), "must be an attribute name or a list"),
        (saml(attribute_mapping=["email"]), '"attribute_mapping" must be an object'),
    ],
)
def test_a_malformed_saml_provider_names_the_variable_entry_and_problem(raw, message):
    with pytest.raises(ImproperlyConfigured) as error:
        parse_saml_providers("SSO_SAML_PROVIDERS", raw)

    assert message in str(error.value)
    assert str(error.value).startswith("SSO_SAML_PROVIDERS[0]")


# -- the app itself refuses to start ---------------------------------------------------------


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"SSO_OIDC_PROVIDERS": "[{"}, "SSO_OIDC_PROVIDERS is not valid JSON"),
        ({"SSO_SAML_PROVIDERS": saml(metadata_url=None)}, "SSO_SAML_PROVIDERS[0]: needs"),
        ({"SSO_OIDC_PROVIDERS": oidc(id="entra"), "SSO_SAML_PROVIDERS": saml()}, "'entra' is used twice"),
        ({"SSO_OIDC_PROVIDERS": oidc(id="saml")}, "'saml' is used twice or is reserved"),
        ({"PASSWORD_LOGIN": "nope"}, "PASSWORD_LOGIN must be 1/0"),
        ({"PASSWORD_LOGIN": "0"}, "PASSWORD_LOGIN=0 needs an identity provider"),
        ({"SSO_EMAIL_AUTHENTICATION": "maybe"}, "SSO_EMAIL_AUTHENTICATION must be 1/0"),
    ],
)
def test_bad_sso_settings_stop_the_app_with_a_clear_message(env, message):
    result = run_manage("check", DEBUG="1", **env)  # the development set-up: only the SSO variables are wrong

    assert result.returncode != 0
    assert message in result.stderr


def test_providers_from_the_environment_are_the_ones_allauth_reads():
    script = (
        "from allauth.socialaccount import app_settings as s; "
        "print(sorted((p, a['provider_id'], a['name']) for p, c in s.PROVIDERS.items() for a in c['APPS']))"
    )
    result = run_manage(
        "shell", "-c", script,
        SSO_OIDC_PROVIDERS=oidc(), SSO_SAML_PROVIDERS=saml(), PASSWORD_LOGIN="0", DEBUG="1",
    )  # fmt: skip

    assert result.returncode == 0, result.stderr
    assert "('openid_connect', 'keycloak', 'Acme Keycloak')" in result.stdout
    assert "('saml', 'entra', 'Entra ID')" in result.stdout
