"""An import in the bin, in Chromium: a lead removes one of two imports from its import page,
its records leave the stage's queue and list and the flow diagram's counts; restored from
the project's bin, they are back in all three."""

import re

import pytest
from django.core.cache import cache
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp.models import Role
from screening.models import ImportJob, ScreeningItem, Source
from screening.services.imports import import_job_create, import_run
from screening.services.screening import stages_set_up
from tests.browser.helpers import decide_by_key, login, review_with_members
from tests.screening.conftest import ris_text

pytestmark = pytest.mark.django_db(transaction=True)


def _studies(prefix: str, count: int) -> list[dict]:
    return [
        {
            "title": f"{prefix} study {n} of caseworker caseloads",
            "author": f"{prefix}son, Author {n}",
            "year": 2000 + n,
            "journal": f"{prefix} Journal",
            "volume": n,
            "start": 10 * n,
            "end": 10 * n + 9,
            "doi": f"10.1000/{prefix.lower()}.{n}",
            "abstract": f"Abstract {n} from {prefix}.",
        }
        for n in range(1, count + 1)
    ]


def _import(topic_area, lead, name: str, studies: list[dict]) -> ImportJob:
    job = import_job_create(
        topic_area=topic_area,
        actor=lead,
        upload=SimpleUploadedFile(f"{name.lower()}.ris", ris_text(studies).encode()),
        source_name=name,
        enqueue=False,
    )
    import_run(job=job)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.DONE
    return job


@pytest.fixture
def review():
    """A title stage with four records from EconLit and three from Scopus."""
    topic_area, users = review_with_members(
        "bin-review", {"lead": Role.LEAD, "anna": Role.REVIEWER}
    )
    _import(topic_area, users["lead"], "EconLit", _studies("Econ", 4))
    scopus = _import(topic_area, users["lead"], "Scopus", _studies("Scopus", 3))
    stage = stages_set_up(topic_area=topic_area, actor=users["lead"], preset="three")[0]
    return stage, scopus, users


def _flow_counts(page, base: str) -> dict:
    """The flow diagram's counts: records identified by source and in all, screened and
    excluded at the title stage, and still undecided there."""
    page.goto(f"{base}/flow/")
    text = " ".join(page.get_by_test_id("flow-figure").inner_text().split())
    undecided = page.get_by_test_id("flow-undecided").inner_text()
    return {
        "sources": {
            name: int(n) for name, n in re.findall(r"(EconLit|Scopus) \(n = (\d+)\)", text)
        },
        # The total box is drawn for two sources or more.
        "total": [int(n) for n in re.findall(r"Databases, total \(n = (\d+)\)", text)],
        "screened": int(re.search(r"Records screened \(Title\) \(n = (\d+)\)", text)[1]),
        "excluded": int(
            re.search(r"\(Title\) \(n = \d+\) Records excluded \(n = (\d+)\)", text)[1]
        ),
        "undecided": int(re.search(r"Title (\d+)", undecided)[1]),
    }


def _listed(page, base: str, stage) -> int:
    page.goto(f"{base}/screening/{stage.pk}/records/")
    return len(page.get_by_test_id("stage-item").all())


def _queue(page, base: str, stage) -> tuple[str, str]:
    """The record the screening page hands out first, and the stage's progress line."""
    # The stage's figures on the screening page may lag by seconds (a cache,
    # `queries.STAGE_PROGRESS_SECONDS`): counted afresh here.
    cache.clear()
    page.goto(f"{base}/screening/{stage.pk}/")
    return (
        page.get_by_test_id("record-title").inner_text(),
        page.get_by_test_id("stage-progress").inner_text(),
    )


def test_a_removed_import_leaves_queue_and_flow_and_comes_back_from_the_bin(
    live_server, page, review, axe_check
):
    stage, scopus, users = review
    base = f"{live_server.url}/projects/bin-review/topics/caseload"
    login(page, live_server.url, "lead")
    before = _flow_counts(page, base)
    assert before == {
        "sources": {"EconLit": 4, "Scopus": 3},
        "total": [7],
        "screened": 0,
        "excluded": 0,
        "undecided": 7,
    }
    assert _listed(page, base, stage) == 7
    assert _queue(page, base, stage)[1] == "0 of 7 records settled"

    # Removed from its import page (the page asks first).
    page.goto(f"{live_server.url}{scopus.get_absolute_url()}")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_test_id("import-remove").click()
    page.get_by_test_id("import-in-bin").wait_for()
    assert "The import Scopus is in the bin" in page.locator("main > .alert-success").inner_text()
    axe_check(page, "import-in-bin")

    assert _flow_counts(page, base) == {
        "sources": {"EconLit": 4},
        "total": [],
        "screened": 0,
        "excluded": 0,
        "undecided": 4,
    }
    axe_check(page, "flow-after-removal")
    assert _listed(page, base, stage) == 4
    # The queue hands out only EconLit's records: a reviewer screens the four, then it is empty.
    page.context.clear_cookies()
    login(page, live_server.url, "anna")
    title, progress = _queue(page, base, stage)
    assert progress == "0 of 4 records settled"
    seen = [decide_by_key(page, "e") for _ in range(4)]
    assert all(title.startswith("Econ study") for title in seen), seen
    page.get_by_test_id("queue-empty").wait_for()

    # The lead restores it from the project's bin.
    page.context.clear_cookies()
    login(page, live_server.url, "lead")
    page.goto(f"{live_server.url}/projects/bin-review/bin/")
    rows = page.get_by_test_id("bin-row")
    assert rows.count() == 1
    assert "Scopus" in rows.inner_text()
    axe_check(page, "bin-with-import")
    rows.get_by_test_id("bin-restore").click()
    page.get_by_test_id("bin-empty").wait_for()
    assert Source.objects.get(pk=scopus.source_id).deleted_at is None

    # Back: the flow counts the seven again (the four excluded among them) and the queue
    # hands out Scopus's three, the only ones left.
    assert _flow_counts(page, base) == {
        "sources": {"EconLit": 4, "Scopus": 3},
        "total": [7],
        "screened": 4,
        "excluded": 4,
        "undecided": 3,
    }
    assert _listed(page, base, stage) == 7
    page.context.clear_cookies()
    login(page, live_server.url, "anna")
    title, progress = _queue(page, base, stage)
    assert progress == "4 of 7 records settled"
    assert title.startswith("Scopus study")
    assert ScreeningItem.objects.filter(stage=stage, status="pending").count() == 3
