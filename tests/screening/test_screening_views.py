"""Screening pages: the screening round trip, blindness, conflicts, permissions and
query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from screening.models import Decision, ScreeningItem, Stage
from screening.services.screening import decision_record, stages_set_up
from tests.factories.reviewapp import TopicAreaFactory
from tests.factories.screening import RecordFactory, SourceFactory


@pytest.fixture
def records(topic_area):
    source = SourceFactory(topic_area=topic_area)
    return [
        RecordFactory(
            source=source,
            title=f"Caseload reduction and <b>unemployment</b> {i}",
            abstract="Caseworkers with fewer job seekers met them more often.",
            doi=f"10.1000/secret.{i}",
        )
        for i in range(3)
    ]


@pytest.fixture
def stages(topic_area, records, lead):
    return stages_set_up(topic_area=topic_area, actor=lead, preset="three")


def _kw(topic_area, **extra):
    return {"slug": topic_area.project.slug, "topic_key": topic_area.key, **extra}


def _screen_url(stage, **params):
    url = reverse("screen", kwargs=_kw(stage.topic_area, stage_id=stage.pk))
    return url + ("?" + "&".join(f"{k}={v}" for k, v in params.items()) if params else "")


def _decide_url(stage, item):
    return reverse(
        "screening_decide", kwargs=_kw(stage.topic_area, stage_id=stage.pk, item_id=item.pk)
    )


def test_screening_page_shows_the_record_with_keywords_marked_and_markup_escaped(
    client, reviewer, stages
):
    title = stages[0]
    Stage.objects.filter(pk=title.pk).update(include_keywords=["caseload"])
    client.force_login(reviewer)

    body = client.get(_screen_url(title)).content.decode()

    assert '<mark class="kw-include">Caseload</mark> reduction and &lt;b&gt;unemployment' in body
    assert "<b>unemployment</b>" not in body
    assert "https://doi.org/10.1000/secret." in body
    # The title stage screens on titles: no abstract.
    assert 'data-testid="record-abstract"' not in body
    assert "Hainmueller, Jens; Hofmann, Barbara" in body


def test_screening_page_marks_a_keywords_inflections_in_a_danish_record(
    client, reviewer, topic_area, lead
):
    source = SourceFactory(topic_area=topic_area)
    RecordFactory(
        source=source,
        title="Ledighed blandt unge kontanthjælpsmodtagere efter en jobrettet indsats",
        abstract="",
        language="",
    )
    title = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    Stage.objects.filter(pk=title.pk).update(include_keywords=["ledige"])
    client.force_login(reviewer)

    body = client.get(_screen_url(title)).content.decode()

    assert 'class="kw-include kw-inflection"' in body
    assert ">Ledighed</mark>" in body
    assert "a form of the keyword “ledige”" in body
    assert 'data-testid="inflection-legend"' in body
    assert 'data-testid="record-language"' in body
    assert "Danish" in body and "detected from the text" in body


def test_abstract_stage_shows_the_abstract(client, reviewer, stages, records):
    decision_record(
        item=ScreeningItem.objects.get(stage=stages[0], record=records[0]),
        reviewer=reviewer,
        value="include",
    )
    client.force_login(reviewer)
    body = client.get(_screen_url(stages[1])).content.decode()
    assert "fewer job seekers met them more often" in body


def test_one_post_records_the_decision_and_returns_the_next_record(client, reviewer, stages):
    title = stages[0]
    client.force_login(reviewer)
    first = client.get(_screen_url(title)).context["item"]

    response = client.post(_decide_url(title, first), {"value": "include", "note": "clear"})

    assert response.status_code == 200
    decision = Decision.objects.get(item=first)
    assert (decision.reviewer, decision.value, decision.note) == (reviewer, "include", "clear")
    assert response.context["item"].pk != first.pk
    assert "You have decided 1 record at this stage." in response.content.decode()


def test_decision_on_a_record_not_at_the_stage_is_404_and_nothing_is_saved(
    client, reviewer, stages, records
):
    title, abstract, _ = stages
    decision_record(
        item=ScreeningItem.objects.get(stage=title, record=records[0]),
        reviewer=reviewer,
        value="include",
    )
    elsewhere = ScreeningItem.objects.get(stage=abstract, record=records[0])
    client.force_login(reviewer)

    assert client.post(_decide_url(title, elsewhere), {"value": "exclude"}).status_code == 404
    missing = reverse(
        "screening_decide", kwargs=_kw(title.topic_area, stage_id=title.pk, item_id=999999)
    )
    assert client.post(missing, {"value": "exclude"}).status_code == 404
    assert client.post(missing, {"value": "not a value"}).status_code == 404
    assert Decision.objects.count() == 1


def test_htmx_post_returns_only_the_panel_linking_back_to_the_record_decided(
    client, reviewer, stages
):
    title = stages[0]
    client.force_login(reviewer)
    first = client.get(_screen_url(title)).context["item"]
    response = client.post(_decide_url(title, first), {"value": "exclude"}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert body.lstrip().startswith('<div id="screening-panel"')
    assert "<html" not in body
    assert f'href="?item={first.pk}" data-nav="previous"' in body
    assert 'data-testid="my-decision"' not in body  # the next record is not decided yet
    # Back on the record just decided, the reviewer sees their decision and can change it.
    again = client.get(_screen_url(title, item=first.pk)).content.decode()
    assert 'data-testid="my-decision"' in again


def test_missing_required_reason_comes_back_with_the_error_and_nothing_is_saved(
    client, reviewer, stages, records
):
    for stage in stages[:2]:
        decision_record(
            item=ScreeningItem.objects.get(stage=stage, record=records[0]),
            reviewer=reviewer,
            value="include",
        )
    fulltext = stages[2]
    client.force_login(reviewer)
    item = client.get(_screen_url(fulltext)).context["item"]

    response = client.post(_decide_url(fulltext, item), {"value": "exclude", "note": "keep me"})

    assert response.status_code == 400
    body = response.content.decode()
    assert "An exclusion at this stage needs a reason." in body
    assert "keep me" in body  # what the reviewer typed is not lost
    assert not Decision.objects.filter(item=item).exists()


def test_dual_stage_is_blind_until_both_decided(client, reviewer, second_reviewer, stages, records):
    title = stages[0]
    Stage.objects.filter(pk=title.pk).update(reviewers_required=2)
    title.refresh_from_db()
    item = ScreeningItem.objects.get(stage=title, record=records[0])
    decision_record(item=item, reviewer=reviewer, value="include", note="fits well")

    client.force_login(second_reviewer)
    page = client.get(_screen_url(title, item=item.pk)).content.decode()
    assert "fits well" not in page and 'data-testid="other-decisions"' not in page
    listing = client.get(
        reverse("stage_records", kwargs=_kw(title.topic_area, stage_id=title.pk))
    ).content.decode()
    assert "fits well" not in listing
    assert (
        'data-testid="others-hidden"' in listing and "until both reviewers have decided" in listing
    )

    decision_record(item=item, reviewer=second_reviewer, value="exclude")
    page = client.get(_screen_url(title, item=item.pk)).content.decode()
    assert 'data-testid="other-decisions"' in page and "fits well" in page


def test_lead_sees_the_conflict_side_by_side_and_resolves_it(
    client, lead, reviewer, second_reviewer, stages, records
):
    title = stages[0]
    Stage.objects.filter(pk=title.pk).update(reviewers_required=2)
    item = ScreeningItem.objects.get(stage=title, record=records[0])
    decision_record(item=item, reviewer=reviewer, value="include", note="relevant")
    decision_record(item=item, reviewer=second_reviewer, value="exclude", note="off topic")
    client.force_login(lead)
    url = reverse("stage_records", kwargs=_kw(title.topic_area, stage_id=title.pk))

    body = client.get(url + "?status=conflict").content.decode()
    assert body.count('data-testid="stage-item"') == 1
    assert "relevant" in body and "off topic" in body
    assert 'data-testid="resolve-form"' in body

    client.post(
        reverse(
            "screening_resolve", kwargs=_kw(title.topic_area, stage_id=title.pk, item_id=item.pk)
        ),
        {"value": "include", "note": "criteria met"},
    )
    item.refresh_from_db()
    assert (item.status, item.resolved_by, item.resolution_note) == (
        "included",
        lead,
        "criteria met",
    )
    assert ScreeningItem.objects.filter(stage=stages[1], record=records[0]).exists()


def test_overview_shows_counts_and_agreement(
    client, lead, reviewer, second_reviewer, stages, records
):
    title = stages[0]
    Stage.objects.filter(pk=title.pk).update(reviewers_required=2)
    for record, (a, b) in zip(
        records,
        [("include", "include"), ("exclude", "exclude"), ("include", "exclude")],
        strict=True,
    ):
        item = ScreeningItem.objects.get(stage=title, record=record)
        decision_record(item=item, reviewer=reviewer, value=a)
        decision_record(item=item, reviewer=second_reviewer, value=b)
    client.force_login(lead)

    body = client.get(reverse("screening_overview", kwargs=_kw(title.topic_area))).content.decode()
    assert body.count('data-testid="stage-row"') == 3
    assert 'data-testid="conflicts-link">1</a>' in body
    assert body.count('data-testid="agreement-row"') == 1
    assert "66.7" in body  # two of three records agreed

    csv_text = client.get(reverse("agreement_csv", kwargs=_kw(title.topic_area))).content.decode()
    assert csv_text.splitlines()[0] == "stage,reviewer_a,reviewer_b,n,percent,kappa,ac1,pabak"
    assert csv_text.splitlines()[1].startswith("Titel,reviewer,reviewer2,3,66.7,0.4")


def test_peer_reviewer_sees_decisions_but_no_controls_and_cannot_decide(
    client, peer_reviewer, reviewer, stages, records
):
    title = stages[0]
    item = ScreeningItem.objects.get(stage=title, record=records[0])
    decision_record(item=item, reviewer=reviewer, value="include", note="visible note")
    client.force_login(peer_reviewer)

    overview = client.get(reverse("screening_overview", kwargs=_kw(title.topic_area)))
    assert overview.status_code == 200 and ">Screen</a>" not in overview.content.decode()
    listing = client.get(
        reverse("stage_records", kwargs=_kw(title.topic_area, stage_id=title.pk))
    ).content.decode()
    assert "visible note" in listing and "Reopen" not in listing
    assert client.get(_screen_url(title)).status_code == 403
    assert client.post(_decide_url(title, item), {"value": "exclude"}).status_code == 403
    assert Decision.objects.get(item=item).value == "include"


def test_reviewer_not_on_the_stage_is_refused(client, reviewer, second_reviewer, stages, records):
    title = stages[0]
    title.reviewers.set([second_reviewer])
    client.force_login(reviewer)
    assert client.get(_screen_url(title)).status_code == 403
    item = ScreeningItem.objects.get(stage=title, record=records[0])
    assert client.post(_decide_url(title, item), {"value": "include"}).status_code == 403
    assert not Decision.objects.exists()


@pytest.mark.parametrize(
    "name",
    ["screening_overview", "agreement_csv", "screen", "stage_records", "stage_edit"],
)
def test_non_members_get_404_for_screening_pages(client, outsider, stages, name):
    kwargs = _kw(stages[0].topic_area)
    if name in {"screen", "stage_records", "stage_edit"}:
        kwargs["stage_id"] = stages[0].pk
    client.force_login(outsider)
    assert client.get(reverse(name, kwargs=kwargs)).status_code == 404


def test_only_leads_set_up_and_edit_stages(client, reviewer, lead, stages):
    title = stages[0]
    client.force_login(reviewer)
    edit = reverse("stage_edit", kwargs=_kw(title.topic_area, stage_id=title.pk))
    assert client.get(edit).status_code == 403
    assert (
        client.post(
            reverse("stages_set_up", kwargs=_kw(title.topic_area)), {"preset": "two"}
        ).status_code
        == 403
    )
    assert title.topic_area.stages.count() == 3

    client.force_login(lead)
    form = client.get(edit).context["form"]
    data = {
        "name": "Titelscreening",
        "kind": "title",
        "reviewers_required": 2,
        "reason_required": "",
        "exclusion_reasons": "Wrong population\nWrong population\nWrong country",
        "include_keywords": "caseload\nunemploy*",
        "exclude_keywords": "",
        "show_decisions_after": "on",
        "version": form.initial.get("version", title.version),
    }
    response = client.post(edit, data)
    assert response.status_code == 302
    title.refresh_from_db()
    assert title.name == "Titelscreening" and title.reviewers_required == 2
    assert title.exclusion_reasons == ["Wrong population", "Wrong country"]
    assert title.include_keywords == ["caseload", "unemploy*"]


def _round_trip_queries(client, topic_area, lead, reviewer, records: int) -> tuple[int, int]:
    source = SourceFactory(topic_area=topic_area)
    for _ in range(records):
        RecordFactory(source=source)
    title = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    client.force_login(reviewer)
    with CaptureQueriesContext(connection) as page:
        item = client.get(_screen_url(title)).context["item"]
    with CaptureQueriesContext(connection) as round_trip:
        response = client.post(_decide_url(title, item), {"value": "include"})
    assert response.context["item"] is not None
    return len(page), len(round_trip)


def test_screening_page_and_round_trip_use_a_fixed_number_of_queries(
    client, lead, reviewer, topic_area, project
):
    small = _round_trip_queries(client, topic_area, lead, reviewer, records=3)
    other_topic = TopicAreaFactory(project=project, key="other")
    large = _round_trip_queries(client, other_topic, lead, reviewer, records=60)
    assert small == large
    # The round trip (an inclusion): session, user, project with the reviewer's role, stage with its
    # topic area and whether the reviewer is on it; in one transaction (BEGIN, or a
    # savepoint in a test, and its end) the item locked (its decisions are not read: it
    # has none yet), the new decision, the item's status, the next stage and the record's
    # item there, the stage's claims, the next record locked, its claims counted again,
    # the reviewer's claim moved to it, the reviewer's maybe flag on the decided record
    # removed; then the reviewer's count and maybe pile (one query), and the project's
    # labels marked whether on the next record (one query). An exclusion needs no next
    # stage: 16.
    assert large[1] == 18


@pytest.mark.parametrize("count", [1, 3])
def test_stage_records_list_query_count_does_not_grow(
    client, lead, reviewer, topic_area, django_assert_num_queries, count
):
    source = SourceFactory(topic_area=topic_area)
    records = [RecordFactory(source=source) for _ in range(count)]
    title = stages_set_up(topic_area=topic_area, actor=lead, preset="three")[0]
    for record in records:
        decision_record(
            item=ScreeningItem.objects.get(stage=title, record=record),
            reviewer=reviewer,
            value="include",
        )
    client.force_login(lead)
    # session, user, project with the reviewer's role, stage with its topic area, whether it is the
    # last stage, count, page, decisions and labels (prefetched), the filter form's reviewers
    # (twice: its reviewer and its "assigned to"), labels and sources, the lead's bulk actions
    # to undo and the reviewers the bulk form may assign to – and none per item.
    with django_assert_num_queries(15):
        response = client.get(reverse("stage_records", kwargs=_kw(topic_area, stage_id=title.pk)))
    assert response.content.decode().count('data-testid="decision"') == count
