import os

import pytest
from django.urls import reverse


@pytest.mark.django_db
def test_healthz_reports_database_and_broker_without_login(client):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "ok"
    assert data["database"]["ok"] is True
    assert data["broker"]["ok"] is True
    if os.environ.get("CELERY_BROKER_URL"):
        assert data["broker"]["mode"] == "worker"
    else:
        assert data["broker"]["mode"].startswith("eager")


@pytest.mark.django_db
def test_healthz_fails_when_broker_unreachable(client, settings):
    from reviewapp.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = False
    original = app.conf.broker_url
    app.conf.broker_url = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    try:
        response = client.get(reverse("healthz"))
    finally:
        app.conf.broker_url = original
    assert response.status_code == 503
    data = response.json()
    assert data["status"] == "fail"
    assert data["broker"]["ok"] is False
    assert data["database"]["ok"] is True
