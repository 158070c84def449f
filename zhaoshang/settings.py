"""Django settings for Zhaoshang, read from typed environment variables (see env.py)."""

from pathlib import Path

from django.utils.translation import gettext_lazy as _
from whitenoise.compress import Compressor

from zhaoshang.env import (
    env_bool,
    env_database,
    env_int,
    env_list,
    env_replica_database,
    env_str,
)

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DEBUG", default=True)
# Production settings are selected with ZHAOSHANG_PRODUCTION=1; the demo accounts and
# load_demo refuse to run there, and the secret key must then be given explicitly.
PRODUCTION = env_bool("ZHAOSHANG_PRODUCTION", default=False)
if PRODUCTION:
    SECRET_KEY = env_str("SECRET_KEY")
    DEBUG = env_bool("DEBUG", default=False)
else:
    SECRET_KEY = env_str(
        "SECRET_KEY", "dev-insecure-zhaoshang-key-change-me-in-production-0123456789"
    )
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["127.0.0.1", "localhost", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "zhaoshang.core.apps.ProjectAdminConfig",  # django.contrib.admin, the project's site
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "django_filters",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "simple_history",
    "axes",
    "django_tasks",
    "django_tasks_db",
    "zhaoshang.core",
    "zhaoshang.org",
    "zhaoshang.workdays",
    "zhaoshang.enterprises",
    "zhaoshang.projects",
    "zhaoshang.approvals",
    "zhaoshang.service",
    "zhaoshang.meetings",
    "zhaoshang.agreements",
    "zhaoshang.complaints",
    "zhaoshang.monitoring",
    "zhaoshang.inspections",
    "zhaoshang.ratings",
    "zhaoshang.exits",
    "zhaoshang.land",
    "zhaoshang.onboarding",
    "zhaoshang.kpis",
    "zhaoshang.assessment",
    "zhaoshang.reports",
    "zhaoshang.notifications",
    "zhaoshang.portal",
    "zhaoshang.dashboard",
    "zhaoshang.ops",
    "zhaoshang.api",
    "zhaoshang.demo",
]

MIDDLEWARE = [
    "zhaoshang.ops.middleware.HealthCheckMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "zhaoshang.core.http_middleware.Utf8RequestMiddleware",
    "zhaoshang.core.http_middleware.PrivateCacheMiddleware",
    "zhaoshang.core.http_middleware.DateOutOfRangeMiddleware",
    "zhaoshang.core.http_middleware.ApiNotFoundMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "zhaoshang.core.middleware.DataStampMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "simple_history.middleware.HistoryRequestMiddleware",
    "axes.middleware.AxesMiddleware",
    "zhaoshang.core.middleware.PortalBoundaryMiddleware",
]

ROOT_URLCONF = "zhaoshang.urls"
WSGI_APPLICATION = "zhaoshang.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "zhaoshang" / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "zhaoshang.dashboard.context_processors.navigation",
            ],
        },
    },
]

DATABASES = {"default": env_database("DATABASE_URL", str(BASE_DIR / "db.sqlite3"))}
# A read replica (DATABASE_REPLICA_URL, docs/scaling.md): the named read-only views (the big
# screen, the KPI comparison and its export, report exports) read from it inside
# ``core.replica.reading()``; everything else, and every write, goes to ``default``. Unset:
# no alias and no router — every query goes to the primary, as before.
_replica = env_replica_database("DATABASE_REPLICA_URL")
if _replica is not None:
    DATABASES["replica"] = _replica
    DATABASE_ROUTERS = ["zhaoshang.core.replica.ReplicaRouter"]
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Caches (docs/operations.md "Cache"). ``limits`` holds the counters that must be shared by
# every server process and survive restarts (API throttles, the verification-code limit):
# Redis when REDIS_URL is set, else a table of the database (created by ``migrate``).
# ``default`` holds hints any process may recompute: the same Redis, else local memory (a
# database cache would cost every page a query).
REDIS_URL = env_str("REDIS_URL", "")
CACHE_KEY_PREFIX = env_str("CACHE_KEY_PREFIX", "zhaoshang")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": CACHE_KEY_PREFIX,
        },
        "limits": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": f"{CACHE_KEY_PREFIX}-limits",
        },
    }
else:
    CACHES = {
        "default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"},
        "limits": {
            "BACKEND": "django.core.cache.backends.db.DatabaseCache",
            "LOCATION": "zhaoshang_cache",
        },
    }

# Behind reverse proxies: how many to trust in X-Forwarded-For (0: the header is ignored).
# One setting for every limit: log-in lock-out, API throttles, verification codes
# (zhaoshang.core.clientip.client_ip). NUM_PROXIES is the older name, still read.
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", env_int("NUM_PROXIES", 0))
if TRUSTED_PROXY_COUNT < 0:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured("Environment variable TRUSTED_PROXY_COUNT must be 0 or more.")
AUTH_USER_MODEL = "org.User"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    # ModelBackend, reading the session's user with its district and department (the menu).
    "zhaoshang.core.backends.UserBackend",
    "zhaoshang.core.backends.RoleAdminBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {
        "NAME": "django.contrib.auth.password_validation.MinimumLengthValidator",
        "OPTIONS": {"min_length": 8},
    },
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
    {"NAME": "zhaoshang.core.validators.CharacterClassValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Log-in lock-out (django-axes, counted in the database; zhaoshang/core/lockout.py): a
# username+address pair after AXES_FAILURE_LIMIT failures, an address after
# AXES_ADDRESS_FAILURE_LIMIT failures over any usernames, both within the cool-off time.
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_ADDRESS_FAILURE_LIMIT = env_int("AXES_ADDRESS_FAILURE_LIMIT", 30)
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60  # hours
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_HANDLER = "zhaoshang.core.lockout.PairAndAddressHandler"
AXES_CLIENT_IP_CALLABLE = "zhaoshang.core.clientip.client_ip"
AXES_LOCKOUT_CALLABLE = "zhaoshang.core.lockout.lockout_response"
AXES_LOCKOUT_TEMPLATE = "registration/locked_out.html"

LANGUAGE_CODE = "zh-hans"
LANGUAGES = [("zh-hans", _("Simplified Chinese")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "zhaoshang" / "locale"]
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "zhaoshang" / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"
        if PRODUCTION
        else "django.contrib.staticfiles.storage.StaticFilesStorage"
    },
}
WHITENOISE_USE_FINDERS = not PRODUCTION
# Source maps are fetched only by developer tools: not worth half of collectstatic's time
# compressing them (whitenoise's own list of already-compressed formats, plus "map").
WHITENOISE_SKIP_COMPRESS_EXTENSIONS = [*Compressor.SKIP_COMPRESS_EXTENSIONS, "map"]
MEDIA_URL = "media/"
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(BASE_DIR / "media")))

# Uploads: size and type limits (SPEC §17).
UPLOAD_MAX_BYTES = env_int("UPLOAD_MAX_MB", 20) * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "zhaoshang.api.authentication.ApiTokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["zhaoshang.api.permissions.StaffApiPermission"],
    "DEFAULT_PAGINATION_CLASS": "zhaoshang.api.pagination.StandardPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_FILTER_BACKENDS": [
        "django_filters.rest_framework.DjangoFilterBackend",
        "rest_framework.filters.SearchFilter",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_PARSER_CLASSES": [
        "zhaoshang.api.parsers.SafeJSONParser",
        "rest_framework.parsers.FormParser",
        "zhaoshang.api.parsers.SafeMultiPartParser",
    ],
    "DEFAULT_SCHEMA_CLASS": "zhaoshang.api.schema.ApiSchema",
    # Throttles key on zhaoshang.core.clientip.client_ip (TRUSTED_PROXY_COUNT); DRF's own
    # reading of X-Forwarded-For is given the same count.
    "NUM_PROXIES": TRUSTED_PROXY_COUNT,
    "EXCEPTION_HANDLER": "zhaoshang.api.exceptions.exception_handler",
    "DEFAULT_THROTTLE_RATES": {"token": "20/minute"},
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Zhaoshang API",
    "DESCRIPTION": "招商引资项目服务平台 REST API (v1)",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    "SCHEMA_PATH_PREFIX": r"/api/v[0-9]+",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "zhaoshang.api.schema.local_times",
    ],
    "ENUM_NAME_OVERRIDES": {
        # A complaint's finding and the department's view share one choice set.
        "ComplaintOutcomeEnum": "zhaoshang.complaints.choices.Outcome",
        "CaseStatusEnum": "zhaoshang.approvals.choices.CaseStatus",
        "InspectionKindEnum": "zhaoshang.inspections.choices.Kind",
        # An approval item's promised and statutory limits share one unit choice set.
        "LimitUnitEnum": "zhaoshang.approvals.choices.LimitUnit",
        "LandDecisionEnum": "zhaoshang.land.choices.Decision",
        "ParcelStatusEnum": "zhaoshang.land.choices.ParcelStatus",
        "ReportKindEnum": "zhaoshang.reports.choices.Kind",
        # The portal's complaints and needs beside the staff ones, and the ratings (好差评)
        # that complaints, visits and the ratings app share.
        "ComplaintStatusEnum": "zhaoshang.complaints.choices.ComplaintStatus",
        "ComplaintCategoryEnum": "zhaoshang.complaints.choices.Category",
        "NeedStatusEnum": "zhaoshang.service.choices.NeedStatus",
        "NeedCategoryEnum": "zhaoshang.service.choices.NeedCategory",
        "RatingScoreEnum": "zhaoshang.ratings.choices.Score",
    },
}

# Background work goes through Django's tasks API (django-tasks): the database backend
# and its worker by default; RQ on Redis in production (TASKS_BACKEND=rq).
_TASK_BACKENDS = {
    "database": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"},
    "rq": {"BACKEND": "django_tasks_rq.backend.RQBackend", "QUEUES": ["default"]},
    "immediate": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"},
}
_task_backend = env_str("TASKS_BACKEND", "database")
if _task_backend not in _TASK_BACKENDS:
    from django.core.exceptions import ImproperlyConfigured

    raise ImproperlyConfigured(
        f"Environment variable TASKS_BACKEND={_task_backend!r} is not one of "
        f"{', '.join(_TASK_BACKENDS)}."
    )
TASKS = {"default": _TASK_BACKENDS[_task_backend]}
if _task_backend == "rq":
    # django_rq holds the queue configuration the RQ backend and ``manage.py worker`` read.
    INSTALLED_APPS += ["django_rq", "django_tasks_rq"]
    RQ_QUEUES = {
        "default": {
            "URL": env_str("REDIS_URL", "") or "redis://127.0.0.1:6379/0",
            # A task may run this long before RQ stops it (a big monthly report, a backlog).
            "DEFAULT_TIMEOUT": env_int("RQ_JOB_TIMEOUT", 3600),
        }
    }
    RQ_SHOW_ADMIN_LINK = False

# The periodic jobs of ``manage.py scheduler`` (docs/operations.md "Background work"):
# times of day in Asia/Shanghai (HH:MM, or "off"), the outbox sweep's interval in seconds
# (0: off), and how long the bookkeeping the clean-up removes is kept.
from zhaoshang.ops.times import parse_time as _parse_time  # noqa: E402

SCHEDULE_DAILY_SCAN = _parse_time(env_str("SCHEDULE_DAILY_SCAN", "06:00"), "SCHEDULE_DAILY_SCAN")
SCHEDULE_CALENDAR_CHECK = _parse_time(
    env_str("SCHEDULE_CALENDAR_CHECK", "09:00"), "SCHEDULE_CALENDAR_CHECK"
)
SCHEDULE_CLEANUP = _parse_time(env_str("SCHEDULE_CLEANUP", "03:30"), "SCHEDULE_CLEANUP")
SCHEDULE_OUTBOX_SECONDS = env_int("SCHEDULE_OUTBOX_SECONDS", 60)
# The daily scan as one task per district, run by the task workers side by side (a
# province, docs/scaling.md); off: the scheduler runs the whole scan itself.
DAILY_SCAN_PER_DISTRICT = env_bool("DAILY_SCAN_PER_DISTRICT", default=False)
OPS_KEEP_JOB_RUNS_DAYS = env_int("OPS_KEEP_JOB_RUNS_DAYS", 30)
OPS_KEEP_TASK_RESULTS_DAYS = env_int("OPS_KEEP_TASK_RESULTS_DAYS", 14)
# /healthz reports the scheduler stale when no job started for this long (0: three outbox
# sweeps, at least 300 s); HEALTH_CHECKS add to what /healthz reports.
HEALTH_SCHEDULER_MAX_AGE = env_int("HEALTH_SCHEDULER_MAX_AGE", 0)
HEALTH_CHECKS = ["zhaoshang.ops.health.scheduler"]

# API tokens (docs/operations.md "API tokens"): valid for API_TOKEN_TTL_DAYS days; at most
# API_TOKEN_MAX_PER_USER live tokens per user (issuing one more revokes the oldest).
API_TOKEN_TTL_DAYS = env_int("API_TOKEN_TTL_DAYS", 30)
API_TOKEN_MAX_PER_USER = env_int("API_TOKEN_MAX_PER_USER", 10)

# Public check of inspection verification codes (扫码入企): failed look-ups per client
# address allowed within the window before the check answers 429.
INSPECTION_VERIFY_MAX_FAILURES = env_int("INSPECTION_VERIFY_MAX_FAILURES", 10)
INSPECTION_VERIFY_WINDOW_SECONDS = env_int("INSPECTION_VERIFY_WINDOW_SECONDS", 600)

# Reports (SPEC §12): a monthly summary of more active projects than this is produced as a
# background task (with progress on the page); smaller ones inline.
REPORTS_INLINE_MAX_PROJECTS = env_int("REPORTS_INLINE_MAX_PROJECTS", 500)

# The homes, lists, boards and API lists are kept per person in the ``default`` cache until
# the data changes (zhaoshang.core.pagecache, docs/operations.md "Cache"); 0 turns it off.
PAGE_CACHE = env_bool("PAGE_CACHE", True)

# Content security policy (django-csp 4): everything from our own origin, no CDN.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'", "'unsafe-inline'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'", "data:"],
        "connect-src": ["'self'"],
        "frame-ancestors": ["'none'"],
        "form-action": ["'self'"],
    }
}

# Called as hook(years=[…]) when a calendar year is published: recompute provisional dates.
WORKDAY_RECOMPUTE_HOOKS = [
    "zhaoshang.approvals.services.recompute_provisional_due_dates",
    "zhaoshang.service.services.recompute_provisional_due_dates",
    "zhaoshang.meetings.services.recompute_provisional_due_dates",
    "zhaoshang.complaints.services.recompute_provisional_due_dates",
    "zhaoshang.agreements.services.recompute_provisional_schedules",
    # Last: the KPI snapshots (on time = done by the due date, which may just have moved).
    "zhaoshang.kpis.snapshots.calendar_changed",
]

# The steps of ``manage.py daily_scan`` before the lights are recomputed: functions that take
# ``today`` and are safe to run twice (each app's scan).
DAILY_SCAN_STEPS = [
    "zhaoshang.approvals.services.scan_pledges",
    "zhaoshang.approvals.services.scan_overdue",
    "zhaoshang.meetings.services.scan_overdue",
    "zhaoshang.agreements.services.scan",
    "zhaoshang.exits.services.scan",
    "zhaoshang.land.services.scan",
    # The enterprise's contacts are reminded of a monthly report before its due day.
    "zhaoshang.portal.reporting.remind_monthly_reports",
    # Last: every district's KPI figures as of today (kpis.snapshots).
    "zhaoshang.kpis.snapshots.scan",
]
# The steps after the lights are recomputed (same signature): what counts today's lights.
DAILY_SCAN_AFTER_LIGHTS = [
    # Every district's projects counted by park and stage, and its red ones, for the homes
    # (dashboard.tallies).
    "zhaoshang.dashboard.tallies.scan",
]

EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "zhaoshang@localhost")
# The SMTP server of django.core.mail.backends.smtp.EmailBackend (Django's own defaults).
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", default=False)
EMAIL_USE_SSL = env_bool("EMAIL_USE_SSL", default=False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 30)

# Django's database sessions, read by a statement compiled once (core.sessions).
SESSION_ENGINE = "zhaoshang.core.sessions"
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if PRODUCTION:
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", default=True)
    SECURE_HSTS_SECONDS = env_int("SECURE_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# The load balancer's and the monitor's health probe speaks plain HTTP (see also
# zhaoshang.ops.middleware.HealthCheckMiddleware, which answers it before the host check).
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "WARNING")},
}

# Silence the axes warning about the request parameter when running the test client.
SILENCED_SYSTEM_CHECKS = ["axes.W003"] if not PRODUCTION else []
