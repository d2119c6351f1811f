"""Production: behind a TLS-terminating proxy, with a real PostgreSQL and Redis (docker-compose.yml)."""

import os

# Production never starts the embedded server: without DATABASE_URL it fails at once.
os.environ["EMBEDDED_POSTGRES_DIR"] = "off"

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import STORAGES, env  # noqa: E402

DEBUG = False
# Persistent connections: a new PostgreSQL connection per request cost more CPU than Django itself under
# load (bench/README.md, "The deadline rush"). base.py turns the health check on: a connection the server
# dropped is replaced before use. DATABASE_POOL (base.py) uses psycopg's pool instead.
if not env.int("DATABASE_POOL", default=0):
    DATABASES["default"]["CONN_MAX_AGE"] = env.int("CONN_MAX_AGE", default=60)  # noqa: F405
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = env.bool("SECURE_SSL_REDIRECT", default=True)
SECURE_HSTS_SECONDS = env.int("SECURE_HSTS_SECONDS", default=365 * 24 * 60 * 60)
SECURE_HSTS_INCLUDE_SUBDOMAINS = True
SECURE_HSTS_PRELOAD = True
SESSION_COOKIE_SECURE = True
CSRF_COOKIE_SECURE = True
STATIC_ROOT = env.path("STATIC_ROOT", default=BASE_DIR / "staticfiles")  # noqa: F405
WHITENOISE_USE_FINDERS = False
# Hashed, pre-compressed static files; WhiteNoise serves a hashed name with a year's "immutable" cache
# header, so a browser asks for app.css once per release, not on every page.
STORAGES = {**STORAGES, "staticfiles": {"BACKEND": "whitenoise.storage.CompressedManifestStaticFilesStorage"}}
