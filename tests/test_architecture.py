"""The structure of docs/developer/structure.md, checked: layers, no import cycles, and
imports inside functions only where they defer a heavy library (each with its reason)."""

import re
from pathlib import Path

import grimp
import pytest
from importlinter.cli import lint_imports

ROOT = Path(__file__).resolve().parent.parent
APPS = ("reviewapp", "screening", "grading")


@pytest.fixture(scope="module")
def graph():
    return grimp.build_graph(*APPS, cache_dir=None)


def test_import_contract_holds():
    # The contract is pyproject.toml's [tool.importlinter]: 0 means every contract kept.
    assert lint_imports(config_filename=str(ROOT / "pyproject.toml"), no_cache=True) == 0


def _cycles(graph) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for root in sorted(graph.modules):
        if root in index:
            continue
        work = [(root, iter(sorted(graph.find_modules_directly_imported_by(root))))]
        index[root] = low[root] = counter
        counter += 1
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append(
                        (child, iter(sorted(graph.find_modules_directly_imported_by(child))))
                    )
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                parent = work[-1][0]
                low[parent] = min(low[parent], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def test_no_import_cycle_among_the_apps_modules(graph):
    assert _cycles(graph) == []


def test_cycle_finder_finds_a_cycle():
    # The check above must be able to fail: a graph with a cycle of three modules.
    cyclic = grimp.ImportGraph()
    for importer, imported in [("a.x", "a.y"), ("a.y", "a.z"), ("a.z", "a.x"), ("a.z", "a.w")]:
        cyclic.add_import(importer=importer, imported=imported)
    assert _cycles(cyclic) == [["a.x", "a.y", "a.z"]]


NOQA = re.compile(r"#\s*noqa:[^#\n]*\bPLC0415\b(?P<rest>[^\n]*)")


def test_every_import_inside_a_function_says_why():
    """Ruff's PLC0415 refuses an import inside a function; where one defers a heavy library
    (or keeps a task module a leaf) its noqa carries the reason after `--`."""
    silent = []
    for app in APPS:
        for path in sorted((ROOT / app).rglob("*.py")):
            for number, line in enumerate(path.read_text().splitlines(), start=1):
                match = NOQA.search(line)
                if match and not re.search(r"--\s*\w+", match.group("rest")):
                    silent.append(f"{path.relative_to(ROOT)}:{number}")
    assert silent == []


def test_every_task_the_code_enqueues_by_name_is_a_registered_task():
    # Services enqueue tasks by name (tasks are leaves), and the beat schedule names the
    # periodic ones; a misspelt name would fail only when sent (a service's send is then
    # taken for a broker outage).
    from django.conf import settings

    from reviewapp.celery import app

    app.loader.import_default_modules()
    named = {
        name
        for app_name in APPS
        for path in (ROOT / app_name).rglob("*.py")
        for name in re.findall(r'enqueue_on_commit\(\s*"([\w.]+)"', path.read_text())
    }
    assert "screening.tasks.ranking_retrain_task" in named  # the pattern finds them
    named |= {entry["task"] for entry in settings.CELERY_BEAT_SCHEDULE.values()}
    named.add("grading.tasks.verdicts_recover_task")  # run by name on a (re)connect
    assert sorted(name for name in named if name not in app.tasks) == []
