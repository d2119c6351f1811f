"""Settings read from the environment: each case is a fresh interpreter with its own environment."""

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PROBE = """
import json, django
django.setup()
from django.conf import settings
from django.db import connection
from config.celery import app
with connection.cursor() as cursor:
    cursor.execute("select version()")
    version = cursor.fetchone()[0]
print(json.dumps({
    "embedded": bool(settings.DATABASES["default"].get("EMBEDDED")),
    "host": settings.DATABASES["default"]["HOST"],
    "version": version,
    "eager": app.conf.task_always_eager,
    "broker": app.conf.broker_url,
    "language": settings.LANGUAGE_CODE,
    "tz": settings.TIME_ZONE,
}))
"""


def run_python(code: str, settings_module: str, **env_overrides) -> subprocess.CompletedProcess:
    env = {
        k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "SECRET_KEY", "DEBUG")
    }
    env.update(DJANGO_SETTINGS_MODULE=settings_module, **env_overrides)
    return subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )


def probe(**env) -> dict:
    result = run_python(PROBE, "config.settings.base", **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_without_database_url_an_embedded_postgresql_starts(tmp_path):
    info = probe(DEBUG="1", EMBEDDED_POSTGRES_DIR=str(tmp_path / "pg"))
    assert info["embedded"]
    assert "PostgreSQL" in info["version"]
    assert (tmp_path / "pg" / "PG_VERSION").exists()  # persistent data where we asked for it
    assert (info["language"], info["tz"]) == ("zh-hans", "Asia/Shanghai")


def test_without_redis_url_tasks_run_eagerly(tmp_path):
    info = probe(DEBUG="1", EMBEDDED_POSTGRES_DIR="throwaway")
    assert info["eager"] is True
    assert info["broker"] == "memory://"


@pytest.mark.skipif("DATABASE_URL" not in os.environ, reason="CI sets DATABASE_URL to the machine's server")
def test_with_database_and_redis_urls_both_real_servers_are_used():
    info = probe(DEBUG="1", DATABASE_URL=os.environ["DATABASE_URL"], REDIS_URL="redis://127.0.0.1:6379/5")
    assert not info["embedded"]
    assert info["eager"] is False
    assert info["broker"] == "redis://127.0.0.1:6379/5"


def test_secret_key_is_required_unless_debug():
    result = run_python(
        "import django; django.setup()", "config.settings.base", DATABASE_URL="postgres://x@127.0.0.1/x"
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_check_deploy_without_warnings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env={
            **{k: v for k, v in os.environ.items() if k not in ("DEBUG", "REDIS_URL")},
            "DJANGO_SETTINGS_MODULE": "config.settings.production",
            "SECRET_KEY": "k7#vQ2!mZp9@Lx4$Rt8^Wn3&Yb6*Hc1(Jd5)Fg0-Se2+Ua7=Ki4_Ol9?Pm3",
            "DATABASE_URL": "postgres://jiandang@127.0.0.1:5432/jiandang",
            "ALLOWED_HOSTS": "jdlk.example.gov.cn",
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_refuses_the_embedded_database():
    result = run_python(
        "import django; django.setup()",
        "config.settings.production",
        SECRET_KEY="x" * 60,
        EMBEDDED_POSTGRES_DIR="throwaway",
    )
    assert result.returncode != 0
    assert "DATABASE_URL" in result.stderr


def test_a_redis_unix_socket_becomes_kombus_socket_url_for_celery(tmp_path):
    # `make run` (config/run.py) hands the web server and worker its embedded Redis as a socket.
    info = probe(DEBUG="1", EMBEDDED_POSTGRES_DIR="throwaway", REDIS_URL="unix:///tmp/jd/redis.socket")
    assert info["eager"] is False
    assert info["broker"] == "redis+socket:///tmp/jd/redis.socket"


SHOW_DATABASE_AND_STORAGE = """
import json, django
django.setup()
from django.conf import settings
from django.core.files.storage import storages
default_storage = storages["default"]
db = settings.DATABASES["default"]
print(json.dumps({
    "conn_max_age": db["CONN_MAX_AGE"],
    "health_checks": db["CONN_HEALTH_CHECKS"],
    "pool": db.get("OPTIONS", {}).get("pool"),
    "storage": type(default_storage).__module__ + "." + type(default_storage).__name__,
    "bucket": getattr(default_storage, "bucket_name", None),
    "acl": getattr(default_storage, "default_acl", "n/a"),
    "expire": getattr(default_storage, "querystring_expire", None),
    "static": settings.STORAGES["staticfiles"]["BACKEND"],
}))
"""
PRODUCTION_ENV = {"SECRET_KEY": "x" * 60, "DATABASE_URL": "postgres://jiandang@127.0.0.1:5432/jiandang"}


def show(settings_module: str, **env) -> dict:
    result = run_python(SHOW_DATABASE_AND_STORAGE, settings_module, **env)
    assert result.returncode == 0, result.stderr
    return json.loads(result.stdout.strip().splitlines()[-1])


def test_production_keeps_health_checked_connections_and_local_files_by_default():
    shown = show("config.settings.production", **PRODUCTION_ENV)
    assert (shown["conn_max_age"], shown["health_checks"], shown["pool"]) == (60, True, None)
    assert shown["storage"] == "django.core.files.storage.filesystem.FileSystemStorage"
    assert shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"


def test_database_pool_replaces_kept_connections():
    shown = show("config.settings.production", DATABASE_POOL="3", **PRODUCTION_ENV)
    assert shown["conn_max_age"] == 0  # Django refuses a pool with persistent connections
    assert shown["pool"] == {"min_size": 1, "max_size": 3, "timeout": 10}


def test_a_storage_bucket_puts_files_on_private_s3_storage():
    shown = show(
        "config.settings.production",
        STORAGE_BUCKET="jiandang",
        AWS_S3_ENDPOINT_URL="http://minio:9000",
        **PRODUCTION_ENV,
    )
    assert shown["storage"] == "storages.backends.s3.S3Storage"
    assert (shown["bucket"], shown["acl"], shown["expire"]) == ("jiandang", None, 60)
    assert (
        shown["static"] == "whitenoise.storage.CompressedManifestStaticFilesStorage"
    )  # statics stay in the image
