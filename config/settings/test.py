"""The test suite: a throwaway embedded server unless DATABASE_URL names a real one (CI does)."""

import os

# Set before base reads them: the suite never touches the persistent .data/ of `make run`.
os.environ.setdefault("SECRET_KEY", "test-only-key")
os.environ.setdefault("EMBEDDED_POSTGRES_DIR", "throwaway")

from config.settings.base import *  # noqa: E402, F403
from config.settings.base import BASE_DIR  # noqa: E402

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
MEDIA_ROOT = BASE_DIR / ".artifacts" / "media"
# Tests run tasks in-process; the tests that need the real broker start a worker themselves
# (the celery_worker fixture in tests/conftest.py).
CELERY_TASK_ALWAYS_EAGER = True
CELERY_TASK_EAGER_PROPAGATES = True
# A per-process cache, emptied before each test (tests/conftest.py): test databases roll back, caches don't.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
