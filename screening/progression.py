"""How decisions move a record through the screening stages (pure Python, no Django).

The services store decisions; these rules say what they add up to, so that the
single and dual modes are decided in one place and tested without a database.
"""

from __future__ import annotations

import zlib
from collections.abc import Sequence

PENDING = "pending"
MAYBE = "maybe"
CONFLICT = "conflict"
INCLUDED = "included"
EXCLUDED = "excluded"

INCLUDE = "include"
EXCLUDE = "exclude"


def item_status(values: Sequence[str], required: int) -> str:
    """The status of a record at a stage from its reviewers' decisions.

    Single mode (one reviewer required): the decision is the status; "maybe" parks
    the record on the reviewer's pile to revisit. Dual mode: nothing is decided until
    the required number of reviewers have decided; then agreement includes or
    excludes, and any disagreement or "maybe" is a conflict for a lead.
    """
    if len(values) < required or not values:
        return PENDING
    if required == 1 and len(values) == 1:
        return {INCLUDE: INCLUDED, EXCLUDE: EXCLUDED}.get(values[0], MAYBE)
    if all(value == INCLUDE for value in values):
        return INCLUDED
    if all(value == EXCLUDE for value in values):
        return EXCLUDED
    return CONFLICT


def exclusion_reason(values: Sequence[tuple[str, str]]) -> str:
    """The reason an excluded record carries: the first reviewer's, by decision order.

    Both reviewers excluded it; when they named different reasons both are kept.
    """
    reasons = []
    for value, reason in values:
        if value == EXCLUDE and reason and reason not in reasons:
            reasons.append(reason)
    return "; ".join(reasons)


def queue_order_key(stage_id: int, record_id: int) -> int:
    """A fixed pseudo-random position in the queue, the same on every run.

    Random order keeps reviewers from screening by source or import order (a bias);
    a hash rather than a stored random number keeps the order reproducible.
    """
    return zlib.crc32(f"{stage_id}:{record_id}".encode())
