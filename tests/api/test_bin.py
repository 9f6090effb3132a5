"""The project's bin through the API: the bin page's rows (`bin_rows`) under its permission
(reviewapp.manage_bin: leads), each with where the API restores it."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils.dateparse import parse_datetime

from grading.services.comments import comment_create, comment_delete
from grading.services.studies import category_delete, study_delete
from screening.models import Source
from screening.services.bin import source_delete
from tests.api.conftest import SECRETS
from tests.factories.screening import SourceFactory


def _url(project):
    return f"/api/projects/{project.slug}/bin/"


@pytest.fixture
def binned(topic_area, cast, review_data):
    """An import, a study (its result goes with it) and a comment in the bin, with the
    secret data around them."""
    lead = cast["lead"]
    source = SourceFactory(topic_area=topic_area, name="Secret binned import")
    source_delete(source=source, actor=lead)
    study_delete(study=review_data["study"], actor=lead)
    comment = comment_create(
        project=topic_area.project,
        author=cast["reviewer"],
        target_kind="flow",
        target_id=topic_area.pk,
        body="Secret binned comment",
    )
    comment_delete(comment=comment, actor=cast["reviewer"])
    return {"source": source, "study": review_data["study"], "comment": comment}


def test_lead_lists_the_bin_newest_first(api, cast, topic_area, binned):
    project = topic_area.project

    response = api["lead"].get(_url(project))

    assert response.status_code == 200, response.content[:300]
    rows = response.json()["results"]
    base = f"http://testserver/api/projects/{project.slug}"
    topic = f"{base}/topic-areas/{topic_area.key}"
    # The study's result went in with it: listed under the study only, as on the page.
    assert [(r["kind"], r["id"], r["label"], r["deleted_by"], r["restore"]) for r in rows] == [
        (
            "grading.comment",
            str(binned["comment"].pk),
            str(binned["comment"]),
            "reviewer",
            f"{base}/comments/{binned['comment'].pk}/restore/",
        ),
        (
            "grading.study",
            str(binned["study"].pk),
            "Secret et al. (2016)",
            "lead",
            f"{topic}/studies/{binned['study'].pk}/restore/",
        ),
        (
            "screening.source",
            str(binned["source"].pk),
            "Secret binned import",
            "lead",
            f"{topic}/sources/{binned['source'].pk}/restore/",
        ),
    ]
    source = Source.all_objects.get(pk=binned["source"].pk)
    assert rows[2]["kind_label"] == "Source"
    assert parse_datetime(rows[2]["deleted_at"]) == source.deleted_at
    assert parse_datetime(rows[2]["purge_at"]) == source.purge_at


def test_each_restore_url_restores_its_row(api, topic_area, binned):
    rows = api["lead"].get(_url(topic_area.project)).json()["results"]
    for row in rows:
        restored = api["lead"].post(row["restore"])
        assert restored.status_code == 200, (row["kind"], restored.content[:300])
    assert api["lead"].get(_url(topic_area.project)).json()["results"] == []


def test_category_and_topic_area_restore_urls(api, cast, topic_area, review_data):
    lead = cast["lead"]
    category_delete(category=review_data["category"], actor=lead)
    rows = api["lead"].get(_url(topic_area.project)).json()["results"]
    base = f"http://testserver/api/projects/{topic_area.project.slug}"
    assert [(r["kind"], r["restore"]) for r in rows] == [
        (
            "grading.interventioncategory",
            f"{base}/topic-areas/{topic_area.key}/categories/hidden-category/restore/",
        )
    ]
    assert api["lead"].delete(f"{base}/topic-areas/{topic_area.key}/").status_code == 204
    rows = api["lead"].get(_url(topic_area.project)).json()["results"]
    assert rows[0]["kind"] == "reviewapp.topicarea"
    assert rows[0]["restore"] == f"{base}/topic-areas/{topic_area.key}/restore/"
    assert api["lead"].post(rows[0]["restore"]).status_code == 200


@pytest.mark.parametrize(
    ("role", "expected"),
    [("reviewer", 403), ("peer_reviewer", 403), ("outsider", 404), ("anonymous", 401)],
)
def test_bin_denied_to_all_but_leads(api, topic_area, binned, role, expected):
    response = api[role].get(_url(topic_area.project))
    assert response.status_code == expected, response.content[:300]
    body = response.content.decode()
    for secret in [*SECRETS, "Secret binned import", "Secret binned comment"]:
        assert secret not in body, secret


def test_bin_queries_do_not_grow_with_its_rows(api, cast, topic_area, django_assert_num_queries):
    client, url = api["lead"], _url(topic_area.project)
    source_delete(source=SourceFactory(topic_area=topic_area), actor=cast["lead"])
    client.get(url)  # the token's last use is written once a while: not counted
    with CaptureQueriesContext(connection) as one:
        assert len(client.get(url).json()["results"]) == 1
    for _ in range(2):
        source_delete(source=SourceFactory(topic_area=topic_area), actor=cast["lead"])
    with django_assert_num_queries(len(one)):
        assert len(client.get(url).json()["results"]) == 3
