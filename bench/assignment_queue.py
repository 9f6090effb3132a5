"""What assignments cost the screening queue on a large single-reviewer stage (PostgreSQL).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/assignments \\
        .venv/bin/python bench/assignment_queue.py [--records 50000] [--runs 30]

Builds (once per size) a stage of `--records` records, a tenth decided. Times, for a
reviewer, reading the stage as the screening page does (with whether they may screen it and
whether records are assigned there) and the queue's next record (`screening_next` without a
claim), with no assignments, with 500 records assigned to another reviewer, and with 500
assigned to the reviewer; prints the medians and the query counts.
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
os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/assignments")
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
from screening.models import Decision, Record, ScreeningItem, Source, Stage  # noqa: E402
from screening.services import screening as services  # noqa: E402

ASSIGNED = 500


def build(records: int) -> Stage:
    slug = f"bench-assignments-{records}"
    project = Project.objects.filter(slug=slug).first()
    if project is not None:
        return Stage.objects.get(topic_area__project=project)
    users = get_user_model()
    people = [users.objects.get_or_create(username=f"bench-{name}")[0] for name in ("a", "b")]
    project = Project.objects.create(slug=slug, title=f"Assignment bench {records}")
    for user in people:
        Membership.objects.create(project=project, user=user, role=Role.REVIEWER)
    topic_area = TopicArea.objects.create(project=project, key="t", title="Topic")
    stage = Stage.objects.create(
        topic_area=topic_area, position=1, name="Title", kind=Stage.Kind.TITLE
    )
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
            ScreeningItem(stage=stage, record_id=pk, order_key=pk)
            for pk in source.records.values_list("pk", flat=True)
        ],
        batch_size=5000,
    )
    decided = list(stage.items.order_by("pk").values_list("pk", flat=True)[: records // 10])
    Decision.objects.bulk_create(
        [Decision(item_id=pk, stage=stage, reviewer=people[1], value="exclude") for pk in decided],
        batch_size=5000,
    )
    ScreeningItem.objects.filter(pk__in=decided).update(decisions_made=1, status="excluded")
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    return stage


def assign(stage: Stage, user) -> None:
    """The last ASSIGNED pending records in queue order to `user` (or to nobody)."""
    ScreeningItem.objects.filter(stage=stage).update(assigned_to=None)
    if user is not None:
        last = stage.items.filter(status="pending").order_by("-order_key")[:ASSIGNED]
        ScreeningItem.objects.filter(pk__in=list(last.values_list("pk", flat=True))).update(
            assigned_to=user
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE screening_screeningitem")


def measure(stage: Stage, reviewer, runs: int) -> dict:
    timings = {"stage": [], "next": []}
    for _ in range(runs):
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as stage_queries:
            read = (
                Stage.objects.select_related("topic_area")
                .annotate(
                    **services.stage_reviewer_check(reviewer),
                    **services.stage_assignment_check(reviewer),
                )
                .get(pk=stage.pk)
            )
        timings["stage"].append(time.perf_counter() - start)
        start = time.perf_counter()
        with CaptureQueriesContext(connection) as next_queries:
            item = services.screening_next(stage=read, reviewer=reviewer, claim=False)
        timings["next"].append(time.perf_counter() - start)
    return {
        "stage_ms": round(1000 * statistics.median(timings["stage"]), 2),
        "next_ms": round(1000 * statistics.median(timings["next"]), 2),
        "queries": len(stage_queries) + len(next_queries),
        "assigned_next": item.assigned_to_id is not None,
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=30)
    args = parser.parse_args()
    call_command("migrate", verbosity=0)
    stage = build(args.records)
    reviewer, other = (get_user_model().objects.get(username=f"bench-{n}") for n in ("a", "b"))
    print(f"{args.records} records, {ASSIGNED} assigned, medians of {args.runs} runs")
    for label, assignee in [("none", None), ("to another", other), ("to the reviewer", reviewer)]:
        assign(stage, assignee)
        print(f"  assigned {label:16} {measure(stage, reviewer, args.runs)}")
    assign(stage, None)


if __name__ == "__main__":
    main()
