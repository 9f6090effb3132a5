"""The bin's machinery: managers that hide it, the purge after SOFT_DELETE_DAYS."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.core.management import call_command
from django.utils import timezone

from reviewapp.celery import app as celery_app
from reviewapp.models import AuditEntry
from reviewapp.services import deleted_purge
from reviewapp.softdelete import mark_deleted, mark_restored, soft_delete_models
from screening.models import Record, Source
from tests.factories.screening import RecordFactory, SourceFactory

pytestmark = pytest.mark.django_db


def _binned(source, *, days_ago, by=None):
    mark_deleted(source, by=by, at=timezone.now() - timedelta(days=days_ago))


def test_soft_deletable_models_see_the_bin_through_their_base_manager():
    for model in soft_delete_models():
        assert model._default_manager.name == "objects"
        assert model._base_manager.name == "all_objects"


def test_objects_hides_the_bin_and_all_objects_sees_it(topic_area, lead):
    live = SourceFactory(topic_area=topic_area, name="EconLit")
    gone = SourceFactory(topic_area=topic_area, name="Scopus")
    _binned(gone, days_ago=1, by=lead)

    assert list(Source.objects.filter(topic_area=topic_area)) == [live]
    assert list(topic_area.sources.all()) == [live]
    assert set(Source.all_objects.filter(topic_area=topic_area)) == {live, gone}
    assert list(Source.all_objects.in_bin()) == [gone]
    gone.refresh_from_db()
    assert gone.deleted_by == lead
    assert gone.purge_at == gone.deleted_at + timedelta(days=settings.SOFT_DELETE_DAYS)


def test_a_row_still_reaches_its_parent_in_the_bin(topic_area):
    record = RecordFactory(source__topic_area=topic_area, title="Caseloads")
    _binned(record.source, days_ago=1)

    fetched = Record.objects.get(pk=record.pk)

    assert fetched.source.name == "EconLit"
    assert fetched.source.in_bin


def test_restored_row_is_live_again(topic_area):
    source = SourceFactory(topic_area=topic_area)
    _binned(source, days_ago=3)

    mark_restored(source)

    assert list(topic_area.sources.all()) == [source]
    assert source.purge_at is None


def test_purge_deletes_what_is_older_than_the_period_and_audits_it(topic_area, settings):
    settings.SOFT_DELETE_DAYS = 30
    old = SourceFactory(topic_area=topic_area, name="Old search")
    RecordFactory(source=old, topic_area=topic_area)
    recent = SourceFactory(topic_area=topic_area, name="Recent search")
    live = SourceFactory(topic_area=topic_area, name="Live search")
    _binned(old, days_ago=31)
    _binned(recent, days_ago=29)

    assert deleted_purge() == 1

    assert set(Source.all_objects.filter(topic_area=topic_area)) == {recent, live}
    assert not Record.objects.filter(source_id=old.pk).exists()
    entry = AuditEntry.objects.get(action="source.purge")
    assert (entry.project, entry.object_id, entry.object_repr) == (
        topic_area.project,
        str(old.pk),
        "Old search",
    )
    assert entry.actor is None
    assert str(entry.action_label) == "deleted for good the import"


def test_purge_follows_the_setting(topic_area, settings):
    source = SourceFactory(topic_area=topic_area)
    _binned(source, days_ago=8)
    settings.SOFT_DELETE_DAYS = 10
    assert deleted_purge() == 0
    settings.SOFT_DELETE_DAYS = 7
    assert deleted_purge() == 1
    assert not Source.all_objects.filter(pk=source.pk).exists()


def test_purge_command_reports_the_count(topic_area, capsys):
    _binned(SourceFactory(topic_area=topic_area), days_ago=45)

    call_command("purge_deleted")

    assert capsys.readouterr().out.strip() == "1 item(s) in the bin longer than 30 days purged."
    assert not Source.all_objects.exists()


def test_beat_runs_the_purge_task_nightly(topic_area):
    entry = settings.CELERY_BEAT_SCHEDULE["deleted-purge"]
    assert entry["task"] in celery_app.tasks
    _binned(SourceFactory(topic_area=topic_area), days_ago=31)

    assert celery_app.tasks[entry["task"]].delay().get() == 1
