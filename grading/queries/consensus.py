"""Reading dual extraction: the key fields, who extracted a result, what was agreed, and
the agreement between the two reviewers.

Blinding: an extraction is shown to no one but its author until the result has two; the
consensus page then shows both side by side. Agreement (Cohen's kappa and the other
coefficients of screening.agreement) on risk of bias, direction and quality is computed over
the results that two reviewers extracted, reviewer A being the first to save.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef
from django.utils.translation import gettext_lazy

from grading.models import (
    DIRECTION_CHOICES,
    QUALITY_CHOICES,
    Consensus,
    Extraction,
    ExtractionSettings,
    Rating,
    Result,
)
from reviewapp.models import TopicArea
from screening.agreement import Agreement, agreement

# The key fields two reviewers extract, with their choices (None: free text), in form order.
CONSENSUS_FIELDS: dict[str, tuple[object, list[tuple[str, str]] | None]] = {
    "direction": (gettext_lazy("Direction"), DIRECTION_CHOICES),
    "risk_of_bias": (gettext_lazy("Risk of bias"), Rating.choices),
    "quality": (gettext_lazy("Quality"), QUALITY_CHOICES),
    "transferability": (gettext_lazy("Transferability"), Rating.choices),
    "effect": (gettext_lazy("Effect"), None),
}
# The fields agreement is reported on (the "risk of bias, direction and quality").
AGREEMENT_FIELDS = ("risk_of_bias", "direction", "quality")
REVIEWERS = 2


def dual_extraction_on(project) -> bool:
    """Whether the project (or project id) uses dual extraction."""
    return ExtractionSettings.objects.filter(project=project, dual_extraction=True).exists()


def agreed_values(result: Result) -> dict[str, str]:
    """The values agreed for the result (it must have a consensus)."""
    return result.consensus.values


def agreed_at_consensus(result: Result, project) -> bool:
    """Whether the result's key fields were agreed at a consensus that still counts."""
    return dual_extraction_on(project) and Consensus.objects.filter(result=result).exists()


def extractions_of(result: Result) -> list[Extraction]:
    """The result's extractions, A (the first saved) before B."""
    return list(result.extractions.select_related("reviewer").order_by("id"))


def may_see_extractions(result: Result, extractions: list[Extraction]) -> bool:
    """Blinding: nobody sees an extraction before the result has both."""
    return len(extractions) >= REVIEWERS


@dataclass(frozen=True)
class ComparedField:
    name: str
    label: str
    value_a: str
    value_b: str
    agreed: str

    @property
    def differs(self) -> bool:
        return self.value_a != self.value_b


def compare(extractions: list[Extraction], consensus: Consensus | None) -> list[ComparedField]:
    """The two extractions field by field, with the agreed value where one is recorded."""
    a, b = extractions[0].values, extractions[1].values
    agreed = consensus.values if consensus else {}
    return [
        ComparedField(name, str(label), a.get(name, ""), b.get(name, ""), agreed.get(name, ""))
        for name, (label, _choices) in CONSENSUS_FIELDS.items()
    ]


def extraction_agreement(topic_area) -> dict[str, Agreement]:
    """Agreement per field over the topic area's results that two reviewers extracted."""
    extractions = (
        Extraction.objects.filter(result__study__topic_area=topic_area)
        .order_by("result_id", "id")
        .values_list("result_id", "values")
    )
    by_result: dict[int, list[dict]] = {}
    for result_id, values in extractions:
        by_result.setdefault(result_id, []).append(values)
    pairs = [values[:REVIEWERS] for values in by_result.values() if len(values) >= REVIEWERS]
    return {
        name: agreement(
            [(a[name], b[name]) for a, b in pairs],
            categories=[code for code, _label in CONSENSUS_FIELDS[name][1]],
        )
        for name in AGREEMENT_FIELDS
    }


# Where a result stands in dual extraction, in the order the work list shows them.
EXTRACTION_STAGES = ("awaiting_consensus", "awaiting_second", "awaiting_first", "agreed")


def results_by_extraction_stage(topic_area: TopicArea) -> dict[str, list[Result]]:
    """The topic area's results by where they stand in dual extraction: both extractions in
    and no consensus yet (a lead's to-do list), one extraction in, none, or agreed. One
    query; each result carries `extractions_made`."""
    results = (
        Result.objects.filter(study__topic_area=topic_area)
        .select_related("study", "category")
        .annotate(
            extractions_made=Count("extractions"),
            agreed=Exists(Consensus.objects.filter(result=OuterRef("pk"))),
        )
        .order_by("study__year", "study__label", "id")
    )
    stages: dict[str, list[Result]] = {stage: [] for stage in EXTRACTION_STAGES}
    for result in results:
        if result.agreed:
            stages["agreed"].append(result)
        elif result.extractions_made >= REVIEWERS:
            stages["awaiting_consensus"].append(result)
        elif result.extractions_made == 1:
            stages["awaiting_second"].append(result)
        else:
            stages["awaiting_first"].append(result)
    return stages
