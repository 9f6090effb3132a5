"""The home page's and the dashboard's work list, and the small findings of issue 17 that
belong to the base app: readable activity, the language select, the 405 page."""

import pytest
from django.urls import reverse

from reviewapp.models import AuditEntry, Role
from screening.models import ImportJob, Record, Stage
from screening.services.screening import decision_record, screening_maybe
from tests.factories.grading import (
    CommentFactory,
    ExtractionFactory,
    ExtractionSettingsFactory,
    ResultFactory,
)
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)
from tests.factories.screening import (
    FullTextFactory,
    ImportJobFactory,
    ScreeningItemFactory,
    StageFactory,
)


def _busy_project(lead, reviewer, other, *, stages=1, slug=None):
    """A project with, per stage: 4 records (1 decided by the reviewer, 1 a conflict, 1 on
    the reviewer's maybe pile, 1 untouched); a failed import; a result waiting for consensus
    between the reviewer and `other`; an open comment."""
    project = ProjectFactory(**({"slug": slug} if slug else {}))
    MembershipFactory(project=project, user=lead, role=Role.LEAD)
    MembershipFactory(project=project, user=reviewer, role=Role.REVIEWER)
    MembershipFactory(project=project, user=other, role=Role.REVIEWER)
    topic_area = TopicAreaFactory(project=project, title=f"Caseloads of {project.slug}")
    for position in range(1, stages + 1):
        stage = StageFactory(topic_area=topic_area, position=position, reviewers_required=2)
        decided, conflict, maybe, _untouched = [
            ScreeningItemFactory(stage=stage, order_key=n) for n in range(4)
        ]
        decision_record(item=decided, reviewer=reviewer, value="include")
        decision_record(item=conflict, reviewer=reviewer, value="include")
        decision_record(item=conflict, reviewer=other, value="exclude")
        screening_maybe(stage=stage, item_id=maybe.pk, reviewer=reviewer)
    ImportJobFactory(topic_area=topic_area, status=ImportJob.Status.FAILED, created_by=reviewer)
    ExtractionSettingsFactory(project=project, dual_extraction=True)
    result = ResultFactory(study__topic_area=topic_area, category__topic_area=topic_area)
    ExtractionFactory(result=result, reviewer=reviewer)
    ExtractionFactory(result=result, reviewer=other)
    CommentFactory(project=project, topic_area=topic_area, target_id=topic_area.pk)
    return project


@pytest.fixture
def people(db):
    return UserFactory(username="busy-lead"), UserFactory(username="busy"), UserFactory()


def _kinds(works) -> dict[str, int]:
    return {work.kind: work.count for work in works}


def test_home_says_what_waits_for_a_reviewer(client, people):
    lead, reviewer, other = people
    project = _busy_project(lead, reviewer, other)
    client.force_login(reviewer)
    response = client.get(reverse("project_list"))
    (listed,) = response.context["projects"]
    # 4 records: one decided, one a conflict (decided), one on the pile: one waits.
    assert _kinds(listed.work) == {"screen": 1, "maybes": 1, "imports": 1, "consensus": 1}
    body = response.content.decode()
    assert "1 record waiting for you" in body
    stage = project.topic_areas.get().stages.get()
    screen_url = reverse(
        "screen",
        kwargs={"slug": project.slug, "topic_key": stage.topic_area.key, "stage_id": stage.pk},
    )
    # One click: the first Continue goes straight to the screening page (and N follows it).
    assert response.context["next_work"].url == screen_url
    assert f'href="{screen_url}" data-next-work' in body
    assert "Press N to open the first record waiting for you." in body


def test_home_shows_a_lead_conflicts_maybes_and_comments(client, people):
    lead, reviewer, other = people
    _busy_project(lead, reviewer, other)
    client.force_login(lead)
    (listed,) = client.get(reverse("project_list")).context["projects"]
    # The lead screens too (no reviewers chosen): all 4 records but the conflict wait.
    assert _kinds(listed.work) == {
        "screen": 3,
        "conflicts": 1,
        "maybes_waiting": 1,
        "imports": 1,
        "consensus": 1,
        "comments": 1,
    }


def test_home_shows_a_peer_reviewer_nothing_to_screen(client, people):
    lead, reviewer, other = people
    project = _busy_project(lead, reviewer, other)
    peer = UserFactory()
    MembershipFactory(project=project, user=peer, role=Role.PEER_REVIEWER)
    client.force_login(peer)
    response = client.get(reverse("project_list"))
    assert response.context["projects"][0].work == []
    assert "Nothing is waiting for you in your projects." in response.content.decode()


def test_home_counts_nothing_of_other_peoples_projects(client, people):
    lead, reviewer, other = people
    _busy_project(lead, reviewer, other, slug="not-yours")
    outsider = UserFactory()
    MembershipFactory(project=ProjectFactory(), user=outsider, role=Role.LEAD)
    client.force_login(outsider)
    body = client.get(reverse("project_list")).content.decode()
    assert "not-yours" not in body
    assert 'data-testid="work-item"' not in body


@pytest.mark.parametrize("projects", [1, 3])
def test_home_query_count_does_not_grow_with_projects_and_stages(
    client, people, django_assert_num_queries, projects
):
    lead, reviewer, other = people
    for _ in range(projects):
        _busy_project(lead, reviewer, other, stages=2)
    client.force_login(lead)
    # session, user, projects, the projects in the bin the user leads; the stages, their
    # items by status, those of records merged
    # away (none pending here, so the lead's decisions and maybes on them are not read),
    # the lead's decisions on pending records, "maybe" decisions, every maybe flag; failed
    # imports; the results waiting for consensus and their studies; open
    # comments
    with django_assert_num_queries(14):
        response = client.get(reverse("project_list"))
    assert response.content.decode().count('data-kind="conflicts"') == 2 * projects


@pytest.mark.parametrize("stages", [1, 3])
def test_dashboard_leads_with_work_and_progress_at_a_fixed_query_count(
    client, people, django_assert_num_queries, stages
):
    lead, reviewer, other = people
    project = _busy_project(lead, reviewer, other, stages=stages)
    client.force_login(lead)
    # session, user, project with role, topic areas, members, activity; the work list
    # (10, as on the home page); the stages' progress reads the same counts
    with django_assert_num_queries(16):
        response = client.get(reverse("project_dashboard", kwargs={"slug": project.slug}))
    body = response.content.decode()
    assert body.count('data-testid="progress-row"') == stages
    assert body.count('data-kind="conflicts"') == stages
    # The work comes first, the search strategy folded below.
    assert body.index('data-testid="dashboard-work"') < body.index('data-testid="picos-details"')
    assert '<details data-testid="picos-details">' in body
    (row, *_rest) = response.context["progress"]
    assert (row.done, row.total) == (0, 4)


def test_dashboard_work_for_a_reviewer(client, people):
    lead, reviewer, other = people
    project = _busy_project(lead, reviewer, other)
    client.force_login(reviewer)
    response = client.get(reverse("project_dashboard", kwargs={"slug": project.slug}))
    assert _kinds(response.context["work"]) == {
        "screen": 1,
        "maybes": 1,
        "imports": 1,
        "consensus": 1,
    }
    assert response.context["next_work"].kind == "screen"


def test_prioritisation_labels_follow_the_readers_language(client, lead, topic_area):
    stage = StageFactory(topic_area=topic_area)
    client.force_login(lead)
    url = reverse(
        "stage_prioritisation",
        kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key, "stage_id": stage.pk},
    )
    client.get(url, HTTP_ACCEPT_LANGUAGE="en")  # the module is imported in English first
    body = client.get(url, HTTP_ACCEPT_LANGUAGE="da").content.decode()
    assert "Køens rækkefølge" in body and "Tærskel" in body
    assert "Queue order" not in body and "Threshold" not in body


# --- Small findings ----------------------------------------------------------------------------


def test_activity_reads_in_words_not_codes(client, lead, project):
    AuditEntry.objects.create(
        project=project,
        actor=lead,
        action="comment.create",
        object_type="comment",
        object_repr="Verdict caseloads: Why moderate?",
        after={"target": "verdict:2", "body": "Why moderate?"},
    )
    client.force_login(lead)
    body = client.get(reverse("activity", kwargs={"slug": project.slug})).content.decode()
    assert "commented on" in body
    assert "Verdict 2" in body
    assert "comment.create" not in body and "verdict:2" not in body


def test_language_select_submits_only_by_its_button(client, lead, project):
    client.force_login(lead)
    body = client.get(reverse("project_list")).content.decode()
    assert "data-autosubmit" not in body
    assert (
        '<select id="language-switcher" name="language" class="form-select form-select-sm">' in body
    )


def test_a_post_only_address_answers_get_with_a_readable_405(client, lead, project):
    client.force_login(lead)
    response = client.get(reverse("member_add", kwargs={"slug": project.slug}))
    assert response.status_code == 405
    assert response["Allow"] == "POST"
    assert "This address takes a form" in response.content.decode()


def test_the_api_keeps_its_own_405(client, lead, project):
    client.force_login(lead)
    response = client.delete("/api/v1/projects/")
    assert response.status_code in (401, 403, 404, 405)
    assert "This address takes a form" not in response.content.decode()


def test_waiting_leaves_out_merged_records_and_missing_full_texts(client, people):
    lead, reviewer, other = people
    project = ProjectFactory()
    for user, role in [(lead, Role.LEAD), (reviewer, Role.REVIEWER), (other, Role.REVIEWER)]:
        MembershipFactory(project=project, user=user, role=role)
    topic_area = TopicAreaFactory(project=project)
    dual = StageFactory(topic_area=topic_area, position=1, reviewers_required=2)
    kept, waiting, merged = [ScreeningItemFactory(stage=dual, order_key=n) for n in range(3)]
    decision_record(item=merged, reviewer=other, value="include")
    # A record the reviewer decided and that was merged away afterwards is theirs no more.
    mine_merged = ScreeningItemFactory(stage=dual, order_key=3)
    decision_record(item=mine_merged, reviewer=reviewer, value="include")
    Record.objects.filter(pk__in=[merged.record_id, mine_merged.record_id]).update(
        canonical=kept.record_id
    )
    fulltext = StageFactory(topic_area=topic_area, position=2, kind=Stage.Kind.FULLTEXT)
    readable, missing = [ScreeningItemFactory(stage=fulltext, order_key=n) for n in range(2)]
    FullTextFactory(record=missing.record, missing=True)
    client.force_login(reviewer)
    (listed,) = client.get(reverse("project_list")).context["projects"]
    assert [(work.kind, work.count) for work in listed.work] == [("screen", 2), ("screen", 1)]
