"""SAML providers from the environment: the service-provider metadata, the
sign-in button, the request sent to the IdP, and whole sign-ins with a Response
signed as an IdP would (python3-saml and xmlsec check it, as in production)."""

import base64
import json
import secrets
import threading
import zlib
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlparse

import pytest
from allauth.socialaccount.models import SocialAccount
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID
from django.urls import reverse
from lxml import etree
from onelogin.saml2.constants import OneLogin_Saml2_Constants as C
from onelogin.saml2.utils import OneLogin_Saml2_Utils

from people.models import User
from people.sso_settings import parse_saml_providers

pytestmark = pytest.mark.django_db

MD = "urn:oasis:names:tc:SAML:2.0:metadata"


HOST = "mentoring.example.org"


@pytest.fixture(autouse=True)
def _host_header(client, settings):
    """python3-saml reads the Host header (which browsers always send and the
    test client does not) and refuses single-label hosts like "testserver"."""
    settings.ALLOWED_HOSTS = [HOST]
    client.defaults["HTTP_HOST"] = HOST


def idp_certificate() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.acme.example")])
    now = datetime.now(UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now).not_valid_after(now + timedelta(days=30))
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    pem = cert.public_bytes(serialization.Encoding.PEM).decode()
    return "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line)


def saml_providers(settings, raw: str) -> None:
    settings.SOCIALACCOUNT_PROVIDERS = {
        "openid_connect": {"APPS": []},
        "saml": {"APPS": parse_saml_providers("SSO_SAML_PROVIDERS", raw)},
    }


@pytest.fixture
def acme_saml(settings):
    raw = json.dumps([{
        "id": "acme", "name": "Acme SAML", "idp_entity_id": "https://idp.acme.example/saml",
        "sso_url": "https://idp.acme.example/saml/sso", "x509cert": idp_certificate(),
        "attribute_mapping": {"email": "mail"}, "verified_email": ["acme.example"],
    }])  # fmt: skip
    saml_providers(settings, raw)


def test_the_service_provider_metadata_names_our_entity_and_assertion_consumer_url(client, acme_saml):
    response = client.get("/accounts/saml/acme/metadata/")

    assert response.status_code == 200
    root = etree.fromstring(response.content)
    assert root.get("entityID") == "http://mentoring.example.org/accounts/saml/acme/metadata/"
    acs = root.find(f".//{{{MD}}}AssertionConsumerService")
    assert acs.get("Location") == "http://mentoring.example.org/accounts/saml/acme/acs/"
    assert acs.get("Binding") == "urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST"


def test_the_login_page_has_the_saml_button_and_pressing_it_sends_an_authn_request_to_the_idp(client, acme_saml):
    page = client.get(reverse("account_login")).content.decode()
    assert "Sign in with Acme SAML" in page

    response = client.post("/accounts/saml/acme/login/?process=login")

    assert response.status_code == 302
    target = urlparse(response.url)
    assert f"{target.scheme}://{target.netloc}{target.path}" == "https://idp.acme.example/saml/sso"
    request_xml = zlib.decompress(base64.b64decode(parse_qs(target.query)["SAMLRequest"][0]), -15)
    authn = etree.fromstring(request_xml)
    assert authn.get("AssertionConsumerServiceURL") == "http://mentoring.example.org/accounts/saml/acme/acs/"
    assert authn.get("Destination") == "https://idp.acme.example/saml/sso"


def test_an_unknown_organisation_slug_is_not_found(client, acme_saml):
    assert client.get("/accounts/saml/other/metadata/").status_code == 404


def test_an_idp_given_by_its_metadata_url_is_read_from_there(client, settings):
    cert = idp_certificate()
    metadata = f"""<?xml version="1.0"?>
<md:EntityDescriptor xmlns:md="{MD}" entityID="https://idp.local/saml">
  <md:IDPSSODescriptor protocolSupportEnumeration="urn:oasis:names:tc:SAML:2.0:protocol">
    <md:KeyDescriptor use="signing"><ds:KeyInfo xmlns:ds="http://www.w3.org/2000/09/xmldsig#">
      <ds:X509Data><ds:X509Certificate>{cert}</ds:X509Certificate></ds:X509Data></ds:KeyInfo></md:KeyDescriptor>
    <md:SingleSignOnService Binding="urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect"
                            Location="https://idp.local/saml/sso-from-metadata"/>
  </md:IDPSSODescriptor>
</md:EntityDescriptor>""".encode()
    served = []

    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:
            pass

        def do_GET(self) -> None:
            served.append(self.path)
            self.send_response(200)
            self.send_header("Content-Type", "application/samlmetadata+xml")
            self.send_header("Content-Length", str(len(metadata)))
            self.end_headers()
            self.wfile.write(metadata)

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        raw = json.dumps([{
            "id": "local", "name": "Local IdP", "idp_entity_id": "https://idp.local/saml",
            "metadata_url": f"http://127.0.0.1:{server.server_address[1]}/metadata.xml",
            "sp_entity_id": "urn:acme:mentoring",
        }])  # fmt: skip
        saml_providers(settings, raw)

        response = client.post("/accounts/saml/local/login/")
        metadata_page = client.get("/accounts/saml/local/metadata/")
    finally:
        server.shutdown()
        server.server_close()

    assert served == ["/metadata.xml"]
    assert response.url.startswith("https://idp.local/saml/sso-from-metadata?SAMLRequest=")
    assert etree.fromstring(metadata_page.content).get("entityID") == "urn:acme:mentoring"


# -- a whole sign-in: an assertion signed as the IdP would, posted to our ACS -------------


class SamlIdP:
    """Just enough of an IdP to answer one AuthnRequest with a signed Response."""

    entity_id = "https://idp.acme.example/saml"

    def __init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "idp.acme.example")])
        now = datetime.now(UTC)
        self.cert = (
            x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(self.key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - timedelta(minutes=5))
            .not_valid_after(now + timedelta(days=30)).sign(self.key, hashes.SHA256())
        )  # fmt: skip

    def settings_entry(self) -> dict:
        pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()
        return {
            "id": "acme", "name": "Acme SAML", "idp_entity_id": self.entity_id,
            "sso_url": "https://idp.acme.example/saml/sso",
            "x509cert": "".join(line for line in pem.splitlines() if "CERTIFICATE" not in line),
            "attribute_mapping": {"email": "mail", "name": "displayName"}, "verified_email": ["example.org"],
        }  # fmt: skip

    def response(self, *, in_response_to: str, name_id: str, attributes: dict[str, str]) -> str:
        now = datetime.now(UTC)
        acs = f"http://{HOST}/accounts/saml/acme/acs/"
        audience = f"http://{HOST}/accounts/saml/acme/metadata/"
        values = "".join(
            f'<saml:Attribute Name="{k}"><saml:AttributeValue>{v}</saml:AttributeValue></saml:Attribute>'
            for k, v in attributes.items()
        )
        xml = f"""<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol"
 xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="_r{secrets_hex()}" Version="2.0"
 IssueInstant="{stamp(now)}" Destination="{acs}" InResponseTo="{in_response_to}">
<saml:Issuer>{self.entity_id}</saml:Issuer>
<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>
<saml:Assertion ID="_a{secrets_hex()}" Version="2.0" IssueInstant="{stamp(now)}">
<saml:Issuer>{self.entity_id}</saml:Issuer>
<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">{name_id}</saml:NameID>
<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer">
<saml:SubjectConfirmationData NotOnOrAfter="{stamp(now + timedelta(minutes=5))}" Recipient="{acs}"
 InResponseTo="{in_response_to}"/></saml:SubjectConfirmation></saml:Subject>
<saml:Conditions NotBefore="{stamp(now - timedelta(minutes=1))}" NotOnOrAfter="{stamp(now + timedelta(minutes=5))}">
<saml:AudienceRestriction><saml:Audience>{audience}</saml:Audience></saml:AudienceRestriction></saml:Conditions>
<saml:AuthnStatement AuthnInstant="{stamp(now)}" SessionIndex="_s1"><saml:AuthnContext>
<saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:Password</saml:AuthnContextClassRef>
</saml:AuthnContext></saml:AuthnStatement>
<saml:AttributeStatement>{values}</saml:AttributeStatement>
</saml:Assertion></samlp:Response>"""
        key_pem = self.key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        ).decode()
        cert_pem = self.cert.public_bytes(serialization.Encoding.PEM).decode()
        signed = OneLogin_Saml2_Utils.add_sign(
            xml, key_pem, cert_pem, sign_algorithm=C.RSA_SHA256, digest_algorithm=C.SHA256
        )
        return signed.decode() if isinstance(signed, bytes) else signed


def secrets_hex() -> str:
    return secrets.token_hex(8)


def stamp(moment: datetime) -> str:
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


@pytest.fixture
def saml_idp(settings):
    idp = SamlIdP()
    saml_providers(settings, json.dumps([idp.settings_entry()]))
    return idp


def saml_sign_in(client, idp: SamlIdP, *, tamper=None, **response):
    start = client.post("/accounts/saml/acme/login/?process=login")
    query = parse_qs(urlparse(start.url).query)
    request_id = etree.fromstring(zlib.decompress(base64.b64decode(query["SAMLRequest"][0]), -15)).get("ID")
    xml = idp.response(in_response_to=request_id, **response)
    if tamper:
        xml = tamper(xml)
    posted = client.post("/accounts/saml/acme/acs/", {"SAMLResponse": base64.b64encode(xml.encode()).decode()})
    assert posted.status_code == 302
    return client.get(posted.url)


def test_a_signed_assertion_with_a_trusted_domain_signs_into_the_existing_account(client, saml_idp, alice):
    response = saml_sign_in(
        client, saml_idp, name_id="acme-alice", attributes={"mail": "Alice@example.org", "displayName": "Alice A."}
    )

    assert response.status_code == 302
    assert response.url == reverse("home")
    assert client.get(reverse("home")).wsgi_request.user == alice
    assert SocialAccount.objects.get(provider="acme").uid == "acme-alice"


def test_a_new_person_gets_an_account_named_from_the_saml_attributes(client, saml_idp):
    saml_sign_in(
        client, saml_idp, name_id="acme-erin", attributes={"mail": "erin@example.org", "displayName": "Erin Ek"}
    )

    assert User.objects.get(email="erin@example.org").full_name == "Erin Ek"


def test_an_assertion_altered_after_signing_is_refused(client, saml_idp, alice):
    response = saml_sign_in(
        client, saml_idp, name_id="acme-bob", attributes={"mail": "bob@example.org", "displayName": "Bob"},
        tamper=lambda xml: xml.replace("bob@example.org", "alice@example.org"),
    )  # fmt: skip

    assert "Single sign-on did not work" in response.content.decode()
    assert not client.get(reverse("home")).wsgi_request.user.is_authenticated
