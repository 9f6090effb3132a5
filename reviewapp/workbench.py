"""What waits for a person: the home page's and the dashboard's work list.

The base app shows it but knows none of the work: screening (records waiting, conflicts,
maybe piles, failed imports) and grading (consensus, open comments) register a source when
they are ready, as they register the activity page's value filters. Each source answers for
all the person's projects at once, in a fixed number of queries however many projects,
topic areas and stages there are (the home page's query count does not grow with them).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from reviewapp.models import Project


@dataclass(frozen=True)
class Work:
    """One thing waiting for the person: "12 records waiting for you → Continue"."""

    project_id: int
    kind: str  # "assigned", "screen", "maybes", "conflicts", "imports", "consensus", "comments"
    count: int
    text: str  # the count in words, in the page's language
    where: str  # the topic area and stage it is in
    action: str  # the link's label: "Continue", "Resolve"...
    url: str
    # Sorted by topic area position, then stage position, then kind.
    order: tuple = ()


@dataclass(frozen=True)
class Progress:
    """A stage's progress bar on the dashboard."""

    project_id: int
    topic_area: str
    label: str
    done: int
    total: int
    detail: str
    url: str
    order: tuple = ()

    @property
    def percent(self) -> int:
        return round(100 * self.done / self.total) if self.total else 0


# A source takes the person, their projects (each with `my_role`, as
# `reviewapp.queries.projects_for_user` annotates it) and the page's `shared` dict (where a
# source keeps what its work and its progress both read, so a page reads it once), and
# returns what waits there.
WorkSource = Callable[[object, list[Project], dict], Iterable[Work]]
ProgressSource = Callable[[object, list[Project], dict], Iterable[Progress]]
_work_sources: list[WorkSource] = []
_progress_sources: list[ProgressSource] = []


def register_work_source(source: WorkSource) -> WorkSource:
    if source not in _work_sources:
        _work_sources.append(source)
    return source


def register_progress_source(source: ProgressSource) -> ProgressSource:
    if source not in _progress_sources:
        _progress_sources.append(source)
    return source


def work_for(user, projects: list[Project], shared: dict | None = None) -> dict[int, list[Work]]:
    """What waits for the user, by project id, in topic area and stage order. `shared`: the
    same dict for `work_for` and `progress_for` on one page."""
    shared = {} if shared is None else shared
    found: dict[int, list[Work]] = defaultdict(list)
    if not projects:
        return found
    for source in _work_sources:
        for work in source(user, projects, shared):
            if work.count:
                found[work.project_id].append(work)
    for works in found.values():
        works.sort(key=lambda work: work.order)
    return found


def progress_for(
    user, projects: list[Project], shared: dict | None = None
) -> dict[int, list[Progress]]:
    shared = {} if shared is None else shared
    found: dict[int, list[Progress]] = defaultdict(list)
    for source in _progress_sources:
        for progress in source(user, projects, shared):
            found[progress.project_id].append(progress)
    for rows in found.values():
        rows.sort(key=lambda row: row.order)
    return found
