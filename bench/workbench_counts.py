"""How long the home page's work list takes to count on a large review (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/workbench \\
        .venv/bin/python bench/workbench_counts.py [--records 50000] [--runs 20]

Builds (once per size) a project with two topic areas of three dual stages; the first stage
of the first holds `--records` records, a tenth decided by the reviewer, a hundredth in
conflict, a hundredth on the reviewer's maybe pile. Times `work_for` and `progress_for` (the
home page's and the dashboard's reads) for the reviewer and the lead, and prints the medians
and the query counts.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/workbench")
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "reviewapp.settings")

import django  # noqa: E402
from benchdb import ensure_database  # noqa: E402

ensure_database(os.environ["DATABASE_URL"])
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from reviewapp.models import Membership, Project, Role, TopicArea  # noqa: E402
from reviewapp.queries import projects_for_user  # noqa: E402
from reviewapp.workbench import progress_for, work_for  # noqa: E402
from screening.models import (  # noqa: E402
    Decision,
    MaybeFlag,
    Record,
    ScreeningItem,
    Source,
    Stage,
)


def build(records: int) -> Project:
    slug = f"bench-workbench-{records}"
    project = Project.objects.filter(slug=slug).first()
    if project is not None:
        return project
    users = get_user_model()
    lead, _ = users.objects.get_or_create(username="bench-lead")
    reviewer, _ = users.objects.get_or_create(username="bench-reviewer")
    other, _ = users.objects.get_or_create(username="bench-other")
    project = Project.objects.create(slug=slug, title=f"Workbench bench {records}")
    for user, role in [(lead, Role.LEAD), (reviewer, Role.REVIEWER), (other, Role.REVIEWER)]:
        Membership.objects.create(project=project, user=user, role=role)
    for position in (1, 2):
        topic_area = TopicArea.objects.create(
            project=project, key=f"t{position}", title=f"Topic {position}", position=position
        )
        stages = [
            Stage.objects.create(
                topic_area=topic_area,
                position=n,
                name=f"Stage {n}",
                kind=Stage.Kind.ABSTRACT,
                reviewers_required=2,
            )
            for n in (1, 2, 3)
        ]
        if position != 1:
            continue
        source = Source.objects.create(topic_area=topic_area, name="Bench")
        Record.objects.bulk_create(
            [
                Record(topic_area=topic_area, source=source, position=n, title=f"Record {n}")
                for n in range(records)
            ],
            batch_size=5000,
        )
        ScreeningItem.objects.bulk_create(
            [
                ScreeningItem(stage=stages[0], record_id=pk, order_key=pk)
                for pk in source.records.values_list("pk", flat=True)
            ],
            batch_size=5000,
        )
        items = list(stages[0].items.order_by("pk").values_list("pk", flat=True))
        decided = items[: records // 10]
        conflicts = items[records // 10 : records // 10 + records // 100]
        maybes = items[-(records // 100) :]
        Decision.objects.bulk_create(
            [
                Decision(item_id=pk, stage=stages[0], reviewer=reviewer, value="include")
                for pk in decided + conflicts
            ]
            + [
                Decision(item_id=pk, stage=stages[0], reviewer=other, value="exclude")
                for pk in conflicts
            ],
            batch_size=5000,
        )
        ScreeningItem.objects.filter(pk__in=decided).update(decisions_made=1)
        ScreeningItem.objects.filter(pk__in=conflicts).update(decisions_made=2, status="conflict")
        MaybeFlag.objects.bulk_create(
            [MaybeFlag(item_id=pk, stage=stages[0], reviewer=reviewer) for pk in maybes]
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return project


def measure(user, runs: int) -> dict:
    projects = list(projects_for_user(user))
    timings = {"work": [], "progress": []}
    for _ in range(runs):
        for name, read in [("work", work_for), ("progress", progress_for)]:
            start = time.perf_counter()
            with CaptureQueriesContext(connection) as queries:
                read(user, projects)
            timings[name].append(time.perf_counter() - start)
            timings[f"{name}_queries"] = len(queries)
    return {
        name: (round(1000 * statistics.median(values), 1) if isinstance(values, list) else values)
        for name, values in timings.items()
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=20)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    start = time.perf_counter()
    build(args.records)
    print(f"data ready in {time.perf_counter() - start:.1f} s")
    users = get_user_model().objects
    for username in ("bench-reviewer", "bench-lead"):
        figures = measure(users.get(username=username), args.runs)
        work = work_for(
            users.get(username=username), list(projects_for_user(users.get(username=username)))
        )
        counts = {w.kind: w.count for works in work.values() for w in works if w.count}
        print(f"{username}: median ms {figures} counts {counts}")


if __name__ == "__main__":
    main()
