"""Settings of the test suite: production-like (DEBUG off), servable over plain HTTP.

Only defaults: the environment (DATABASE_URL above all) still decides.
"""

import os

os.environ.setdefault("SECRET_KEY", "test-secret-key-only-for-the-test-suite-0123456789abcdef")
os.environ.setdefault("ALLOWED_HOSTS", "testserver,127.0.0.1,localhost")
os.environ.setdefault("STATIC_MANIFEST", "0")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("SESSION_COOKIE_SECURE", "0")
os.environ.setdefault("CSRF_COOKIE_SECURE", "0")
os.environ.setdefault("API_THROTTLE_ANON", "none")
os.environ.setdefault("API_THROTTLE_USER", "none")
os.environ.setdefault("API_THROTTLE_TOKEN", "none")
os.environ.setdefault("CELERY_TASK_ALWAYS_EAGER", "1")
# Many tests log in wrongly on purpose, from 127.0.0.1, in one process: the login limits'
# own tests set the limit they test (crm/tests/test_login_limits.py).
os.environ.setdefault("CRM_LOGIN_FAILURE_LIMIT", "1000")
# Playwright drives the live server from a thread of the test process.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

from config.settings import *  # noqa: E402,F403

# Hashing passwords slowly protects production, not tests.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
