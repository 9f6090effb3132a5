"""The API's permission matrix: every endpoint x every role x GET/POST/PATCH/DELETE, with
data present that could leak. Anonymous requests get 401, non-members 404 (a project's
existence does not leak), read-only members 403 on every write, members 405 for a method
the endpoint does not have; a denied request changes nothing and shows no secret."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from grading.models import (
    Comment,
    Consensus,
    Extraction,
    ExtractionField,
    GradeAssessment,
    InterventionCategory,
    Result,
    RobAssessment,
    Study,
    Verdict,
)
from reviewapp.models import ApiToken, AuditEntry, Invitation, Membership, Project, TopicArea
from screening.models import (
    BulkAction,
    Decision,
    DuplicatePair,
    FullText,
    ImportJob,
    MaybeFlag,
    Record,
    RecordLabel,
    ScreeningItem,
    Source,
    Stage,
)
from tests.api.conftest import SECRETS, build_review_data, build_tokens, raw_token_client
from tests.cast import cast_for_the_module

ROLES = ["lead", "reviewer", "peer_reviewer", "outsider", "anonymous"]
MEMBERS = {"lead", "reviewer", "peer_reviewer"}
METHODS = ["GET", "POST", "PATCH", "DELETE"]
OK = "ok"  # allowed: the view ran (a success, or 400/409 on input it refused)
ALLOWED_STATUSES = {200, 201, 204, 400, 409}

READ = dict.fromkeys(MEMBERS, OK)
LEAD = {"lead": OK, "reviewer": 403, "peer_reviewer": 403}
WORK = {"lead": OK, "reviewer": OK, "peer_reviewer": 403}
EXPORT = {"lead": OK, "reviewer": 403, "peer_reviewer": OK}  # the report page's export
# A file the data has none of (no PDF attached, no risk-of-bias assessment saved): members
# get past the permission to a 404, as on the page; tests/api/test_downloads.py downloads them.
NO_FILE = dict.fromkeys(MEMBERS, 404)

# url name -> {method: what each member role gets}; a method not listed is 405 for members.
MATRIX = {
    "api-project-detail": {"GET": READ, "PATCH": LEAD, "DELETE": LEAD},
    "api-project-restore": {"POST": LEAD},
    "api-membership-list": {"GET": READ, "POST": LEAD},
    "api-membership-detail": {"GET": READ, "PATCH": LEAD, "DELETE": LEAD},
    # The members page lists pending invitations to leads only; leads invite and withdraw.
    "api-invitation-list": {"GET": LEAD, "POST": LEAD},
    "api-invitation-revoke": {"POST": LEAD},
    "api-topic-area-list": {"GET": READ, "POST": LEAD},
    "api-topic-area-detail": {"GET": READ, "PATCH": LEAD, "DELETE": LEAD},
    "api-topic-area-restore": {"POST": LEAD},
    "api-extraction-field-list": {"GET": READ, "POST": LEAD},
    "api-extraction-field-detail": {"GET": READ, "PATCH": LEAD},
    "api-source-list": {"GET": READ},
    "api-source-detail": {"GET": READ, "DELETE": LEAD},
    "api-source-restore": {"POST": LEAD},
    "api-import-list": {"GET": READ, "POST": WORK},
    "api-import-detail": {"GET": READ},
    "api-import-mapping": {"POST": WORK},
    # The secret job was started by the lead: another reviewer may not settle it.
    "api-import-confirm": {"POST": LEAD},
    "api-import-discard": {"POST": LEAD},
    "api-record-list": {"GET": READ},
    "api-record-detail": {"GET": READ, "PATCH": WORK},
    "api-record-unmerge": {"POST": LEAD},
    "api-record-labels": {"POST": WORK},
    "api-record-labels-remove": {"POST": WORK},
    "api-record-snowball": {"POST": WORK},
    "api-record-history": {"GET": READ},
    "api-record-snowball-upload": {"POST": WORK},
    "api-duplicate-list": {"GET": READ},
    "api-duplicate-detail": {"GET": READ},
    "api-duplicate-confirm": {"POST": LEAD},
    "api-duplicate-reject": {"POST": LEAD},
    "api-stage-list": {"GET": READ},
    "api-stage-detail": {"GET": READ, "PATCH": LEAD},
    "api-stage-set-up": {"POST": LEAD},
    "api-decision-list": {"GET": READ, "POST": WORK},
    "api-decision-detail": {"GET": READ},
    "api-decision-undo": {"POST": WORK},
    "api-item-list": {"GET": READ},
    "api-item-detail": {"GET": READ},
    "api-item-resolve": {"POST": LEAD},
    "api-item-reopen": {"POST": LEAD},
    "api-item-maybe": {"POST": WORK},
    "api-fulltext-list": {"GET": READ},
    "api-fulltext-detail": {"GET": READ},
    "api-fulltext-upload": {"POST": WORK},
    "api-fulltext-zip": {"POST": WORK},
    "api-fulltext-not-retrievable": {"POST": WORK},
    "api-fulltext-remove": {"POST": WORK},
    "api-fulltext-pdf": {"GET": NO_FILE},
    # The page shows a stage's bulk actions to leads only, and only leads act.
    "api-bulk-action-list": {"GET": LEAD, "POST": LEAD},
    "api-bulk-action-detail": {"GET": LEAD},
    "api-bulk-action-undo": {"POST": LEAD},
    "api-agreement": {"GET": READ},
    "api-flow": {"GET": READ},
    "api-flow-reported": {"GET": READ, "PATCH": LEAD},
    "api-flow-svg": {"GET": READ},
    "api-flow-csv": {"GET": READ},
    "api-agreement-csv": {"GET": READ},
    "api-rob-traffic-light-svg": {"GET": NO_FILE},
    "api-rob-summary-svg": {"GET": NO_FILE},
    "api-exports": {"GET": READ},
    "api-study-list": {"GET": READ, "POST": WORK},
    "api-study-detail": {"GET": READ, "PATCH": WORK, "DELETE": LEAD},
    "api-study-restore": {"POST": LEAD},
    "api-study-history": {"GET": READ},
    "api-result-list": {"GET": READ, "POST": WORK},
    "api-result-detail": {"GET": READ, "PATCH": WORK, "DELETE": LEAD},
    "api-result-restore": {"POST": LEAD},
    "api-result-risk-of-bias": {"GET": READ, "POST": WORK},
    # One's own extraction: reviewers and leads (peer reviewers do not extract). The
    # consensus: every member reads; the lead or one of the two extractors (here none) records.
    "api-result-extractions": {"GET": WORK, "POST": WORK},
    "api-result-consensus": {"GET": READ, "POST": LEAD},
    "api-extraction-agreement": {"GET": READ},
    "api-category-list": {"GET": READ, "POST": LEAD},
    "api-category-detail": {"GET": READ, "PATCH": LEAD, "DELETE": LEAD},
    "api-category-grade": {"GET": READ, "POST": LEAD},
    "api-category-restore": {"POST": LEAD},
    "api-verdict-list": {"GET": READ},
    "api-verdict-detail": {"GET": READ},
    "api-verdict-final": {"POST": LEAD},
    "api-report": {"GET": READ},
    "api-report-export": {"GET": EXPORT},
    "api-report-settings": {"GET": READ, "PATCH": LEAD},
    # Every member comments, peer reviewers too; the thread's author (here reviewer2, a
    # second reviewer) or a lead replies; leads resolve.
    "api-comment-list": {"GET": READ, "POST": READ},
    "api-comment-detail": {"GET": READ, "DELETE": LEAD},
    "api-comment-reply": {"POST": LEAD},
    "api-comment-resolve": {"POST": LEAD},
    "api-comment-restore": {"POST": LEAD},
    "api-activity": {"GET": READ},
    # The bin page is the leads'.
    "api-bin": {"GET": LEAD},
    "api-prioritisation": {"GET": READ, "PATCH": LEAD},
    "api-prioritisation-stop": {"POST": LEAD},
    "api-prioritisation-resume": {"POST": LEAD},
}
# File uploads: multipart bodies only (JSON is 415).
MULTIPART = {"api-fulltext-zip", "api-record-snowball-upload"}
# Not under a project: tested in test_site_endpoints below.
SITE = {"api-project-list", "api-schema", "api-docs", "api-not-found", "api-me"}
# Project endpoints that look the project up only for the methods they have.
UNSCOPED_METHODS = {"api-project-detail", "api-project-restore"}


def _api_patterns():
    """Every API URL: each app's included under api/, and the catch-all 404 beside them."""
    found = []
    for pattern in get_resolver().url_patterns:
        if isinstance(pattern, URLResolver) and str(pattern.pattern) == "api/":
            found += [p for p in pattern.url_patterns if isinstance(p, URLPattern)]
        elif isinstance(pattern, URLPattern) and (pattern.name or "").startswith("api-"):
            found.append(pattern)
    assert found, "no api/ URL patterns found"
    return found


def test_matrix_covers_every_api_url():
    names = {pattern.name for pattern in _api_patterns()}
    assert names - SITE == set(MATRIX)


# Actions beside a resource's list and detail: name -> (resource, on the list or an item).
ACTIONS = {
    "api-import-mapping": ("import", "detail"),
    "api-import-confirm": ("import", "detail"),
    "api-import-discard": ("import", "detail"),
    "api-record-unmerge": ("record", "detail"),
    "api-record-labels": ("record", "detail"),
    "api-record-labels-remove": ("record", "detail"),
    "api-record-snowball": ("snowball", "detail"),
    "api-record-snowball-upload": ("snowball", "detail"),
    "api-result-risk-of-bias": ("rob", "detail"),
    "api-result-extractions": ("extraction", "detail"),
    "api-result-consensus": ("consensus", "detail"),
    "api-extraction-agreement": ("extraction-agreement", "list"),
    "api-category-grade": ("category", "detail"),
    "api-duplicate-confirm": ("duplicate", "detail"),
    "api-duplicate-reject": ("duplicate", "detail"),
    "api-stage-set-up": ("stage", "list"),
    "api-item-resolve": ("item", "detail"),
    "api-item-reopen": ("item", "detail"),
    "api-item-maybe": ("item", "detail"),
    "api-decision-undo": ("decision", "list"),
    "api-fulltext-upload": ("fulltext", "detail"),
    "api-fulltext-zip": ("fulltext", "list"),
    "api-fulltext-not-retrievable": ("fulltext", "detail"),
    "api-fulltext-remove": ("fulltext", "detail"),
    "api-fulltext-pdf": ("fulltext", "detail"),
    "api-bulk-action-undo": ("bulk-action", "detail"),
    "api-rob-traffic-light-svg": ("rob-chart", "detail"),
    "api-rob-summary-svg": ("rob-chart", "detail"),
    "api-flow-svg": ("flow", "list"),
    "api-flow-csv": ("flow", "list"),
    "api-agreement-csv": ("agreement", "list"),
    "api-report-export": ("report", "list"),
    "api-verdict-final": ("verdict", "detail"),
    "api-agreement": ("agreement", "list"),
    "api-flow": ("flow", "list"),
    "api-flow-reported": ("flow", "list"),
    "api-exports": ("exports", "list"),
    "api-report": ("report", "list"),
    "api-report-settings": ("report-settings", "list"),
    "api-comment-reply": ("comment", "detail"),
    "api-comment-resolve": ("comment", "detail"),
    "api-study-restore": ("study", "detail"),
    "api-result-restore": ("result", "detail"),
    "api-category-restore": ("category", "detail"),
    "api-comment-restore": ("comment", "detail"),
    "api-project-restore": ("project", "detail"),
    "api-topic-area-restore": ("topic-area", "detail"),
    "api-activity": ("activity", "list"),
    "api-bin": ("bin", "list"),
    "api-study-history": ("study-history", "detail"),
    "api-record-history": ("record-history", "detail"),
    "api-invitation-revoke": ("invitation", "detail"),
    "api-prioritisation": ("prioritisation", "list"),
    "api-prioritisation-stop": ("prioritisation", "list"),
    "api-prioritisation-resume": ("prioritisation", "list"),
}
PROJECT_LEVEL = {
    "project",
    "membership",
    "topic-area",
    "extraction-field",
    "report",
    "comment",
    "activity",
    "bin",
    "invitation",
}


def _kwargs(name, topic_area, data, victim) -> dict:
    resource, level = ACTIONS.get(name) or name.removeprefix("api-").rsplit("-", 1)
    kwargs = {"project_slug": topic_area.project.slug}
    if resource not in PROJECT_LEVEL or name in {"api-topic-area-detail", "api-topic-area-restore"}:
        kwargs["topic_key"] = topic_area.key
    if resource in {"decision", "item", "prioritisation", "bulk-action"}:
        kwargs["stage_id"] = data["stage"].pk
    if resource in {"rob", "extraction", "consensus"}:
        return {**kwargs, "result_id": data["result"].pk}
    if resource == "rob-chart":
        return {**kwargs, "category_key": data["category"].key, "tool": "rob2"}
    if resource in {"snowball", "record-history"}:
        return {**kwargs, "record_id": data["record_first"].pk}
    if resource == "study-history":
        return {**kwargs, "study_id": data["study"].pk}
    if resource == "fulltext":
        kwargs["stage_id"] = data["fulltext_stage"].pk
        if level != "list":
            kwargs["record_id"] = data["record_first"].pk
        return kwargs
    if level == "list" or resource in {"project", "topic-area"}:
        return kwargs
    if resource in {"category", "verdict"}:
        kwargs["category_key"] = data["category"].key
        return kwargs
    kwargs["pk"] = {
        "membership": victim.pk,
        "extraction-field": data["extraction_field"].pk,
        "source": data["source"].pk,
        "import": data["job"].pk,
        "record": data["record"].pk,
        "duplicate": data["pair"].pk,
        "stage": data["stage"].pk,
        "item": data["item"].pk,
        "decision": data["decision"].pk,
        "bulk-action": data["bulk"].pk,
        "comment": data["comment"].pk,
        "invitation": data["invitation"].pk,
        "study": data["study"].pk,
        "result": data["result"].pk,
    }[resource]
    return kwargs


def _body(name, method, data) -> dict:
    return {
        ("api-project-detail", "PATCH"): {"title": "Changed", "version": 1},
        ("api-membership-list", "POST"): {"username": "outsider", "role": "reviewer"},
        ("api-membership-detail", "PATCH"): {"role": "lead"},
        ("api-invitation-list", "POST"): {"email": "must-not@example.org", "role": "lead"},
        ("api-topic-area-list", "POST"): {"key": "new-topic", "title": "New"},
        ("api-topic-area-detail", "PATCH"): {"title": "Changed", "version": 1},
        ("api-extraction-field-list", "POST"): {"key": "nope", "label": "Nope", "kind": "text"},
        ("api-extraction-field-detail", "PATCH"): {"active": False},
        ("api-import-mapping", "POST"): {"mapping": {"title": "Heading A"}},
        ("api-stage-detail", "PATCH"): {"name": "Changed", "version": 1},
        ("api-record-detail", "PATCH"): {"title": "Changed", "version": 1},
        ("api-record-labels", "POST"): {"name": "Must not be saved"},
        ("api-record-labels-remove", "POST"): {"name": "Must not be saved"},
        ("api-stage-set-up", "POST"): {"preset": "two"},
        ("api-report-settings", "PATCH"): {"moderate_high_counts_as": "high", "version": 0},
        ("api-flow-reported", "PATCH"): {"counts": {"duplicates": 3}, "version": 1},
        ("api-prioritisation", "PATCH"): {"queue_order": "prioritised", "stopping_threshold": 9},
        ("api-decision-list", "POST"): {"record": data["item"].record_id, "value": "exclude"},
        ("api-item-resolve", "POST"): {"value": "exclude"},
        ("api-result-risk-of-bias", "POST"): {
            "tool": "rob2",
            "answers": {},
            "domain_judgements": dict.fromkeys(["D1", "D2", "D3", "D4", "D5"], "low"),
            "overall": "low",
            "notes": dict.fromkeys(["D1", "D2", "D3", "D4", "D5"], "Must not be saved"),
            "version": 0,
        },
        ("api-result-extractions", "POST"): {
            "direction": "positive",
            "risk_of_bias": "low",
            "quality": "high",
            "effect": "Must not be saved",
            "version": 0,
        },
        ("api-result-consensus", "POST"): {
            "direction": "positive",
            "risk_of_bias": "low",
            "quality": "high",
            "effect": "Must not be saved",
            "version": 0,
        },
        ("api-category-grade", "POST"): {
            "steps": {"imprecision": 1},
            "reasons": {"imprecision": "Must not be saved"},
            "version": 0,
        },
        ("api-record-snowball", "POST"): {"text": "TY  - JOUR\nTI  - Must not be saved\nER  - \n"},
        ("api-fulltext-not-retrievable", "POST"): {"note": "Must not be saved"},
        ("api-item-maybe", "POST"): {"note": "Must not be saved"},
        ("api-bulk-action-list", "POST"): {
            "action": "label",
            "name": "Must not be saved",
            "filters": {},
        },
        ("api-study-list", "POST"): {"label": "Nope (2020)", "title": "Nope", "design": "other"},
        ("api-study-detail", "PATCH"): {"label": "Changed", "version": 1},
        ("api-result-list", "POST"): {
            "study": data["study"].pk,
            "category": data["category"].key,
            "intervention": "Must not be saved",
            "effect": "x",
            "direction": "positive",
            "risk_of_bias": "low",
        },
        ("api-result-detail", "PATCH"): {"intervention": "Changed", "version": 1},
        ("api-category-list", "POST"): {"key": "nope", "title": "Nope"},
        ("api-category-detail", "PATCH"): {"title": "Must not be saved"},
        ("api-verdict-final", "POST"): {"level": "strong", "rationale": "x", "version": 1},
        ("api-comment-list", "POST"): {
            "target_kind": "study",
            "target_id": data["study"].pk,
            "body": "A comment",
        },
        ("api-comment-reply", "POST"): {"body": "A reply"},
        ("api-comment-resolve", "POST"): {"resolved": True},
    }.get((name, method), {})


def _state():
    return (
        AuditEntry.objects.count(),
        ApiToken.objects.count(),
        list(Project.objects.order_by("pk").values_list("title", "slug", "version")),
        list(Membership.objects.order_by("pk").values_list("user_id", "role")),
        list(Invitation.objects.order_by("pk").values_list("email", "revoked_at")),
        list(TopicArea.objects.order_by("pk").values_list("title", "key", "version")),
        list(ExtractionField.objects.order_by("pk").values_list("key", "active")),
        list(ImportJob.objects.order_by("pk").values_list("pk", "status")),
        list(Source.all_objects.order_by("pk").values_list("pk", "deleted_at")),
        list(Record.objects.order_by("pk").values_list("pk", "canonical_id", "title", "version")),
        list(RecordLabel.objects.order_by("pk").values_list("record_id", "label__name")),
        list(BulkAction.objects.order_by("pk").values_list("pk", "undone_at")),
        list(DuplicatePair.objects.order_by("pk").values_list("pk", "status")),
        list(
            Stage.objects.order_by("pk").values_list(
                "pk", "name", "version", "queue_order", "stopping_threshold", "stopped_at"
            )
        ),
        list(ScreeningItem.objects.order_by("pk").values_list("pk", "status", "resolved_by")),
        list(Decision.objects.order_by("pk").values_list("pk", "value", "note")),
        list(MaybeFlag.objects.order_by("pk").values_list("pk", "reviewer_id", "note")),
        list(Study.objects.order_by("pk").values_list("pk", "label", "version")),
        list(Result.objects.order_by("pk").values_list("pk", "intervention", "version")),
        list(InterventionCategory.objects.order_by("pk").values_list("pk", "key", "title")),
        list(Verdict.objects.order_by("pk").values_list("pk", "final_level", "version")),
        list(Comment.objects.order_by("pk").values_list("pk", "body", "resolved_at")),
        list(RobAssessment.objects.order_by("pk").values_list("pk", "overall", "version")),
        list(GradeAssessment.objects.order_by("pk").values_list("pk", "imprecision", "version")),
        list(FullText.objects.order_by("pk").values_list("pk", "note", "not_retrievable")),
        list(Extraction.objects.order_by("pk").values_list("pk", "values", "version")),
        list(Consensus.objects.order_by("pk").values_list("pk", "values", "version")),
    )


def _expected(name, method, role):
    if role == "anonymous":
        return 401
    member = MATRIX[name].get(method)
    if role in MEMBERS:
        return 405 if member is None else member[role]
    if member is None and name in UNSCOPED_METHODS:
        return 405
    return 404


CASES = [(name, role) for name in MATRIX for role in ROLES]


@pytest.fixture(scope="module")
def matrix_world(django_db_setup, django_db_blocker, media_root):
    """The cast, their tokens, the topic area and the secret data, built once for the
    module's cases (each runs in a savepoint of its own: see data_for_the_module)."""
    with cast_for_the_module(django_db_blocker, media_root) as world:
        cast = world["cast"]
        data = build_review_data(world["topic_area"], cast)
        yield {**world, "tokens": build_tokens(cast), "data": data}


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
def api(db, matrix_world):
    return {role: raw_token_client(raw) for role, raw in matrix_world["tokens"].items()}


@pytest.fixture
def review_data(db, matrix_world):
    return matrix_world["data"]


@pytest.mark.parametrize(("name", "role"), CASES)
def test_permission_matrix(api, cast, topic_area, review_data, name, role):
    victim = Membership.objects.get(project=topic_area.project, user=cast["reviewer2"])
    url = reverse(name, kwargs=_kwargs(name, topic_area, review_data, victim))
    client = api[role]
    for method in METHODS:
        expected = _expected(name, method, role)
        before = _state()
        format = "multipart" if name in MULTIPART else None
        response = getattr(client, method.lower())(
            url, _body(name, method, review_data), format=format
        )
        where = f"{method} {url} as {role}"
        if expected == OK:
            assert response.status_code in ALLOWED_STATUSES, (where, response.content[:300])
            continue
        assert response.status_code == expected, (where, response.content[:300])
        assert _state() == before, f"{where}: a denied request changed data"
        body = response.content.decode()
        assert set(response.json()) >= {"message", "code", "field_errors"}, where
        codes = {401: None, 403: "permission_denied", 404: "not_found"}
        if codes.get(expected):
            assert response.json()["code"] == codes[expected], where
        for secret in SECRETS:
            assert secret not in body, (where, secret)


def test_site_endpoints(api, cast, project):
    """The project list shows only one's own projects; anyone logged in may create one; the
    schema and its documentation are public (they describe the API, not any review)."""
    mine = api["outsider"].get("/api/projects/").json()
    assert [p["slug"] for p in mine["results"]] == ["outsiders-own"]
    assert "Secret review of caseloads" not in str(mine)
    assert api["anonymous"].get("/api/projects/").status_code == 401
    assert api["anonymous"].post("/api/projects/", {"slug": "x", "title": "X"}).status_code == 401
    created = api["peer_reviewer"].post("/api/projects/", {"slug": "mine", "title": "Mine"})
    assert created.status_code == 201
    assert created.json()["my_role"] == "lead"
    assert api["anonymous"].get("/api/schema/").status_code == 200
    assert api["anonymous"].get("/api/docs/").status_code == 200
    missing = api["lead"].get("/api/no-such-thing/")
    assert missing.status_code == 404
    assert missing.json()["code"] == "not_found"
