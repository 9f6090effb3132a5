"""What a public server needs: login throttling (django-axes), Django's Content-Security-
Policy with no inline script or style anywhere, framing refused, and a clean deploy check."""

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from django.urls import reverse

from tests.factories.reviewapp import UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "the-right-Passphrase-7"


@pytest.fixture
def anna(db):
    user = UserFactory(username="anna")
    user.set_password(PASSWORD)
    user.save()
    return user


def _login(client, password, address="203.0.113.5"):
    return client.post(
        reverse("login"),
        {"username": "anna", "password": password},
        REMOTE_ADDR=address,
    )


def test_login_locks_out_after_five_wrong_passwords_even_with_the_right_one(client, anna):
    for _attempt in range(4):
        assert _login(client, "wrong").status_code == 200  # the form again, with its error
    assert _login(client, "wrong").status_code == 429  # the fifth locks
    response = _login(client, PASSWORD)
    assert response.status_code == 429
    page = response.content.decode()
    assert "Too many failed logins" in page
    assert "for 15 minutes" in page
    assert "_auth_user_id" not in client.session


def test_lockout_holds_for_the_address_not_for_a_colleague_elsewhere(client, anna):
    for _attempt in range(5):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 429
    other = _login(client, PASSWORD, address="198.51.100.7")
    assert other.status_code == 302
    assert other["Location"] == reverse("project_list")


def test_a_right_password_before_the_limit_resets_the_count(client, anna):
    for _attempt in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302
    client.logout()
    for _attempt in range(4):
        _login(client, "wrong")
    assert _login(client, PASSWORD).status_code == 302


def test_the_lockout_page_is_danish_for_a_danish_browser(client, anna):
    for _attempt in range(5):
        _login(client, "wrong")
    response = client.post(
        reverse("login"),
        {"username": "anna", "password": PASSWORD},
        REMOTE_ADDR="203.0.113.5",
        HTTP_ACCEPT_LANGUAGE="da",
    )
    assert response.status_code == 429
    assert "For mange mislykkede login" in response.content.decode()


def test_the_client_address_behind_the_proxy_is_the_last_forwarded_one(settings, rf):
    from reviewapp.throttling import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="10.9.9.9, 203.0.113.5", REMOTE_ADDR="172.18.0.2")
    settings.BEHIND_TLS_PROXY = False
    assert client_ip(request) == "172.18.0.2"
    settings.BEHIND_TLS_PROXY = True
    # The first entry is whatever the client sent; the proxy appended the last.
    assert client_ip(request) == "203.0.113.5"


@pytest.mark.parametrize("url_name", ["login", "api-docs"])
def test_pages_send_a_policy_that_allows_no_inline_script(client, db, url_name):
    response = client.get(reverse(url_name))
    policy = response["Content-Security-Policy"]
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["script-src"] == "'self'"
    assert directives["style-src"] == "'self'"
    assert directives["frame-ancestors"] == "'self'"
    assert "unsafe-inline" not in policy
    assert response["X-Frame-Options"] == "DENY"
    body = response.content.decode()
    # Every script of the page is a file: nothing inline that the policy would block.
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", body) == []


INLINE = re.compile(r"<script(?![^>]*\bsrc=)[^>]*>|\sstyle=\"|<style\b|\son[a-z]+=\"", re.I)


def test_no_template_carries_inline_script_style_or_handlers():
    found = []
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), start=1):
            if INLINE.search(line):
                found.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:80]}")
    assert found == []


def test_deploy_check_is_clean_with_the_documented_production_settings(tmp_path):
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-long-random-production-key-" + "x7Qp2Lm9" * 6,
        "ALLOWED_HOSTS": "reviews.example.org",
        "CSRF_TRUSTED_ORIGINS": "https://reviews.example.org",
        "BEHIND_TLS_PROXY": "true",
        "DATA_DIR": str(tmp_path),
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    # The browser tests set this for Playwright in the test process; never in deployment.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout
