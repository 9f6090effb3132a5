"""Reusable querysets for sources, records, duplicates, screening and the flow."""

from collections import Counter, defaultdict

from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db.models import (
    BooleanField,
    CharField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Func,
    IntegerField,
    Min,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
)
from django.db.models.functions import Cast, Coalesce
from django.utils.translation import gettext as _

from reviewapp.models import SCREENING_ROLES, AuditEntry, TopicArea
from screening import agreement, flow, ranking
from screening.models import (
    Decision,
    DuplicatePair,
    ImportJob,
    MaybeFlag,
    Record,
    RecordLabel,
    ScreeningItem,
    Source,
    Stage,
)
from screening.rules import can_see_others_decisions, others_decisions_filter


def project_screeners(project_id: int) -> QuerySet:
    """The project's leads and reviewers (SCREENING_ROLES: who may screen and extract, not
    its peer reviewers), by username."""
    return (
        get_user_model()
        .objects.filter(memberships__project_id=project_id, memberships__role__in=SCREENING_ROLES)
        .order_by("username")
    )


def sources_with_counts(topic_area: TopicArea) -> QuerySet[Source]:
    """Each source with records imported, duplicates within its file and of earlier records.

    Derived from the records rather than stored, so merges and undos show at once.
    """
    duplicate = Q(records__canonical__isnull=False)
    return topic_area.sources.annotate(
        records_stored=Count("records"),
        unique_records=Count("records", filter=Q(records__canonical__isnull=True)),
        duplicates_in_file=Count(
            "records", filter=duplicate & Q(records__canonical__source=F("pk"))
        ),
        duplicates_existing=Count(
            "records", filter=duplicate & ~Q(records__canonical__source=F("pk"))
        ),
    ).order_by("created_at", "id")


def record_counts(topic_area: TopicArea) -> dict[str, int]:
    return topic_area.records.aggregate(
        total=Count("id"),
        unique=Count("id", filter=Q(canonical__isnull=True)),
        duplicates=Count("id", filter=Q(canonical__isnull=False)),
        missing_title=Count("id", filter=Q(title="")),
    )


def pending_pairs(topic_area: TopicArea) -> QuerySet[DuplicatePair]:
    return topic_area.duplicate_pairs.filter(status=DuplicatePair.Status.PENDING).select_related(
        "record_a__source", "record_b__source"
    )


def merged_records(topic_area: TopicArea) -> QuerySet[Record]:
    return (
        topic_area.records.filter(canonical__isnull=False)
        .select_related("source", "canonical__source", "merged_by")
        .order_by("-merged_at", "-id")
    )


def recent_imports(topic_area: TopicArea, limit: int = 10) -> QuerySet[ImportJob]:
    return topic_area.import_jobs.select_related("created_by")[:limit]


def stages_with_progress(topic_area: TopicArea) -> QuerySet[Stage]:
    """The topic area's stages with their items counted by status, in one query.

    "pending" leaves out full texts marked not retrievable: nobody is waiting on them, and
    they are counted as "not_retrieved".
    """
    status = ScreeningItem.Status
    # Counted through a join, which the items' manager does not filter: the bin is left out
    # here (reviewapp.softdelete).
    unique = Q(items__record__canonical__isnull=True, items__deleted_at__isnull=True)
    missing = Q(items__record__fulltext__not_retrievable=True)
    counts = {
        name: Count("items", filter=unique & Q(items__status=value))
        for name, value in [
            ("maybe", status.MAYBE),
            ("conflicts", status.CONFLICT),
            ("included", status.INCLUDED),
            ("excluded", status.EXCLUDED),
        ]
    }
    pending = unique & Q(items__status=status.PENDING)
    return topic_area.stages.annotate(
        total=Count("items", filter=unique),
        pending=Count("items", filter=pending & ~missing),
        not_retrieved=Count("items", filter=pending & missing),
        maybes_waiting=Coalesce(maybes_waiting(), 0),
        **counts,
    ).order_by("position")


# The stage's figures on the screening page may lag this many seconds: counting a large
# stage on every decision cost more than the rest of the round trip together.
STAGE_PROGRESS_SECONDS = 5


def stage_progress(stage: Stage, reviewer) -> dict[str, int]:
    """Figures for the progress bars: the stage's settled share (at most a few seconds
    old) and the reviewer's own count (exact). A full text that cannot be had is settled:
    it is a report not retrieved."""
    figures = dict(
        cache.get_or_set(
            f"stage-progress:{stage.pk}",
            lambda: _stage_figures(stage),
            timeout=STAGE_PROGRESS_SECONDS,
        )
    )
    # The reviewer's decisions and maybe pile counted in one round trip.
    figures.update(
        Stage.objects.filter(pk=stage.pk)
        .annotate(
            mine=count_of(Decision.objects.filter(stage=stage, reviewer=reviewer)),
            flagged=count_of(maybe_pile(stage, reviewer)),
            parked=count_of(
                Decision.objects.filter(
                    stage=stage, reviewer=reviewer, item__status=ScreeningItem.Status.MAYBE
                )
            ),
        )
        .values("mine", "flagged", "parked")
        .get()
    )
    # A "maybe" decision (made before maybes were flags, or through the API) parks the
    # record on the pile too.
    figures["maybes"] = figures.pop("flagged") + figures.pop("parked")
    return figures


def count_of(rows: QuerySet) -> Coalesce:
    """The rows' number, as a subquery for an annotation (0 when none)."""
    return Coalesce(
        Subquery(
            # COUNT as a plain function: no GROUP BY, one row however many match.
            rows.order_by().values(n=Func("pk", function="COUNT"))[:1],
            output_field=IntegerField(),
        ),
        0,
    )


def maybe_pile(stage: Stage, reviewer) -> QuerySet[MaybeFlag]:
    """The reviewer's maybe pile at the stage: their flags on records still waiting."""
    return MaybeFlag.objects.filter(
        stage=stage,
        reviewer=reviewer,
        item__status=ScreeningItem.Status.PENDING,
        item__deleted_at__isnull=True,  # a join: the items' manager does not hide the bin here
    )


def maybes_waiting() -> Subquery:
    """For an annotation on stages: how many records wait on somebody's maybe pile
    (a lead's figure; whose they are stays private)."""
    return Subquery(
        MaybeFlag.objects.filter(
            stage_id=OuterRef("pk"),
            item__status=ScreeningItem.Status.PENDING,
            item__deleted_at__isnull=True,
        )
        .order_by()
        .values("stage_id")
        .annotate(n=Count("item_id", distinct=True))
        .values("n")[:1],
        output_field=IntegerField(),
    )


def _stage_figures(stage: Stage) -> dict[str, int]:
    status = ScreeningItem.Status
    settled = Q(status__in=[status.INCLUDED, status.EXCLUDED])
    if stage.kind == Stage.Kind.FULLTEXT:
        # Only full texts can be marked not retrievable: the join to them costs more than
        # the rest of the count (55 against 22 ms on 50,000 items), so only here.
        settled |= Q(status=status.PENDING, record__fulltext__not_retrievable=True)
    if stage.stopped_at is not None:
        # A lead stopped screening here: the records nobody read are excluded by the rule
        # (as in the flow diagram), so nothing waits.
        settled |= Q(status=status.PENDING, decisions_made=0)
    figures = stage.items.aggregate(
        total=Count("id"),
        settled=Count("id", filter=settled),
        conflicts=Count("id", filter=Q(status=status.CONFLICT)),
    )
    figures["percent"] = (
        round(100 * figures["settled"] / figures["total"]) if figures["total"] else 0
    )
    return figures


def stage_items(
    stage: Stage, *, viewer, status: str = "", reviewer=None, maybe_of=None
) -> QuerySet[ScreeningItem]:
    """Items of a stage with their record and the decisions `viewer` may see (blinding:
    `screening.rules.can_see_others_decisions`), for the read-only list. `reviewer`: only
    the items that reviewer decided. `maybe_of`: only that reviewer's maybe pile (their
    private flags; nobody else's pile is listed)."""
    items = (
        stage.items.filter(record__canonical__isnull=True)
        .select_related("record__source", "resolved_by", "assigned_to")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.filter(
                    others_decisions_filter(viewer, stage)
                ).select_related("reviewer"),
            )
        )
        .order_by("order_key", "id")
    )
    if status:
        items = items.filter(status=status)
    if reviewer is not None:
        items = items.filter(decisions__reviewer=reviewer)
    if maybe_of is not None:
        # Their flags, and a "maybe" decision of theirs made before maybes were flags (or
        # through the API) that parks a single-reviewer record.
        flagged = MaybeFlag.objects.filter(item=OuterRef("pk"), reviewer=maybe_of)
        parked = Decision.objects.filter(item=OuterRef("pk"), reviewer=maybe_of)
        items = items.filter(
            Exists(flagged) | (Q(status=ScreeningItem.Status.MAYBE) & Exists(parked))
        )
    return items


# The filters of a stage's list of records, which stage_items_filtered reads: the page's
# filter form (StageRecordFilterForm) and the API's (StageRecordFilterSerializer) have these.
STAGE_ITEM_FILTERS = (
    "q",
    "status",
    "decision",
    "reason",
    "reviewer",
    "assigned",
    "label",
    "source",
    "year_from",
    "year_to",
    "mine",
    "maybe",
)


def stage_items_filtered(stage: Stage, *, viewer, filters: dict) -> QuerySet[ScreeningItem]:
    """`stage_items` narrowed by the stage list's filters (STAGE_ITEM_FILTERS: the filter
    form's cleaned data, or the API's; an empty value filters nothing), with each record's
    labels: `reviewer`, `label` and `source` are the objects (or their ids).

    A filter on decisions (their value, reason or reviewer) reads only the decisions the
    viewer may see (blinding: `others_decisions_filter`), so a blinded reviewer cannot learn
    another's decision by filtering for it."""
    items = stage_items(
        stage,
        viewer=viewer,
        status=filters.get("status") or "",
        reviewer=viewer if filters.get("mine") else None,
        maybe_of=viewer if filters.get("maybe") else None,
    ).prefetch_related("record__record_labels__label")
    if filters.get("q"):
        words = filters["q"]
        items = items.filter(
            Q(record__title__icontains=words) | Q(record__abstract__icontains=words)
        )
    if filters.get("label"):
        items = items.filter(
            Exists(RecordLabel.objects.filter(record=OuterRef("record"), label=filters["label"]))
        )
    if filters.get("source"):
        items = items.filter(record__source=filters["source"])
    if filters.get("assigned"):
        items = items.filter(assigned_to=filters["assigned"])
    if filters.get("year_from"):
        items = items.filter(record__year__gte=filters["year_from"])
    if filters.get("year_to"):
        items = items.filter(record__year__lte=filters["year_to"])
    seen = {}
    if filters.get("decision"):
        seen["value"] = filters["decision"]
    if filters.get("reason"):
        seen["reason"] = filters["reason"]
    if filters.get("reviewer"):
        seen["reviewer"] = filters["reviewer"]
    if seen:
        visible = Decision.objects.filter(item=OuterRef("pk")).filter(
            others_decisions_filter(viewer, stage)
        )
        matched = Exists(visible.filter(**seen))
        if set(seen) == {"reason"}:
            # A lead's resolution gives the record its reason too, seen by everyone.
            matched |= Q(resolved_by__isnull=False, exclusion_reason=seen["reason"])
        items = items.filter(matched)
    return items


def _conflicts(stage: Stage) -> QuerySet[ScreeningItem]:
    return stage.items.filter(
        status=ScreeningItem.Status.CONFLICT, record__canonical__isnull=True
    ).order_by("order_key", "id")


def next_conflict(stage: Stage, *, after: ScreeningItem | None = None) -> ScreeningItem | None:
    """The stage's first conflict in queue order, or the first after `after` (a lead who
    skips one); with its record."""
    conflicts = _conflicts(stage)
    if after is not None:
        conflicts = conflicts.filter(
            Q(order_key__gt=after.order_key) | Q(order_key=after.order_key, id__gt=after.pk)
        )
    item = conflicts.select_related("record").first()
    if item is not None:
        item.stage = stage
    return item


def conflicts_left(stage: Stage) -> int:
    return _conflicts(stage).count()


def decisions_visible_to(user, stage: Stage) -> QuerySet[Decision]:
    """The stage's decisions the user may see (blinding: `can_see_others_decisions`)."""
    return Decision.objects.filter(stage=stage).filter(others_decisions_filter(user, stage))


def items_mark_blinding(user, items) -> None:
    """Mark each item (its stage and topic area known) with what the user may see of the
    others' work: `others_hidden`, and `reason_shown`, the stage's exclusion reason unless
    it was derived from decisions the user may not see (a lead's resolution is the lead's)."""
    for item in items:
        item.others_hidden = not can_see_others_decisions(user, item)
        item.reason_shown = (
            item.exclusion_reason if item.resolved_by_id or not item.others_hidden else ""
        )


def decisions_shown(user, item: ScreeningItem, decisions) -> list[Decision]:
    """Of one item's decisions (read by the caller), those the user may see."""
    if can_see_others_decisions(user, item):
        return list(decisions)
    return [decision for decision in decisions if decision.reviewer_id == user.pk]


def screened_in_order(stage: Stage) -> list[bool]:
    """Whether each settled record of the stage was included, in the order the records were
    first decided: the found-against-screened curve, the estimate and the stopping rules
    read this."""
    return [
        status == ScreeningItem.Status.INCLUDED
        for status in stage.items.filter(
            status__in=[ScreeningItem.Status.INCLUDED, ScreeningItem.Status.EXCLUDED]
        )
        .annotate(first=Min("decisions__decided_at"))
        .order_by(F("first").asc(nulls_last=True), "id")
        .values_list("status", flat=True)
    ]


def unscreened_count(stage: Stage) -> int:
    """Pending records nobody has decided yet: what a stopping rule would exclude."""
    return stage.items.filter(
        status=ScreeningItem.Status.PENDING, decisions_made=0, record__canonical__isnull=True
    ).count()


def stage_prioritisation(stage: Stage) -> dict:
    """The stage dashboard's figures: the curve, the estimate of relevant records left and
    the advice of the stage's stopping rule."""
    in_order = screened_in_order(stage)
    unscreened = unscreened_count(stage)
    estimate = ranking.remaining_estimate(in_order, unscreened)
    advice = ranking.stopping_advice(
        stage.stopping_rule, stage.stopping_threshold, in_order, unscreened
    )
    return {
        "screened": len(in_order),
        "found": sum(in_order),
        "unscreened": unscreened,
        "estimate": estimate,
        "advice": advice,
        "streak": ranking.irrelevant_streak(in_order),
        "in_order": in_order,
    }


def my_decisions(stage: Stage, reviewer) -> QuerySet[Decision]:
    return Decision.objects.filter(stage=stage, reviewer=reviewer).order_by("-decided_at", "-id")


def decision_pairs(stage: Stage) -> list[tuple[int, int, str]]:
    """(record, reviewer, decision) for every decision at the stage, for agreement."""
    return list(
        Decision.objects.filter(item__stage=stage).values_list(
            "item__record_id", "reviewer_id", "value"
        )
    )


def reviewer_names(project) -> dict[int, str]:
    """The name to print for everyone who screened in the project, by user id: members by
    username, people who have left as "username (former member)". Their decisions stay in
    the agreement figures, as they stay in the flow."""
    members = dict(project.memberships.values_list("user_id", "user__username"))
    decided = (
        get_user_model()
        .objects.filter(screening_decisions__stage__topic_area__project=project)
        .exclude(pk__in=list(members))
        .distinct()
        .values_list("pk", "username")
    )
    former = {pk: _("%(name)s (former member)") % {"name": name} for pk, name in decided}
    return {**members, **former}


def agreement_rows(stages, names: dict[int, str]) -> list[dict]:
    """Agreement per reviewer pair on the records both decided, for the dual stages: the
    screening pages, the agreement CSV, the report's table and the API all show these."""
    by_stage = {
        stage.name: agreement.agreement_by_pair(decision_pairs(stage))
        for stage in stages
        if stage.dual
    }
    return agreement.agreement_rows(by_stage, names=names)


# The flow's name for pending records at a full-text stage marked not retrievable.
NOT_RETRIEVED = "not_retrieved"
# Its name for the unscreened records of a stage a lead stopped by a stopping rule.
BY_RULE = "by_rule"

_FLOW_KINDS = {
    Source.Kind.DATABASE: flow.SourceKind.DATABASE,
    Source.Kind.SNOWBALLING: flow.SourceKind.SNOWBALLING,
    Source.Kind.OTHER: flow.SourceKind.OTHER,
}


def topic_area_flow(topic_area: TopicArea, language: str = "en") -> tuple[flow.FlowInput, dict]:
    """The PRISMA 2020 flow of a topic area, counted from its records and decisions, with
    the counts a lead entered by hand laid over it; and the records still undecided per
    stage (which the identities will show as gaps until screening is done).

    Database searches feed PRISMA's databases column; snowballing and other sources its
    other-methods column, whose records PRISMA counts from reports sought on.
    """
    sources = list(topic_area.sources.annotate(n=Count("records")).order_by("created_at", "id"))
    other_kinds = [Source.Kind.SNOWBALLING, Source.Kind.OTHER]
    duplicates = topic_area.records.filter(
        canonical__isnull=False, source__kind=Source.Kind.DATABASE
    ).count()
    stages = list(topic_area.stages.order_by("position"))
    status = ScreeningItem.Status
    counted = (
        ScreeningItem.objects.filter(stage__topic_area=topic_area, record__canonical__isnull=True)
        .annotate(
            other=ExpressionWrapper(
                Q(record__source__kind__in=other_kinds), output_field=BooleanField()
            )
        )
        .annotate(
            unseen=ExpressionWrapper(
                Q(status=status.PENDING, decisions_made=0, stage__stopped_at__isnull=False),
                output_field=BooleanField(),
            )
        )
        .values(
            "stage_id",
            "other",
            "status",
            "exclusion_reason",
            "record__fulltext__not_retrievable",
            "unseen",
        )
        .annotate(n=Count("id"))
    )
    totals: dict[tuple[int, bool], Counter] = defaultdict(Counter)
    reasons: dict[tuple[int, bool], Counter] = defaultdict(Counter)
    for row in counted:
        key = (row["stage_id"], row["other"])
        # A record whose full text cannot be had waits for nobody: it is a report not
        # retrieved (the full-text services refuse the mark once anyone has decided it).
        if row["status"] == status.PENDING and row["record__fulltext__not_retrievable"]:
            totals[key][NOT_RETRIEVED] += row["n"]
            continue
        if row["unseen"]:
            # A lead stopped screening here: nobody will read these, the rule excluded them.
            totals[key][status.EXCLUDED] += row["n"]
            totals[key][BY_RULE] += row["n"]
            continue
        totals[key][row["status"]] += row["n"]
        if row["status"] == status.EXCLUDED:
            for reason in (row["exclusion_reason"] or "").split("; "):
                if reason:
                    reasons[key][reason] += row["n"]

    waiting = (status.PENDING, status.MAYBE, status.CONFLICT)

    def undecided_at(stage, other=False) -> int:
        return sum(totals[(stage.pk, other)][value] for value in waiting)

    def screened(stage, other=False) -> int:
        """Decided records: the rule's are among the excluded; undecided ones in no box."""
        counts = totals[(stage.pk, other)]
        return sum(counts.values()) - counts[BY_RULE] - undecided_at(stage, other)

    record_stages = [stage for stage in stages if stage.kind != Stage.Kind.FULLTEXT]
    fulltext_stage = next((stage for stage in stages if stage.kind == Stage.Kind.FULLTEXT), None)

    def retrieval(other: bool) -> flow.Retrieval:
        if fulltext_stage is None:
            return flow.Retrieval(flow.ZERO, flow.ZERO, flow.ZERO, flow.ZERO)
        sought = screened(fulltext_stage, other)
        key = (fulltext_stage.pk, other)
        missing = totals[key][NOT_RETRIEVED]
        return flow.Retrieval(
            sought=flow.Count(sought),
            not_retrieved=flow.Count(missing),
            assessed=flow.Count(sought - missing),
            excluded=flow.Count(totals[key][status.EXCLUDED]),
            excluded_by_reason=dict(reasons[key]),
            undecided=undecided_at(fulltext_stage, other),
        )

    has_other = any(source.kind in other_kinds for source in sources)
    included = (
        sum(totals[(fulltext_stage.pk, other)][status.INCLUDED] for other in (False, True))
        if fulltext_stage
        else 0
    )
    derived = flow.FlowInput(
        sources=[
            flow.SourceCount(source.name, flow.Count(source.n), _FLOW_KINDS[source.kind])
            for source in sources
        ],
        duplicates=flow.Count(duplicates),
        stages=[
            flow.ScreeningStage(
                name=stage.name,
                screened=flow.Count(screened(stage)),
                excluded=flow.Count(totals[(stage.pk, False)][status.EXCLUDED]),
                excluded_by_reason=dict(reasons[(stage.pk, False)]),
                excluded_by_rule=flow.Count(totals[(stage.pk, False)][BY_RULE])
                if stage.stopped_at
                else None,
                stopping_rule=stage.stopping_rule_label() if stage.stopped_at else "",
                undecided=undecided_at(stage),
            )
            for stage in record_stages
        ],
        fulltext=retrieval(False),
        other=retrieval(True) if has_other else None,
        included_studies=flow.Count(included),
        # One report per study until reports of one study are merged (grading's studies).
        included_reports=flow.Count(included),
    )
    undecided = {
        stage.name: undecided_at(stage) + undecided_at(stage, other=True) for stage in stages
    }
    reported = {k: v for k, v in (topic_area.reported_flow or {}).items() if v is not None}
    return flow.with_reported(derived, reported, language), undecided


def topic_area_flow_figure(topic_area: TopicArea, language: str) -> dict:
    """The diagram and its problems in one language, for any page that shows them."""
    counts, undecided = topic_area_flow(topic_area, language)
    problems = flow.flow_check(counts)
    index = 0 if language == "da" else 1
    return {
        "flow_svg": flow.flow_svg(counts, language, title=topic_area.title),
        "flow_errors": [p.message[index] for p in problems if p.severity == flow.Severity.ERROR],
        "flow_warnings": [
            p.message[index] for p in problems if p.severity == flow.Severity.WARNING
        ],
        "flow_undecided": {name: n for name, n in undecided.items() if n},
        "flow_reported": any(count.reported for count in counts.counts()),
    }


# Full texts: a record at a full-text stage has a PDF, is marked not retrievable, or neither.
FULLTEXT_STATUSES = ("attached", "not_retrievable", "missing")
_FULLTEXT_FILTERS = {
    "attached": Q(record__fulltext__not_retrievable=False),
    "not_retrievable": Q(record__fulltext__not_retrievable=True),
    "missing": Q(record__fulltext__isnull=True),
}


def fulltext_records(stage: Stage) -> QuerySet[Record]:
    """The records a full-text stage seeks full texts for (PRISMA's "reports sought")."""
    return Record.objects.filter(screening_items__stage=stage, canonical__isnull=True).order_by(
        "pk"
    )


def fulltext_items(stage: Stage, *, status: str = "") -> QuerySet[ScreeningItem]:
    """A full-text stage's items with their record and its full text, in record order."""
    items = (
        stage.items.filter(record__canonical__isnull=True)
        .select_related("record__fulltext__uploaded_by")
        .order_by("record_id")
    )
    if status in _FULLTEXT_FILTERS:
        items = items.filter(_FULLTEXT_FILTERS[status])
    return items


def fulltext_counts(stage: Stage) -> dict[str, int]:
    """Sought, attached, not retrieved and missing at a full-text stage, in one query: the
    flow diagram's "reports sought" and "reports not retrieved" come from here."""
    figures = stage.items.filter(record__canonical__isnull=True).aggregate(
        sought=Count("id"),
        **{
            name: Count("id", filter=condition)
            for name, condition in [
                ("attached", _FULLTEXT_FILTERS["attached"]),
                ("not_retrieved", _FULLTEXT_FILTERS["not_retrievable"]),
                ("missing", _FULLTEXT_FILTERS["missing"]),
            ]
        },
    )
    return figures


# The audit actions that carry a reviewer's decision values (before/after name the stage).
DECISION_ACTIONS = ("decision.change", "decision.undo")


def decision_entries_values_hidden(user, project, entries) -> list:
    """Of the audit entries, the other reviewers' decision changes whose values the user
    may not read (blinding: `can_see_others_decisions` on the record at the entry's stage,
    as it stands now). Registered with the activity page by the app's config."""
    wanted = [
        entry
        for entry in entries
        if entry.action in DECISION_ACTIONS
        and entry.actor_id != user.pk
        and entry.object_type == "record"
    ]
    if not wanted:
        return []
    items = {
        (item.record_id, item.stage.name): item
        for item in ScreeningItem.objects.filter(
            stage__topic_area__project=project,
            record_id__in={int(entry.object_id) for entry in wanted if entry.object_id.isdigit()},
        ).select_related("stage__topic_area")
    }
    for item in items.values():
        item.stage.topic_area.project = project
    hidden = []
    for entry in wanted:
        stage_name = (entry.before or entry.after or {}).get("stage")
        item = items.get((int(entry.object_id) if entry.object_id.isdigit() else None, stage_name))
        # A record no longer at the stage (merged away, stages replaced): nothing to check
        # the rule on, so its values stay hidden.
        if item is None or not can_see_others_decisions(user, item):
            hidden.append(entry)
    return hidden


# --- A record's history (its page and the API's) ------------------------------------------


def record_audit_entries(record: Record):
    """The audit entries about the record: its own, its source's import, its merges
    (including those that kept it), and its duplicate pairs."""
    pair_ids = (
        DuplicatePair.objects.filter(Q(record_a=record) | Q(record_b=record))
        .annotate(text_id=Cast("pk", CharField()))
        .values("text_id")
    )
    return (
        AuditEntry.objects.filter(project=record.topic_area.project)
        .filter(
            Q(object_type="record", object_id=str(record.pk))
            | Q(object_type="source", object_id=str(record.source_id), action="source.import")
            | Q(action="duplicate.confirm", after__kept=record.pk)
            | Q(object_type="duplicatepair", object_id__in=pair_ids)
        )
        .select_related("actor")
        .order_by("-created_at", "-id")
    )


def record_history_items(user, record: Record, topic_area: TopicArea) -> list[ScreeningItem]:
    """The record at each stage, in stage order, with what the user may see of its
    decisions (blinding: `can_see_others_decisions`): `shown_decisions`, `others_hidden`
    and `reason_shown` (items_mark_blinding)."""
    items = list(
        ScreeningItem.objects.filter(record=record)
        .select_related("stage", "resolved_by")
        .prefetch_related(
            Prefetch(
                "decisions",
                queryset=Decision.objects.select_related("reviewer").order_by("decided_at", "id"),
            )
        )
        .order_by("stage__position")
    )
    for item in items:
        item.stage.topic_area = topic_area
    items_mark_blinding(user, items)
    for item in items:
        item.shown_decisions = decisions_shown(user, item, item.decisions.all())
    return items


def record_history_entries(user, record: Record, items) -> list[AuditEntry]:
    """The record's audit entries, newest first, without the other reviewers' decision
    changes at the stages (`items`, marked by record_history_items) where their decisions
    are hidden from the user."""
    hidden = {item.stage.name for item in items if item.others_hidden}
    return [
        entry
        for entry in record_audit_entries(record)
        if not (
            entry.action in DECISION_ACTIONS
            and entry.actor_id != user.pk
            and (entry.before or {}).get("stage") in hidden
        )
    ]
