"""Erasure (GDPR art. 17): a person's name, username and e-mail address leave every table
and every export; their work stays under the pseudonym "Former reviewer <n>"."""

import io
import json
import math
import os
import subprocess
import zipfile

import pytest
from axes.models import AccessAttempt, AccessLog
from django.apps import apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.contenttypes.models import ContentType
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import CommandError, call_command
from django.db import connection, models
from django.urls import reverse
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from grading.demo.review import DEMO_SLUG, demo_load
from grading.models import Comment, Extraction, ReportSnapshot, Result
from grading.services import comments as comment_services
from grading.services import consensus as consensus_services
from reviewapp import personal_data, services
from reviewapp.api.tokens import api_token_create
from reviewapp.archive import project_export_json, project_export_zip
from reviewapp.models import (
    ApiToken,
    AuditEntry,
    Erasure,
    Invitation,
    Membership,
    Project,
    Role,
    UserSession,
)
from screening.models import Decision, Record, Source, Stage
from screening.services import screening as screening_services
from tests.factories.reviewapp import (
    PASSWORD,
    InvitationFactory,
    NotificationFactory,
    UserFactory,
    UserProfileFactory,
    UserSessionFactory,
)

FIRST, LAST = "Zørbetta", "Quillfeather"
USERNAME = "zquill"
EMAIL = "zorbetta.quill@uni-aarhus.example"
NEEDLES = [f"{FIRST} {LAST}", USERNAME, EMAIL, LAST]


def _holds_text_or_a_user(model) -> bool:
    user_model = get_user_model()
    return any(
        isinstance(field, (models.CharField, models.TextField, models.JSONField))
        or (field.is_relation and field.related_model is user_model)
        for field in model._meta.get_fields()
        if field.concrete
    )


def test_every_model_with_text_or_a_user_is_declared_for_erasure():
    found = {
        model._meta.label_lower
        for app in ("reviewapp", "screening", "grading")
        for model in apps.get_app_config(app).get_models()
        if _holds_text_or_a_user(model)
    }
    assert found - personal_data.declared() == set(), "declare them in a personal_data slice"
    for piece in personal_data.slices():
        assert all(reason.strip() for reason in piece.kept.values())
        for label, fields in piece.scrub.items():
            model = apps.get_model(label)
            assert all(model._meta.get_field(name) for name in fields), label


def _needles() -> list[str]:
    """The identifiers as text and as JSON writes them with non-ASCII escaped."""
    found = set()
    for needle in NEEDLES:
        found |= {needle.lower(), json.dumps(needle)[1:-1].lower()}
    return sorted(found)


def _leaks(text: str) -> list[str]:
    text = text.lower()
    return [needle for needle in _needles() if needle in text]


def _texts(content: bytes) -> str:
    """A response's text; every member's text for a zip (XLSX, DOCX, CSV zip)."""
    if content[:2] == b"PK":
        with zipfile.ZipFile(io.BytesIO(content)) as archive:
            return "\n".join(
                archive.read(name).decode("utf-8", "replace") for name in archive.namelist()
            )
    return content.decode("utf-8", "replace")


def _person_at_work(client):
    """The demo, and a reviewer with a distinctive name who logged in, holds a token and a
    session, was added to a stage, decided, extracted and commented; a colleague's comment
    and note name her."""
    demo_load()
    project = Project.objects.get(slug=DEMO_SLUG)
    user_model = get_user_model()
    lead = user_model.objects.get(username="lead")
    person = UserFactory(username=USERNAME, first_name=FIRST, last_name=LAST, email=EMAIL)
    services.membership_add(project=project, user=person, role=Role.REVIEWER, actor=lead)
    # A successful and a failed login through the form: django-axes records both by username.
    client.post(reverse("login"), {"username": USERNAME, "password": PASSWORD})
    client.logout()
    client.post(reverse("login"), {"username": USERNAME, "password": "wrong"})
    client.force_login(person)  # a live session of hers
    api_token_create(user=person, name=f"{FIRST}'s laptop")
    # The accounts' rows: her invitation, preferences, two-factor devices and recovery codes,
    # a session listed on her profile, a mail waiting for her, one to a colleague naming her.
    InvitationFactory(project=project, email=EMAIL, invited_by=lead, accepted_by=person)
    UserProfileFactory(user=person)
    TOTPDevice.objects.create(user=person, name=f"{FIRST}'s phone")
    recovery = StaticDevice.objects.create(user=person, name="recovery")
    StaticToken.objects.create(device=recovery, token="a1b2c3d4")
    UserSessionFactory(user=person, user_agent=f"Mozilla/5.0 ({USERNAME}'s laptop)")
    NotificationFactory(user=person, project=project)
    # An administrator changed her account in the Django admin: its log names her.
    LogEntry.objects.create(
        user=lead,
        content_type=ContentType.objects.get_for_model(person),
        object_id=str(person.pk),
        object_repr=USERNAME,
        action_flag=CHANGE,
        change_message=f"Changed email to {EMAIL}.",
    )
    NotificationFactory(user=lead, project=project, params={"file": f"{USERNAME}-hits.ris"})

    colleague = user_model.objects.get(username="reviewer2")
    # The demo's records are all decided: three found by hand wait at the first stage.
    topic_area = project.topic_areas.order_by("position").last()
    stage = topic_area.stages.order_by("position").first()
    source = Source.objects.create(topic_area=topic_area, name="Hand search")
    found = [
        Record.objects.create(topic_area=topic_area, source=source, position=n, title=f"Hit {n}")
        for n in range(1, 4)
    ]
    screening_services.stage_enter_records(stage=stage, record_ids=[r.pk for r in found])
    screening_services.stage_update(
        stage=stage,
        actor=lead,
        expected_version=stage.version,
        reviewer_ids=[person.pk, colleague.pk],
    )
    items = list(stage.items.filter(record__in=found).order_by("order_key"))
    for item in items:
        screening_services.decision_record(
            item=item, reviewer=person, value="include", note="Looks relevant to me"
        )
    screening_services.decision_record(
        item=items[3 - 1], reviewer=colleague, value="exclude", note=f"Ask {FIRST} {LAST} about it"
    )

    result = Result.objects.filter(study__topic_area__project=project).order_by("pk").first()
    consensus_services.extraction_settings_update(project=project, actor=lead, dual_extraction=True)
    consensus_services.extraction_save(
        result=result,
        reviewer=person,
        values={
            "direction": "positive",
            "risk_of_bias": "low",
            "quality": "high",
            "effect": f"Fewer days on benefits (checked by {FIRST} {LAST})",
        },
        expected_version=0,
    )
    question = comment_services.comment_create(
        project=project,
        author=person,
        target_kind="result",
        target_id=result.pk,
        body="Is the effect size adjusted?",
    )
    comment_services.comment_reply(
        comment=question, author=lead, body=f"Yes, {FIRST} {LAST}; mail me at {EMAIL}."
    )
    peer = user_model.objects.get(username="peer")
    comment_services.comment_create(
        project=project,
        author=peer,
        target_kind="result",
        target_id=result.pk,
        body=f"I agree with {USERNAME} here.",
    )
    from grading.services.report import report_tables_rebuild

    for topic in project.topic_areas.all():
        report_tables_rebuild(topic_area=topic)
    return project, person


@pytest.fixture
def staff(db):
    return UserFactory(username="admin", is_staff=True)


def _dump() -> str:
    out = io.StringIO()
    call_command("dumpdata", format="json", indent=0, stdout=out)
    return out.getvalue()


def _export_urls(project):
    kwargs = {"slug": project.slug}
    report = reverse("report_export", kwargs=kwargs)
    for fmt in ("xlsx", "docx", "csv", "json", "ris", "prisma-csv"):
        for language in ("da", "en"):
            yield f"{report}?format={fmt}&language={language}"
    yield reverse("activity", kwargs=kwargs)
    yield reverse("members", kwargs=kwargs)
    yield reverse("comments", kwargs=kwargs)
    yield reverse("report", kwargs=kwargs)
    api = f"/api/projects/{project.slug}"
    yield f"{api}/memberships/"
    yield f"{api}/comments/"
    for topic_area in project.topic_areas.all():
        topic = {**kwargs, "topic_key": topic_area.key}
        yield reverse("flow_csv", kwargs=topic)
        yield reverse("agreement_csv", kwargs=topic)
        yield reverse("screening_overview", kwargs=topic)
        yield f"{api}/topic-areas/{topic_area.key}/stages/"
        for stage in topic_area.stages.all():
            yield reverse("stage_records", kwargs={**topic, "stage_id": stage.pk})
            yield f"{api}/topic-areas/{topic_area.key}/stages/{stage.pk}/decisions/?page_size=500"
            yield f"{api}/topic-areas/{topic_area.key}/stages/{stage.pk}/items/?page_size=500"


@pytest.mark.django_db
def test_erasure_leaves_no_trace_in_the_database_or_any_export(client, staff, tmp_path):
    project, person = _person_at_work(client)
    before = _dump()
    assert set(_leaks(before)) >= {USERNAME, EMAIL, LAST.lower()}  # the walk sees them
    decisions = Decision.objects.filter(reviewer=person).count()
    assert decisions == 3
    assert AccessLog.objects.filter(username=USERNAME).exists()
    assert AccessAttempt.objects.filter(username=USERNAME).exists()

    client.force_login(staff)
    response = client.post(
        reverse("erase_person"), {"username": USERNAME, "confirm": USERNAME}, follow=True
    )

    assert "erased; their work is now shown as Former reviewer 1" in response.text
    person.refresh_from_db()
    assert person.username == "Former reviewer 1"
    assert (person.first_name, person.last_name, person.email) == ("", "", "")
    assert not person.has_usable_password() and not person.is_active
    assert Erasure.objects.get(user=person).number == 1
    # The work stays, attributed to the pseudonym.
    assert Decision.objects.filter(reviewer=person).count() == decisions
    assert Extraction.objects.filter(reviewer=person).count() == 1
    assert Comment.objects.get(author=person).body == "Is the effect size adjusted?"
    assert ApiToken.objects.filter(user=person).count() == 0
    assert not TOTPDevice.objects.filter(user=person).exists()
    assert not StaticToken.objects.exists()
    assert not Invitation.objects.filter(email=EMAIL).exists()
    assert not UserSession.objects.filter(user=person).exists()
    assert LogEntry.objects.get(object_id=str(person.pk)).object_repr == "Former reviewer 1"
    assert Membership.objects.filter(user=person).count() == 0
    sessions = [s.get_decoded().get("_auth_user_id") for s in Session.objects.all()]
    assert str(person.pk) not in sessions
    reply = Comment.objects.get(author__username="lead", parent__author=person)
    assert reply.body == "Yes, Former reviewer 1; mail me at Former reviewer 1."
    erased = AuditEntry.objects.get(action="user.erase")
    assert (erased.actor, erased.object_repr) == (staff, "Former reviewer 1")
    removal = AuditEntry.objects.get(action="membership.remove", project=project)
    assert removal.before == {"user": "Former reviewer 1", "role": Role.REVIEWER}
    agreement = [
        row
        for snapshot in ReportSnapshot.objects.filter(topic_area__project=project)
        for row in snapshot.tables["facts"]["agreement_rows"]
    ]
    names = {name for row in agreement for name in (row["reviewer_a"], row["reviewer_b"])}
    assert "Former reviewer 1 (former member)" in names

    assert _leaks(_dump()) == []

    lead = get_user_model().objects.get(username="lead")
    client.force_login(lead)
    pages = list(_export_urls(project))
    activity = reverse("activity", kwargs={"slug": project.slug})
    entries = project.audit_entries.count()
    pages += [f"{activity}?page={n}" for n in range(2, math.ceil(entries / 50) + 1)]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        assert _leaks(_texts(response.content)) == [], url
    shown = client.get(f"/api/projects/{project.slug}/topic-areas/").json()
    assert shown["count"] >= 1
    assert "Former reviewer 1" in _texts(client.get(pages[0]).content)  # the XLSX

    assert _leaks(project_export_json(project=project)) == []
    archive = tmp_path / "project.zip"
    project_export_zip(project=project, target=str(archive))
    assert _leaks(_texts(archive.read_bytes())) == []


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_erasure_leaves_no_trace_in_a_pg_dump(client, staff):
    if connection.vendor != "postgresql":
        pytest.skip("needs DATABASE_URL pointing at PostgreSQL")
    _project, person = _person_at_work(client)
    services.user_erase(user=person, actor=staff)
    db = connection.settings_dict
    env = {**os.environ, "PGPASSWORD": db.get("PASSWORD") or ""}
    dump = subprocess.run(
        [
            "pg_dump",
            "--host",
            db["HOST"] or "127.0.0.1",
            "--port",
            str(db["PORT"] or 5432),
            "--username",
            db["USER"] or "postgres",
            "--format",
            "plain",
            db["NAME"],
        ],  # fmt: skip
        env=env,
        capture_output=True,
        check=True,
    ).stdout.decode("utf-8")
    assert "Former reviewer 1" in dump
    assert _leaks(dump) == []


@pytest.mark.django_db
def test_pseudonyms_are_numbered_per_installation_and_stay(staff):
    first = UserFactory(username="first-to-go", first_name="Ann", last_name="Older")
    second = UserFactory(username="second-to-go")
    assert services.user_erase(user=first, actor=staff).number == 1
    assert services.user_erase(user=second, actor=staff).number == 2
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.username, second.username) == ("Former reviewer 1", "Former reviewer 2")
    with pytest.raises(ValidationError, match="already been erased"):
        services.user_erase(user=first, actor=staff)
    assert Erasure.objects.count() == 2


@pytest.mark.django_db
def test_the_username_is_replaced_as_a_word_only(staff, project, lead):
    person = UserFactory(username="ann")
    comment = Comment.objects.create(
        project=project, target_kind="flow", target_id=1, author=lead, body="ann, ask Johanna"
    )
    services.user_erase(user=person, actor=staff)
    comment.refresh_from_db()
    assert comment.body == "Former reviewer 1, ask Johanna"


@pytest.mark.django_db
def test_the_only_lead_of_a_project_cannot_be_erased(staff, project, lead):
    with pytest.raises(ValidationError, match="only lead of Secret review of caseloads"):
        services.user_erase(user=lead, actor=staff)
    lead.refresh_from_db()
    assert lead.username == "lead"
    assert Erasure.objects.count() == 0


@pytest.mark.django_db
def test_a_lead_who_is_not_staff_cannot_erase(client, cast):
    lead, reviewer = cast["lead"], cast["reviewer"]
    client.force_login(lead)

    page = client.get(reverse("erase_person"), {"username": "reviewer"})
    posted = client.post(reverse("erase_person"), {"username": "reviewer", "confirm": "reviewer"})

    assert page.status_code == posted.status_code == 403
    assert "reviewer@example.org" not in page.text
    reviewer.refresh_from_db()
    assert reviewer.username == "reviewer" and reviewer.is_active
    assert Erasure.objects.count() == 0
    with pytest.raises(PermissionDenied):
        services.user_erase(user=reviewer, actor=lead)
    assert not AuditEntry.objects.filter(action="user.erase").exists()


@pytest.mark.django_db
def test_the_erasure_page_shows_the_person_and_wants_the_username_typed(client, cast, staff):
    client.force_login(staff)

    page = client.get(reverse("erase_person"), {"username": "reviewer"})
    wrong = client.post(reverse("erase_person"), {"username": "reviewer", "confirm": "lead"})
    unknown = client.get(reverse("erase_person"), {"username": "nobody"})

    assert page.status_code == 200
    assert "reviewer@example.org" in page.text
    assert "Secret review of caseloads (Reviewer)" in page.text
    assert wrong.status_code == 400
    assert "This is not the username of the person to erase." in wrong.text
    assert unknown.status_code == 400 and "No user is named nobody." in unknown.text
    assert get_user_model().objects.get(pk=cast["reviewer"].pk).username == "reviewer"


@pytest.mark.django_db
def test_erase_user_command_wants_yes_and_erases(cast):
    with pytest.raises(CommandError, match="--yes"):
        call_command("erase_user", "reviewer", stdout=io.StringIO())
    with pytest.raises(CommandError, match="No user is named ghost"):
        call_command("erase_user", "ghost", "--yes", stdout=io.StringIO())
    out = io.StringIO()

    call_command("erase_user", "reviewer", "--yes", stdout=out)

    assert "reviewer erased; now shown as Former reviewer 1." in out.getvalue()
    entry = AuditEntry.objects.get(action="user.erase")
    assert entry.actor is None and entry.after == {"user": "Former reviewer 1"}
    assert not Stage.objects.filter(reviewers__username="reviewer").exists()


@pytest.mark.django_db
def test_the_erasure_page_needs_a_login(client, cast):
    response = client.post(reverse("erase_person"), {"username": "reviewer", "confirm": "reviewer"})

    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))
    assert get_user_model().objects.get(pk=cast["reviewer"].pk).username == "reviewer"
