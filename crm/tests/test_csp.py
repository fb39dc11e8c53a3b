"""The Content-Security-Policy: scripts only from our own files, and a clean `check --deploy`."""

import os
import re
import secrets
import string
import subprocess
import sys
from pathlib import Path

import pytest
from rest_framework.test import APIClient

ROOT = Path(__file__).resolve().parents[2]


def directives(response) -> dict[str, list[str]]:
    header = response["Content-Security-Policy"]
    return {
        name: sources
        for name, *sources in (part.split() for part in header.split(";") if part.strip())
    }


@pytest.mark.django_db
@pytest.mark.parametrize("path", ["/accounts/login/", "/api/v1/users/me/", "/"])
def test_every_response_allows_scripts_only_from_our_own_files(client, owner, path):
    client.force_login(owner)

    policy = directives(client.get(path))

    assert policy["script-src"] == ["'self'"]
    assert policy["style-src"] == ["'self'"]
    assert policy["object-src"] == ["'none'"]
    assert policy["frame-ancestors"] == ["'none'"]


@pytest.mark.django_db
def test_the_api_docs_add_inline_styles_only_and_load_their_script_as_a_file(owner):
    client = APIClient()
    client.force_login(owner)

    page = client.get("/api/v1/docs/")
    script = client.get("/api/v1/docs/?script=")

    policy = directives(page)
    assert policy["script-src"] == ["'self'"]
    assert "'unsafe-inline'" in policy["style-src"]
    scripts = re.findall(r"<script\b[^>]*>", page.content.decode())
    assert scripts and all(" src=" in tag for tag in scripts)
    assert "/static/drf_spectacular_sidecar/" in page.content.decode()
    assert script.status_code == 200 and "SwaggerUIBundle" in script.content.decode()


def test_templates_carry_no_inline_script_or_event_handler():
    offenders = []
    for template in (ROOT / "templates").rglob("*.html"):
        text = template.read_text()
        for tag in re.findall(r"<script\b[^>]*>", text):
            if " src=" not in tag:
                offenders.append(f"{template}: {tag}")
        offenders += [f"{template}: {m}" for m in re.findall(r"<[^>]*\son[a-z]+\s*=", text)]

    assert offenders == []


def test_check_deploy_is_clean_with_the_production_environment(tmp_path):
    keep = ("PATH", "HOME", "LANG", "DATABASE_URL", "CACHE_URL", "CELERY_BROKER_URL")
    env = {name: os.environ[name] for name in keep if name in os.environ}
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings",
        DEBUG="false",
        SECRET_KEY="".join(secrets.choice(string.ascii_letters + string.digits) for _ in range(50)),
        ALLOWED_HOSTS="crm.example.com",
        CRM_DATA_DIR=str(tmp_path),
    )

    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )

    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
