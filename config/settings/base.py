"""Settings shared by every mode. Everything configurable is read from the environment here, once.

DATABASE_URL  unset → an embedded PostgreSQL (config/embedded_db.py) in EMBEDDED_POSTGRES_DIR,
              default .data/postgres; "throwaway" for a temporary one; "off" to refuse
REDIS_URL     unset → Celery tasks run eagerly in-process (`make run` sets it to an embedded Redis)
SECRET_KEY    required unless DEBUG (config/settings/local.py keeps one in .data/)
"""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import environ
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured

from config.embedded_db import embedded_database

BASE_DIR = Path(__file__).resolve().parent.parent.parent

env = environ.Env()
environ.Env.read_env(BASE_DIR / ".env", overwrite=False)

DEBUG = env.bool("DEBUG", default=False)
SECRET_KEY = env("SECRET_KEY") if not DEBUG else env("SECRET_KEY", default="dev-only-insecure-key")
ALLOWED_HOSTS = env.list("ALLOWED_HOSTS", default=["127.0.0.1", "localhost"] if DEBUG else [])
CSRF_TRUSTED_ORIGINS = env.list("CSRF_TRUSTED_ORIGINS", default=[])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.postgres",
    "django_htmx",
    "csp",
    "django_otp",
    "django_otp.plugins.otp_totp",
    "django_otp.plugins.otp_static",
    "axes",
    "simple_history",
    "import_export",
    "accounts",
    "jobs",
    "villages",
    "notices",
    "households",
    "identification",
    "reports",
    "assistance",
    "exits",
    "monitoring",
    # The top app: the home page and seed_demo, which bring the apps below together.
    "portal",
]

MIDDLEWARE = [
    # First: every log line and audit event of the request carries its id and the client's IP.
    "accounts.middleware.RequestIdMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A too-big upload is refused by its Content-Length, before the body is read (config/uploads.py).
    "config.uploads.UploadSizeMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "accounts.middleware.SessionIdleTimeoutMiddleware",
    "django_otp.middleware.OTPMiddleware",
    "accounts.middleware.SecondFactorMiddleware",
    "accounts.middleware.NoStoreMiddleware",
    "accounts.middleware.AccessAuditMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    # Records request.user on every history row (痕迹管理).
    "simple_history.middleware.HistoryRequestMiddleware",
    # Last, as django-axes asks: it turns a lockout into its response.
    "axes.middleware.AxesMiddleware",
]

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
                "accounts.context_processors.navigation",
            ],
        },
    },
]

# Database: a real server when DATABASE_URL is set, else the embedded one.
if "DATABASE_URL" in env:
    DATABASES = {"default": env.db("DATABASE_URL")}
else:
    _embedded_dir = env("EMBEDDED_POSTGRES_DIR", default=str(BASE_DIR / ".data" / "postgres"))
    if _embedded_dir == "off":
        raise ImproperlyConfigured("请设置 DATABASE_URL(此模式不使用内嵌数据库)。")
    DATABASES = {"default": embedded_database(None if _embedded_dir == "throwaway" else Path(_embedded_dir))}
DATABASES["default"].setdefault("CONN_MAX_AGE", env.int("CONN_MAX_AGE", default=0))
# A kept connection that PostgreSQL dropped (restart, failover) is noticed before use, not by a 500.
DATABASES["default"].setdefault("CONN_HEALTH_CHECKS", True)
# DATABASE_POOL=N: psycopg's pool of up to N connections per process instead of one kept connection
# (measured against CONN_MAX_AGE in bench/README.md, "The deadline rush"; Django wants CONN_MAX_AGE 0).
if env.int("DATABASE_POOL", default=0):
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": 1,
        "max_size": env.int("DATABASE_POOL"),
        "timeout": 10,
    }
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Users, login, lockout.
AUTH_USER_MODEL = "accounts.User"
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
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# A township office shares one public IP behind NAT: lock a username from an address, not the
# whole address, and let the lock cool off instead of waiting for an administrator.
AXES_FAILURE_LIMIT = env.int("AXES_FAILURE_LIMIT", default=5)
AXES_COOLOFF_TIME = timedelta(minutes=env.int("AXES_COOLOFF_MINUTES", default=30))
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_TEMPLATE = "accounts/locked_out.html"
AXES_IPWARE_PROXY_COUNT = env.int("AXES_PROXY_COUNT", default=0)

# Sessions end after a working day, after half an hour untouched (a village office computer left
# signed in), and when the browser closes (shared office computers).
SESSION_COOKIE_AGE = env.int("SESSION_COOKIE_AGE", default=8 * 60 * 60)
SESSION_IDLE_TIMEOUT = env.int("SESSION_IDLE_TIMEOUT", default=30 * 60)
SESSION_EXPIRE_AT_BROWSER_CLOSE = True
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
CSRF_COOKIE_HTTPONLY = True

# Second factor (django-otp): TOTP on a phone, plus single-use recovery codes. Required for the county
# roles and staff (accounts.two_factor.requires_second_factor); village and township users may opt in.
OTP_TOTP_ISSUER = env("OTP_TOTP_ISSUER", default="建档立卡")
OTP_TOTP_THROTTLE_FACTOR = 1
OTP_STATIC_THROTTLE_FACTOR = 1
RECOVERY_CODE_COUNT = 10

# Browser-side protections. The policy allows our own static files only: no inline script or style
# (templates use static/js/app.js and data attributes), no eval (htmx's allowEval is off), no framing.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
X_FRAME_OPTIONS = "DENY"
SECURE_REFERRER_POLICY = "same-origin"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"

# Access events (exports, imports) recorded at the edge by accounts.middleware.AccessAuditMiddleware:
# a POST to one of these URL names is written to the audit log with its outcome. Downloads (any
# attachment response) are recorded without being listed. Domain decisions are recorded by the
# services themselves.
AUDITED_POSTS = {
    "reports:list": "export.requested",
    "reports:retry": "export.retried",
    "households:import_upload": "import.uploaded",
    "households:import_confirm": "import.confirmed",
    "identification:quota_import": "import.quotas",
    "identification:decomposition_indicator_import": "import.indicators",
}

LANGUAGE_CODE = "zh-hans"
TIME_ZONE = "Asia/Shanghai"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATICFILES_DIRS = [BASE_DIR / "static"]
# Outside production, WhiteNoise serves straight from the source folders (no collectstatic).
WHITENOISE_USE_FINDERS = True
# The biggest request body with a file we accept: the 花名册's 100 MB (villages.guard.ROSTER) and the form.
UPLOAD_MAX_BYTES = 101 * 1024 * 1024
MEDIA_URL = "media/"
MEDIA_ROOT = env.path("MEDIA_ROOT", default=BASE_DIR / ".data" / "media")
# Uploads and exports: the local file system under MEDIA_ROOT (one machine), or an S3-compatible bucket
# (MinIO in docker-compose.yml) that web and workers on several machines share. Files are never served
# from the bucket: every download goes through the app's scoped views, which stream it (README.md).
STORAGE_BUCKET = env("STORAGE_BUCKET", default="")
STORAGES = {
    "default": {
        "BACKEND": "storages.backends.s3.S3Storage",
        "OPTIONS": {
            "bucket_name": STORAGE_BUCKET,
            "endpoint_url": env("AWS_S3_ENDPOINT_URL", default=None),
            "access_key": env("AWS_ACCESS_KEY_ID", default=None),
            "secret_key": env("AWS_SECRET_ACCESS_KEY", default=None),
            "region_name": env("AWS_S3_REGION_NAME", default="us-east-1"),
            "location": env("STORAGE_PREFIX", default=""),
            # MinIO and most self-hosted servers want path-style URLs (bucket in the path, not the host).
            "addressing_style": env("AWS_S3_ADDRESSING_STYLE", default="path"),
            "signature_version": "s3v4",
            # Private objects; a URL, should any code ask for one, is signed and lives one minute.
            "default_acl": None,
            "querystring_auth": True,
            "querystring_expire": 60,
            # Like the file system: a name taken gets a suffix instead of replacing another file.
            "file_overwrite": False,
        },
    }
    if STORAGE_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}

# Celery: a real broker when REDIS_URL is set, else eager in-process execution. `make run` sets it to
# the embedded Redis it starts (config/run.py), a Unix socket, which kombu spells redis+socket://.
REDIS_URL = env("REDIS_URL", default="")
if REDIS_URL:
    CELERY_BROKER_URL = (
        "redis+socket://" + REDIS_URL.removeprefix("unix://")
        if REDIS_URL.startswith("unix://")
        else REDIS_URL
    )
    CELERY_RESULT_BACKEND = CELERY_BROKER_URL
    CELERY_TASK_ALWAYS_EAGER = False
else:
    CELERY_BROKER_URL = "memory://"
    CELERY_RESULT_BACKEND = "cache+memory://"
    CELERY_TASK_ALWAYS_EAGER = True
    CELERY_TASK_EAGER_PROPAGATES = True
# One cache shared by every web process when Redis is there (the household-list counts are cached and
# invalidated by a version key: per-process memory would let one worker serve stale counts).
# The cache is an optimisation, so Redis being down must not fail a page or a save: django-redis
# answers a miss instead of raising (IGNORE_EXCEPTIONS, logged), after a short connect timeout.
CACHES = {
    "default": {
        "BACKEND": "django_redis.cache.RedisCache",
        "LOCATION": REDIS_URL,
        "OPTIONS": {
            "IGNORE_EXCEPTIONS": True,
            "SOCKET_CONNECT_TIMEOUT": 0.5,
            "SOCKET_TIMEOUT": 0.5,
        },
    }
    if REDIS_URL
    else {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}
}
DJANGO_REDIS_LOG_IGNORED_EXCEPTIONS = True
CELERY_TASK_SERIALIZER = "json"
CELERY_RESULT_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_TASK_TIME_LIMIT = 60 * 60
CELERY_TASK_SOFT_TIME_LIMIT = 55 * 60
# Redis re-delivers an unacknowledged task after this; it must exceed the longest task.
# Starting a job while Redis is down must fail at once (config.queue turns it into "任务队列暂不可用"),
# not after kombu's default retries (≈ 19 s): a 1 s connect timeout and two quick publish retries.
CELERY_BROKER_TRANSPORT_OPTIONS = {
    "visibility_timeout": 2 * 60 * 60,
    "socket_connect_timeout": 1,
    "socket_timeout": 5,
}
CELERY_BROKER_CONNECTION_TIMEOUT = 1
CELERY_TASK_PUBLISH_RETRY_POLICY = {
    "max_retries": 2,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.2,
}
CELERY_REDIS_SOCKET_CONNECT_TIMEOUT = 1
CELERY_REDIS_SOCKET_TIMEOUT = 5
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BEAT_SCHEDULE = {
    "clear-expired-sessions": {
        "task": "accounts.tasks.clear_expired_sessions",
        "schedule": 24 * 60 * 60,
    },
    # The county's standing ledgers, fresh every morning (reports.standing).
    "regenerate-standing-reports": {
        "task": "reports.tasks.regenerate_standing_reports",
        "schedule": crontab(hour=2, minute=0),
    },
    # Every kind of long job (jobs.Job) whose worker died becomes failed, so it can be retried.
    "fail-stale-jobs": {"task": "jobs.tasks.fail_stale", "schedule": 5 * 60},
    "delete-expired-reports": {"task": "reports.tasks.delete_expired_reports", "schedule": 60 * 60},
    # 帮扶: exited households keep their helper until the county's transition period ends, then not.
    "end-pairings-after-transition": {
        "task": "assistance.tasks.end_pairings_after_transition",
        "schedule": crontab(hour=1, minute=30),
    },
    # 防返贫监测: every warning trigger over the county, each night (monitoring.tasks).
    "nightly-monitoring": {
        "task": "monitoring.tasks.nightly_monitoring",
        "schedule": crontab(hour=3, minute=0),
    },
}
# Days a report's file is kept before delete_expired_reports removes it.
REPORT_RETENTION_DAYS = env.int("REPORT_RETENTION_DAYS", default=30)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "accounts.request_context.RequestIdLogFilter"}},
    "formatters": {"plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"}},
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": "plain", "filters": ["request_id"]}
    },
    "root": {"handlers": ["console"], "level": env("LOG_LEVEL", default="INFO")},
    # pgserver narrates every start and stop of the embedded server at INFO.
    "loggers": {"pgserver": {"level": "WARNING"}, "axes": {"level": "WARNING"}},
}
