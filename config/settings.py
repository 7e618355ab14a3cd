"""Settings for ptsm, read from the environment.

Safe defaults for a local run (SQLite, DEBUG on, mail printed to the console); production sets
SECRET_KEY, DATABASE_URL, ALLOWED_HOSTS, EMAIL_URL and DEBUG=0.
"""

import datetime as dt
import os
import tempfile
from pathlib import Path
from urllib.parse import unquote, urlparse

import dj_database_url
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None:
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise RuntimeError("SECRET_KEY doit être défini lorsque DEBUG est désactivé.")
    SECRET_KEY = "ptsm-local-development-key-not-for-production"  # noqa: S105

ALLOWED_HOSTS = [h for h in os.environ.get("ALLOWED_HOSTS", "127.0.0.1,localhost").split(",") if h]
CSRF_TRUSTED_ORIGINS = [o for o in os.environ.get("CSRF_TRUSTED_ORIGINS", "").split(",") if o]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.forms",
    "dsfr",
    "widget_tweaks",
    "django_htmx",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "csp",
    "ptsm.core",
    "ptsm.accounts",
    "ptsm.territories",
    "ptsm.projects",
    "ptsm.organisations",
    "ptsm.governance",
    "ptsm.framing",
    "ptsm.diagnostic",
    "ptsm.roadmap",
    "ptsm.commitments",
    "ptsm.evaluation",
    "ptsm.documents",
    "ptsm.jobs",
    "ptsm.archives",
    "ptsm.search",
    "ptsm.demo",
    "ptsm.pilotage",
    "ptsm.consultations",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "ptsm.api",
]

# --- Background jobs (issue 16) ------------------------------------------------------------------
# Long work (documents, bundle, imports, e-mail campaigns) runs outside the request, through
# Django's Tasks API (the django-tasks backport on Django 5.2). TASKS_BACKEND=db (default): the
# queue is a table of the database, run by `manage.py db_worker` (`make run` starts one beside
# the server). TASKS_BACKEND=rq: Redis (REDIS_URL), run by `manage.py rqworker --job-class
# django_tasks_rq.Job` on any number of machines.
INSTALLED_APPS += ["django_tasks", "django_tasks_db", "django_rq", "django_tasks_rq"]
TASKS_BACKEND = os.environ.get("TASKS_BACKEND", "db")
TASKS = {
    "default": {
        "BACKEND": {"db": "django_tasks_db.DatabaseBackend", "rq": "django_tasks_rq.RQBackend"}[
            TASKS_BACKEND
        ],
        "QUEUES": ["default"],
    }
}
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
# An RQ job may run up to half an hour (the bundle of a very large project).
RQ_QUEUES = {"default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": 1800}}

# The cache holds counters every worker must share: the API's rate limit per token, the
# password-reset limits. CACHE_URL (redis://…), or else REDIS_URL when it is set in the
# environment: Redis, through Django's RedisCache, shared by every process and machine. Neither:
# each process keeps its own counters in memory (fine for `make run`, not for several workers).
CACHE_URL = os.environ.get("CACHE_URL") or os.environ.get("REDIS_URL", "")
# "pages": a project's main pages, whole, keyed on the project's data version
# (`projects/freshness.py`); local memory holds at most PTSM_PAGE_CACHE_ENTRIES of them.
CACHES = {
    "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
    "pages": {
        "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
        "LOCATION": "ptsm-pages",
        "OPTIONS": {"MAX_ENTRIES": int(os.environ.get("PTSM_PAGE_CACHE_ENTRIES", "500"))},
    },
}
if CACHE_URL:
    CACHES = {
        alias: {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": CACHE_URL,
            "KEY_PREFIX": f"ptsm-{alias}",
        }
        for alias in ("default", "pages")
    }
PTSM_PAGE_CACHE_ALIAS = "pages"
# PTSM_PAGE_CACHE=0 turns the pages' cache off (every page computed on each request).
PTSM_PAGE_CACHE = os.environ.get("PTSM_PAGE_CACHE", "1") == "1"
# A running job that gave no sign of life (progress) for this long is taken over by another
# worker (`manage.py requeue_stalled_jobs`, cron, or the job page); after this many attempts it
# fails with a message.
PTSM_JOB_STALL_SECONDS = int(os.environ.get("PTSM_JOB_STALL_SECONDS", "120"))
PTSM_JOB_MAX_ATTEMPTS = int(os.environ.get("PTSM_JOB_MAX_ATTEMPTS", "3"))
# A directory table (CSV, XLSX) larger than this is read and checked by a worker, and one with
# more lines than this is written by a worker: the page shows the job's progress instead of
# holding the request for seconds.
PTSM_IMPORT_JOB_BYTES = int(os.environ.get("PTSM_IMPORT_JOB_BYTES", str(64 * 1024)))
PTSM_IMPORT_JOB_LINES = int(os.environ.get("PTSM_IMPORT_JOB_LINES", "1000"))
# --- End of background jobs ----------------------------------------------------------------------

# --- Audit log and personal data (RGPD) -------------------------------------------------------
# django-auditlog records who created, changed or deleted what; its entries are stored in
# ptsm.audit's own model (AuditEntry), which carries the project so a project's journal can be
# filtered, and also holds the events that are not model changes (logins, exports, downloads).
INSTALLED_APPS += ["auditlog", "ptsm.audit"]
AUDITLOG_LOGENTRY_MODEL = "audit.AuditEntry"
# Entries of the journal older than this are removed by `manage.py purge_audit_log` (cron).
PTSM_AUDIT_RETENTION_DAYS = int(os.environ.get("PTSM_AUDIT_RETENTION_DAYS", "365"))
# A file import not confirmed within this delay can no longer be confirmed, and is purged.
PTSM_PENDING_IMPORT_RETENTION_DAYS = int(os.environ.get("PTSM_PENDING_IMPORT_RETENTION_DAYS", "7"))
# Contacts of organisations no longer involved are purged after this much inactivity
# (`manage.py purge_personal_data`, cron).
PTSM_CONTACT_RETENTION_DAYS = int(os.environ.get("PTSM_CONTACT_RETENTION_DAYS", str(3 * 365)))
# --- end of audit log and personal data -------------------------------------------------------

MIDDLEWARE = [
    # First: it times the whole request and gives its log lines their request id.
    "ptsm.core.observability.RequestLogMiddleware",
    "django.middleware.security.SecurityMiddleware",
    # Pages are compressed too (see « Serving » below).
    "django.middleware.gzip.GZipMiddleware",
    # Security headers (see « Security » below).
    "csp.middleware.CSPMiddleware",
    "ptsm.core.middleware.PermissionsPolicyMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    # Second factor and session limits (see « Security » below).
    "django_otp.middleware.OTPMiddleware",
    "ptsm.accounts.middleware.SessionLifetimeMiddleware",
    "ptsm.accounts.middleware.SecondFactorMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # « Terminé : … » on the next page once a job the user started has ended.
    "ptsm.jobs.middleware.JobNoticeMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Audit log: the actor and address of every entry come from the request (after authentication).
    "auditlog.middleware.AuditlogMiddleware",
    # A writing request raises its project's data version: the pages cached before are not
    # served again (`projects/freshness.py`).
    "ptsm.projects.freshness.DataVersionMiddleware",
    # Last, as django-axes requires: it turns a lockout raised during login into its response.
    "axes.middleware.AxesMiddleware",
]

if not DEBUG:
    # In production static files are collected (collectstatic) and served by WhiteNoise;
    # locally runserver serves them from the apps.
    MIDDLEWARE.insert(2, "whitenoise.middleware.WhiteNoiseMiddleware")

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "ptsm.core.context_processors.site",
                "ptsm.projects.context_processors.project_navigation",
                "ptsm.pilotage.context_processors.cockpit",
            ],
        },
    },
]
FORM_RENDERER = "django.forms.renderers.TemplatesSetting"

DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL", f"sqlite:///{BASE_DIR / 'db.sqlite3'}"),
        conn_max_age=int(os.environ.get("CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # A database that does not answer fails requests fast instead of piling them up: a
    # connection attempt gives up after DB_CONNECT_TIMEOUT seconds, a statement is cancelled
    # after DB_STATEMENT_TIMEOUT_MS milliseconds (background jobs may set their own).
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "connect_timeout": int(os.environ.get("DB_CONNECT_TIMEOUT", "5")),
            "options": f"-c statement_timeout={int(os.environ.get('DB_STATEMENT_TIMEOUT_MS', '30000'))}",
        }
    )
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Concurrent readers during document generation and browser tests. Write transactions take
    # the write lock when they begin (IMMEDIATE): a read-then-write (a locked re-read before a
    # save) waits for the other writer instead of failing or losing an update.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {"timeout": 20, "transaction_mode": "IMMEDIATE"}
    )
    # Tests use a file, not a shared-cache in-memory database, whose table locks cannot wait:
    # the concurrency tests run real simultaneous writers.
    # One file per test process, so that two test runs never share it.
    DATABASES["default"].setdefault("TEST", {})["NAME"] = os.environ.get(
        "TEST_SQLITE_PATH", str(Path(tempfile.gettempdir()) / f"ptsm-test-{os.getpid()}.sqlite3")
    )

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
AUTH_USER_MODEL = "accounts.User"
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "projects:list"
LOGOUT_REDIRECT_URL = "accounts:login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 12},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "fr"
# Django's own French wording wins over an installed app's (see locale/fr/LC_MESSAGES/django.po).
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGES = [("fr", "Français")]
TIME_ZONE = "Europe/Paris"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Stored files (generated documents, signed PDFs, uploads waiting for a job) go through Django's
# storage API: a local folder by default (MEDIA_ROOT), an S3-compatible object store when
# S3_BUCKET is set (several machines share it). Either way files are private: they are only
# streamed through views that check the user's role, never linked to directly.
S3_BUCKET = os.environ.get("S3_BUCKET", "")
DEFAULT_STORAGE = (
    {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": S3_BUCKET,
            "endpoint_url": os.environ.get("S3_ENDPOINT_URL") or None,
            "region_name": os.environ.get("S3_REGION") or None,
            "access_key": os.environ.get("S3_ACCESS_KEY_ID") or None,
            "secret_key": os.environ.get("S3_SECRET_ACCESS_KEY") or None,
            "location": os.environ.get("S3_PREFIX", ""),
            "default_acl": "private",
            # Were a URL ever built, it would be signed and short-lived.
            "querystring_auth": True,
            "querystring_expire": 300,
            # Content-addressed names never overwrite; other names get a suffix, never replace.
            "file_overwrite": False,
        },
    }
    if S3_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"}
)
STORAGES = {
    "default": DEFAULT_STORAGE,
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Uploads: keep requests small; each upload form checks its own size and type as well.
DATA_UPLOAD_MAX_MEMORY_SIZE = 10 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024


def email_settings(url: str) -> dict:
    """Translate EMAIL_URL (smtp://user:pass@host:port, smtp+tls://…, console://) to settings."""
    parsed = urlparse(url)
    if parsed.scheme == "console":
        return {"EMAIL_BACKEND": "django.core.mail.backends.console.EmailBackend"}
    return {
        "EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
        "EMAIL_HOST": parsed.hostname or "localhost",
        "EMAIL_PORT": parsed.port or 25,
        "EMAIL_HOST_USER": unquote(parsed.username or ""),
        "EMAIL_HOST_PASSWORD": unquote(parsed.password or ""),
        "EMAIL_USE_TLS": parsed.scheme == "smtp+tls",
        "EMAIL_USE_SSL": parsed.scheme == "smtps",
    }


globals().update(email_settings(os.environ.get("EMAIL_URL", "console://")))
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "ptsm <ne-pas-repondre@ptsm.localhost>")

# --- Security: authentication, sessions and HTTP headers (issue 11) ---------------------------
# Every knob below is documented in README.md, section « Sécurité ».

# Login throttling (django-axes). After AXES_FAILURE_LIMIT failures for one address, or from one
# IP address, every login (even with the right password) is refused for AXES_COOLOFF_TIME. This
# covers the login page and the admin's (both authenticate through AxesBackend).
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AXES_FAILURE_LIMIT = int(os.environ.get("AXES_FAILURE_LIMIT", "10"))
AXES_COOLOFF_TIME = dt.timedelta(minutes=int(os.environ.get("AXES_COOLOFF_MINUTES", "30")))
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
# Failures are forgotten AXES_COOLOFF_TIME after the last one, not on a successful login: else an
# attacker could log into their own account between two series of guesses from the same address.
AXES_RESET_ON_SUCCESS = False
# The lockout lasts AXES_COOLOFF_TIME from the last counted failure, as the page says: attempts
# refused during the lockout do not extend it.
AXES_RESET_COOL_OFF_ON_FAILURE_DURING_LOCKOUT = False
AXES_USERNAME_CALLABLE = "ptsm.accounts.security.login_username"
AXES_CLIENT_IP_CALLABLE = "ptsm.accounts.security.client_ip"
AXES_LOCKOUT_CALLABLE = "ptsm.accounts.views.locked_out"
AXES_VERBOSE = False
# Number of reverse proxies in front of ptsm that append to X-Forwarded-For. 0 (the default):
# X-Forwarded-For is ignored (a client could forge it) and REMOTE_ADDR is the client's address.
TRUSTED_PROXY_COUNT = int(os.environ.get("TRUSTED_PROXY_COUNT", "0"))
# Password reset e-mails: at most this many requests per address and per IP address per hour.
PASSWORD_RESET_LIMIT_PER_EMAIL = 3
PASSWORD_RESET_LIMIT_PER_IP = 10

# Sessions end after 30 minutes without a request, and 12 hours after login whatever happens
# (ptsm.accounts.middleware.SessionLifetimeMiddleware).
SESSION_COOKIE_AGE = 30 * 60
# The session (and its cookie's age) is renewed at most once a minute, not on every request: a
# page served from the cache writes nothing to the database.
SESSION_TOUCH_SECONDS = 60
SESSION_MAX_LIFETIME = 12 * 60 * 60
SESSION_COOKIE_HTTPONLY = True

# Second factor (django-otp, TOTP): mandatory for administrateurs ARS and superusers, optional
# for everyone else (ptsm.accounts.middleware.SecondFactorMiddleware).
OTP_TOTP_ISSUER = "ptsm"

# HTTP headers.
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# Browser features ptsm never uses are denied to every page (ptsm.core.middleware).
PERMISSIONS_POLICY = [
    "accelerometer",
    "camera",
    "display-capture",
    "geolocation",
    "gyroscope",
    "magnetometer",
    "microphone",
    "payment",
    "usb",
]
# Nothing inline: scripts and styles come from our own static files (DSFR, htmx); htmx is told
# not to inject its indicator style nor to evaluate code (meta htmx-config in core/base.html).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    },
}

if not DEBUG:
    SESSION_COOKIE_SECURE = env_bool("SESSION_COOKIE_SECURE", True)
    CSRF_COOKIE_SECURE = env_bool("CSRF_COOKIE_SECURE", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    # HTTPS only. A proxy that already redirects to HTTPS may turn ptsm's redirect off
    # (SECURE_SSL_REDIRECT=0); HSTS stays on.
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", str(365 * 24 * 60 * 60)))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
# --- End of security -------------------------------------------------------------------------

# --- Serving: logs, health endpoints (issue 16) -------------------------------------------------
# Logs go to standard output. In production (DEBUG=0) each line is a JSON object with the
# request id, the user's id, the project and the duration (ptsm.core.observability); one line
# per request is written by the "ptsm.requests" logger. LOG_FORMAT=text gives plain lines.
LOG_FORMAT = os.environ.get("LOG_FORMAT", "text" if DEBUG else "json")
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "formatters": {
        "json": {"()": "ptsm.core.observability.JsonLinesFormatter"},
        "text": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"},
    },
    "handlers": {
        "console": {
            "class": "logging.StreamHandler",
            "stream": "ext://sys.stdout",
            "formatter": "json" if LOG_FORMAT == "json" else "text",
        }
    },
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "WARNING")},
    "loggers": {
        # runserver already prints each request during development.
        "ptsm.requests": {
            "level": "WARNING" if DEBUG else os.environ.get("LOG_REQUESTS_LEVEL", "INFO")
        },
    },
}
# Load balancers probe the health endpoints over plain HTTP.
SECURE_REDIRECT_EXEMPT = [r"^sante/"]
# --- End of serving ----------------------------------------------------------------------------

PTSM_SITE_TITLE = "ptsm"
PTSM_SITE_TAGLINE = "Projets territoriaux de santé mentale"

# --- publisher (footer, « Mentions légales », « Déclaration d'accessibilité ») -----------------
# Every deployment names who publishes it: an ARS, a conseil départemental, a GIP… The defaults
# describe a local installation; a production server sets them all.
PTSM_PUBLISHER = os.environ.get("PTSM_PUBLISHER", "Instance locale de ptsm")
PTSM_PUBLISHER_ADDRESS = os.environ.get("PTSM_PUBLISHER_ADDRESS", "")
PTSM_PUBLICATION_DIRECTOR = os.environ.get("PTSM_PUBLICATION_DIRECTOR", "")
PTSM_CONTACT_EMAIL = os.environ.get("PTSM_CONTACT_EMAIL", "")
PTSM_DPO_EMAIL = os.environ.get("PTSM_DPO_EMAIL", "")
PTSM_HOSTING = os.environ.get("PTSM_HOSTING", "")
# RGAA compliance status: « non conforme » until an RGAA audit has measured it (the RGAA's rule);
# after an audit set the status, the rate of criteria met and the audit's date.
PTSM_ACCESSIBILITY_STATUS = os.environ.get("PTSM_ACCESSIBILITY_STATUS", "non conforme")
if PTSM_ACCESSIBILITY_STATUS not in (
    "non conforme",
    "partiellement conforme",
    "totalement conforme",
):
    raise ImproperlyConfigured(
        "PTSM_ACCESSIBILITY_STATUS doit valoir « non conforme », « partiellement conforme » "
        "ou « totalement conforme »."
    )
PTSM_ACCESSIBILITY_RATE = os.environ.get("PTSM_ACCESSIBILITY_RATE", "")
PTSM_ACCESSIBILITY_AUDIT_DATE = os.environ.get("PTSM_ACCESSIBILITY_AUDIT_DATE", "")
PTSM_ACCESSIBILITY_AUDITOR = os.environ.get("PTSM_ACCESSIBILITY_AUDITOR", "")

# --- letters (lettre de cadrage, lettres d'engagement) -----------------------------------------
# Letterhead of the letters: "institutions" (the signing institutions' logos or names) or "etat"
# (adds the « République française » block: only when the publisher is a State service).
# The address people open ptsm at, for the links of e-mails sent outside a request (the weekly
# « À faire », sent from cron).
PTSM_BASE_URL = os.environ.get("PTSM_BASE_URL", "http://127.0.0.1:8000").rstrip("/")
PTSM_LETTERHEAD = os.environ.get("PTSM_LETTERHEAD", "institutions")
if PTSM_LETTERHEAD not in ("institutions", "etat"):
    raise ImproperlyConfigured("PTSM_LETTERHEAD doit valoir « institutions » ou « etat ».")
# The pages' « République française » block (header and footer) is the State's: shown only when
# the publisher is a State service (an ARS); a conseil départemental or a GIP publishes under its
# own name. Follows PTSM_LETTERHEAD unless set.
PTSM_STATE_SERVICE = os.environ.get(
    "PTSM_STATE_SERVICE", "1" if PTSM_LETTERHEAD == "etat" else "0"
).lower() in ("1", "true", "oui", "yes")


# --- REST API (issue 18) -------------------------------------------------------------------------
# /api/v1/: personal tokens (Authorization: Bearer …) or the browser's session; cursor pages;
# errors as RFC 9457 problem details in French; one rate limit per token (PTSM_API_RATE, e.g.
# "1200/min"), counted in Django's cache (Redis with CACHE_URL or REDIS_URL: shared by workers).
PTSM_API_RATE = os.environ.get("PTSM_API_RATE", "1200/min")
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "ptsm.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["ptsm.api.parsers.BoundedJSONParser"],
    "DEFAULT_PAGINATION_CLASS": "ptsm.api.pagination.ApiCursorPagination",
    "DEFAULT_THROTTLE_CLASSES": ["ptsm.api.throttling.TokenRateThrottle"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "ptsm.api.exceptions.problem_exception_handler",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    "COERCE_DECIMAL_TO_STRING": True,
}
SPECTACULAR_SETTINGS = {
    "TITLE": "API de ptsm",
    "DESCRIPTION": (
        "Données des projets territoriaux de santé mentale, avec les mêmes droits que "
        "l'interface. Authentification : `Authorization: Bearer <jeton>` (jeton personnel créé "
        "sur la page « Mon compte »). Erreurs au format RFC 9457 (application/problem+json)."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SERVE_PERMISSIONS": ["rest_framework.permissions.AllowAny"],
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": "/api/v1",
}
# --- End of REST API ------------------------------------------------------------------------------
