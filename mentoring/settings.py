"""Settings for the mentoring platform, read from the environment.

Production is the default: with DEBUG unset, the app refuses to start until
SECRET_KEY and ALLOWED_HOSTS are set. Production also sets DATABASE_URL,
CELERY_BROKER_URL and EMAIL_URL; see docs/deployment.md. Development sets DEBUG=1
(`make run` does) and otherwise runs on embedded defaults (SQLite, a Celery
broker on the filesystem, mail printed to the console, a key of its own in
var/secret_key), so `make run` works on a fresh machine.
"""

from pathlib import Path

import environ
from django.core.exceptions import ImproperlyConfigured

from mentoring.secret_key import development_secret_key, production_secret_key, secret_key_refusal

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = BASE_DIR / "var"  # runtime files of the default, serverless set-up

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env")  # optional; real environment wins


def env_bool(name: str, default: bool) -> bool:
    """A boolean from the environment; a typo stops the app instead of meaning False."""
    raw = env.str(name, default="").strip().lower()
    if not raw:
        return default
    if raw in {"1", "true", "yes", "on"}:
        return True
    if raw in {"0", "false", "no", "off"}:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off, not {raw!r}.")


# Production is the default: DEBUG is on only when the environment says so
# (`make run`, the test settings, a developer's .env).
DEBUG = env_bool("DEBUG", default=False)

# With DEBUG off the key must be set, long, random and never one published in the
# repository (mentoring/secret_key.py); with DEBUG on and none set, this install's
# own development key is made once in var/secret_key (git-ignored, mode 0600).
# A key that is set is checked now, whatever DEBUG says. What production lacks
# (no key, no hosts) is refused by every process that serves (mentoring/startup.py:
# the WSGI/ASGI app, so gunicorn and runserver; Celery's worker and beat) and by
# `check --deploy`, not while settings are read: tools that sign and serve nothing,
# such as `makemigrations --check` in a bare checkout, still run.
PRODUCTION_REFUSALS: list[str] = []
SECRET_KEY = env.str("SECRET_KEY", default="").strip()
if SECRET_KEY:
    SECRET_KEY = production_secret_key(SECRET_KEY)
elif DEBUG:
    SECRET_KEY = development_secret_key(VAR_DIR / "secret_key")
else:
    PRODUCTION_REFUSALS.append(secret_key_refusal("it is not set"))  # empty: Django refuses to sign with it

ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["localhost", "127.0.0.1", "[::1]", "testserver"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    PRODUCTION_REFUSALS.append("ALLOWED_HOSTS must be set when DEBUG=0.")
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

SITE_NAME = env.str("SITE_NAME", default="Mentoring")
# Where people reach the site: links in mails are built from it.
SITE_URL = env.str("SITE_URL", default="http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "allauth",
    "allauth.account",
    "allauth.socialaccount",  # single sign-on (see the SSO block below)
    "allauth.socialaccount.providers.openid_connect",
    "allauth.socialaccount.providers.saml",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "csp",  # django-csp: the Content-Security-Policy header (see the security block)
    "django_celery_beat",
    "bootstrap",  # django-bootstrap-static: Bootstrap 5 served from our own static files
    "common",  # the outbox and mail claims, at the bottom: imports no app (docs/architecture.md)
    "audit",
    "people",
    "networks",  # staff networks: leads, private members; below programmes, which they co-sponsor
    "programmes",
    "notifications",
    "matching",
    "sessions_log",
    "circles",
    "surveys",
    "engagement",
    "conversations",
    "reports",
    "directory",  # roster sync with the HR system: on top of matching, notifications and programmes
    "outcomes",  # objectives, self-assessments, commitments and impact (docs/outcomes.md): on top of directory
    "dropin",  # find someone to learn from, weekly slots and one-off sessions (docs/drop-in.md)
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",  # Swagger UI's files served from our own static files: no CDN
    "api",  # API tokens and the REST API (docs/api.md)
    "webhooks",  # events for outside systems (docs/webhooks.md): imports only common and audit
    "scim",  # SCIM 2.0 provisioning from Okta and Entra ID (docs/scim.md): on top of api and directory
    "privacy",  # data rights: export and erasure (docs/privacy.md); sits on top of every app
    "demo",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    # Before anything reads the path (static files included): a NUL (%00) in a URL is a 400.
    "mentoring.middleware.RejectNullCharactersMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "mentoring.middleware.PrivateResponsesMiddleware",  # Cache-Control: no-store on everything private
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "people.sso.IdentityProviderFormActionMiddleware",  # below CSPMiddleware: adds the IdPs to form-action
    "mentoring.middleware.PermissionsPolicyMiddleware",
    "mentoring.middleware.ProductNotFoundMiddleware",  # the product's 404 page under DEBUG too
    "allauth.account.middleware.AccountMiddleware",
    "people.signin.DeviceCookieMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "programmes.guests.GuestBoundaryMiddleware",  # guests from outside: 404 on the organisation's own pages
]

ROOT_URLCONF = "mentoring.urls"
# With DEBUG on, a 404 still shows the product's page (templates/404.html), as people
# trying `make run` should see; PRODUCT_ERROR_PAGES=0 brings Django's technical 404 back.
PRODUCT_ERROR_PAGES = env_bool("PRODUCT_ERROR_PAGES", default=True)

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "circles.context_processors.circle_links",  # the navigation's circles, one lazy query
                "conversations.context_processors.unread_messages",  # the navigation's unread count, one lazy query
            ],
        },
    },
]

WSGI_APPLICATION = "mentoring.wsgi.application"

DATABASES = {
    "default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
}
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The embedded default: the web server, the worker and beat write one file. WAL lets
    # readers run beside the one writer; IMMEDIATE takes the write lock when a transaction
    # begins, so a writer waits (up to `timeout` seconds) for another instead of failing
    # half-way with "database is locked", which made a task retry and mail twice.
    DATABASES["default"].setdefault("OPTIONS", {}).update({
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    })  # fmt: skip
# HR's reports and exports may read from a PostgreSQL replica of DATABASE_URL
# (streaming replication; docs/deployment.md): REPORTS_DATABASE_URL, a read-only
# role is enough. Only the report views and the monthly report's figures read from
# it, inside an explicit scope (mentoring/db_routers.py); every write, and every
# other read, goes to the primary. Unset, everything uses the primary.
REPORTS_DATABASE_URL = env.str("REPORTS_DATABASE_URL", default="")
REPORTS_DATABASE = "default"
if REPORTS_DATABASE_URL:
    REPORTS_DATABASE = "reports"
    DATABASES[REPORTS_DATABASE] = {
        **env.db_url_config(REPORTS_DATABASE_URL),
        "CONN_MAX_AGE": DATABASES["default"]["CONN_MAX_AGE"],
        "CONN_HEALTH_CHECKS": True,
        # The test suite has no replica: the alias then reads the test database itself.
        "TEST": {"MIRROR": "default"},
    }
    if DATABASES[REPORTS_DATABASE]["ENGINE"] != "django.db.backends.postgresql":
        raise ImproperlyConfigured("REPORTS_DATABASE_URL must be a PostgreSQL replica (postgres://...).")
DATABASE_ROUTERS = ["mentoring.db_routers.ReportsReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Rate limits (allauth) and sessions need a shared cache once there is more than one process.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

AUTH_USER_MODEL = "people.User"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "home"

# django-allauth: email is the login; verification is mandatory in production.
SITE_ID = 1
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_FORMS = {"signup": "people.forms.SignupForm"}
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_EMAIL_VERIFICATION = env.str("ACCOUNT_EMAIL_VERIFICATION", default="optional" if DEBUG else "mandatory")
if ACCOUNT_EMAIL_VERIFICATION not in {"none", "optional", "mandatory"}:
    raise ImproperlyConfigured("ACCOUNT_EMAIL_VERIFICATION must be none, optional or mandatory.")
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_LOGOUT_REDIRECT_URL = "home"
ACCOUNT_SESSION_REMEMBER = None
ACCOUNT_EMAIL_SUBJECT_PREFIX = f"[{SITE_NAME}] "
# A password reset for an address without an account mails nobody (allauth would
# otherwise tell that address someone tried), so the form cannot be used to mail
# anyone at all; the page looks the same either way.
ACCOUNT_EMAIL_UNKNOWN_ACCOUNTS = False
# allauth's defaults already limit failed logins; they are kept on deliberately.
ACCOUNT_RATE_LIMITS = {  # nosec B105  # "reset_password" names a rate limit, not a password
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "reset_password": "20/m/ip,5/m/key",
    "reset_password_from_key": "20/m/ip",
    "confirm_email": "1/3m/key",
}

# -- Single sign-on (docs/sso.md) ------------------------------------------------
# OpenID Connect and SAML identity providers come from the environment (JSON
# lists, parsed in people/sso_settings.py; a malformed entry stops the app with
# the variable's name) or from the admin (Social applications). A person whose
# email address the IdP vouches for signs into the existing account with that
# address; an unverified address never takes over an account (people/adapters.py).
from people.sso_settings import parse_oidc_providers, parse_saml_providers  # noqa: E402

SSO_OIDC_PROVIDERS = parse_oidc_providers("SSO_OIDC_PROVIDERS", env.str("SSO_OIDC_PROVIDERS", default=""))
SSO_SAML_PROVIDERS = parse_saml_providers("SSO_SAML_PROVIDERS", env.str("SSO_SAML_PROVIDERS", default=""))
_sso_ids = [app["provider_id"] for app in SSO_OIDC_PROVIDERS + SSO_SAML_PROVIDERS]
for _sso_id in _sso_ids:
    if _sso_ids.count(_sso_id) > 1 or _sso_id in {"openid_connect", "saml"}:
        raise ImproperlyConfigured(
            f"SSO_OIDC_PROVIDERS/SSO_SAML_PROVIDERS: the id {_sso_id!r} is used twice or is reserved; "
            "give each provider its own."
        )
SOCIALACCOUNT_PROVIDERS = {
    "openid_connect": {
        "APPS": SSO_OIDC_PROVIDERS,
        # allauth's provider, plus a nonce in every request checked against the ID token.
        "provider_class": "people.sso.OpenIDConnectProvider",
    },
    "saml": {"APPS": SSO_SAML_PROVIDERS},
}
SOCIALACCOUNT_ADAPTER = "people.adapters.SocialAccountAdapter"
ACCOUNT_ADAPTER = "people.adapters.AccountAdapter"
SOCIALACCOUNT_FORMS = {"signup": "people.sso.SocialSignupForm"}
# Sign into the existing account whose address the IdP marks verified (matched
# case-insensitively), and connect the IdP's account to it for next time.
SOCIALACCOUNT_EMAIL_AUTHENTICATION = env_bool("SSO_EMAIL_AUTHENTICATION", default=True)
SOCIALACCOUNT_EMAIL_AUTHENTICATION_AUTO_CONNECT = True
SOCIALACCOUNT_AUTO_SIGNUP = True
SOCIALACCOUNT_LOGIN_ON_GET = False  # the sign-in buttons POST, so no site can start a sign-in for you
SOCIALACCOUNT_STORE_TOKENS = False  # we only need to know who signed in, not to call the IdP later
SOCIALACCOUNT_REQUESTS_TIMEOUT = env.int("SSO_REQUESTS_TIMEOUT", default=10)
# PASSWORD_LOGIN=0: only single sign-on. The password form, sign-up, password
# reset and setting a password are refused (people/adapters.py, people/sso.py); the admin's own password
# form redirects to the SSO page. Staff's break-glass: `manage.py break_glass_link EMAIL`.
PASSWORD_LOGIN = env_bool("PASSWORD_LOGIN", default=True)
if not PASSWORD_LOGIN and not _sso_ids and not env_bool("SSO_PROVIDERS_IN_ADMIN", default=False):
    raise ImproperlyConfigured(
        "PASSWORD_LOGIN=0 needs an identity provider: set SSO_OIDC_PROVIDERS or SSO_SAML_PROVIDERS, "
        "or SSO_PROVIDERS_IN_ADMIN=1 if they are configured in the admin."
    )
# (bandit's B105 reads the "password" in these keys as a password; they name forms.)
ACCOUNT_FORMS.update(
    {
        "login": "people.sso.LoginForm",
        "reset_password": "people.sso.ResetPasswordForm",  # nosec B105
        "reset_password_from_key": "people.sso.ResetPasswordKeyForm",  # nosec B105
        "change_password": "people.sso.ChangePasswordForm",  # nosec B105
        "set_password": "people.sso.SetPasswordForm",  # nosec B105
    }
)
TEMPLATES[0]["OPTIONS"]["context_processors"].append("people.sso.sign_in_options")
# The break-glass link's lifetime, in seconds.
BREAK_GLASS_LINK_MAX_AGE = 15 * 60
# -- end of single sign-on --------------------------------------------------------

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

LANGUAGE_CODE = "en-gb"
TIME_ZONE = env.str("TIME_ZONE", default="UTC")
USE_I18N = True
# The app's own English words over allauth's Title Case (locale/en/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if not DEBUG
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}

# Mail: console in development; EMAIL_URL (e.g. smtp+tls://user:pass@host:587) in production.
# EMAIL_BACKEND (a dotted path) and EMAIL_FILE_PATH choose another backend, e.g. the
# file backend on a staging server, or the test suite's mailbox for its workers.
if "EMAIL_URL" in env:
    vars().update(env.email_url("EMAIL_URL"))
else:
    EMAIL_BACKEND = env.str("EMAIL_BACKEND", default="django.core.mail.backends.console.EmailBackend")
    if "EMAIL_FILE_PATH" in env:
        EMAIL_FILE_PATH = env.str("EMAIL_FILE_PATH")
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default=f"{SITE_NAME} <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# -- Security (docs/security.md) -------------------------------------------------
# Everything `check --deploy` asks for is on unless DEBUG.
SECURE = env_bool("SECURE", default=not DEBUG)
SESSION_COOKIE_SECURE = SECURE
CSRF_COOKIE_SECURE = SECURE
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=SECURE)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=31536000 if SECURE else 0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE
SECURE_HSTS_PRELOAD = SECURE
# Behind a reverse proxy that terminates TLS (BEHIND_PROXY=1): it says the scheme in
# X-Forwarded-Proto, and appends the client's address to X-Forwarded-For, which
# allauth's rate limits then count (TRUSTED_PROXY_COUNT proxies in front of us).
# Without it every sign-in would seem to come from the proxy, and allauth's
# 30 logins a minute per address would be 30 a minute for the whole site.
BEHIND_PROXY = env_bool("BEHIND_PROXY", default=False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_PROXY else None
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("TRUSTED_PROXY_COUNT", default=1 if BEHIND_PROXY else 0)
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
# Another site's window opened from ours (or ours from it) gets no handle on ours.
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"

# Cookies: never readable by scripts, and not sent on cross-site sub-requests or
# POSTs. Lax (not Strict) so a link in a mail opens the page signed in. Nothing
# reads the CSRF cookie from JavaScript: htmx sends the token from the
# hx-headers attribute in templates/base.html.
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True
CSRF_COOKIE_SAMESITE = "Lax"
# A week; a sign-in without "Remember me" ends when the browser closes (allauth).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=7 * 24 * 3600)

# Content-Security-Policy (django-csp): only our own files run or style the page;
# no inline script, no style="" attribute, no <style> element, no eval. Sign-in
# with an identity provider posts a form that is redirected to the provider, which
# `form-action` must allow: CSP_FORM_ACTION_EXTRA lists such origins
# (comma-separated, e.g. https://login.example.com), CSP_IMG_SRC_EXTRA image
# origins. CSP_REPORT_URI, if set, receives the browsers' violation reports.
_CSP_SELF, _CSP_NONE = "'self'", "'none'"


def _csp_origins(name: str) -> list[str]:
    """Origins from a comma-separated variable; a quoted keyword such as
    'unsafe-inline' is refused, so the policy cannot be weakened by a typo."""
    origins = [origin.strip() for origin in env.list(name, default=[]) if origin.strip()]
    for origin in origins:
        if "'" in origin or ";" in origin or " " in origin:
            raise ImproperlyConfigured(f"{name} takes origins such as https://login.example.com, not {origin!r}.")
    return origins


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [_CSP_SELF],
        "script-src": [_CSP_SELF],
        "style-src": [_CSP_SELF],
        "img-src": [_CSP_SELF, "data:", *_csp_origins("CSP_IMG_SRC_EXTRA")],  # Bootstrap's icons are data: SVGs
        "font-src": [_CSP_SELF],
        "connect-src": [_CSP_SELF],  # htmx's requests
        "object-src": [_CSP_NONE],
        "base-uri": [_CSP_SELF],
        "form-action": [_CSP_SELF, *_csp_origins("CSP_FORM_ACTION_EXTRA")],
        "frame-ancestors": [_CSP_NONE],
        **({"report-uri": env.str("CSP_REPORT_URI")} if env.str("CSP_REPORT_URI", default="") else {}),
    },
}

# Browser features the platform never uses are switched off for every page.
PERMISSIONS_POLICY = ", ".join(
    f"{feature}=()"
    for feature in (
        "accelerometer", "camera", "display-capture", "geolocation", "gyroscope", "magnetometer",
        "microphone", "midi", "payment", "usb",
    )
)  # fmt: skip

# Uploads. Django keeps at most FILE_UPLOAD_MAX_MEMORY_SIZE of a file in memory
# (more goes to a temporary file), and mentoring.uploads stops storing any one
# file past UPLOAD_MAX_BYTES, so an oversized upload fills neither memory nor
# disk; each form then refuses what is over its own limit with a clear error.
# The front proxy should also cap request bodies (e.g. nginx client_max_body_size 6m).
UPLOAD_MAX_BYTES = env.int("UPLOAD_MAX_BYTES", default=5 * 1024 * 1024)
ROSTER_UPLOAD_MAX_BYTES = env.int("ROSTER_UPLOAD_MAX_BYTES", default=UPLOAD_MAX_BYTES)
if not 0 < ROSTER_UPLOAD_MAX_BYTES <= UPLOAD_MAX_BYTES:
    raise ImproperlyConfigured("ROSTER_UPLOAD_MAX_BYTES must be positive and at most UPLOAD_MAX_BYTES.")
# An .xlsx is a zip: the sizes its parts declare once unpacked, summed, may not
# exceed this (a "zip bomb" declares gigabytes and is refused before unpacking).
ROSTER_XLSX_MAX_UNPACKED_BYTES = env.int("ROSTER_XLSX_MAX_UNPACKED_BYTES", default=60 * 1024 * 1024)
FILE_UPLOAD_HANDLERS = [
    "mentoring.uploads.SizeLimitUploadHandler",
    "django.core.files.uploadhandler.MemoryFileUploadHandler",
    "django.core.files.uploadhandler.TemporaryFileUploadHandler",
]
FILE_UPLOAD_MAX_MEMORY_SIZE = 2_621_440  # 2.5 MB (Django's default), then a temporary file
# Form fields other than files: our longest text field holds 5,000 characters.
DATA_UPLOAD_MAX_MEMORY_SIZE = 1024 * 1024
DATA_UPLOAD_MAX_NUMBER_FIELDS = 1000  # the admin's bulk actions post one field a row (100 a page)
DATA_UPLOAD_MAX_NUMBER_FILES = 5
# -- end of security ------------------------------------------------------------------

# Celery: a broker that needs no server by default (kombu's filesystem
# transport); CELERY_BROKER_URL=redis://... in production and CI.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="filesystem://")
if CELERY_BROKER_URL == "filesystem://":
    _broker_dir = VAR_DIR / "celery-broker"
    _broker_dir.mkdir(parents=True, exist_ok=True)  # the transport expects it to exist
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(_broker_dir),
        "data_folder_out": str(_broker_dir),
        "control_folder": str(_broker_dir / "control"),  # else kombu writes ./control/ wherever it runs
        "store_processed": False,
    }
CELERY_TASK_ACKS_LATE = True  # a worker killed mid-task leaves the message for another
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", default=False)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Queues (docs/deployment.md): long jobs never hold up a notification. "default"
# carries what someone is waiting for now: the outbox's entries (mail, notices,
# webhooks), its sweeps, and the hourly jobs that turn the last hour into notices.
# "long" carries what scans or rewrites the organisation: matching runs, the
# monthly report, the roster sync, erasure, purges, reconciles and the daily and
# weekly jobs over everyone. Production runs one worker command per queue; a
# worker started without -Q consumes both (CELERY_TASK_QUEUES). Every task of the
# project is placed here, by name (mentoring/tests/test_task_routes.py fails on one
# that is not); the outbox's one task goes by the handler of its entry
# (mentoring/task_routes.py).
CELERY_QUEUE_DEFAULT, CELERY_QUEUE_LONG = "default", "long"
CELERY_TASK_DEFAULT_QUEUE = CELERY_QUEUE_DEFAULT
CELERY_TASK_QUEUES = {CELERY_QUEUE_DEFAULT: {}, CELERY_QUEUE_LONG: {}}
_TASKS_BY_QUEUE = {
    CELERY_QUEUE_DEFAULT: [
        "common.tasks.run_outbox_entry",  # long handlers are sent to "long" (CELERY_LONG_OUTBOX_HANDLERS)
        "common.tasks.sweep_outbox",
        "webhooks.tasks.sweep_deliveries",
        "engagement.tasks.remind_upcoming_meetings",
        "engagement.tasks.remind_recaps_due",
        "engagement.tasks.remind_requests_unanswered",
        "dropin.tasks.remind_help_requests_waiting",
        "matching.tasks.expire_match_requests",
        "programmes.tasks.release_due_invitations",
        "programmes.tasks.expire_nominations",
    ],
    CELERY_QUEUE_LONG: [
        "matching.tasks.match_new_participants",
        "matching.tasks.recover_match_runs",
        "reports.tasks.send_monthly_reports",
        "reports.tasks.reconcile_figures",
        "directory.tasks.sync_roster_daily",
        "directory.tasks.purge_workforce_history",
        "privacy.tasks.erase_due_requests",
        "people.tasks.clear_expired_sessions",
        "dropin.tasks.availability_extend",
        "dropin.tasks.helper_records_reconcile",
        "notifications.tasks.queue_weekly_digests",
        "engagement.tasks.send_coordinator_digests",
        "engagement.tasks.walk_escalation_ladder",
        "engagement.tasks.judge_health_daily",
        "engagement.tasks.send_surveys_due",
        "engagement.tasks.remind_actions_due",
        "engagement.tasks.remind_goals_overdue",
        "engagement.tasks.remind_profiles_incomplete",
        "engagement.tasks.remind_applications_unmatched",
    ],
}
# Outbox entries whose handler runs long (common.services.handler names).
CELERY_LONG_OUTBOX_HANDLERS = frozenset({"matching.services.match_run_execute"})
CELERY_TASK_ROUTES = (
    "mentoring.task_routes.route_outbox_entry",
    {name: {"queue": queue} for queue, names in _TASKS_BY_QUEUE.items() for name in names},
)

# Roster sync (directory app, docs/roster-sync.md). ROSTER_SYNC_PATH is the HR
# export the daily job reads; unset, the job does nothing and logs why. A file that
# would deactivate more than ROSTER_SYNC_MAX_LEAVER_SHARE (0-1) of the people the sync
# manages is refused; `manage.py sync_roster --allow-mass-leave` applies it once.
ROSTER_SYNC_PATH = env.str("ROSTER_SYNC_PATH", default="")
try:
    ROSTER_SYNC_MAX_LEAVER_SHARE = float(env.str("ROSTER_SYNC_MAX_LEAVER_SHARE", default="0.10"))
except ValueError:
    raise ImproperlyConfigured("ROSTER_SYNC_MAX_LEAVER_SHARE must be a number between 0 and 1, e.g. 0.10.") from None
if not 0 <= ROSTER_SYNC_MAX_LEAVER_SHARE <= 1:
    raise ImproperlyConfigured("ROSTER_SYNC_MAX_LEAVER_SHARE must be between 0 and 1, e.g. 0.10 for 10%.")
# Workforce history (docs/workforce-history.md): the roster's hires, leavings and
# moves are kept this many years for the comparison with non-participants, then
# deleted by the daily directory.tasks.purge_workforce_history.
WORKFORCE_HISTORY_YEARS = env.int("WORKFORCE_HISTORY_YEARS", default=7)
if not 2 <= WORKFORCE_HISTORY_YEARS <= 50:
    raise ImproperlyConfigured("WORKFORCE_HISTORY_YEARS must be a whole number of years from 2 to 50, e.g. 7.")

# Webhooks (docs/webhooks.md): deliveries to addresses on this machine or in a
# private network (and http:// to localhost) only in development and tests; in
# production a webhook must not reach inside our own network.
WEBHOOKS_ALLOW_PRIVATE_ADDRESSES = env_bool("WEBHOOKS_ALLOW_PRIVATE_ADDRESSES", default=DEBUG)

# The REST API (api app, docs/api.md): bearer tokens only (no session, so no CSRF
# questions), every view naming the scope each method needs (api.permissions.HasScope),
# JSON only, pages of at most API_MAX_PAGE_SIZE, and a rate per token (API_RATE,
# e.g. 120/min; counted in the cache, so CACHE_URL should be shared by every web
# process in production).
API_RATE = env.str("API_RATE", default="120/min")
API_PAGE_SIZE = env.int("API_PAGE_SIZE", default=50)
API_MAX_PAGE_SIZE = env.int("API_MAX_PAGE_SIZE", default=200)
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["api.authentication.BearerTokenAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated", "api.permissions.HasScope"],
    "DEFAULT_THROTTLE_CLASSES": ["api.throttling.TokenRateThrottle"],
    "DEFAULT_PAGINATION_CLASS": "api.pagination.Pages",
    "PAGE_SIZE": API_PAGE_SIZE,
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "api.errors.exception_handler",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Mentoring API",
    "DESCRIPTION": "Programmes, matches, meetings' and goals' metadata, HR figures and exports, people and the "
    "audit log, as the token's person sees them in the browser (docs/api.md).",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SERVE_AUTHENTICATION": [],
    "SCHEMA_PATH_PREFIX": "/api/v1",
    "COMPONENT_SPLIT_REQUEST": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "ProgrammeStatusEnum": "programmes.models.Programme.Status",
        "ParticipantStatusEnum": "programmes.models.Participant.Status",
        "ParticipantRoleEnum": "programmes.models.Participant.Role",
        "MatchStatusEnum": "matching.models.Match.Status",
        "MatchRunStatusEnum": "matching.models.MatchRun.Status",
        "MeetingStatusEnum": "sessions_log.models.Meeting.Status",
        "GoalStatusEnum": "sessions_log.models.Goal.Status",
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("LOG_LEVEL", default="INFO")},
    # WeasyPrint (PDFs, outcomes/pdf.py) logs every step of every render at INFO.
    "loggers": {"weasyprint": {"level": "WARNING"}, "fontTools": {"level": "WARNING"}},
}
