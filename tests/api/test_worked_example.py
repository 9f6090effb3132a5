"""The worked example of docs/api.md runs as it is against a live server: the typed client is
generated from the live server's schema with the command the document gives, the Python block
is taken from the document, its BASE_URL and TOKEN set, and executed; then the database must
hold what it did. With eager tasks (the embedded default) and with a real Celery worker."""

import re
import subprocess
import sys
from pathlib import Path

import pytest

from grading.models import Comment, Result, Verdict
from reviewapp.api.tokens import api_token_create
from reviewapp.models import Project
from screening.models import Decision, ImportJob
from tests.factories.reviewapp import UserFactory

DOC = Path(__file__).resolve().parents[2] / "docs" / "api.md"

pytestmark = pytest.mark.django_db(transaction=True)


def worked_example() -> str:
    text = DOC.read_text()
    section = text.split("## Worked example", 1)[1]
    return re.search(r"```python\n(.*?)```", section, re.S).group(1)


def generate_client(base_url: str, folder: Path) -> None:
    """The document's command, run in `folder`, against the server's schema."""
    command = re.search(r"^(openapi-python-client generate .*)$", DOC.read_text(), re.M).group(1)
    arguments = command.split()[1:]
    arguments[arguments.index("--url") + 1] = f"{base_url}/api/schema/?format=json"
    generator = Path(sys.executable).with_name("openapi-python-client")
    done = subprocess.run(
        [str(generator), *arguments], cwd=folder, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert (folder / "reviewapp_api_client" / "api").is_dir(), done.stdout


@pytest.fixture
def client_on_path(live_server, tmp_path, monkeypatch):
    generate_client(live_server.url, tmp_path)
    monkeypatch.syspath_prepend(str(tmp_path))
    yield
    for name in [name for name in sys.modules if name.startswith("reviewapp_api_client")]:
        del sys.modules[name]


def _run(base_url: str, capsys) -> str:
    user = UserFactory(username="scripter")
    _token, raw = api_token_create(user=user, name="worked example")
    code = worked_example()
    code, settings_found = re.subn(
        r'^BASE_URL = ".*"$', f"BASE_URL = {base_url!r}", code, flags=re.M
    )
    code, token_found = re.subn(r'^TOKEN = ".*"(  #.*)?$', f"TOKEN = {raw!r}", code, flags=re.M)
    assert settings_found == token_found == 1, "the example sets BASE_URL and TOKEN once each"
    namespace = {"__name__": "worked_example"}
    try:
        exec(compile(code, str(DOC), "exec"), namespace)  # noqa: S102
    finally:
        # Its kept-alive connections hold the live server's threads, and with them their
        # database connections, which would block dropping the test database.
        if "client" in namespace:
            namespace["client"].get_httpx_client().close()
    return capsys.readouterr().out


def _check(output: str) -> None:
    project = Project.objects.get(slug="caseloads")
    assert project.memberships.get().user.username == "scripter"
    job = ImportJob.objects.get(topic_area__project=project)
    assert (job.status, job.summary["imported"]) == ("done", 2)
    assert Decision.objects.filter(item__stage__topic_area__project=project).count() == 4
    results = Result.objects.filter(study__topic_area__project=project).order_by("id")
    assert [r.intervention for r in results] == [
        "More caseworkers per job seeker",
        "Smaller caseloads for the long-term unemployed",
    ]
    assert results[1].participants == 14000 and results[1].version == 2
    verdict = Verdict.objects.get(category__key="caseload")
    assert verdict.stale_since is None and verdict.computed_level
    # The comment on the verdict, made from the verdict's own comment_target.
    comment = Comment.objects.get(project=project)
    assert (comment.target_kind, comment.target_id) == ("verdict", verdict.pk)
    assert comment.author.username == "scripter" and "enough" in comment.body
    # The result entered by mistake is in the bin, not among the results.
    binned = Result.all_objects.filter(study__topic_area__project=project, deleted_at__isnull=False)
    assert [(r.intervention, r.deleted_by.username) for r in binned] == [
        ("Smaller caseloads for the long-term unemployed", "scripter")
    ]
    lines = output.splitlines()
    assert lines[0] == "2 records imported"
    # Earlier screening entered by hand; with it, every box of the diagram adds up.
    assert lines[1] == "0 problems in the flow diagram"
    assert project.topic_areas.get().reported_flow == {
        "identified_databases": 1214,
        "duplicates": 212,
        "stage1_screened": 1002,
        "stage1_excluded": 1000,
    }
    assert lines[-4].startswith(f"{verdict.level} - ")
    assert lines[-3] == "comment on verdict Reduced caseload"
    assert lines[-2].startswith('attachment; filename="caseloads-report-') and ".xlsx" in lines[-2]
    assert lines[-1].startswith(f"{verdict.level} - ")


def test_worked_example_runs_against_a_live_server(live_server, client_on_path, capsys):
    _check(_run(live_server.url, capsys))


def test_worked_example_runs_with_a_real_worker(celery_worker, live_server, client_on_path, capsys):
    _check(_run(live_server.url, capsys))
