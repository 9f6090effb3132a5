"""Personal API tokens: created on the profile page or the command line, shown once, stored
as a digest, revoked by their owner only."""

import hashlib
import io

from django.core.management import call_command
from rest_framework.test import APIClient

from reviewapp.api.tokens import api_token_create
from reviewapp.models import ApiToken, AuditEntry


def _client(raw: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {raw}")
    return client


def test_a_token_acts_as_its_owner_and_is_stored_only_as_a_digest(cast, project):
    token, raw = api_token_create(user=cast["reviewer"], name="R scripts")

    response = _client(raw).get("/api/projects/")

    assert [p["my_role"] for p in response.json()["results"]] == ["reviewer"]
    stored = ApiToken.objects.get()
    assert stored.digest == hashlib.sha256(raw.encode()).hexdigest()
    assert raw not in str(ApiToken.objects.values().get())
    assert raw.startswith(f"rva_{stored.prefix}_")
    assert stored.last_used_at is not None


def test_an_unknown_malformed_or_revoked_token_gets_401(cast, project):
    from reviewapp.api.tokens import api_token_revoke

    token, raw = api_token_create(user=cast["lead"], name="old")
    api_token_revoke(token=token, actor=cast["lead"])
    for header in [
        f"Bearer {raw}",
        "Bearer rva_nothing_here",
        "Bearer",
        "Token a b",
        f"Bearer {raw[:-1]}x",
    ]:
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=header)
        response = client.get("/api/projects/")
        assert response.status_code == 401, header
        assert response.json()["code"] in {"authentication_failed", "not_authenticated"}


def test_the_token_keyword_works_too(cast, project):
    _token, raw = api_token_create(user=cast["lead"], name="t")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {raw}")
    assert client.get("/api/projects/").status_code == 200


def test_the_profile_page_creates_a_token_shown_once(client, cast):
    client.force_login(cast["peer_reviewer"])

    created = client.post("/profile/tokens/", {"name": "Laptop"})
    page = client.get("/profile/")

    token = ApiToken.objects.get()
    raw = created.context["new_token"]
    assert (token.name, token.user) == ("Laptop", cast["peer_reviewer"])
    assert raw in created.content.decode()
    assert raw not in page.content.decode()
    assert "Laptop" in page.content.decode()
    assert _client(raw).get("/api/projects/").status_code == 200
    assert AuditEntry.objects.filter(action="api_token.create").count() == 1


def test_the_profile_page_refuses_a_token_without_a_name(client, cast):
    client.force_login(cast["lead"])
    response = client.post("/profile/tokens/", {"name": ""})
    assert response.status_code == 400
    assert not ApiToken.objects.exists()


def test_the_owner_revokes_a_token_and_it_stops_working(client, cast, project):
    token, raw = api_token_create(user=cast["lead"], name="CI")
    client.force_login(cast["lead"])

    response = client.post(f"/profile/tokens/{token.pk}/revoke/")

    assert response.status_code == 302
    token.refresh_from_db()
    assert token.revoked_at is not None
    assert _client(raw).get("/api/projects/").status_code == 401
    assert "revoked" in client.get("/profile/").content.decode()


def test_nobody_else_sees_or_revokes_my_token(client, cast):
    token, raw = api_token_create(user=cast["lead"], name="Secret token name")
    client.force_login(cast["outsider"])

    assert "Secret token name" not in client.get("/profile/").content.decode()
    assert client.post(f"/profile/tokens/{token.pk}/revoke/").status_code == 404
    token.refresh_from_db()
    assert token.revoked_at is None


def test_the_profile_page_needs_login(client, db):
    response = client.get("/profile/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


def test_create_api_token_prints_a_working_token_once(cast, project):
    out = io.StringIO()

    call_command("create_api_token", "lead", "--name", "R scripts", stdout=out)

    raw = out.getvalue().strip()
    assert ApiToken.objects.get().name == "R scripts"
    assert _client(raw).get("/api/projects/").json()["count"] == 1


def test_create_api_token_names_an_unknown_user(db):
    import pytest
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="No user is named nobody"):
        call_command("create_api_token", "nobody", "--name", "x")
