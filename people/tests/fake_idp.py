"""A small OpenID Connect identity provider served by the tests on localhost.

A real HTTP server in a thread, so allauth's requests go over the network as
they would to Keycloak or Entra ID: discovery, authorize (redirects back with a
code and the state), token (an RS256-signed ID token carrying the nonce, PKCE
checked), userinfo and JWKS. `person` is who "signs in" at the IdP next;
`tamper` alters what the IdP sends back, to test that forgeries are refused.
"""

import base64
import hashlib
import html
import json
import secrets
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlencode, urlparse

import jwt
from cryptography.hazmat.primitives.asymmetric import rsa

CLIENT_ID = "mentoring-test"
CLIENT_SECRET = "fake-idp-secret"


@dataclass
class FakeIdP:
    person: dict = field(default_factory=dict)  # the claims of whoever signs in next
    tamper: dict = field(default_factory=dict)  # "state", "nonce", "userinfo_sub", "no_id_token"
    interactive: bool = False  # show a "Continue" page at /authorize (for the browser test)
    requests: list = field(default_factory=list)  # (method, path) of every request served
    authorize_params: list = field(default_factory=list)
    token_requests: list = field(default_factory=list)
    url: str = ""

    def __post_init__(self) -> None:
        self.key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        self.kid = "fake-key-1"
        self.codes: dict[str, dict] = {}
        self.tokens: dict[str, dict] = {}

    # -- what the tests configure allauth with ------------------------------------------

    def provider_settings(self, *, provider_id: str = "fakeidp", name: str = "Fake IdP", **extra) -> dict:
        return {
            "openid_connect": {
                "APPS": [
                    {
                        "provider_id": provider_id,
                        "name": name,
                        "client_id": CLIENT_ID,
                        "secret": CLIENT_SECRET,
                        "settings": {"server_url": self.url, "oauth_pkce_enabled": True, **extra},
                    }
                ],
                "provider_class": "people.sso.OpenIDConnectProvider",
            },
            "saml": {"APPS": []},
        }

    # -- the protocol -------------------------------------------------------------------

    def discovery(self) -> dict:
        return {
            "issuer": self.url,
            "authorization_endpoint": f"{self.url}/authorize",
            "token_endpoint": f"{self.url}/token",
            "userinfo_endpoint": f"{self.url}/userinfo",
            "jwks_uri": f"{self.url}/jwks",
            "response_types_supported": ["code"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
            "token_endpoint_auth_methods_supported": ["client_secret_post", "client_secret_basic"],
            "code_challenge_methods_supported": ["S256"],
        }

    def jwks(self) -> dict:
        jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(self.key.public_key()))
        return {"keys": [{**jwk, "kid": self.kid, "use": "sig", "alg": "RS256"}]}

    def authorize(self, params: dict) -> str:
        """Sign `person` in and return where to send the browser back to."""
        self.authorize_params.append(params)
        code = secrets.token_urlsafe(16)
        self.codes[code] = {"params": params, "person": dict(self.person)}
        state = self.tamper.get("state", params.get("state", ""))
        return f"{params['redirect_uri']}?{urlencode({'code': code, 'state': state})}"

    def token(self, form: dict, basic: tuple[str, str] | None) -> tuple[int, dict]:
        self.token_requests.append(form)
        client_id, secret = basic or (form.get("client_id"), form.get("client_secret"))
        if (client_id, secret) != (CLIENT_ID, CLIENT_SECRET):
            return 401, {"error": "invalid_client"}
        grant = self.codes.pop(form.get("code", ""), None)  # a code works once
        if grant is None or form.get("redirect_uri") != grant["params"]["redirect_uri"]:
            return 400, {"error": "invalid_grant"}
        challenge = grant["params"].get("code_challenge")
        if challenge:
            verifier = form.get("code_verifier", "")
            digest = base64.urlsafe_b64encode(hashlib.sha256(verifier.encode()).digest()).rstrip(b"=").decode()
            if digest != challenge:
                return 400, {"error": "invalid_grant", "error_description": "PKCE verifier does not match"}
        person = grant["person"]
        access_token = secrets.token_urlsafe(24)
        self.tokens[access_token] = person
        now = int(time.time())
        claims = {
            "iss": self.url, "aud": CLIENT_ID, "iat": now, "exp": now + 300,
            "nonce": self.tamper.get("nonce", grant["params"].get("nonce")), **person,
        }  # fmt: skip
        body = {"access_token": access_token, "token_type": "Bearer", "expires_in": 300}
        if not self.tamper.get("no_id_token"):
            body["id_token"] = jwt.encode(claims, self.key, algorithm="RS256", headers={"kid": self.kid})
        return 200, body

    def userinfo(self, authorization: str) -> tuple[int, dict]:
        person = self.tokens.get(authorization.removeprefix("Bearer ").strip())
        if person is None:
            return 401, {"error": "invalid_token"}
        if "userinfo_sub" in self.tamper:
            person = {**person, "sub": self.tamper["userinfo_sub"]}
        return 200, person


def _handler(idp: FakeIdP):
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, *args) -> None:  # keep the test output quiet
            pass

        def _json(self, status: int, body: dict) -> None:
            data = json.dumps(body).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

        def _redirect(self, location: str) -> None:
            self.send_response(302)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_GET(self) -> None:
            url = urlparse(self.path)
            idp.requests.append(("GET", url.path))
            params = {k: v[0] for k, v in parse_qs(url.query).items()}
            if url.path == "/.well-known/openid-configuration":
                self._json(200, idp.discovery())
            elif url.path == "/jwks":
                self._json(200, idp.jwks())
            elif url.path == "/userinfo":
                self._json(*idp.userinfo(self.headers.get("Authorization", "")))
            elif url.path == "/authorize" and idp.interactive:
                self._consent_page(params)
            elif url.path == "/authorize":
                self._redirect(idp.authorize(params))
            else:
                self._json(404, {"error": "not_found"})

        def do_POST(self) -> None:
            url = urlparse(self.path)
            idp.requests.append(("POST", url.path))
            length = int(self.headers.get("Content-Length") or 0)
            form = {k: v[0] for k, v in parse_qs(self.rfile.read(length).decode()).items()}
            if url.path == "/token":
                basic = None
                header = self.headers.get("Authorization", "")
                if header.startswith("Basic "):
                    user, _, password = base64.b64decode(header[6:]).decode().partition(":")
                    basic = (user, password)
                self._json(*idp.token(form, basic))
            elif url.path == "/authorize":  # the consent page's button
                self._redirect(idp.authorize(json.loads(form["params"])))
            else:
                self._json(404, {"error": "not_found"})

        def _consent_page(self, params: dict) -> None:
            who = html.escape(idp.person.get("email", "someone"))
            page = (
                "<!DOCTYPE html><html lang='en'><head><meta charset='utf-8'><title>Fake IdP</title></head>"
                "<body><h1>Fake IdP</h1><p>Signed in at the identity provider as "
                f"<strong>{who}</strong>.</p><form method='post' action='/authorize'>"
                f"<input type='hidden' name='params' value='{html.escape(json.dumps(params), quote=True)}'>"
                "<button type='submit'>Continue to Mentoring</button></form></body></html>"
            ).encode()
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    return Handler


class running:
    """`with running(FakeIdP()) as idp:` serves it on 127.0.0.1 on a free port."""

    def __init__(self, idp: FakeIdP) -> None:
        self.idp = idp
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(idp))
        self.server.daemon_threads = True
        idp.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> FakeIdP:
        self.thread.start()
        return self.idp

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
