"""AIOM settings, read from the environment (django-environ; a `.env` file is honoured).

Secure by default: DEBUG is off and every security flag is on unless the environment says
otherwise. `make run` sets DEBUG=true for the local demo.
"""

from pathlib import Path

import environ

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env(
    "SECRET_KEY",
    default="insecure-local-development-key-do-not-use-in-production" if DEBUG else environ.Env.NOTSET,
)
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])
APP_URL = env("APP_URL", default="http://127.0.0.1:8000").rstrip("/")
DEMO_DIR = Path(env("AIOM_DEMO_DIR", default=str(BASE_DIR / ".demo")))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "rest_framework",
    "drf_spectacular",
    "knox",
    "django_celery_beat",
    "axes",
    "aiom",
    "audit",
    "actions",
    "analyzers",
    "integrations",
    "assistant",
    "followups",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "axes.middleware.AxesMiddleware",
    "aiom.middleware.DatabaseUnavailableMiddleware",
]

ROOT_URLCONF = "aiom.urls"
WSGI_APPLICATION = "aiom.wsgi.application"
ASGI_APPLICATION = "aiom.asgi.application"

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
                "aiom.tenancy.organization_context",
                "actions.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{DEMO_DIR / 'aiom.sqlite3'}")}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # The demo runs web, worker and beat against one file: WAL lets readers and the single
    # writer proceed together, IMMEDIATE transactions avoid "database is locked" upgrades.
    DATABASES["default"]["OPTIONS"] = {
        "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        "transaction_mode": "IMMEDIATE",
        "timeout": 20,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
PASSWORD_HASHERS = env.list("PASSWORD_HASHERS", default=[
    "django.contrib.auth.hashers.PBKDF2PasswordHasher",
    "django.contrib.auth.hashers.PBKDF2SHA1PasswordHasher",
    "django.contrib.auth.hashers.Argon2PasswordHasher",
    "django.contrib.auth.hashers.BCryptSHA256PasswordHasher",
    "django.contrib.auth.hashers.ScryptPasswordHasher",
])
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "dashboard:overview"
LOGOUT_REDIRECT_URL = "login"

# Login brute-force protection: lock a username+IP pair after repeated failures.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = env.float("AXES_COOLOFF_HOURS", default=0.25)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# Security: on unless explicitly relaxed (the demo runs over plain HTTP on localhost).
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=not DEBUG)
SESSION_COOKIE_SECURE = env.bool("SESSION_COOKIE_SECURE", default=not DEBUG)
CSRF_COOKIE_SECURE = env.bool("CSRF_COOKIE_SECURE", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=0 if DEBUG else 31536000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = not DEBUG
SECURE_HSTS_PRELOAD = not DEBUG
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
X_FRAME_OPTIONS = "DENY"

# Celery: the broker is only a wake-up signal; PostgreSQL is the source of truth.
CELERY_BROKER_URL = env("CELERY_BROKER_URL", default="redis://127.0.0.1:6379/0")
# max_retries 0: with the broker down an enqueue fails at once (the sweeper covers it) instead
# of holding the approving request for seconds.
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": env.int("CELERY_VISIBILITY_TIMEOUT", default=3600),
                                   "max_retries": 0}
if CELERY_BROKER_URL.startswith("filesystem://"):
    _broker_dir = DEMO_DIR / "broker"
    CELERY_BROKER_TRANSPORT_OPTIONS.update(
        data_folder_in=str(_broker_dir), data_folder_out=str(_broker_dir),
        processed_folder=str(DEMO_DIR / "broker-processed"), store_processed=False,
        control_folder=str(DEMO_DIR / "broker-control"),  # kombu's default is ./control
    )
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SOFT_TIME_LIMIT = env.int("CELERY_TASK_SOFT_TIME_LIMIT", default=120)
CELERY_TASK_TIME_LIMIT = env.int("CELERY_TASK_TIME_LIMIT", default=150)
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = "UTC"
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
AIOM_RETRY_BASE_SECONDS = env.float("AIOM_RETRY_BASE_SECONDS", default=10)
AIOM_RETRY_MAX_SECONDS = env.float("AIOM_RETRY_MAX_SECONDS", default=300)

# Outside systems (their clients arrive with the integrations).
ODOO_URL = env("ODOO_URL", default="")
ODOO_DB = env("ODOO_DB", default="")
ODOO_USERNAME = env("ODOO_USERNAME", default="")
ODOO_PASSWORD = env("ODOO_PASSWORD", default="")
ODOO_API_KEY = env("ODOO_API_KEY", default="")
ODOO_PROTOCOL = env("ODOO_PROTOCOL", default="xmlrpc")
ODOO_TIMEOUT = env.float("ODOO_TIMEOUT", default=30.0)
ODOO_RETRIES = env.int("ODOO_RETRIES", default=3)
ODOO_RETRY_BACKOFF = env.float("ODOO_RETRY_BACKOFF", default=0.5)

EMAIL_CONFIG = env.email_url("EMAIL_URL", default="smtp://localhost:25")
vars().update(EMAIL_CONFIG)
EMAIL_TIMEOUT = env.int("EMAIL_TIMEOUT", default=20)
SMTP2GO_API_KEY = env("SMTP2GO_API_KEY", default="")
SMTP2GO_API_URL = env("SMTP2GO_API_URL", default="https://api.smtp2go.com/v3/")
# An explicit EMAIL_BACKEND wins; else SMTP2GO's API when keyed; else SMTP on EMAIL_URL;
# the demo without EMAIL_URL keeps its mail in the outbox.
if SMTP2GO_API_KEY:
    _default_email_backend = "integrations.email.Smtp2goApiBackend"
elif DEBUG and not env("EMAIL_URL", default=""):
    _default_email_backend = "integrations.email.OutboxBackend"
else:
    _default_email_backend = EMAIL_CONFIG["EMAIL_BACKEND"]
EMAIL_BACKEND = env("EMAIL_BACKEND", default=_default_email_backend)
DEFAULT_FROM_EMAIL = env("DEFAULT_FROM_EMAIL", default="AIOM <aiom@localhost>")
AIOM_MESSAGE_ID_DOMAIN = env("AIOM_MESSAGE_ID_DOMAIN", default="aiom.local")
# Fernet keys for secrets kept at rest (the Odoo password/API key), newest first; empty derives
# one from SECRET_KEY. See aiom/crypto.py.
AIOM_ENCRYPTION_KEYS = env.list("AIOM_ENCRYPTION_KEYS", default=[])
SMS_SERVER_URL = env("SMS_SERVER_URL", default="")
SMS_SERVER_API_KEY = env("SMS_SERVER_API_KEY", default="")
SMS_DEFAULT_FROM = env("SMS_DEFAULT_FROM", default="")
SMS_TIMEOUT = env.float("SMS_TIMEOUT", default=10.0)
ANTHROPIC_API_KEY = env("ANTHROPIC_API_KEY", default="")
ANTHROPIC_MODEL = env("ANTHROPIC_MODEL", default="claude-sonnet-4-5")
# Per attempt; (ANTHROPIC_MAX_RETRIES + 1) × ANTHROPIC_TIMEOUT must stay below CELERY_TASK_SOFT_TIME_LIMIT.
ANTHROPIC_TIMEOUT = env.float("ANTHROPIC_TIMEOUT", default=20.0)
ANTHROPIC_MAX_RETRIES = env.int("ANTHROPIC_MAX_RETRIES", default=2)
AIOM_DEAL_STALLED_DAYS = env.int("AIOM_DEAL_STALLED_DAYS", default=14)  # no stage change for this long
AIOM_RUNWAY_LOW_DAYS = env.int("AIOM_RUNWAY_LOW_DAYS", default=60)  # a shorter cash runway raises a finding
APPROVAL_EMAIL = env("APPROVAL_EMAIL", default="")
APPROVAL_PHONE = env("APPROVAL_PHONE", default="")

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["aiom.authentication.BearerTokenAuthentication",
                                       "rest_framework.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated",
                                   "aiom.authentication.TokenScopeAllows"],
    "DEFAULT_THROTTLE_CLASSES": ["aiom.authentication.WriteThrottle"],
    # Per person (or per address before sign-in): deciding, proposing and running; failed tokens.
    "DEFAULT_THROTTLE_RATES": {"write": env("API_WRITE_RATE", default="120/min"),
                               "auth": env("API_AUTH_FAILURE_RATE", default="20/min")},
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "DEFAULT_PAGINATION_CLASS": "aiom.pagination.Pages",
    "EXCEPTION_HANDLER": "aiom.api.exception_handler",
}
# Throttle counters (and nothing else) live in the cache: set CACHE_URL (e.g. redis://…) when
# several web processes serve the API, so they count together.
CACHES = {"default": env.cache("CACHE_URL", default="locmemcache://")}

# API tokens (django-rest-knox): only a SHA-512 digest is stored; "aiom_" makes a leaked key
# recognisable to secret scanners.
KNOX_TOKEN_MODEL = "aiom.ApiToken"
# knox's own migrations would create its unused default table (they predate the swappable
# model): AIOM's table is aiom.ApiToken, so knox gets none.
MIGRATION_MODULES = {"knox": None}
REST_KNOX = {"AUTH_HEADER_PREFIX": "Bearer", "TOKEN_PREFIX": "aiom_", "TOKEN_TTL": None}
SPECTACULAR_SETTINGS = {
    "TITLE": "AIOM API", "VERSION": "1.0.0", "SERVE_INCLUDE_SCHEMA": False,
    "DESCRIPTION": "Everything the AIOM dashboard does. Authenticate with `Authorization: Bearer <token>` "
                   "(tokens from the dashboard's API tokens page); `X-AIOM-Org: <slug>` picks the organisation.",
    "ENUM_NAME_OVERRIDES": {"ActionStatusEnum": "actions.models.ActionStatus",
                            "AnalysisStatusEnum": "analyzers.models.AnalysisStatus",
                            "FollowUpStatusEnum": "followups.models.FollowUpStatus"},
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"redact_tokens": {"()": "aiom.log_filters.RedactApprovalTokens"},
                "client_errors_plain": {"()": "aiom.log_filters.ClientErrorsWithoutTraceback"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s %(name)s %(message)s"}},
    "handlers": {"console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["redact_tokens"]}},
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    "loggers": {
        "axes": {"level": "WARNING"},
        # Request paths can hold approval tokens: these loggers print paths.
        "django.server": {"handlers": ["console"], "level": "INFO", "propagate": False, "filters": ["redact_tokens"]},
        # 4xx: a warning without traceback; 5xx: an error with it.
        "django.request": {"handlers": ["console"], "level": "WARNING", "propagate": False,
                           "filters": ["redact_tokens", "client_errors_plain"]},
    },
}

# Static files straight from the app folders while developing; from STATIC_ROOT in production.
WHITENOISE_USE_FINDERS = DEBUG
WHITENOISE_AUTOREFRESH = DEBUG
