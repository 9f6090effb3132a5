"""The report tables: derived from the data, stored by the recompute, checked for
consistency, and the report page that shows them."""

import inspect

import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from grading.models import ReportSnapshot
from grading.report import checks, tables
from grading.services import report as report_services
from grading.services import studies as study_services
from grading.services import verdicts as verdict_services
from reviewapp.models import AuditEntry
from reviewapp.versioning import EditConflict
from tests.factories.screening import RecordFactory, SourceFactory


def build_small_report(topic_area, lead):
    """Two graded categories, one ungraded, three studies (one in two categories), a
    record attached to a study, and a title a spreadsheet would run as a formula."""
    caseload = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="caseload", title="Reduced caseload"
    )
    referral = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="referral", title="Referral mechanism"
    )
    other = verdict_services.category_create(
        topic_area=topic_area, actor=lead, key="other", title="Other studies", graded=False
    )
    record = RecordFactory(
        source=SourceFactory(topic_area=topic_area),
        title="Do lower caseloads improve the performance of public employment services?",
        authors=["Hainmueller, Jens", "Hofmann, Barbara"],
        year=2016,
        journal="Journal of Public Economics",
        volume="138",
        pages="1-13",
        doi="10.1016/j.jpubeco.2016.02.002",
    )
    first = study_services.study_create(
        topic_area=topic_area,
        actor=lead,
        records=[record],
        label="Hainmueller et al. (2016)",
        title="Do lower caseloads improve the performance of public employment services?",
        year=2016,
        country="DE",
        peer_reviewed=True,
        design="difference_in_differences",
    )
    second = study_services.study_create(
        topic_area=topic_area,
        actor=lead,
        label="Bech (2015)",
        title='=HYPERLINK("http://evil.example","Click")',
        year=2015,
        country="DK",
        design="randomised_individual",
    )
    third = study_services.study_create(
        topic_area=topic_area,
        actor=lead,
        label="Koning (2009)",
        title="The effectiveness of public employment service workers",
        year=2009,
        country="NL",
        design="natural_experiment",
    )
    results = [
        study_services.result_save(
            study=first,
            actor=lead,
            category=caseload,
            intervention="Lower caseload",
            target_group="Welfare recipients",
            effect="Lower unemployment",
            direction="positive",
            risk_of_bias="moderate_high",
            transferability="high",
            transferability_justification="German job centres",
        ),
        study_services.result_save(
            study=second,
            actor=lead,
            category=referral,
            intervention="+ caseworker choice",
            effect="-2 points",
            direction="positive",
            risk_of_bias="low",
        ),
        study_services.result_save(
            study=second,
            actor=lead,
            category=other,
            intervention="@ matching",
            effect="None",
            direction="no_effect",
            risk_of_bias="high",
        ),
        study_services.result_save(
            study=third,
            actor=lead,
            category=caseload,
            intervention="Seasonal caseload variation",
            effect="Small positive",
            direction="positive",
            risk_of_bias="moderate",
        ),
    ]
    # A test's transaction never commits, so the on-commit rebuilds never ran: build now.
    report_services.report_tables_rebuild(topic_area=topic_area)
    return {
        "categories": (caseload, referral, other),
        "studies": (first, second, third),
        "results": results,
        "record": record,
    }


def _stored(topic_area) -> dict:
    return ReportSnapshot.objects.get(topic_area=topic_area).tables


def _table(stored, language, kind, key=None):
    return next(
        t
        for t in stored[language]["tables"]
        if t["kind"] == kind and (key is None or t["key"] == key)
    )


@pytest.mark.django_db
def test_demo_tables_match_the_report():
    from grading.demo.review import DEMO_SLUG, demo_load
    from reviewapp.models import Project

    demo_load()
    project = Project.objects.get(slug=DEMO_SLUG)
    caseworkers = project.topic_areas.get(key="caseworkers")
    stored = _stored(caseworkers)

    summary = _table(stored, "da", "summary")
    assert [(row[0], row[2]) for row in summary["rows"]] == [
        ("Sagsbehandlerens relative effektivitet", "Indikation"),
        ("Mekanisme til visitering af tilbud", "Indikation"),
        ("Reduceret sagsstamme", "Moderat evidens"),
    ]
    assert summary["rows"][2][1].startswith("Reduceret sagsstamme har positiv betydning")

    def labels(category_key):
        table = _table(stored, "da", "study", f"study-{caseworkers.key}-{category_key}")
        return [row[0].split("\n")[0] for row in table["rows"]]

    assert labels("relative-effectiveness") == [
        "Rosholm et al. (2018).",
        "Bech (2015).",
        "Lagerström (2011).",
    ]
    assert labels("referral-mechanism") == [
        "Bolhaar, Ketel & van der Klaauw (2018).",
        "Huber, Lechner & Mellace (2017).*",
        "Rinne, Uhlendorff & Zhao (2012).*",
        "Staghøj, Svarer & Rosholm (2010).*",
        "Lechner & Smith (2007).*",
    ]
    assert labels("reduced-caseload") == [
        "Hainmueller et al. (2016).*",
        "Ferracci & Martin (2015).* #",
        "Joona & Nekby (2012).*",
        "Liljeberg & Lundin (2010).",
        "Koning (2009).*",
    ]
    assert len(labels("other")) == 7
    caseload = _table(stored, "da", "study", f"study-{caseworkers.key}-reduced-caseload")
    assert "# Studiet indgår også i tabellen: Øvrige studier." in caseload["footnotes"]
    assert caseload["landscape"] is True
    assert caseload["rows"][0][4].startswith("Middel til høj risiko for bias")

    assert stored["facts"]["counts"] == {
        "total": 19,
        "design": {"randomised": 3, "natural_experiment": 2, "other": 14},
        "risk": {"low": 3, "middle": 14, "high": 2},
        "country": {"DK": 6, "SE": 3, "NL": 2, "CH": 5, "DE": 2, "FR": 1},
    }
    counts = _table(stored, "da", "counts")
    assert ["– Danmark", 6] in counts["rows"]
    assert counts["rows"][-1] == ["Antal", 19]
    assert "“Middel til høj” er talt som “middel”." in counts["footnotes"]
    english = _table(stored, "en", "counts")
    assert ["– Switzerland", 5] in english["rows"]
    assert ReportSnapshot.objects.get(topic_area=caseworkers).problems == []

    first = _stored(project.topic_areas.get(key="distance-meetings"))
    assert _table(first, "en", "summary")["rows"][0][2] == "Indication"


@pytest.mark.django_db
def test_moderate_high_counted_as_the_lead_configures(
    topic_area, lead, django_capture_on_commit_callbacks
):
    build_small_report(topic_area, lead)
    assert _stored(topic_area)["facts"]["counts"]["risk"] == {"low": 0, "middle": 2, "high": 1}

    with pytest.raises(EditConflict):
        report_services.report_settings_update(
            topic_area=topic_area,
            actor=lead,
            expected_version=5,
            moderate_high_counts_as="high",
            low_moderate_counts_as="middle",
            statements={},
        )
    with django_capture_on_commit_callbacks(execute=True):
        report_services.report_settings_update(
            topic_area=topic_area,
            actor=lead,
            expected_version=0,
            moderate_high_counts_as="high",
            low_moderate_counts_as="middle",
            statements={"caseload": "Lower caseloads help."},
        )

    stored = _stored(topic_area)
    # Hainmueller (moderate to high) moves to high; Bech's results differ: highest counts.
    assert stored["facts"]["counts"]["risk"] == {"low": 0, "middle": 1, "high": 2}
    counts = _table(stored, "en", "counts")
    assert "“Moderate to high” is counted as “high”." in counts["footnotes"]
    assert _table(stored, "en", "summary")["rows"][0][:2] == [
        "Reduced caseload",
        "Lower caseloads help.",
    ]
    entry = AuditEntry.objects.get(action="report_settings.update")
    assert entry.after["moderate_high_counts_as"] == "high"


@pytest.mark.django_db
def test_saving_a_result_rebuilds_the_tables(topic_area, lead, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        data = build_small_report(topic_area, lead)
    before = ReportSnapshot.objects.get(topic_area=topic_area).computed_at
    result = data["results"][0]
    with django_capture_on_commit_callbacks(execute=True):
        study_services.result_save(
            study=result.study,
            actor=lead,
            result=result,
            expected_version=result.version,
            effect="A brand new effect text",
        )
    snapshot = ReportSnapshot.objects.get(topic_area=topic_area)
    assert snapshot.computed_at > before
    study_table = _table(snapshot.tables, "en", "study", f"study-{topic_area.key}-caseload")
    assert study_table["rows"][0][3] == "A brand new effect text"


@pytest.mark.django_db
def test_a_result_in_an_ungraded_category_rebuilds_the_tables(
    topic_area, lead, django_capture_on_commit_callbacks
):
    data = build_small_report(topic_area, lead)
    other = data["categories"][2]
    with django_capture_on_commit_callbacks(execute=True):
        study_services.result_save(
            study=data["studies"][2],
            actor=lead,
            category=other,
            intervention="Bonus to caseworkers",
            effect="Higher exit",
            direction="positive",
            risk_of_bias="high",
        )
    table = _table(_stored(topic_area), "en", "study", f"study-{topic_area.key}-other")
    assert [row[1] for row in table["rows"]] == ["@ matching", "Bonus to caseworkers"]


@pytest.mark.django_db
def test_saves_in_one_transaction_ask_for_one_rebuild(
    topic_area, lead, django_capture_on_commit_callbacks
):
    build_small_report(topic_area, lead)
    with django_capture_on_commit_callbacks() as callbacks:
        for n in range(5):
            study_services.study_create(
                topic_area=topic_area, actor=lead, label=f"S{n}", title="T", design="other"
            )
    asked = [inspect.getclosurevars(c).nonlocals.get("task_name") for c in callbacks]
    rebuilds = [name for name in asked if name == "grading.tasks.rebuild_report_task"]
    assert len(rebuilds) == 1


@pytest.mark.django_db
def test_a_study_without_a_result_is_a_problem_on_the_report_page(
    client, topic_area, lead, django_capture_on_commit_callbacks
):
    build_small_report(topic_area, lead)
    with django_capture_on_commit_callbacks(execute=True):
        study_services.study_create(
            topic_area=topic_area,
            actor=lead,
            label="Lonely (2020)",
            title="A study nobody extracted",
            design="other",
        )
    client.force_login(lead)
    body = client.get(reverse("report", kwargs={"slug": topic_area.project.slug})).content.decode()
    assert "Lonely (2020) is included but has no result." in body


@pytest.mark.django_db
def test_a_hand_entered_flow_count_that_breaks_an_identity_is_on_the_report_page(
    client, topic_area, lead, reviewer
):
    from screening.services.flow import flow_reported_update
    from screening.services.screening import stages_set_up

    build_small_report(topic_area, lead)
    stages_set_up(topic_area=topic_area, actor=lead, preset="three")
    client.force_login(lead)
    url = reverse("report", kwargs={"slug": topic_area.project.slug})
    client.get(url)
    before = [p["message"] for p in ReportSnapshot.objects.get(topic_area=topic_area).problems]

    topic_area.refresh_from_db()
    flow_reported_update(
        topic_area=topic_area,
        actor=lead,
        counts={"duplicates": 5},
        expected_version=topic_area.version,
    )
    body = client.get(url).content.decode()
    snapshot = ReportSnapshot.objects.get(topic_area=topic_area)
    new = [p for p in snapshot.problems if p["message"] not in before]
    assert [p["code"][:2] for p in new] == ["F-"]
    assert new[0]["message"][1] in body.replace("&#x27;", "'")
    assert _table(snapshot.tables, "en", "flow")["rows"][1] == ["Duplicate records removed", "5†"]


@pytest.mark.django_db
def test_report_page_shows_tables_verdicts_and_language(client, topic_area, lead, peer_reviewer):
    build_small_report(topic_area, lead)
    url = reverse("report", kwargs={"slug": topic_area.project.slug})
    client.force_login(peer_reviewer)
    english = client.get(url + "?language=en").content.decode()
    assert "Studies: Reduced caseload" in english
    assert "Count of studies" in english
    assert "Hainmueller et al. (2016).*" in english
    assert "Report settings" not in english  # peer reviewers change nothing
    danish = client.get(url + "?language=da").content.decode()
    assert "Optælling af studier" in danish


@pytest.mark.django_db
def test_report_page_queries_do_not_grow_with_studies(
    client, topic_area, lead, django_assert_max_num_queries
):
    data = build_small_report(topic_area, lead)
    client.force_login(lead)
    url = reverse("report", kwargs={"slug": topic_area.project.slug})
    client.get(url)
    with django_assert_max_num_queries(30):
        client.get(url)
    for n in range(5):
        study = study_services.study_create(
            topic_area=topic_area,
            actor=lead,
            label=f"Extra {n} (2020)",
            title="Extra",
            design="other",
        )
        study_services.result_save(
            study=study,
            actor=lead,
            category=data["categories"][0],
            intervention="x",
            effect="y",
            direction="positive",
            risk_of_bias="low",
        )
    client.get(url)
    with django_assert_max_num_queries(30):
        client.get(url)


# --------------------------------------------------------------------------------------------
# The pure rules

RATINGS = st.sampled_from(["low", "low_moderate", "moderate", "moderate_high", "high"])


@st.composite
def topics(draw):
    categories = (tables.CategoryRow(id=1, key="a", title="A", graded=True),)
    studies = []
    for study_id in range(draw(st.integers(0, 12))):
        ratings = draw(st.lists(RATINGS, max_size=3))
        studies.append(
            tables.StudyRow(
                id=study_id,
                label=f"S{study_id}",
                title="T",
                year=draw(st.integers(1990, 2020)),
                country=draw(st.sampled_from(["DK", "SE", "", "FR"])),
                peer_reviewed=False,
                design=draw(
                    st.sampled_from(["randomised_quasi", "natural_experiment", "matching"])
                ),
                results=tuple(
                    tables.ResultRow(
                        id=study_id * 10 + n,
                        category_id=1,
                        intervention="i",
                        target_group="",
                        effect="e",
                        risk_of_bias=rating,
                    )
                    for n, rating in enumerate(ratings)
                ),
            )
        )
    return tables.TopicInput(
        key="t",
        title="T",
        framework_labels=("F", "F"),
        categories=categories,
        studies=tuple(studies),
        moderate_high_as=draw(st.sampled_from(["low", "middle", "high"])),
        low_moderate_as=draw(st.sampled_from(["low", "middle", "high"])),
    )


@settings(max_examples=60, deadline=None)
@given(topics())
def test_every_breakdown_sums_to_the_total(topic):
    numbers = tables.counts(topic)
    assert numbers["total"] == len(topic.studies)
    for breakdown in ("design", "risk", "country"):
        assert sum(numbers[breakdown].values()) == numbers["total"]
    codes = {problem["code"] for problem in checks.check(topic, numbers)}
    assert "C2" not in codes
    assert ("C3" in codes) == any(not study.results for study in topic.studies)


def test_a_study_whose_results_differ_counts_under_its_highest_risk():
    topic = tables.TopicInput(
        key="t",
        title="T",
        framework_labels=("F", "F"),
        categories=(),
        studies=(
            tables.StudyRow(
                id=1,
                label="S",
                title="T",
                year=2000,
                country="DK",
                peer_reviewed=False,
                design="other",
                results=(
                    tables.ResultRow(1, 1, "i", "", "e", "low"),
                    tables.ResultRow(2, 1, "i", "", "e", "moderate_high"),
                ),
            ),
        ),
    )
    assert tables.counts(topic)["risk"] == {"low": 0, "middle": 1, "high": 0}


@pytest.mark.worker
@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_real_worker_rebuilds_the_tables_after_a_save(celery_worker, topic_area, lead):
    from tests.worker import wait_for

    data = build_small_report(topic_area, lead)
    result = data["results"][0]
    study_services.result_save(
        study=result.study,
        actor=lead,
        result=result,
        expected_version=result.version,
        effect="Effect saved while a worker runs",
    )

    def rebuilt():
        stored = ReportSnapshot.objects.get(topic_area=topic_area).tables
        table = _table(stored, "en", "study", f"study-{topic_area.key}-caseload")
        return table["rows"][0][3] == "Effect saved while a worker runs"

    assert wait_for(rebuilt, timeout=30)
