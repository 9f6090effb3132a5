"""The permission matrix: every project URL x every role x GET/POST, with data
present that could leak. Non-members get 404, anonymous users the login page,
read-only members 403 on every write."""

import pytest
from django.core.files.base import ContentFile
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grading.services import rob as rob_services
from grading.services.studies import study_delete
from reviewapp.models import AuditEntry, Invitation, Membership, Project, TopicArea
from screening.models import FullText, ScreeningItem, Stage
from screening.services.bulk import records_bulk_label
from screening.services.labels import record_label_add
from screening.services.screening import stage_enter_records
from tests.cast import cast_for_the_module
from tests.factories.grading import StudyFactory
from tests.factories.reviewapp import InvitationFactory
from tests.secret_data import secret_review_data

ROLES = ["lead", "reviewer", "peer_reviewer", "outsider", "anonymous"]
MEMBERS = {"lead", "reviewer", "peer_reviewer"}
OK = "ok"  # allowed: the view ran (200, a redirect after a write, or 400 on bad input)

# What leaks if a denial page shows it.
SECRETS = [
    "Secret review of caseloads",
    "Hidden caseload topic",
    "reviewer2",
    "Confidential record title",
    "hidden-export.csv",
    "Secret decision note",
    "Secret intervention",
    "Hidden category",
    "Secret bias note",
    "secret-invitee@example.org",
]


def _everyone(status):
    return dict.fromkeys(MEMBERS, status)


READ = _everyone(OK)
LEAD_ONLY = {"lead": OK, "reviewer": 403, "peer_reviewer": 403}
REVIEW_WORK = {"lead": OK, "reviewer": OK, "peer_reviewer": 403}
NOT_ALLOWED = _everyone(405)

# url name -> (GET expectations, POST expectations) for members; outsiders get 404
# wherever the method is allowed at all, and anonymous users always the login page.
MATRIX = {
    "project_dashboard": (READ, NOT_ALLOWED),
    "project_edit": (LEAD_ONLY, LEAD_ONLY),
    "members": (READ, NOT_ALLOWED),
    "member_add": (NOT_ALLOWED, LEAD_ONLY),
    "member_create": (NOT_ALLOWED, LEAD_ONLY),
    "member_role": (NOT_ALLOWED, LEAD_ONLY),
    "member_remove": (NOT_ALLOWED, LEAD_ONLY),
    "invitation_create": (NOT_ALLOWED, LEAD_ONLY),
    "invitation_revoke": (NOT_ALLOWED, LEAD_ONLY),
    "activity": (READ, NOT_ALLOWED),
    "record_history": (READ, NOT_ALLOWED),
    "study_history": (READ, NOT_ALLOWED),
    "topic_area_create": (LEAD_ONLY, LEAD_ONLY),
    "topic_area_detail": (READ, NOT_ALLOWED),
    "topic_area_edit": (LEAD_ONLY, LEAD_ONLY),
    "import_create": (REVIEW_WORK, REVIEW_WORK),
    "import_job": (READ, NOT_ALLOWED),
    "import_mapping": (REVIEW_WORK, REVIEW_WORK),
    # The secret job was started by the lead: another reviewer may not settle it.
    "import_confirm": (NOT_ALLOWED, LEAD_ONLY),
    "import_discard": (NOT_ALLOWED, LEAD_ONLY),
    "records": (READ, NOT_ALLOWED),
    "record_unmerge": (NOT_ALLOWED, LEAD_ONLY),
    "duplicates": (READ, NOT_ALLOWED),
    "duplicate_confirm": (NOT_ALLOWED, LEAD_ONLY),
    "duplicate_reject": (NOT_ALLOWED, LEAD_ONLY),
    "screening_overview": (READ, NOT_ALLOWED),
    "stage_prioritisation": (READ, NOT_ALLOWED),
    "stage_order": (NOT_ALLOWED, LEAD_ONLY),
    "stage_stopping": (NOT_ALLOWED, LEAD_ONLY),
    "stage_stop": (NOT_ALLOWED, LEAD_ONLY),
    "stages_set_up": (NOT_ALLOWED, LEAD_ONLY),
    "agreement_csv": (READ, NOT_ALLOWED),
    "screen": (REVIEW_WORK, NOT_ALLOWED),
    "stage_edit": (LEAD_ONLY, LEAD_ONLY),
    "screening_undo": (NOT_ALLOWED, REVIEW_WORK),
    "stage_records": (READ, NOT_ALLOWED),
    "screening_decide": (NOT_ALLOWED, REVIEW_WORK),
    "screening_resolve": (NOT_ALLOWED, LEAD_ONLY),
    "screening_reopen": (NOT_ALLOWED, LEAD_ONLY),
    "conflicts": (LEAD_ONLY, NOT_ALLOWED),
    "conflict_resolve": (NOT_ALLOWED, LEAD_ONLY),
    "flow": (READ, NOT_ALLOWED),
    "flow_reported": (NOT_ALLOWED, LEAD_ONLY),
    "flow_svg": (READ, NOT_ALLOWED),
    "flow_csv": (READ, NOT_ALLOWED),
    "snowball": (REVIEW_WORK, REVIEW_WORK),
    "evidence": (READ, NOT_ALLOWED),
    "category_create": (NOT_ALLOWED, LEAD_ONLY),
    "verdict": (READ, NOT_ALLOWED),
    "verdict_final": (NOT_ALLOWED, LEAD_ONLY),
    "report": (READ, NOT_ALLOWED),
    "report_export": ({"lead": OK, "reviewer": 403, "peer_reviewer": OK}, NOT_ALLOWED),
    "report_settings": (NOT_ALLOWED, LEAD_ONLY),
    "comments": (READ, READ),
    "comment_reply": (NOT_ALLOWED, READ),
    "comment_resolve": (NOT_ALLOWED, LEAD_ONLY),
    "studies": (READ, NOT_ALLOWED),
    "study_create": (REVIEW_WORK, REVIEW_WORK),
    "study_detail": (READ, NOT_ALLOWED),
    "grade_assessment": (READ, LEAD_ONLY),
    "summary_of_findings": (READ, NOT_ALLOWED),
    "extraction_settings": (NOT_ALLOWED, LEAD_ONLY),
    "result_extraction": (REVIEW_WORK, REVIEW_WORK),
    "result_consensus": (READ, LEAD_ONLY),
    "extraction_agreement": (READ, NOT_ALLOWED),
    "study_edit": (NOT_ALLOWED, REVIEW_WORK),
    "result_create": (NOT_ALLOWED, REVIEW_WORK),
    "result_edit": (REVIEW_WORK, REVIEW_WORK),
    "extraction_form": (READ, NOT_ALLOWED),
    "extraction_field_create": (NOT_ALLOWED, LEAD_ONLY),
    "extraction_field_toggle": (NOT_ALLOWED, LEAD_ONLY),
    "fulltexts": (READ, NOT_ALLOWED),
    "fulltext_zip": (NOT_ALLOWED, REVIEW_WORK),
    "fulltext_upload": (NOT_ALLOWED, REVIEW_WORK),
    "fulltext_not_retrievable": (NOT_ALLOWED, REVIEW_WORK),
    "fulltext_remove": (NOT_ALLOWED, REVIEW_WORK),
    "fulltext_pdf": (READ, NOT_ALLOWED),
    "rob_assessment": (READ, REVIEW_WORK),
    "rob_charts": (READ, NOT_ALLOWED),
    "rob_traffic_light_svg": (READ, NOT_ALLOWED),
    "rob_summary_svg": (READ, NOT_ALLOWED),
    "project_delete": (NOT_ALLOWED, LEAD_ONLY),
    "project_bin": (LEAD_ONLY, NOT_ALLOWED),
    "bin_restore": (NOT_ALLOWED, LEAD_ONLY),
    "topic_area_delete": (NOT_ALLOWED, LEAD_ONLY),
    "source_remove": (NOT_ALLOWED, LEAD_ONLY),
    "source_restore": (NOT_ALLOWED, LEAD_ONLY),
    "record_edit": (REVIEW_WORK, REVIEW_WORK),
    "record_label_add": (NOT_ALLOWED, REVIEW_WORK),
    "record_label_remove": (NOT_ALLOWED, REVIEW_WORK),
    "bulk_apply": (NOT_ALLOWED, LEAD_ONLY),
    "bulk_undo": (NOT_ALLOWED, LEAD_ONLY),
    "study_delete": (NOT_ALLOWED, LEAD_ONLY),
    "result_delete": (NOT_ALLOWED, LEAD_ONLY),
    "category_delete": (NOT_ALLOWED, LEAD_ONLY),
    # Who may delete is decided per comment (its author or a lead), as for a reply.
    "comment_delete": (NOT_ALLOWED, READ),
}


def _leaves(patterns):
    for pattern in patterns:
        if isinstance(pattern, URLResolver):
            yield from _leaves(pattern.url_patterns)
        elif isinstance(pattern, URLPattern):
            yield pattern


def _project_patterns() -> list[URLPattern]:
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and "<slug:slug>" in str(pattern.pattern):
            return list(_leaves(pattern.url_patterns))
    raise AssertionError("no project URL patterns found")


def test_matrix_covers_every_project_url():
    assert {pattern.name for pattern in _project_patterns()} == set(MATRIX)


def test_every_project_view_declares_its_permission():
    for pattern in _project_patterns():
        assert hasattr(pattern.callback, "project_permission"), pattern.name


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, media_root):
    """The cast, its topic area and the secret data, built once for the module's thousand
    cases (each runs in a savepoint of its own: see data_for_the_module)."""
    with cast_for_the_module(django_db_blocker, media_root) as world:
        yield {**world, "data": _screening_data(world["topic_area"], world["cast"])}


@pytest.fixture
def project(db, matrix_world):
    return matrix_world["project"]


@pytest.fixture
def topic_area(db, matrix_world):
    return matrix_world["topic_area"]


@pytest.fixture
def cast(db, matrix_world):
    return matrix_world["cast"]


@pytest.fixture
def screening_data(db, matrix_world):
    return matrix_world["data"]


def _screening_data(topic_area, cast):
    """The secret review data (tests/secret_data.py), with a full text at the full-text
    stage and a risk-of-bias assessment."""
    lead = cast["lead"]
    data = secret_review_data(topic_area, lead, cast["reviewer2"])
    first, result = data["record_first"], data["result"]
    fulltext_stage = Stage.objects.get(topic_area=topic_area, kind=Stage.Kind.FULLTEXT)
    stage_enter_records(stage=fulltext_stage, record_ids=[first.pk])
    pdf = FullText(record=first, original_name="hidden-fulltext.pdf", size=40, sha256="0" * 64)
    pdf.file.save("x.pdf", ContentFile(b"%PDF-1.4 Confidential record title 1"), save=False)
    pdf.save()
    robins_i_domains = ["D1", "D2", "D3", "D4", "D5", "D6", "D7"]
    rob_services.rob_assessment_save(
        result=result,
        actor=lead,
        tool="robins_i",
        answers={},
        domain_judgements=dict.fromkeys(robins_i_domains, "moderate"),
        overall="moderate",
        notes=dict.fromkeys([*robins_i_domains, "overall"], "Secret bias note"),
        expected_version=0,
    )
    invitation = InvitationFactory(project=topic_area.project, email="secret-invitee@example.org")
    label = record_label_add(record=first, actor=lead, name="Secret label")
    bulk = records_bulk_label(
        stage=data["stage"],
        actor=lead,
        items=ScreeningItem.objects.filter(pk=data["item"].pk),
        name="Secret bulk label",
    )
    binned = StudyFactory(topic_area=topic_area, label="Confidential study in the bin")
    study_delete(study=binned, actor=lead)
    return {
        **data,
        "label": label,
        "bulk": bulk,
        "binned_study": binned,
        "fulltext_stage": fulltext_stage,
        "fulltext_record": first,
        "invitation": invitation,
    }


def _kwargs(name, project, topic_area, membership, data):
    kwargs = {"slug": project.slug}
    if (name.startswith("topic_area_") and name != "topic_area_create") or name in TOPIC_URLS:
        kwargs["topic_key"] = topic_area.key
    if name in {"member_role", "member_remove"}:
        kwargs["membership_id"] = membership.pk
    if name == "invitation_revoke":
        kwargs["invitation_id"] = data["invitation"].pk
    if name in {"import_job", "import_mapping", "import_confirm", "import_discard"}:
        kwargs["job_id"] = data["job"].pk
    if name == "record_unmerge":
        kwargs["record_id"] = data["record"].pk
    if name == "snowball":
        kwargs["record_id"] = data["item"].record_id
    if name == "record_history":
        kwargs["record_id"] = data["fulltext_record"].pk
    if name == "study_history":
        kwargs["study_id"] = data["study"].pk
    if name in {"verdict", "verdict_final", "grade_assessment"} | ROB_CHART_URLS:
        kwargs["category_key"] = data["category"].key
    if name in ROB_CHART_URLS - {"rob_charts"}:
        kwargs["tool"] = "robins_i"
    if name in {"study_detail", "study_edit", "result_create", "result_edit", "rob_assessment"}:
        kwargs["study_id"] = data["study"].pk
    if name in {"result_extraction", "result_consensus"}:
        kwargs["study_id"] = data["study"].pk
        kwargs["result_id"] = data["result"].pk
    if name in {"result_edit", "rob_assessment"}:
        kwargs["result_id"] = data["result"].pk
    if name == "extraction_field_toggle":
        kwargs["field_id"] = data["extraction_field"].pk
    if name in {"duplicate_confirm", "duplicate_reject"}:
        kwargs["pair_id"] = data["pair"].pk
    if name in STAGE_URLS:
        kwargs["stage_id"] = data["stage"].pk
    if name in {"screening_decide", "screening_resolve", "screening_reopen", "conflict_resolve"}:
        kwargs["item_id"] = data["item"].pk
    if name in {"source_remove", "source_restore"}:
        kwargs["source_id"] = data["source"].pk
    if name in {"record_edit", "record_label_add", "record_label_remove"}:
        kwargs["record_id"] = data["fulltext_record"].pk
    if name == "record_label_remove":
        kwargs["label_id"] = data["label"].pk
    if name in {"bulk_apply", "bulk_undo"}:
        kwargs["stage_id"] = data["stage"].pk
    if name == "bulk_undo":
        kwargs["bulk_id"] = data["bulk"].pk
    if name in {"study_delete", "result_delete"}:
        kwargs["study_id"] = data["study"].pk
    if name == "result_delete":
        kwargs["result_id"] = data["result"].pk
    if name == "category_delete":
        kwargs["category_key"] = data["category"].key
    if name == "bin_restore":
        kwargs["label"] = "grading.study"
        kwargs["pk"] = data["binned_study"].pk
    if name in FULLTEXT_URLS:
        kwargs["stage_id"] = data["fulltext_stage"].pk
    if name in FULLTEXT_URLS - {"fulltexts", "fulltext_zip"}:
        kwargs["record_id"] = data["fulltext_record"].pk
    return kwargs


STAGE_URLS = {
    "screen",
    "stage_edit",
    "screening_undo",
    "stage_records",
    "screening_decide",
    "screening_resolve",
    "screening_reopen",
    "conflicts",
    "conflict_resolve",
    "stage_prioritisation",
    "stage_order",
    "stage_stopping",
    "stage_stop",
}
FULLTEXT_URLS = {
    "fulltexts",
    "fulltext_zip",
    "fulltext_upload",
    "fulltext_not_retrievable",
    "fulltext_remove",
    "fulltext_pdf",
}


TOPIC_URLS = {
    "source_remove",
    "source_restore",
    "record_edit",
    "record_label_add",
    "record_label_remove",
    "bulk_apply",
    "bulk_undo",
    "study_delete",
    "result_delete",
    "category_delete",
    "import_create",
    "import_job",
    "import_mapping",
    "import_confirm",
    "import_discard",
    "records",
    "record_unmerge",
    "duplicates",
    "duplicate_confirm",
    "duplicate_reject",
    "screening_overview",
    "stages_set_up",
    "agreement_csv",
    "flow",
    "flow_reported",
    "flow_svg",
    "flow_csv",
    "snowball",
    "evidence",
    "category_create",
    "verdict",
    "verdict_final",
    "studies",
    "record_history",
    "study_history",
    "study_create",
    "study_detail",
    "study_edit",
    "result_create",
    "result_edit",
} | STAGE_URLS
ROB_CHART_URLS = {"rob_charts", "rob_traffic_light_svg", "rob_summary_svg"}
TOPIC_URLS |= FULLTEXT_URLS | ROB_CHART_URLS | {"rob_assessment"}
TOPIC_URLS |= {"grade_assessment", "summary_of_findings"}
TOPIC_URLS |= {"result_extraction", "result_consensus", "extraction_agreement"}


def _post_data(name, topic_area):
    return {
        "project_edit": {
            "title": "Changed",
            "slug": "secret-review",
            "language": "en",
            "evidence_framework": "grade",
            "version": 1,
        },
        "member_add": {"user": "outsider", "role": "reviewer"},
        "member_create": {"username": "newcomer", "role": "reviewer"},
        "member_role": {"role": "lead"},
        "invitation_create": {"email": "someone@example.org", "role": "lead", "language": "en"},
        "member_remove": {},
        "topic_area_create": {"title": "New", "key": "new-topic", "position": 2},
        "topic_area_edit": {"title": "Changed", "key": topic_area.key, "position": 1, "version": 1},
        "stages_set_up": {"preset": "two"},
        "flow_reported": {"version": 1, "duplicates": 5},
        "screening_decide": {"value": "exclude"},
        "screening_resolve": {"value": "exclude"},
        "conflict_resolve": {"value": "exclude"},
        "snowball": {"title": "A reference that must not be imported"},
        "category_create": {"title": "A category that must not exist", "key": "nope"},
        "verdict_final": {"level": "strong", "rationale": "Must not be saved", "version": 1},
        "study_create": {"label": "Nope (2020)", "title": "Nope", "design": "other"},
        "study_edit": {"label": "Changed", "title": "Changed", "design": "other", "version": 1},
        "result_create": {"intervention": "Must not be saved", "effect": "x"},
        "result_edit": {"intervention": "Must not be saved", "effect": "x", "version": 1},
        "extraction_field_create": {"label": "Nope", "key": "nope", "kind": "text"},
        "grade_assessment": {
            "version": 0,
            **dict.fromkeys(
                ["inconsistency", "indirectness", "imprecision", "publication_bias"], 0
            ),
            **dict.fromkeys(["large_effect", "dose_response", "plausible_confounding"], 0),
            "risk_of_bias": 1,
            "reason_risk_of_bias": "Must not be saved",
        },
        "extraction_settings": {"dual_extraction": "on"},
        "result_extraction": {
            "version": 0,
            "direction": "negative",
            "risk_of_bias": "high",
            "quality": "limited",
            "effect": "Must not be saved",
        },
        "result_consensus": {
            "version": 0,
            "direction": "negative",
            "risk_of_bias": "high",
            "quality": "limited",
            "effect": "Must not be saved",
        },
        "rob_assessment": {
            "tool": "robins_i",
            "effect": "assignment",
            "version": 1,
            "judgement_overall": "serious",
            **{f"judgement_D{i}": "serious" for i in range(1, 8)},
            **{f"note_D{i}": "Must not be saved" for i in range(1, 8)},
        },
    }.get(name, {})


def _state():
    from grading.models import (
        Consensus,
        Extraction,
        ExtractionField,
        ExtractionSettings,
        GradeAssessment,
        InterventionCategory,
        Result,
        RobAssessment,
        Study,
        Verdict,
    )
    from screening.models import (
        Decision,
        DuplicatePair,
        FullText,
        ImportJob,
        Record,
        ScreeningItem,
        Stage,
    )

    return (
        list(Record.objects.order_by("pk").values_list("pk", "canonical_id")),
        list(DuplicatePair.objects.values_list("pk", "status")),
        list(ImportJob.objects.values_list("pk", "status")),
        AuditEntry.objects.count(),
        list(Invitation.objects.order_by("pk").values_list("email", "revoked_at")),
        list(Membership.objects.order_by("pk").values_list("user_id", "role")),
        list(Project.objects.order_by("pk").values_list("title", "slug")),
        list(TopicArea.objects.order_by("pk").values_list("title", "key", "reported_flow")),
        list(Stage.objects.order_by("pk").values_list("pk", "name", "reviewers_required")),
        list(ScreeningItem.objects.order_by("pk").values_list("pk", "status", "resolved_by")),
        list(Decision.objects.order_by("pk").values_list("pk", "value", "note")),
        list(Study.objects.order_by("pk").values_list("pk", "label", "version")),
        list(Result.objects.order_by("pk").values_list("pk", "intervention", "version")),
        list(Verdict.objects.order_by("pk").values_list("pk", "final_level", "rationale")),
        list(InterventionCategory.objects.order_by("pk").values_list("pk", "title")),
        list(ExtractionField.objects.order_by("pk").values_list("pk", "label", "active")),
        list(FullText.objects.order_by("pk").values_list("record_id", "file", "not_retrievable")),
        list(RobAssessment.objects.order_by("pk").values_list("pk", "overall", "version")),
        list(GradeAssessment.objects.values_list("category_id", "risk_of_bias", "version")),
        list(ExtractionSettings.objects.values_list("project_id", "dual_extraction")),
        list(Extraction.objects.values_list("result_id", "reviewer_id", "values")),
        list(Consensus.objects.values_list("result_id", "values")),
    )


CASES = [(name, method, role) for name in MATRIX for method in ("GET", "POST") for role in ROLES]


@pytest.mark.parametrize(("name", "method", "role"), CASES)
def test_permission_matrix(client, cast, topic_area, screening_data, name, method, role):
    project = topic_area.project
    victim = Membership.objects.get(project=project, user=cast["reviewer2"])
    url = reverse(name, kwargs=_kwargs(name, project, topic_area, victim, screening_data))
    if role != "anonymous":
        client.force_login(cast[role])
    get_expected, post_expected = MATRIX[name]
    member_expected = get_expected if method == "GET" else post_expected
    if role == "anonymous":
        expected = "login"
    elif role in MEMBERS:
        expected = member_expected[role]
    elif member_expected["lead"] == 405:
        expected = 405
    else:
        expected = 404

    before = _state()
    if method == "GET":
        response = client.get(url)
    else:
        response = client.post(url, _post_data(name, topic_area))

    if expected == OK:
        assert response.status_code in {200, 302, 400}, response.status_code
        if response.streaming:
            # A FileResponse (the PDF) holds its file open until read to the end, when the
            # test client closes it. Not through response.close(): that sends
            # request_finished, whose handler closes a connection inside a transaction,
            # and the module's data went with it.
            b"".join(response.streaming_content)
        return
    if expected == "login":
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))
    else:
        assert response.status_code == expected
    assert _state() == before, "a denied request changed data"
    body = response.content.decode()
    for secret in SECRETS:
        assert secret not in body


@pytest.mark.parametrize("role", ["lead", "reviewer", "peer_reviewer"])
def test_read_only_roles_see_no_write_controls(client, cast, topic_area, role):
    client.force_login(cast[role])
    pages = [
        reverse("project_dashboard", kwargs={"slug": "secret-review"}),
        reverse("members", kwargs={"slug": "secret-review"}),
        topic_area.get_absolute_url(),
    ]
    write_urls = [
        reverse("project_edit", kwargs={"slug": "secret-review"}),
        reverse("topic_area_create", kwargs={"slug": "secret-review"}),
        reverse("topic_area_edit", kwargs={"slug": "secret-review", "topic_key": "caseload"}),
        reverse("member_add", kwargs={"slug": "secret-review"}),
    ]
    bodies = "".join(client.get(page).content.decode() for page in pages)
    assert "Secret review of caseloads" in bodies
    for write_url in write_urls:
        if role == "lead":
            assert write_url in bodies
        else:
            assert write_url not in bodies
    if role != "lead":
        assert '<form method="post" action="/projects/secret-review/members' not in bodies


@pytest.mark.parametrize("url_name", ["project_list", "project_create"])
def test_site_pages_need_login(client, db, url_name):
    response = client.get(reverse(url_name))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_project_list_shows_only_my_projects(client, cast, project):
    client.force_login(cast["outsider"])
    body = client.get(reverse("project_list")).content.decode()
    assert "Secret review of caseloads" not in body
    assert "outsiders-own" in body
