"""What the resources do: filters, the duplicate and screening actions, extraction values,
the error shape, and lists that cost the same number of queries however long they are."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext

from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from screening.models import DuplicatePair, Record, Stage
from screening.services.screening import decision_record, topic_area_enter_new_records
from tests.api.conftest import topic_url


def test_records_filter_by_duplicate_search_stage_and_status(api, topic_area, review_data):
    get = lambda **params: api["peer_reviewer"].get(topic_url(topic_area, "records/"), params)  # noqa: E731
    ids = lambda response: [r["id"] for r in response.json()["results"]]  # noqa: E731
    first, third = review_data["record_first"], review_data["record"]
    stage = review_data["stage"]

    assert ids(get(duplicate="true")) == [third.pk]
    assert third.pk not in ids(get(duplicate="false"))
    assert ids(get(search="title 3")) == [third.pk]
    included = get(stage=stage.pk, status="included").json()["results"]
    assert [(r["id"], r["stage_status"]) for r in included] == [(first.pk, "included")]
    assert len(ids(get(stage=stage.pk))) == 2  # the merged duplicate left the queue
    assert ids(get(source=review_data["source"].pk)) == sorted(ids(get()))

    refused = get(status="included")
    assert refused.status_code == 400
    assert refused.json()["field_errors"] == {"status": ["Filter by a stage to filter by status."]}
    assert get(source="abc").json()["field_errors"]["source"] == ["A valid integer is required."]


def test_duplicates_confirm_reject_and_undo(api, topic_area, review_data):
    lead = api["lead"]
    pair = review_data["pair"]
    listed = lead.get(topic_url(topic_area, "duplicates/")).json()["results"]
    assert [(p["id"], p["record_a"]["title"]) for p in listed] == [
        (pair.pk, "Confidential record title 1")
    ]

    confirmed = lead.post(topic_url(topic_area, f"duplicates/{pair.pk}/confirm/"))

    assert confirmed.json()["status"] == "confirmed"
    second = Record.objects.get(pk=pair.record_b_id)
    assert second.canonical_id is not None
    assert lead.get(topic_url(topic_area, "duplicates/")).json()["count"] == 0
    undone = lead.post(topic_url(topic_area, f"records/{second.pk}/unmerge/"))
    assert undone.json()["canonical"] is None
    rejected = DuplicatePair.objects.get(pk=pair.pk)
    assert rejected.status == DuplicatePair.Status.REJECTED


def test_a_rejected_pair_stays_apart(api, topic_area, review_data):
    pair = review_data["pair"]
    response = api["lead"].post(topic_url(topic_area, f"duplicates/{pair.pk}/reject/"))
    assert response.json()["status"] == "rejected"
    assert Record.objects.get(pk=pair.record_b_id).canonical_id is None


@pytest.fixture
def dual_stage(topic_area, review_data, cast):
    """The title stage made dual, and the two reviewers disagreeing on the second record."""
    # Set directly: the service (rightly) refuses once a stage has decisions.
    Stage.objects.filter(pk=review_data["stage"].pk).update(reviewers_required=2)
    stage = Stage.objects.get(pk=review_data["stage"].pk)
    review_data["item"].stage = stage
    item = review_data["item"]
    decision_record(item=item, reviewer=cast["reviewer"], value="include", note="Mine")
    decision_record(
        item=item, reviewer=cast["reviewer2"], value="exclude", note="Secret decision note"
    )
    return stage


def test_a_reviewer_sees_only_their_own_decisions_where_the_stage_never_shows_them(
    api, topic_area, dual_stage
):
    # With it on, both reviewers have decided, so each sees the other's (tests/screening/
    # test_blinding.py): the one rule of every page and the API.
    Stage.objects.filter(pk=dual_stage.pk).update(show_decisions_after=False)
    url = topic_url(topic_area, f"stages/{dual_stage.pk}/decisions/")

    mine = api["reviewer"].get(url).json()["results"]
    everyone = api["lead"].get(url).json()["results"]
    items = api["reviewer"].get(topic_url(topic_area, f"stages/{dual_stage.pk}/items/")).json()

    assert [(d["reviewer"], d["note"]) for d in mine] == [("reviewer", "Mine")]
    assert {d["reviewer"] for d in everyone} == {"reviewer", "reviewer2"}
    assert "Secret decision note" not in str(items)
    assert {d["reviewer"] for d in api["peer_reviewer"].get(url).json()["results"]} == {
        "reviewer",
        "reviewer2",
    }


def test_a_lead_lists_and_resolves_a_conflict_then_reopens_it(api, topic_area, dual_stage):
    items = topic_url(topic_area, f"stages/{dual_stage.pk}/items/")
    conflicts = api["lead"].get(items, {"status": "conflict"}).json()["results"]
    assert [c["status"] for c in conflicts] == ["conflict"]
    item_id = conflicts[0]["id"]

    resolved = api["lead"].post(f"{items}{item_id}/resolve/", {"value": "include", "note": "Ok"})
    decided_again = api["reviewer"].post(
        topic_url(topic_area, f"stages/{dual_stage.pk}/decisions/"),
        {"record": conflicts[0]["record"], "value": "exclude"},
    )
    reopened = api["lead"].post(f"{items}{item_id}/reopen/")

    assert (resolved.json()["status"], resolved.json()["resolved_by"]) == ("included", "lead")
    assert decided_again.status_code == 409
    assert decided_again.json()["code"] == "closed"
    assert (reopened.json()["status"], reopened.json()["resolved_by"]) == ("conflict", None)


def test_a_decision_on_a_record_not_at_the_stage_names_the_record(api, topic_area, review_data):
    response = api["reviewer"].post(
        topic_url(topic_area, f"stages/{review_data['stage'].pk}/decisions/"),
        {"record": review_data["record"].pk, "value": "include"},
    )
    assert response.status_code == 400
    assert response.json()["field_errors"] == {"record": ["The record is not at this stage."]}


def test_a_result_takes_only_the_projects_extraction_fields(api, topic_area, review_data, cast):
    study_services.extraction_field_create(
        project=topic_area.project, actor=cast["lead"], key="months", label="M", kind="number"
    )
    url = topic_url(topic_area, f"results/{review_data['result'].pk}/")

    refused = api["reviewer"].patch(url, {"extra": {"months": "many", "nope": 1}, "version": 1})
    saved = api["reviewer"].patch(url, {"extra": {"months": "18"}, "version": 1})

    assert refused.status_code == 400
    assert refused.json()["field_errors"] == {
        "extra.months": ["Enter a number."],
        "extra.nope": ["Not a field of the project's extraction form."],
    }
    assert saved.json()["extra"] == {"months": 18.0}


def test_a_result_carries_the_weighted_modes_factors(api, topic_area, review_data):
    from grading.frameworks.base import Combination, QualityAssessment, TargetShare

    result = review_data["result"]
    url = topic_url(topic_area, f"results/{result.pk}/")
    factors = {
        "quality_assessment": QualityAssessment.SATISFACTORY.value,
        "combination": Combination.BOTH.value,
        "target_share": TargetShare.SUBGROUP.value,
    }

    saved = api["reviewer"].patch(url, {**factors, "version": result.version})
    refused = api["reviewer"].patch(
        url, {"combination": "everything", "version": saved.json()["version"]}
    )

    assert saved.status_code == 200
    assert {key: saved.json()[key] for key in factors} == factors
    result.refresh_from_db()
    assert {key: getattr(result, key) for key in factors} == factors
    read = api["peer_reviewer"].get(url).json()
    assert {key: read[key] for key in factors} == factors
    assert refused.status_code == 400
    assert list(refused.json()["field_errors"]) == ["combination"]


def test_a_lead_sets_a_final_level_which_needs_a_rationale(api, topic_area, review_data):
    url = topic_url(topic_area, f"verdicts/{review_data['category'].key}/")
    version = api["lead"].get(url).json()["version"]

    refused = api["lead"].post(f"{url}final/", {"level": "strong", "version": version})
    saved = api["lead"].post(
        f"{url}final/", {"level": "strong", "rationale": "Two careful studies", "version": version}
    )

    assert refused.json()["field_errors"] == {
        "rationale": ["A level other than the computed one needs a rationale."]
    }
    body = saved.json()
    assert (body["final_level"], body["level"], body["decided_by"]) == ("strong", "strong", "lead")
    assert body["events"][0]["kind"] == "final"


def test_a_service_refusal_comes_back_in_the_error_shape(api, topic_area):
    response = api["lead"].patch(
        topic_url(topic_area), {"year_from": 2010, "year_to": 2001, "version": 1}
    )
    assert response.status_code == 400
    assert response.json()["code"] == "validation_error"
    assert "year_to" in response.json()["field_errors"] or response.json()["field_errors"]


def test_an_unreadable_file_fails_its_import_with_the_reason(
    api, topic_area, django_capture_on_commit_callbacks
):
    upload = SimpleUploadedFile("broken.ris", b"this is not any export format\n")
    with django_capture_on_commit_callbacks(execute=True):
        response = api["reviewer"].post(
            topic_url(topic_area, "imports/"),
            {"upload": upload, "source_name": "Broken"},
            format="multipart",
        )
    assert response.status_code == 201
    job = api["reviewer"].get(topic_url(topic_area, f"imports/{response.json()['id']}/")).json()
    assert job["status"] == "failed"
    assert job["error"]


def test_an_empty_upload_is_refused_by_name(api, topic_area):
    response = api["reviewer"].post(
        topic_url(topic_area, "imports/"),
        {"upload": SimpleUploadedFile("empty.ris", b""), "source_name": "X"},
        format="multipart",
    )
    assert response.status_code == 400
    assert "upload" in response.json()["field_errors"]


# --- no N+1: a list costs the same number of queries for one item as for several ------------

LISTS = [
    "sources/",
    "imports/",
    "records/",
    "duplicates/",
    "stages/",
    "stages/{stage}/decisions/",
    "stages/{stage}/items/",
    "studies/",
    "results/",
    "categories/",
    "verdicts/",
    "/api/projects/secret-review/comments/",
]


def _more(topic_area, data, cast):
    """Two more of everything the lists show."""
    from django.core.files.base import ContentFile

    from screening.models import ImportJob

    lead = cast["lead"]
    source = data["source"]
    for n in (4, 5):
        record = Record.objects.create(
            topic_area=topic_area, source=source, position=n, title=f"R{n}"
        )
        topic_area_enter_new_records(topic_area=topic_area)
        item = data["stage"].items.get(record=record)
        decision_record(item=item, reviewer=cast["reviewer"], value="exclude")
        DuplicatePair.objects.create(
            topic_area=topic_area, record_a=data["record_first"], record_b=record, score=0.7
        )
        job = ImportJob(
            topic_area=topic_area, original_name=f"f{n}.ris", source_name="S", created_by=lead
        )
        job.upload.save(f"f{n}.ris", ContentFile(b"x"), save=False)
        job.save()
        from screening.models import Source

        Source.objects.create(topic_area=topic_area, name=f"S{n}")
        category = verdict_services.category_create(
            topic_area=topic_area, actor=lead, key=f"c{n}", title=f"C{n}"
        )
        study = study_services.study_create(
            topic_area=topic_area,
            actor=lead,
            label=f"S{n}",
            title="T",
            design="matching",
            records=[record],
        )
        study_services.result_save(
            study=study, actor=lead, category=category, intervention="I", effect="E",
            direction="positive", risk_of_bias="low",
        )  # fmt: skip
        from grading.services.comments import comment_create

        comment_create(
            project=topic_area.project, author=lead, target_kind="study", target_id=study.pk,
            body="More",
        )  # fmt: skip


@pytest.mark.parametrize("path", LISTS)
def test_lists_cost_the_same_queries_for_one_or_several_items(
    api, cast, topic_area, review_data, path
):
    path = path.format(stage=review_data["stage"].pk)
    url = path if path.startswith("/") else topic_url(topic_area, path)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            response = api["lead"].get(url)
        assert response.status_code == 200
        return len(queries), response.json()["count"]

    count()  # the token's first use of the minute writes its last use: not counted
    few, few_items = count()
    _more(topic_area, review_data, cast)
    many, many_items = count()

    assert many_items > few_items or path == "stages/"
    assert many == few, f"{path}: {few} queries for {few_items} items, {many} for {many_items}"


def test_the_project_list_is_one_query_however_many_projects(
    api, cast, django_assert_max_num_queries
):
    from reviewapp.services import project_create

    for n in range(3):
        project_create(creator=cast["lead"], title=f"P{n}", slug=f"p{n}")
    with django_assert_max_num_queries(6):
        response = api["lead"].get("/api/projects/")
    assert response.json()["count"] == 4


def test_a_peer_reviewer_comments_and_a_lead_replies_and_resolves(api, topic_area, review_data):
    comments = f"/api/projects/{topic_area.project.slug}/comments/"
    result = review_data["result"]

    created = api["peer_reviewer"].post(
        comments, {"target_kind": "result", "target_id": result.pk, "body": "Check the N."}
    )
    thread = created.json()["id"]
    reply = api["lead"].post(f"{comments}{thread}/reply/", {"body": "Checked."})
    resolved = api["lead"].post(f"{comments}{thread}/resolve/", {"resolved": True})
    still_open = api["reviewer"].get(comments, {"open": "true"}).json()["results"]

    assert (created.status_code, created.json()["author"]) == (201, "peer")
    assert created.json()["target_label"]
    assert (reply.json()["parent"], reply.json()["body"]) == (thread, "Checked.")
    assert resolved.json()["resolved_by"] == "lead"
    assert [c["body"] for c in still_open] == ["Secret comment body"]
    refused = api["peer_reviewer"].post(
        comments, {"target_kind": "result", "target_id": 999999, "body": "x"}
    )
    assert refused.json()["field_errors"] == {
        "target_id": ["There is no such item in this project."]
    }


def test_the_report_tables_come_typed_per_topic_area(api, topic_area, review_data):
    from grading.services.report import report_tables_rebuild

    report_tables_rebuild(topic_area=topic_area)  # as the worker would after the commit
    answer = api["peer_reviewer"].get(f"/api/projects/{topic_area.project.slug}/report/").json()

    assert (answer["count"], answer["next"]) == (1, None)  # paginated, as every list
    entry = answer["results"][0]
    assert entry["topic_area"] == topic_area.key
    assert set(entry["tables"]) == {"facts", "da", "en"}
    english = entry["tables"]["en"]
    study_table = next(t for t in english["tables"] if t["kind"] == "study")
    result, study = review_data["result"], review_data["study"]
    assert study_table["row_comment_targets"] == [
        [
            {"target_kind": "result", "target_id": result.pk},
            {"target_kind": "study", "target_id": study.pk},
        ]
    ]
    assert "Secret intervention" in study_table["rows"][0]
    assert english["verdicts"][0]["category"] == "Hidden category"
    # The decisions digest is an object, not JSON inside a string.
    decisions = entry["tables"]["facts"]["decisions"]
    assert decisions["n"] == 1 and isinstance(decisions["top"], int)
    assert entry["tables"]["facts"]["counts"]["total"] == 1
    for problem in entry["problems"]:
        assert set(problem) == {"code", "message", "comment_target"}
        assert set(problem["message"]) == {"da", "en"}


def test_the_exports_list_links_every_export(api, topic_area, review_data):
    answer = api["peer_reviewer"].get(topic_url(topic_area, "exports/")).json()
    links = answer["results"]
    names = {link["name"] for link in links}
    assert answer["count"] == len(links) == 13  # 3 topic files, 4 charts a category, 6 reports
    assert {"flow_svg", "flow_csv", "agreement_csv", "report:xlsx", "report:ris"} <= names
    for link in links:
        assert link["url"].startswith("http://testserver/api/projects/secret-review/")


def test_a_body_that_is_not_json_is_refused_by_its_media_type(api, topic_area):
    # One documented request shape per operation: JSON (uploads alone take multipart).
    response = api["lead"].post(
        topic_url(topic_area, "categories/"),
        "key=walk&title=Walking",
        content_type="application/x-www-form-urlencoded",
    )
    assert response.status_code == 415
    assert response.json()["code"] == "unsupported_media_type"
    assert "application/x-www-form-urlencoded" in response.json()["message"]
    assert not topic_area.categories.filter(key="walk").exists()
