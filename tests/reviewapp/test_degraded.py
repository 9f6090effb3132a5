"""With Redis unreachable the site works on the database: login, pages and saves; /healthz
says "degraded" and a lead sees a quiet banner. Redis really is unreachable here: the cache
and the broker point at a port nothing listens on."""

import pytest
from django.core.cache import cache
from django.urls import reverse

from reviewapp.outages import outage_clear

DEAD_REDIS = "redis://127.0.0.1:1/0"  # nothing listens on port 1


@pytest.fixture
def redis_down(settings):
    settings.CACHES = {
        "default": {
            "BACKEND": "reviewapp.cache.TolerantRedisCache",
            "LOCATION": DEAD_REDIS,
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
    settings.CELERY_BROKER_URL = DEAD_REDIS
    yield
    outage_clear("cache")
    outage_clear("broker")


def test_the_cache_answers_as_a_miss_and_says_it_is_down(redis_down):
    cache.set("figure", 3)
    assert cache.get("figure") is None
    assert cache.get("figure", "default") == "default"
    assert cache.add("lock", 1) is False
    assert cache.get_or_set("computed", lambda: 7) == 7
    assert cache.get_many(["a", "b"]) == {}
    from reviewapp.cache import cache_outage

    assert cache_outage()


def test_login_pages_and_saves_work_with_redis_down(client, redis_down, lead, topic_area):
    lead.set_password("a-long-Passphrase-9")
    lead.save()
    response = client.post(
        reverse("login"), {"username": "lead", "password": "a-long-Passphrase-9"}
    )
    assert response.status_code == 302
    dashboard = client.get(reverse("project_dashboard", kwargs={"slug": "secret-review"}))
    assert dashboard.status_code == 200
    assert "Secret review of caseloads" in dashboard.content.decode()
    url = reverse("topic_area_edit", kwargs={"slug": "secret-review", "topic_key": "caseload"})
    saved = client.post(
        url, {"title": "Saved without Redis", "key": "caseload", "position": 1, "version": 1}
    )
    assert saved.status_code == 302
    topic_area.refresh_from_db()
    assert topic_area.title == "Saved without Redis"
    cache.get("stage-figures")  # what a screening page asks the cache: the outage is noticed
    page = client.get(
        reverse("topic_area_detail", kwargs={"slug": "secret-review", "topic_key": "caseload"})
    )
    assert page.status_code == 200
    assert "The cache cannot be reached" in page.content.decode()
    client.post(reverse("logout"))
    after = client.get(reverse("project_dashboard", kwargs={"slug": "secret-review"}))
    assert after.status_code == 302  # logged out for good: the session lived in the database


def test_the_banner_is_for_leads_only(client, redis_down, reviewer, topic_area):
    client.force_login(reviewer)
    cache.get("anything")  # the outage is noticed
    page = client.get(
        reverse("topic_area_detail", kwargs={"slug": "secret-review", "topic_key": "caseload"})
    )
    assert page.status_code == 200
    assert 'data-testid="degraded"' not in page.content.decode()


def test_healthz_is_degraded_with_the_cache_down(client, db, redis_down):
    response = client.get(reverse("healthz"))
    assert response.status_code == 200
    data = response.json()
    assert data["status"] == "degraded"
    assert data["cache"]["ok"] is False
    assert data["database"]["ok"] is True


def test_healthz_is_ok_with_everything_reachable(client, db):
    data = client.get(reverse("healthz")).json()
    assert data["status"] == "ok"
    assert data["cache"]["ok"] is True
