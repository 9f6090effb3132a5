"""One retrain of a stage's ranking on N records in PostgreSQL, the way the Celery task runs it.

    .venv/bin/python bench/ranking_retrain.py [--records 10000] [--labelled 1000]
        [--prepared] [--database-url postgres://postgres@127.0.0.1:5432/reviewapp_ranking_bench]

Builds (in its own database, created and migrated when needed) a project whose N records
are the titles and abstracts of ../shared/data/screening/nudging.csv cycled, numbered so
no two are equal; sets up screening (one stage of title and abstract) and settles the first
--labelled items by the set's labels (their status, which is what the ranking learns from).
Then times `ranking_retrain` three times: the first computes and stores the features; the
second and third, after one more decision each, load them and fit the model only — the
retrain a reviewer's decisions trigger. --prepared: the features are computed and kept
first by `ranking_features_prepare`, as the worker does when a stage is switched to
prioritised order or an import adds records to it (run 0), so the first retrain loads
them too. Prints one JSON line per run (total seconds, and
how long the database reads and the score writes took is the rest beside the model). The
bench project is deleted afterwards.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from benchdb import ensure_database  # noqa: E402

DATA = Path(
    os.environ.get("SHARED_DATA_DIR", Path(__file__).resolve().parents[2] / "shared" / "data")
)
SLUG = "bench-ranking"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--records", type=int, default=10_000)
    parser.add_argument("--labelled", type=int, default=1_000)
    parser.add_argument("--prepared", action="store_true", help="features kept ahead (run 0)")
    parser.add_argument(
        "--database-url", default="postgres://postgres@127.0.0.1:5432/reviewapp_ranking_bench"
    )
    args = parser.parse_args()
    os.environ.update(
        {
            "DJANGO_SETTINGS_MODULE": "reviewapp.settings",
            "DATABASE_URL": args.database_url,
            "SECRET_KEY": "bench-ranking-not-secret",
            "DEBUG": "false",
            "LOG_LEVEL": "WARNING",
            "MEDIA_ROOT": tempfile.mkdtemp(prefix="bench-ranking-"),
        }
    )
    ensure_database(args.database_url)
    import django

    django.setup()
    from django.contrib.auth import get_user_model
    from django.core.management import call_command

    from reviewapp.models import Project
    from reviewapp.services import project_create, topic_area_create
    from screening.models import Record, ScreeningItem, Source
    from screening.services import ranking as ranking_services
    from screening.services.screening import stages_set_up

    call_command("migrate", verbosity=0)
    Project.objects.filter(slug=SLUG).delete()
    with (DATA / "screening" / "nudging.csv").open(encoding="utf-8", newline="") as handle:
        rows = list(csv.DictReader(handle))
    user, _created = get_user_model().objects.get_or_create(username="bench-ranking")
    project = project_create(creator=user, title="Ranking bench", slug=SLUG, language="en")
    topic = topic_area_create(project=project, actor=user, key="bench", title="Bench")
    source = Source.objects.create(topic_area=topic, name="nudging.csv")
    labels = []
    records = []
    for i in range(args.records):
        row = rows[i % len(rows)]
        labels.append(row["included"] == "1")
        records.append(
            Record(
                topic_area=topic,
                source=source,
                position=i,
                title=f"{row['title']} {i}",
                abstract=row["abstract"],
            )
        )
    Record.objects.bulk_create(records, batch_size=2000)
    stage = stages_set_up(topic_area=topic, actor=user, preset="two")[0]
    items = list(stage.items.order_by("record__position").values_list("id", flat=True))

    def settle(upto: int) -> None:
        for status, wanted in [("included", True), ("excluded", False)]:
            ScreeningItem.objects.filter(
                pk__in=[items[i] for i in range(upto) if labels[i] == wanted]
            ).update(status=status, decisions_made=1)

    settle(args.labelled)
    try:
        if args.prepared:
            started = time.perf_counter()
            ranking_services.ranking_features_prepare(stage=stage)
            seconds = time.perf_counter() - started
            print(json.dumps({"run": 0, "features": "prepared", "seconds": round(seconds, 3)}))
        for run in range(3):
            if run:
                settle(args.labelled + run)
            started = time.perf_counter()
            ranking = ranking_services.ranking_retrain(stage=stage)
            seconds = time.perf_counter() - started
            print(
                json.dumps(
                    {
                        "run": run + 1,
                        "features": "computed" if run == 0 and not args.prepared else "loaded",
                        "records": args.records,
                        "labelled": ranking.labels,
                        "scored": ranking.scored,
                        "status": ranking.status,
                        "seconds": round(seconds, 3),
                    }
                ),
                flush=True,
            )
    finally:
        Project.objects.filter(slug=SLUG).delete()


if __name__ == "__main__":
    main()
