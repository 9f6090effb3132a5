"""Notifications by mail: each person's choice (off, at once, daily digest), the digest
command, and the events that make them."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse

from grading.services import comments as comment_services
from grading.services import consensus as consensus_services
from grading.services import verdicts as verdict_services
from reviewapp.models import Notification, UserProfile
from reviewapp.notifications import notify
from screening.models import ImportJob, ScreeningItem
from screening.services.imports import import_job_fail_stuck
from screening.services.screening import decision_record
from tests.factories.grading import CommentFactory, ResultFactory
from tests.factories.reviewapp import UserProfileFactory
from tests.factories.screening import ImportJobFactory, ScreeningItemFactory, StageFactory


def _choose(user, notify_choice, language="en"):
    UserProfileFactory(user=user, notify=notify_choice, language=language)


def _notify(users, project, path="/x/", actor=None):
    return notify(
        users=users,
        kind=Notification.Kind.IMPORT,
        project=project,
        params={"file": "hits.ris", "what": "done"},
        path=path,
        actor=actor,
    )


def test_the_daily_digest_mails_everything_unsent_once(cast, project, mailoutbox):
    _choose(cast["reviewer"], UserProfile.Notify.DAILY)
    _notify([cast["reviewer"]], project, path="/a/")
    _notify([cast["reviewer"]], project, path="/b/")
    assert mailoutbox == []
    call_command("send_digests", stdout=StringIO())
    [mail] = mailoutbox
    assert mail.to == [cast["reviewer"].email]
    assert mail.subject == "2 news from Reviewapp"
    assert mail.body.count("The import of hits.ris is finished.") == 2
    assert "http://127.0.0.1:8000/a/" in mail.body
    call_command("send_digests", stdout=StringIO())
    assert len(mailoutbox) == 1


def test_at_once_mails_each_and_off_records_nothing(
    cast, project, mailoutbox, django_capture_on_commit_callbacks
):
    _choose(cast["reviewer"], UserProfile.Notify.IMMEDIATE)
    _choose(cast["peer_reviewer"], UserProfile.Notify.OFF)
    with django_capture_on_commit_callbacks(execute=True):
        _notify([cast["reviewer"], cast["peer_reviewer"]], project)
    [mail] = mailoutbox
    assert mail.subject == "The import of hits.ris is finished."
    [notification] = Notification.objects.all()
    assert (notification.user, notification.sent_at is not None) == (cast["reviewer"], True)


def test_the_actor_is_not_told_and_an_unsent_line_is_not_repeated(cast, project):
    assert _notify([cast["lead"], cast["reviewer"]], project, actor=cast["lead"]) == 1
    assert _notify([cast["reviewer"]], project) == 0
    assert Notification.objects.get().user == cast["reviewer"]


def test_a_danish_person_gets_a_danish_digest_of_the_same_lines(cast, project, mailoutbox):
    _choose(cast["reviewer"], UserProfile.Notify.DAILY, language="da")
    _notify([cast["reviewer"]], project)
    call_command("send_digests", stdout=StringIO())
    assert '<html lang="da">' in mailoutbox[0].alternatives[0].content


def test_a_failed_import_tells_who_uploaded_it(cast, topic_area):
    job = ImportJobFactory(
        topic_area=topic_area, status=ImportJob.Status.RUNNING, created_by=cast["reviewer"]
    )
    import_job_fail_stuck(job=job)
    notification = Notification.objects.get()
    assert (notification.user, notification.kind, notification.params["what"]) == (
        cast["reviewer"],
        "import",
        "failed",
    )
    assert notification.path == reverse(
        "import_job",
        kwargs={"slug": topic_area.project.slug, "topic_key": topic_area.key, "job_id": job.pk},
    )


def test_a_screening_conflict_tells_the_leads_once_per_stage(cast, topic_area):
    stage = StageFactory(topic_area=topic_area, reviewers_required=2)
    first, second = ScreeningItemFactory(stage=stage), ScreeningItemFactory(stage=stage)
    for item in (first, second):
        decision_record(item=item, reviewer=cast["reviewer"], value="include")
        decision_record(item=item, reviewer=cast["reviewer2"], value="exclude", reason="Other")
    assert ScreeningItem.objects.filter(status=ScreeningItem.Status.CONFLICT).count() == 2
    assert list(Notification.objects.values_list("user__username", "kind")) == [
        ("lead", "conflict")
    ]


def test_an_answer_to_a_comment_tells_its_author(cast, topic_area):
    comment = CommentFactory(
        project=topic_area.project, topic_area=topic_area, author=cast["peer_reviewer"]
    )
    comment_services.comment_reply(comment=comment, author=cast["lead"], body="Fixed.")
    comment_services.comment_resolve(comment=comment, actor=cast["lead"])
    assert list(Notification.objects.values_list("user__username", "params__what")) == [
        ("peer", "answered"),
    ]  # the resolution waits in the same unsent line for the comments page


def test_the_second_extraction_tells_the_first_extractor(cast, topic_area):
    consensus_services.extraction_settings_update(
        project=topic_area.project, actor=cast["lead"], dual_extraction=True
    )
    category = verdict_services.category_create(
        topic_area=topic_area, actor=cast["lead"], key="caseload", title="Reduced caseload"
    )
    result = ResultFactory(category=category)
    values = {"direction": "positive", "risk_of_bias": "low", "quality": "high", "effect": "x"}
    for reviewer in (cast["reviewer"], cast["reviewer2"]):
        consensus_services.extraction_save(
            result=result, reviewer=reviewer, values=values, expected_version=0
        )
    notification = Notification.objects.get()
    assert (notification.user, notification.kind) == (cast["reviewer"], "consensus")


@pytest.mark.parametrize("choice", ["off", "immediate", "daily"])
def test_the_profile_page_saves_the_choice(client, cast, choice):
    client.force_login(cast["reviewer"])
    client.post(reverse("profile_preferences"), {"language": "da", "notify": choice})
    profile = UserProfile.objects.get(user=cast["reviewer"])
    assert (profile.language, profile.notify) == ("da", choice)
    page = client.get(reverse("profile")).content.decode()
    assert f'<option value="{choice}" selected>' in page
