"""Importing in Chromium: upload a RIS file, follow its progress, read the summary,
and settle the possible duplicates it leaves for a person."""

from pathlib import Path

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile

from reviewapp.models import Role
from screening.models import DuplicatePair, ImportJob, Record, Source
from screening.services.imports import import_job_create, import_run
from tests.browser.helpers import login
from tests.factories.reviewapp import (
    MembershipFactory,
    ProjectFactory,
    TopicAreaFactory,
    UserFactory,
)
from tests.screening.conftest import damaged_bib

pytestmark = pytest.mark.django_db(transaction=True)


CASELOADS = {
    "title": "Caseworker caseloads and the duration of unemployment",
    "authors": ["Hainmueller, Jens", "Hofmann, Barbara"],
    "year": 2016,
    "journal": "Journal of Public Economics",
    "volume": "141",
    "pages": ("1", "20"),
    "doi": "10.1016/j.jpubeco.2016.07.001",
}
MEETINGS = {
    "title": "Do meetings at a distance help job seekers find work?",
    "authors": ["Cheung, Maria", "Lindqvist, Erik"],
    "year": 2017,
    "journal": "Labour Economics",
    "volume": "44",
    "pages": ("100", "118"),
    "doi": "10.1016/j.labeco.2017.01.004",
}
MATCHING = {
    "title": "Caseworker-client matching by gender and job finding",
    "authors": ["Behncke, Stefanie", "Frölich, Markus"],
    "year": 2010,
    "journal": "The Economic Journal",
    "volume": "120",
    "pages": ("1430", "1459"),
    "doi": "10.1111/j.1468-0297.2010.02382.x",
}
SANCTIONS = {
    "title": "Sanctions for benefit recipients and exits from welfare",
    "authors": ["Svarer, Michael"],
    "year": 2011,
    "journal": "Economica",
    "volume": "78",
    "pages": ("751", "778"),
    "doi": "10.1111/j.1468-0335.2010.00851.x",
}
# Two conference versions: the same title with a small change, no DOI, and a
# volume or pages that disagree with the article. De-duplication does not merge
# these on its own (dedup.py: "volume ... or pages that disagree") but lists them.
MEETINGS_ABSTRACT = {
    "title": "Do meetings at a distance help jobseekers find work",
    "authors": ["Cheung, Maria"],
    "year": 2017,
    "journal": "Labour Economics",
    "volume": "45",
}
MATCHING_ABSTRACT = {
    "title": "Caseworker-client matching by gender and job-finding",
    "authors": ["Behncke, Stefanie"],
    "year": 2010,
    "journal": "The Economic Journal",
    "pages": ("14", "30"),
}
# The first study twice (an exact duplicate within the file) and two near-duplicates.
STUDIES = [
    CASELOADS,
    MEETINGS,
    MATCHING,
    SANCTIONS,
    CASELOADS,
    MEETINGS_ABSTRACT,
    MATCHING_ABSTRACT,
]


def _ris(studies) -> bytes:
    entries = []
    for study in studies:
        lines = ["TY  - JOUR", f"TI  - {study['title']}"]
        lines += [f"AU  - {author}" for author in study["authors"]]
        lines += [f"PY  - {study['year']}", f"JO  - {study['journal']}"]
        if "volume" in study:
            lines.append(f"VL  - {study['volume']}")
        if "pages" in study:
            lines += [f"SP  - {study['pages'][0]}", f"EP  - {study['pages'][1]}"]
        if "doi" in study:
            lines.append(f"DO  - {study['doi']}")
        lines.append("ER  - ")  # the space after the dash is part of the RIS end tag
        entries.append("\n".join(lines) + "\n")
    return "\n".join(entries).encode("utf-8")


@pytest.fixture
def review():
    project = ProjectFactory(slug="caseloads", title="Caseloads review", language="en")
    topic_area = TopicAreaFactory(project=project, key="caseload", title="Caseworkers")
    users = {
        name: MembershipFactory(project=project, user=UserFactory(username=name), role=role).user
        for name, role in [("lead", Role.LEAD), ("anna", Role.REVIEWER)]
    }
    return topic_area, users


def _topic_url(base) -> str:
    return f"{base}/projects/caseloads/topics/caseload"


def _upload(page, base, name: str, data: bytes, source_name: str = "EconLit"):
    page.goto(f"{_topic_url(base)}/import/")
    page.get_by_label("Export file").set_input_files(
        {"name": name, "mimeType": "application/octet-stream", "buffer": data}
    )
    page.get_by_label("Database or source").fill(source_name)
    page.get_by_role("button", name="Import").click()
    page.wait_for_url(f"{_topic_url(base)}/imports/*/")


def _summary(page) -> dict[str, int]:
    page.get_by_test_id("import-summary").wait_for()
    return {
        name: int(page.get_by_test_id(f"summary-{name}").inner_text())
        for name in ["records", "imported", "in-file", "existing", "review"]
    }


def test_lead_imports_a_ris_file_and_settles_its_duplicates(live_server, page, review, axe_check):
    topic_area, users = review
    base = live_server.url
    login(page, base, "lead")
    page.goto(f"{_topic_url(base)}/import/")
    axe_check(page, "import-form")

    _upload(page, base, "econlit.ris", _ris(STUDIES))

    assert page.get_by_role("heading", name="Import of econlit.ris").is_visible()
    assert _summary(page) == {"records": 7, "imported": 6, "in-file": 1, "existing": 0, "review": 2}
    axe_check(page, "import-job")
    job = ImportJob.objects.get()
    assert (job.status, job.source.name, job.detected_format) == ("done", "EconLit", "ris")
    assert topic_area.records.count() == 7
    assert topic_area.records.filter(canonical__isnull=True).count() == 6

    page.get_by_role("link", name="Review possible duplicates").click()
    page.wait_for_url(f"{_topic_url(base)}/duplicates/")
    axe_check(page, "duplicates")
    pairs = page.get_by_test_id("duplicate-pair")
    assert pairs.count() == 2
    meetings_pair = pairs.filter(has_text="Do meetings at a distance help jobseekers find work")
    cards = meetings_pair.locator(".card")
    # Side by side: the article and the conference version, each with its citation.
    assert cards.count() == 2
    assert cards.nth(0).get_by_role("heading").inner_text() == MEETINGS["title"]
    assert cards.nth(1).get_by_role("heading").inner_text() == MEETINGS_ABSTRACT["title"]
    assert "44" in cards.nth(0).inner_text() and "45" in cards.nth(1).inner_text()
    assert "volume differs" in meetings_pair.inner_text()

    meetings_pair.get_by_role("button", name="Same record: merge").click()
    page.get_by_text("Merged: the two records are now one.").wait_for()
    article = Record.objects.get(doi=MEETINGS["doi"])
    abstract = Record.objects.get(title=MEETINGS_ABSTRACT["title"])
    assert (abstract.canonical, abstract.merged_by) == (article, users["lead"])
    assert article.canonical is None
    assert DuplicatePair.objects.get(record_b=abstract).status == DuplicatePair.Status.CONFIRMED

    matching_pair = page.get_by_test_id("duplicate-pair")
    assert MATCHING_ABSTRACT["title"] in matching_pair.inner_text()
    matching_pair.get_by_role("button", name="Different records: keep both").click()
    page.get_by_text("Kept apart: the two records stay separate.").wait_for()
    assert page.get_by_text("No pairs are waiting for review.").is_visible()
    other = Record.objects.get(title=MATCHING_ABSTRACT["title"])
    assert other.canonical is None
    pair = DuplicatePair.objects.get(record_b=other)
    assert (pair.status, pair.decided_by) == (DuplicatePair.Status.REJECTED, users["lead"])
    assert topic_area.records.filter(canonical__isnull=True).count() == 5

    # The merged list holds the automatic merge and the one just made; undo the first.
    merged = page.get_by_test_id("merged-record")
    assert merged.count() == 2
    automatic = merged.filter(has_text="automatic")
    assert CASELOADS["title"] in automatic.inner_text()
    automatic.get_by_role("button", name="Undo").click()
    page.get_by_text("Merge undone: the record is separate again.").wait_for()
    assert page.get_by_test_id("merged-record").count() == 1
    original, copy = Record.objects.filter(doi=CASELOADS["doi"]).order_by("position")
    copy.refresh_from_db()
    assert copy.canonical is None
    remembered = DuplicatePair.objects.get(record_a=original, record_b=copy)
    assert remembered.status == DuplicatePair.Status.REJECTED
    assert topic_area.records.filter(canonical__isnull=True).count() == 6
    axe_check(page, "duplicates-after-undo")


def test_second_upload_of_the_same_file_is_all_duplicates(live_server, page, review):
    topic_area, users = review
    base = live_server.url
    login(page, base, "anna")
    _upload(page, base, "econlit.ris", _ris(STUDIES))
    assert _summary(page)["imported"] == 6

    _upload(page, base, "psycinfo.ris", _ris(STUDIES), source_name="PsycInfo")

    summary = _summary(page)
    assert (summary["records"], summary["existing"], summary["in-file"], summary["imported"]) == (
        7,
        7,
        0,
        0,
    )
    second = Record.objects.filter(source__name="PsycInfo")
    assert second.count() == 7
    assert {record.canonical.source.name for record in second} == {"EconLit"}
    assert topic_area.records.filter(canonical__isnull=True).count() == 6
    page.get_by_role("link", name="See the records").click()
    assert page.get_by_test_id("record-row").count() == 7
    assert page.locator("[data-testid=record-row] .badge").count() == 7


def test_a_pdf_is_rejected_with_a_reason_and_nothing_is_kept(live_server, page, review, axe_check):
    topic_area, users = review
    base = live_server.url
    login(page, base, "lead")

    _upload(page, base, "search-strategy.ris", b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n")

    error = page.get_by_test_id("import-error")
    assert error.get_by_role("heading").inner_text() == (
        "The file was rejected; nothing from it was kept."
    )
    assert "search-strategy.ris" in error.inner_text()
    assert "PDF" in error.inner_text()
    assert page.get_by_test_id("import-summary").count() == 0
    axe_check(page, "import-job-failed")
    job = ImportJob.objects.get()
    assert job.status == ImportJob.Status.FAILED
    assert (Source.objects.count(), Record.objects.count(), DuplicatePair.objects.count()) == (
        0,
        0,
        0,
    )
    assert list(Path(settings.MEDIA_ROOT).rglob("search-strategy*")) == []


def test_job_page_polls_until_the_import_is_done(live_server, page, review, axe_check):
    # Eager tasks finish during the upload; queue one by hand to see the wait.
    topic_area, users = review
    job = import_job_create(
        topic_area=topic_area,
        actor=users["lead"],
        upload=SimpleUploadedFile("queued.ris", _ris(STUDIES[:4])),
        source_name="EconLit",
        enqueue=False,
    )
    login(page, live_server.url, "lead")
    page.goto(f"{live_server.url}{job.get_absolute_url()}")
    assert page.get_by_test_id("import-running").inner_text() == "Waiting for a worker…"
    assert page.get_by_role("progressbar", name="Import progress").is_visible()
    axe_check(page, "import-job-running")

    # Run the import just after a poll has been answered, so that it does not use the
    # connection the server thread shares with this one while a request does.
    with page.expect_response(lambda response: response.url.endswith(job.get_absolute_url())):
        pass
    import_run(job=job)

    # No reload: htmx swaps the status in within a poll or two.
    page.get_by_test_id("import-summary").wait_for(timeout=5_000)
    assert _summary(page) == {"records": 4, "imported": 4, "in-file": 0, "existing": 0, "review": 0}
    assert page.get_by_test_id("import-running").count() == 0
    assert page.get_by_role("link", name="Review possible duplicates").count() == 0


def test_reviewer_confirms_an_import_with_repaired_entries(live_server, page, review, axe_check):
    """A Scopus file with two unclosed braces in its abstracts: the page lists both repairs
    with nothing stored, and the reviewer's confirmation imports every record."""
    topic_area, _users = review
    base = live_server.url
    login(page, base, "anna")

    _upload(page, base, "scopus.bib", damaged_bib().encode(), source_name="Scopus")

    repairs = page.get_by_test_id("repair-list")
    repairs.wait_for()
    assert repairs.locator("li").all_inner_texts() == [
        "scopus.bib, entry 2 (line 13, key Author22020): repaired: unbalanced brace in "
        "abstract: closed at the end of the value",
        "scopus.bib, entry 4 (line 37, key Author42020): repaired: unbalanced brace in "
        "abstract: closed at the end of the value",
    ]
    axe_check(page, "import-repairs")
    assert topic_area.records.count() == 0
    assert ImportJob.objects.get().status == ImportJob.Status.NEEDS_CONFIRMATION

    page.get_by_role("button", name="Import with these repairs").click()

    page.get_by_text("Repairs accepted: the file is being imported.").wait_for()
    assert _summary(page)["records"] == 5
    assert topic_area.records.count() == 5
    assert ImportJob.objects.get().status == ImportJob.Status.DONE
