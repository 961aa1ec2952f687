import os
import subprocess
import sys

import pytest
from django.conf import settings
from django.urls import reverse


@pytest.mark.django_db
def test_pages_send_a_strict_content_security_policy(client):
    response = client.get(reverse("accounts:login"))
    policy = response.headers["Content-Security-Policy"]
    assert "script-src 'self' 'nonce-" in policy
    assert "style-src 'self'" in policy
    assert "unsafe-inline" not in policy
    assert "unsafe-eval" not in policy
    nonce = policy.split("'nonce-")[1].split("'")[0]
    # Every script tag carries the nonce; none is inline.
    assert response.text.count("<script") == response.text.count(f'nonce="{nonce}"')
    assert "style=" not in response.text


@pytest.mark.django_db
def test_htmx_is_served_from_the_project_with_eval_off(client):
    response = client.get(reverse("accounts:login"))
    assert "/static/django_htmx/htmx-2.min.js" in response.text
    assert '"allowEval": false' in response.text
    assert '"includeIndicatorStyles": false' in response.text


def test_deploy_check_is_clean_with_production_settings():
    env = {
        **os.environ,
        "DEBUG": "false",
        "SECRET_KEY": "a-production-secret-that-is-long-and-random-0123456789abcdef",
        "ALLOWED_HOSTS": "seats.example",
        "DJANGO_HTTPS": "true",
        "DATABASE_URL": "sqlite:////tmp/unused.sqlite3",
        "EMAIL_URL": "smtp+tls://mailer:secret@smtp.seats.example:587",
    }
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=settings.BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


@pytest.mark.django_db
def test_unknown_pages_answer_a_translated_404(client):
    response = client.get("/no-such-page/", headers={"Accept-Language": "fr"})
    assert response.status_code == 404
    assert "Page introuvable" in response.text
