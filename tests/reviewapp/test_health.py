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
def test_healthz_is_degraded_not_failed_when_broker_unreachable(client, settings):
    # The site still serves pages and saves without its broker: degraded, and 200 so that
    # a health check does not restart a web container that works.
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:1/0"  # nothing listens on port 1
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded"
    assert data["broker"]["ok"] is False
    assert data["database"]["ok"] is True
