"""screening's modules import each other one way: no cycle, tasks are leaves, no
re-exports, and an import inside a function says why it is there."""

import ast
import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
APP = ROOT / "screening"


def _module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


# `# noqa: PLC0415 -- <why>` (other codes may come with it).
REASON = re.compile(r"# noqa: [A-Z0-9, ]*PLC0415[A-Z0-9, ]* -- \S")

MODULES = {_module_name(path): path for path in APP.rglob("*.py") if "migrations" not in path.parts}


def _top_level(tree: ast.Module) -> set[int]:
    """The statements that run at import time (`if TYPE_CHECKING:` blocks included)."""
    nodes = list(tree.body)
    nodes += [child for node in tree.body if isinstance(node, ast.If) for child in node.body]
    return set(map(id, nodes))


def _imports(path: Path, *, deferred: bool) -> list[tuple[str, ast.stmt]]:
    """The screening modules `path` imports: at module level, or (deferred) inside
    functions."""
    tree = ast.parse(path.read_text())
    top = _top_level(tree)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Import | ast.ImportFrom):
            continue
        if (id(node) in top) == deferred:
            continue
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            base = node.module or ""
            names = [base] + [f"{base}.{alias.name}" for alias in node.names]
        found += [(name, node) for name in names if name in MODULES]
    return found


def _graph() -> dict[str, set[str]]:
    graph = {name: set() for name in MODULES}
    for name, path in MODULES.items():
        for target, _node in _imports(path, deferred=False):
            graph[name].add(target)
            # Importing a submodule runs its package's __init__ first.
            parent = target.rpartition(".")[0]
            if parent in MODULES and parent != name:
                graph[name].add(parent)
    return graph


def test_screening_modules_import_no_cycle():
    graph = _graph()
    cycles, state = [], {}

    def visit(name, trail):
        state[name] = "open"
        for target in sorted(graph[name]):
            if state.get(target) == "open":
                cycles.append([*trail[trail.index(target) :], target])
            elif target not in state:
                visit(target, [*trail, target])
        state[name] = "done"

    for name in sorted(graph):
        if name not in state:
            visit(name, [name])
    assert cycles == []


def test_services_are_never_imported_by_the_task_module_at_import_time():
    imported = {target for target, _node in _imports(APP / "tasks.py", deferred=False)}
    assert not {name for name in imported if name.startswith("screening.services")}


@pytest.mark.parametrize("package", ["screening.services"])
def test_a_package_init_re_exports_nothing(package):
    tree = ast.parse(MODULES[package].read_text())
    assert [type(node).__name__ for node in tree.body if not isinstance(node, ast.Expr)] == []


def test_an_import_inside_a_function_gives_its_reason():
    unexplained = []
    for name, path in MODULES.items():
        lines = path.read_text().splitlines()
        tree = ast.parse("\n".join(lines))
        top = _top_level(tree)
        for node in ast.walk(tree):
            if (
                isinstance(node, ast.Import | ast.ImportFrom)
                and id(node) not in top
                and not REASON.search(lines[node.lineno - 1])
            ):
                unexplained.append(f"{name}:{node.lineno}")
    assert unexplained == []
