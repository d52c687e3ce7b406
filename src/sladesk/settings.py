"""Django settings for sladesk, read from environment variables (see `.env.example`).

Nothing secret is committed. In production (`SLADESK_DEBUG` false) the server refuses to
start without `SLADESK_SECRET_KEY` (see `sladesk.core.checks`).
"""

from __future__ import annotations

import os
from pathlib import Path

import dj_database_url

PACKAGE_DIR = Path(__file__).resolve().parent


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return raw.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def load_env_file(path: Path) -> None:
    """Read KEY=VALUE lines from a `.env` file; variables already set win."""
    if not path.is_file():
        return
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        key, value = line.split("=", 1)
        key = key.removeprefix("export ").strip()
        value = value.strip()
        if len(value) >= 2 and value[0] == value[-1] and value[0] in "'\"":
            value = value[1:-1]
        os.environ.setdefault(key, value)


# A `.env` in the working directory (see `.env.example`), or the file SLADESK_ENV_FILE names.
load_env_file(Path(os.environ.get("SLADESK_ENV_FILE") or Path.cwd() / ".env"))

# Runtime data (SQLite database, private uploads) lives in ./var of the working directory
# unless SLADESK_VAR_DIR says otherwise.
VAR_DIR = Path(os.environ.get("SLADESK_VAR_DIR") or Path.cwd() / "var").resolve()

DEBUG = env_bool("SLADESK_DEBUG", False)

_secret_key = os.environ.get("SLADESK_SECRET_KEY", "").strip()
# True when no real key was configured: the system check `sladesk.E001` and the WSGI entry
# point refuse to serve in production in that case. The demo and the test suite run with it.
SLADESK_SECRET_KEY_MISSING = not _secret_key
SECRET_KEY = _secret_key or "sladesk-insecure-development-key-never-use-in-production"

ALLOWED_HOSTS = env_list("SLADESK_ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env_list("SLADESK_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "sladesk.core",
    "sladesk.accounts",
    "sladesk.customers",
    "sladesk.contracts",
    "sladesk.tickets",
    "sladesk.audit",
    "sladesk.billing",
    "sladesk.complaints",
    "django_tasks",
    "django_tasks_db",
    "sladesk.queue",
    "sladesk.oncall",
    "sladesk.webhooks",
    "sladesk.mail",
    "ninja",
    "sladesk.api",
    # The browser pages (issue 5): htmx helpers, template partials, portal, console, dashboard.
    "django_htmx",
    "template_partials",
    "sladesk.web",
    "sladesk.portal",
    "sladesk.console",
    "sladesk.dashboard",
    "sladesk.planning",
    "sladesk.knowledge",
    "sladesk.reports",
]

MIDDLEWARE = [
    # First, so the request id and duration cover everything after it (sladesk.core.logs).
    "sladesk.core.logs.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "sladesk.web.middleware.SecurityHeadersMiddleware",
]

ROOT_URLCONF = "sladesk.urls"
WSGI_APPLICATION = "sladesk.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [PACKAGE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
            ],
        },
    },
]

# Database: DATABASE_URL, SQLite in ./var by default. SQLite runs in WAL mode with
# IMMEDIATE transactions so concurrent writers queue instead of failing on lock upgrade.
DEFAULT_DATABASE_URL = f"sqlite:///{VAR_DIR / 'sladesk.sqlite3'}"
DATABASE_URL = os.environ.get("DATABASE_URL", "").strip() or DEFAULT_DATABASE_URL
# SLADESK_DB_CONN_MAX_AGE: seconds a web thread keeps its database connection between
# requests (0: a new connection per request). Health checks drop a connection the server
# closed (a database restart) before it is reused.
_database = dj_database_url.parse(
    DATABASE_URL,
    conn_max_age=int(os.environ.get("SLADESK_DB_CONN_MAX_AGE", "0")),
    conn_health_checks=True,
)
if _database["ENGINE"] == "django.db.backends.sqlite3":
    _name = str(_database.get("NAME") or "")
    if _name and _name != ":memory:":
        Path(_name).parent.mkdir(parents=True, exist_ok=True)
    _database["OPTIONS"] = {
        "init_command": (
            "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA foreign_keys=ON;"
        ),
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
elif _database["ENGINE"] == "django.db.backends.postgresql" and os.environ.get(
    "SLADESK_DB_PREPARED_STATEMENTS", "true"
).lower() not in ("false", "0", "no"):
    # PostgreSQL: parameters bound by the server, and a statement a connection has run five
    # times is prepared, so PostgreSQL stops parsing and planning it again. Logging a ticket
    # cost 2.3 ms of database CPU instead of 4.0 (docs/benchmarks.md). Turn it off behind a
    # pooler that cannot keep prepared statements (PgBouncer before 1.21, or without
    # max_prepared_statements): docs/deploy.md.
    _database["OPTIONS"] = {
        **_database.get("OPTIONS", {}),
        "server_side_binding": True,
        "prepare_threshold": 5,
    }
DATABASES = {"default": _database}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "tickets:list"
LOGOUT_REDIRECT_URL = "login"

PASSWORD_HASHERS = [
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
TIME_ZONE = "Europe/London"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
# Only needed if you run collectstatic; WhiteNoise serves from the app folders otherwise.
STATIC_ROOT = os.environ.get("SLADESK_STATIC_ROOT") or None
# WhiteNoise serves straight from the app static folders: no collectstatic step needed.
WHITENOISE_USE_FINDERS = True
WHITENOISE_AUTOREFRESH = DEBUG

# Attachments are private: stored outside any public URL and served only through the
# permission-checked view `tickets:attachment`. There is deliberately no MEDIA_URL route.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("SLADESK_PRIVATE_MEDIA_ROOT") or VAR_DIR / "private")
MEDIA_ROOT = PRIVATE_MEDIA_ROOT
MEDIA_URL = "/private-media-not-served/"
SLADESK_MAX_ATTACHMENT_BYTES = int(os.environ.get("SLADESK_MAX_ATTACHMENT_BYTES", 20 * 1024**2))

# Ticket references: PREFIX-NUMBER, e.g. CS-104233.
SLADESK_TICKET_PREFIX = os.environ.get("SLADESK_TICKET_PREFIX", "CS").strip() or "CS"

# Background work (django-tasks). The default keeps tasks in the database (django-tasks-db),
# run by `sladesk worker`: no extra server. See docs/queue.md for Redis on larger installs.
TASKS = {
    "default": {
        "BACKEND": os.environ.get("SLADESK_TASKS_BACKEND", "").strip()
        or "django_tasks_db.DatabaseBackend",
        "QUEUES": ["default"],
    }
}

# Email: SMTP when SLADESK_EMAIL_HOST is set, else printed to the console.
EMAIL_HOST = os.environ.get("SLADESK_EMAIL_HOST", "").strip()
EMAIL_BACKEND = os.environ.get("SLADESK_EMAIL_BACKEND", "").strip() or (
    "django.core.mail.backends.smtp.EmailBackend"
    if EMAIL_HOST
    else "django.core.mail.backends.console.EmailBackend"
)
EMAIL_PORT = int(os.environ.get("SLADESK_EMAIL_PORT", "587"))
EMAIL_HOST_USER = os.environ.get("SLADESK_EMAIL_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("SLADESK_EMAIL_PASSWORD", "")
EMAIL_USE_TLS = env_bool("SLADESK_EMAIL_USE_TLS", True)
DEFAULT_FROM_EMAIL = os.environ.get("SLADESK_EMAIL_FROM", "helpdesk@localhost")
# Who hears about unassigned tickets' SLA warnings (the queue): comma-separated addresses.
SLADESK_QUEUE_EMAILS = env_list("SLADESK_QUEUE_EMAILS", [])

# The email channel (docs/email.md). Message-IDs are made in this domain; mail from the
# helpdesk's own addresses is never taken in (loops).
SLADESK_MAIL_DOMAIN = os.environ.get("SLADESK_MAIL_DOMAIN", "").strip() or (
    DEFAULT_FROM_EMAIL.rpartition("@")[2].strip(">") or "localhost"
)
SLADESK_MAIL_ADDRESSES = env_list("SLADESK_MAIL_ADDRESSES", [DEFAULT_FROM_EMAIL])
SLADESK_MAIL_MAX_ATTEMPTS = int(os.environ.get("SLADESK_MAIL_MAX_ATTEMPTS", "8"))
SLADESK_MAIL_RETRY_SECONDS = int(os.environ.get("SLADESK_MAIL_RETRY_SECONDS", "60"))
SLADESK_MAIL_LEASE_SECONDS = int(os.environ.get("SLADESK_MAIL_LEASE_SECONDS", "300"))
SLADESK_MAIL_RATE_LIMIT = int(os.environ.get("SLADESK_MAIL_RATE_LIMIT", "30"))
SLADESK_MAIL_MAX_BYTES = int(os.environ.get("SLADESK_MAIL_MAX_BYTES", 40 * 1024**2))
SLADESK_IMAP_HOST = os.environ.get("SLADESK_IMAP_HOST", "").strip()
SLADESK_IMAP_PORT = int(os.environ.get("SLADESK_IMAP_PORT", "993"))
SLADESK_IMAP_SECURITY = os.environ.get("SLADESK_IMAP_SECURITY", "ssl").strip().lower()
SLADESK_IMAP_USER = os.environ.get("SLADESK_IMAP_USER", "")
SLADESK_IMAP_PASSWORD = os.environ.get("SLADESK_IMAP_PASSWORD", "")
SLADESK_IMAP_FOLDER = os.environ.get("SLADESK_IMAP_FOLDER", "INBOX")
SLADESK_IMAP_INTERVAL = float(os.environ.get("SLADESK_IMAP_INTERVAL", "60"))

# The SLA monitor warns when this share of the response target is used (0 < share < 1).
SLADESK_SLA_WARNING_SHARE = float(os.environ.get("SLADESK_SLA_WARNING_SHARE", "0.75"))
# Seconds between two SLA monitor scans in `sladesk worker`.
SLADESK_MONITOR_INTERVAL = float(os.environ.get("SLADESK_MONITOR_INTERVAL", "15"))
# Seconds between two rounds of `sladesk worker` bringing stale report rows and their
# months' figures up to date (sladesk.reports.housekeeping); 0 turns it off.
SLADESK_REPORTS_REFRESH_INTERVAL = float(os.environ.get("SLADESK_REPORTS_REFRESH_INTERVAL", "300"))
# Minutes a paged on-call engineer has to acknowledge before the next one is paged
# (the default for a new rota; each rota stores its own).
SLADESK_PAGE_ACK_MINUTES = int(os.environ.get("SLADESK_PAGE_ACK_MINUTES", "10"))
# Webhooks: attempts before a delivery is given up, and the first retry delay (doubling).
SLADESK_WEBHOOK_MAX_ATTEMPTS = int(os.environ.get("SLADESK_WEBHOOK_MAX_ATTEMPTS", "8"))
SLADESK_WEBHOOK_RETRY_SECONDS = int(os.environ.get("SLADESK_WEBHOOK_RETRY_SECONDS", "30"))
SLADESK_WEBHOOK_TIMEOUT_SECONDS = float(os.environ.get("SLADESK_WEBHOOK_TIMEOUT_SECONDS", "10"))

# The REST API (docs/api.md): requests per token (or signed-in user) per window; 0 turns
# the limit off. The count lives in the cache named here: set SLADESK_CACHE_URL to a Redis
# URL when several web processes serve the API, so they share one count.
SLADESK_API_RATE_LIMIT = int(os.environ.get("SLADESK_API_RATE_LIMIT", "600"))
SLADESK_API_RATE_WINDOW_SECONDS = int(os.environ.get("SLADESK_API_RATE_WINDOW_SECONDS", "60"))
SLADESK_API_RATE_CACHE = "default"
_cache_url = os.environ.get("SLADESK_CACHE_URL", "").strip()
CACHES = {
    "default": (
        # Django's own Redis backend; it needs the `redis` package installed.
        {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": _cache_url,
            # An unreachable Redis fails fast: the API rate limit then lets requests through
            # (sladesk.api.ratelimit) instead of holding each one for the OS's connect timeout.
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
        if _cache_url.startswith(("redis://", "rediss://", "unix://"))
        else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
    )
}
# Several sladesk sites (or test runs) sharing one Redis keep their keys apart with this.
CACHES["default"]["KEY_PREFIX"] = os.environ.get("SLADESK_CACHE_KEY_PREFIX", "").strip()

SESSION_COOKIE_HTTPONLY = True
# Cookies are sent over HTTPS only unless DEBUG: production is served over HTTPS (behind a
# TLS proxy). SLADESK_SECURE_COOKIES=false allows a plain-HTTP trial; `sladesk demo` turns
# them off itself since it serves http://127.0.0.1.
SESSION_COOKIE_SECURE = env_bool("SLADESK_SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
# htmx sends the token from the page (hx-headers), so no script needs to read the cookie.
CSRF_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
# No inline script or style anywhere (docs/adr: htmx and no inline script). Attachments get
# a stricter policy of their own.
SLADESK_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "font-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; "
    "frame-ancestors 'none'; form-action 'self'"
)
# Login throttling: after this many failures for one account from one address within the
# window, that account is refused from that address for the lock time.
SLADESK_LOGIN_MAX_FAILURES = int(os.environ.get("SLADESK_LOGIN_MAX_FAILURES", "5"))
SLADESK_LOGIN_WINDOW_SECONDS = int(os.environ.get("SLADESK_LOGIN_WINDOW_SECONDS", "900"))
SLADESK_LOGIN_LOCK_SECONDS = int(os.environ.get("SLADESK_LOGIN_LOCK_SECONDS", "900"))
# Knowledge-base suggestions in the portal: dotted paths of suggesters (sladesk.portal.knowledge).
SLADESK_KB_SUGGESTERS = env_list("SLADESK_KB_SUGGESTERS", ["sladesk.knowledge.suggest.suggest"])
# Days after which a deflection attempt the customer left (no "this solved it", no ticket)
# is closed as abandoned and its typed text cleared by `sladesk worker`.
SLADESK_KB_ATTEMPT_RETENTION_DAYS = int(os.environ.get("SLADESK_KB_ATTEMPT_RETENTION_DAYS", "30"))

# SLADESK_LOG_FORMAT=json: one JSON object per line, with a line per request (request id,
# method, path, status, duration; sladesk.core.logs). In text form gunicorn's access log
# gives the request lines.
SLADESK_LOG_FORMAT = os.environ.get("SLADESK_LOG_FORMAT", "text").strip().lower() or "text"
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {"json": {"()": "sladesk.core.logs.JsonFormatter"}},
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            **({"formatter": "json"} if SLADESK_LOG_FORMAT == "json" else {}),
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("SLADESK_LOG_LEVEL", "INFO")},
    "loggers": {
        "sladesk.request": {"level": "INFO" if SLADESK_LOG_FORMAT == "json" else "WARNING"}
    },
}

# SLADESK_ENV=production: served over HTTPS behind a reverse proxy that terminates TLS and
# sets X-Forwarded-Proto (docs/deploy.md). Plain-HTTP requests are redirected (the health
# endpoints excepted: load balancers call them directly) and browsers are told to use HTTPS
# (HSTS; start low, raise it once HTTPS is known to work). `sladesk check --deploy` is clean
# with these and a real SLADESK_SECRET_KEY and SLADESK_ALLOWED_HOSTS (sladesk.core.checks).
SLADESK_ENV = os.environ.get("SLADESK_ENV", "").strip().lower()
_production = SLADESK_ENV == "production"
SECURE_SSL_REDIRECT = env_bool("SLADESK_SSL_REDIRECT", _production)
SECURE_REDIRECT_EXEMPT = [r"^healthz$", r"^readyz$"]
SECURE_HSTS_SECONDS = int(os.environ.get("SLADESK_HSTS_SECONDS", "3600" if _production else "0"))
# The preload flag has no effect until someone submits the domain to the browsers' list.
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SLADESK_HSTS_INCLUDE_SUBDOMAINS", _production)
SECURE_HSTS_PRELOAD = env_bool("SLADESK_HSTS_PRELOAD", _production)
if env_bool("SLADESK_BEHIND_PROXY", _production):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SLADESK_ALLOWED_HOSTS_SET = bool(os.environ.get("SLADESK_ALLOWED_HOSTS", "").strip())
