import rules
from django.db.models import Q

from reviewapp.rules import is_lead, is_peer_reviewer, is_reviewer

rules.add_perm("screening.import_records", is_lead | is_reviewer)
rules.add_perm("screening.resolve_duplicates", is_lead)
rules.add_perm("screening.screen", is_lead | is_reviewer)
rules.add_perm("screening.manage_stages", is_lead)
rules.add_perm("screening.resolve_conflicts", is_lead)
rules.add_perm("screening.report_flow", is_lead)
rules.add_perm("screening.manage_fulltexts", is_lead | is_reviewer)


@rules.predicate
def can_settle_import(user, job) -> bool:
    """Whether the user may confirm or discard an import waiting for its repairs to be
    confirmed: the reviewer or lead who started it, or any lead of the project."""
    project = job.topic_area.project
    if is_lead(user, project):
        return True
    return job.created_by_id == user.pk and is_reviewer(user, project)


rules.add_perm("screening.settle_import", can_settle_import)


@rules.predicate
def can_remove_import(user, source) -> bool:
    """Whether the user may put an import in the bin and take it out again: a lead of the
    project. The page, the bin and the API ask this one predicate."""
    return is_lead(user, source.topic_area.project)


rules.add_perm("screening.remove_import", can_remove_import)


# Blinding: who may see another reviewer's decision. Every page, the API, the exports and
# the activity log ask `can_see_others_decisions` (one record) or filter with
# `others_decisions_filter` (a list: the same rule as a condition on decision rows).


def is_blinded_at(user, stage) -> bool:
    """Whether the stage keeps the user from the other reviewers' decisions: a stage where
    two reviewers decide independently, and a user who screens there. A lead (who resolves
    conflicts) and a peer reviewer (who does not screen) are not blinded."""
    if not stage.dual:
        return False
    project = stage.topic_area.project
    return not (is_lead(user, project) or is_peer_reviewer(user, project))


def _others_shown_once_complete(stage) -> bool:
    """At a blind stage: whether the others' decisions show once the record has all the
    decisions it needs (the stage's `show_decisions_after`)."""
    return stage.show_decisions_after


@rules.predicate
def can_see_others_decisions(user, item) -> bool:
    """Whether the user may see the other reviewers' decisions on the item (a
    ScreeningItem; its `stage` and the stage's topic area are read). One's own decisions
    are always visible."""
    stage = item.stage
    if not is_blinded_at(user, stage):
        return True
    return _others_shown_once_complete(stage) and item.decisions_made >= stage.reviewers_required


def others_decisions_filter(user, stage) -> Q:
    """`can_see_others_decisions` as a condition on the stage's Decision rows: the rows the
    user may see (their own always)."""
    if not is_blinded_at(user, stage):
        return Q()
    shown = Q(reviewer=user)
    if _others_shown_once_complete(stage):
        shown |= Q(item__decisions_made__gte=stage.reviewers_required)
    return shown


rules.add_perm("screening.see_others_decisions", can_see_others_decisions)


# Correcting a record's bibliographic data: whoever may import records may correct them.
rules.add_perm("screening.change_record", is_lead | is_reviewer)
# Free labels on records: the screening team's own notes, not decisions.
rules.add_perm("screening.label_records", is_lead | is_reviewer)
# Bulk actions on a filtered stage list (exclude, label) and their undo: leads.
rules.add_perm("screening.bulk_act", is_lead)
