"""Settings, read from the environment (see docs/operations.md for every variable).

With nothing set this is the embedded default: SQLite under ./data, Celery tasks
run eagerly in the web process, DEBUG on, uploads on local disk.
DATABASE_URL switches to PostgreSQL; CELERY_BROKER_URL to Redis with real workers.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.csp import CSP
from django.utils.translation import gettext_lazy as _

from reviewapp.env import (
    env_bool,
    env_broker_url,
    env_choice,
    env_database_url,
    env_email,
    env_int,
    env_list,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent
DATA_DIR = Path(env_str("DATA_DIR", str(BASE_DIR / "data")))

DEBUG = env_bool("DEBUG", True)
_INSECURE_KEY = "django-insecure-embedded-default-do-not-use-in-production"
SECRET_KEY = env_str("SECRET_KEY", _INSECURE_KEY if DEBUG else "")
if not SECRET_KEY:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("SECRET_KEY must be set when DEBUG is off.")
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "[::1]"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "axes",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_htmx",
    "rules.apps.AutodiscoverRulesConfig",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "reviewapp",
    "screening",
    "grading",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.auth.middleware.LoginRequiredMiddleware",
    # After authentication: request.user.is_verified(); then the second step of the login
    # for whoever has two-factor login on (or must set it up).
    "django_otp.middleware.OTPMiddleware",
    "reviewapp.accounts.middleware.TwoFactorMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # A readable page, not an empty body, for a form's address opened with GET.
    "reviewapp.middleware.MethodNotAllowedPageMiddleware",
    "django.middleware.csp.ContentSecurityPolicyMiddleware",
    # Last, as django-axes asks: it turns a locked-out login into the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "reviewapp.urls"
WSGI_APPLICATION = "reviewapp.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "reviewapp.context_processors.outages",
            ],
        },
    },
]

_database_url = env_database_url("DATABASE_URL")
if _database_url:
    DATABASES = {
        "default": dj_database_url.parse(
            _database_url, conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60)
        )
    }
else:
    DATA_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": DATA_DIR / "reviewapp.sqlite3",
            # Several reviewers write at once; wait for the lock rather than fail.
            "OPTIONS": {"timeout": 20, "transaction_mode": "IMMEDIATE"},
        }
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    # First: django-axes refuses a locked-out login before any password is checked.
    "axes.backends.AxesStandaloneBackend",
    "rules.permissions.ObjectPermissionBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# Login throttling (django-axes, failures kept in the database, so it holds with the cache
# down): AXES_FAILURE_LIMIT wrong passwords for one username from one address lock that
# pair out for AXES_COOLOFF_MINUTES; a success resets the count. By username and address
# together, so that nobody can lock a colleague out from elsewhere.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5, minimum=1)
AXES_COOLOFF_TIME = timedelta(minutes=env_int("AXES_COOLOFF_MINUTES", 15, minimum=1))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "reviewapp.throttling.login_locked_out"
AXES_VERBOSE = False
AXES_CLIENT_IP_CALLABLE = "reviewapp.throttling.client_ip"

LOGIN_URL = "login"
# Who may create projects: "everyone" (any logged-in user, the embedded default, so that the
# demo and a single-user installation work) or "staff" (installation admins, Django's
# is_staff; the production default). See reviewapp.rules.can_create_project.
PROJECT_CREATION = env_choice(
    "PROJECT_CREATION", "everyone" if DEBUG else "staff", choices=("everyone", "staff")
)
# Leads of any project must use two-factor login (TOTP); they are asked to set it up at
# their next login.
TWO_FACTOR_FOR_LEADS = env_bool("TWO_FACTOR_FOR_LEADS", False)
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Reviewapp")
# Invitations and password reset links are valid this long.
INVITATION_MAX_AGE = timedelta(days=7)
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT_HOURS", 24, minimum=1) * 3600
# Password reset requests: at most this many mails per address, and requests per client
# address, per hour (the cache holds the counts; reviewapp.accounts.throttling).
PASSWORD_RESET_PER_EMAIL = env_int("PASSWORD_RESET_PER_EMAIL", 3, minimum=1)
PASSWORD_RESET_PER_IP = env_int("PASSWORD_RESET_PER_IP", 20, minimum=1)

# E-mail: SMTP from EMAIL_URL (smtp://user:password@host:587?tls=1, smtps://... for implicit
# TLS) or the EMAIL_HOST/PORT/USER/PASSWORD/USE_TLS variables; with neither, mails are
# printed to the console (the embedded default).
_email = env_email(os.environ)
EMAIL_BACKEND = _email.pop("EMAIL_BACKEND")
globals().update(_email)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "Reviewapp <reviewapp@localhost>")
SERVER_EMAIL = env_str("SERVER_EMAIL", DEFAULT_FROM_EMAIL)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10, minimum=1)
# The site's address, for links in mails sent without a request (notifications).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000")
LOGIN_REDIRECT_URL = "project_list"
LOGOUT_REDIRECT_URL = "login"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = env_str("LANGUAGE_CODE", "en")
LANGUAGES = [("en", _("English")), ("da", _("Danish"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Europe/Copenhagen")
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(DATA_DIR / "media")))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": (
            "django.contrib.staticfiles.storage.StaticFilesStorage"
            if DEBUG
            else "whitenoise.storage.CompressedManifestStaticFilesStorage"
        )
    },
}
# Fixed at start-up: tests flip DEBUG later, and without collectstatic there is
# no STATIC_ROOT for WhiteNoise to index.
WHITENOISE_AUTOREFRESH = DEBUG
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_BYTES", 300 * 1024 * 1024, minimum=1)
FULLTEXT_MAX_BYTES = env_int("FULLTEXT_MAX_BYTES", 50 * 1024 * 1024, minimum=1)

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Celery: eager in process without a broker (the embedded default and plain
# unit tests); a real worker against Redis when CELERY_BROKER_URL is set.
CELERY_BROKER_URL = env_broker_url("CELERY_BROKER_URL")
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL is None
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_BACKEND = None
# A save must neither block nor fail when Redis is down: publish once, quickly.
CELERY_BROKER_CONNECTION_TIMEOUT = 2
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 2}
CELERY_TASK_PUBLISH_RETRY = False
# Run by the `beat` service of docker-compose. Every 5 s: recompute stale verdicts whose
# request was never sent (the broker was down) or is older than REQUEST_TIMEOUT (one query
# when none is); every 10 s: fail imports whose worker stopped (no heartbeat for a minute);
# every minute: the backstop sweep of verdicts stale for 30 s whatever their request.
CELERY_BEAT_SCHEDULE = {
    "verdicts-recover": {"task": "grading.tasks.verdicts_recover_task", "schedule": 5.0},
    "imports-sweep": {"task": "screening.tasks.imports_sweep_task", "schedule": 10.0},
    "verdicts-sweep": {"task": "grading.tasks.verdicts_sweep_task", "schedule": 60.0},
    # Each person's notifications of the day in one mail (reviewapp.notifications).
    "notification-digests": {
        "task": "reviewapp.tasks.notifications_digest_task",
        "schedule": crontab(hour=env_int("DIGEST_HOUR", 7), minute=0),
    },
    # What has been in a bin longer than SOFT_DELETE_DAYS, deleted for good, at night.
    "deleted-purge": {
        "task": "reviewapp.tasks.deleted_purge_task",
        "schedule": crontab(hour=3, minute=30),
    },
}
CELERY_TIMEZONE = TIME_ZONE
# How long a deleted item stays in its project's bin, restorable, before the nightly purge
# (reviewapp.services.deleted_purge) deletes it for good.
SOFT_DELETE_DAYS = env_int("SOFT_DELETE_DAYS", 30, minimum=1)

# Progress of background work (imports) is shared through the cache, outside the
# import's transaction: Redis when there are workers, process memory otherwise.
_cache_url = env_str("CACHE_URL", CELERY_BROKER_URL or "")
if _cache_url.startswith("redis"):
    CACHES = {
        "default": {
            # Django's Redis cache that answers as a miss while Redis is down (reviewapp.cache).
            "BACKEND": "reviewapp.cache.TolerantRedisCache",
            "LOCATION": _cache_url,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# Sessions live in the database alone (one indexed read a request), never in the cache: a
# logout while Redis is down could not delete the cached copy, which would log the person
# back in once Redis returned. With the database the site logs in and out whatever Redis does.
SESSION_ENGINE = "django.contrib.sessions.backends.db"
SESSION_COOKIE_SECURE = env_bool("SECURE_COOKIES", not DEBUG)
CSRF_COOKIE_SECURE = SESSION_COOKIE_SECURE
BEHIND_TLS_PROXY = env_bool("BEHIND_TLS_PROXY", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https") if BEHIND_TLS_PROXY else None
# No page may be framed, except a full text's PDF beside its decision form (same origin; see
# screening.views.fulltext.fulltext_pdf).
X_FRAME_OPTIONS = "DENY"
# HSTS once the site is served over TLS (production): a year, subdomains included.
SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 0 if DEBUG else 31536000, minimum=0)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env_bool("SECURE_HSTS_INCLUDE_SUBDOMAINS", True)
SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", False)
# Preloading binds the whole domain and its subdomains to HTTPS in browsers for months: the
# domain owner's decision (SECURE_HSTS_PRELOAD=true), not a default; its deploy check is
# silenced only while it is off.
SILENCED_SYSTEM_CHECKS = [] if SECURE_HSTS_PRELOAD else ["security.W021"]
# Production is served over TLS (docs/deploy.md): plain http is redirected, except the health
# check that compose and load balancers call on the container's own port.
SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", not DEBUG)
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
SECURE_REFERRER_POLICY = "same-origin"
# Django's own Content-Security-Policy: scripts, styles and everything else only from this
# site's static files, no inline script or style at all (templates carry none; progress bars
# get their width from static/js/app.js). data: images for Bootstrap's inline SVG icons.
SECURE_CSP = {
    "default-src": [CSP.SELF],
    "script-src": [CSP.SELF],
    "style-src": [CSP.SELF],
    "img-src": [CSP.SELF, "data:"],
    "font-src": [CSP.SELF],
    "connect-src": [CSP.SELF],
    "object-src": [CSP.SELF],
    "frame-src": [CSP.SELF],
    "frame-ancestors": [CSP.SELF],
    "base-uri": [CSP.SELF],
    "form-action": [CSP.SELF],
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
}

# The REST API (reviewapp/api, docs/api.md): session or personal token, one error shape.
REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "reviewapp.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "reviewapp.api.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_SCHEMA_CLASS": "reviewapp.api.schema.ReviewAutoSchema",
    "EXCEPTION_HANDLER": "reviewapp.api.errors.exception_handler",
    "DEFAULT_RENDERER_CLASSES": [
        "rest_framework.renderers.JSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    # JSON bodies only, so that each operation has one documented request shape (a generated
    # client gets one body type); uploads say multipart on their own view.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Reviewapp API",
    "DESCRIPTION": "Systematic reviews from search hits to evidence verdicts; see docs/api.md.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "SCHEMA_PATH_PREFIX": "/api/",
    "COMPONENT_SPLIT_REQUEST": True,
    # Served from the sidecar package's static files: deployments may be offline.
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "ENUM_NAME_OVERRIDES": {
        "DecisionValueEnum": "screening.models.Decision.Value",
        "ResolutionValueEnum": ["include", "exclude"],
        "SourceKindEnum": "screening.models.Source.Kind",
        "StageKindEnum": "screening.models.Stage.Kind",
        "ItemStatusEnum": "screening.models.ScreeningItem.Status",
        "BulkActionKindEnum": "screening.models.BulkAction.Kind",
        "ExtractionFieldKindEnum": "grading.models.ExtractionField.Kind",
        "RatingEnum": "grading.models.Rating",
        # One name each for choice sets that several fields use.
        "CountAsEnum": "grading.models.ReportSettings.CountAs",
        "QualityEnum": "grading.models.QUALITY_CHOICES",
        "StoppingRuleEnum": "screening.models.Stage.StoppingRule",
        "VerdictEventKindEnum": "grading.models.VerdictEvent.Kind",
    },
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "reviewapp.api.schema.add_error_responses",
    ],
}
