"""What the activity page says for each audit action and value, in the reader's language.

The services write codes ("comment.create", a comment's target "verdict:2"); the activity
page, the dashboard's feed and a study's history read them through these labels, so a code
is never what a person reads. Every app's actions are named here: the labels are words, not
rules, and the base app may hold them without knowing the apps (as `ACTION_KINDS` does).
"""

import re

from django.utils.translation import gettext_lazy as _

ACTION_LABELS = {
    "project.create": _("created the project"),
    "project.update": _("edited the project"),
    "project.delete": _("deleted the project"),
    "project.restore": _("restored the project"),
    "project.purge": _("deleted for good the project"),
    "topic_area.create": _("created the topic area"),
    "topic_area.update": _("edited the topic area"),
    "topic_area.delete": _("deleted the topic area"),
    "topic_area.restore": _("restored the topic area"),
    "topicarea.purge": _("deleted for good the topic area"),
    "membership.add": _("added the member"),
    "membership.change_role": _("changed the role of"),
    "membership.remove": _("removed the member"),
    "user.create": _("created the account"),
    "api_token.create": _("created an API token"),
    "api_token.revoke": _("revoked an API token"),
    "source.import": _("imported the source"),
    "record.update": _("corrected the record"),
    "record.label_add": _("labelled"),
    "record.label_remove": _("took a label off"),
    "records.bulk_exclude": _("excluded records in bulk at"),
    "records.bulk_label": _("labelled records in bulk at"),
    "records.bulk_undo": _("undid a bulk action at"),
    "records.bulk_assign": _("assigned records in bulk at"),
    "records.assignments_release": _("released the assigned records at"),
    "source.delete": _("removed the import"),
    "source.restore": _("restored the import"),
    "source.purge": _("deleted for good the import"),
    "duplicate.confirm": _("merged the duplicate"),
    "duplicate.reject": _("marked as not duplicates"),
    "duplicate.undo": _("undid the merge of"),
    "stages.set_up": _("set up the screening stages of"),
    "stage.update": _("edited the screening stage"),
    "stage.order": _("changed the queue order of"),
    "stage.stopping_rule": _("changed the stopping rule of"),
    "stage.stop": _("stopped screening at"),
    "stage.resume": _("resumed screening at"),
    "decision.change": _("changed the decision on"),
    "decision.undo": _("took back the decision on"),
    "screening.resolve": _("resolved"),
    "screening.reopen": _("reopened"),
    "fulltext.attach": _("attached the full text of"),
    "fulltext.attach_zip": _("attached full texts from a zip to"),
    "fulltext.not_retrievable": _("marked the full text as not retrievable:"),
    "fulltext.remove": _("removed the full text of"),
    "flow.reported": _("entered flow diagram counts for"),
    "category.create": _("created the intervention category"),
    "category.update": _("edited the intervention category"),
    "study.create": _("created the study"),
    "study.update": _("edited the study"),
    "result.create": _("added the result"),
    "result.update": _("edited the result"),
    "study.delete": _("deleted the study"),
    "study.restore": _("restored the study"),
    "study.purge": _("deleted for good the study"),
    "result.delete": _("deleted the result"),
    "result.restore": _("restored the result"),
    "result.purge": _("deleted for good the result"),
    "category.delete": _("deleted the intervention category"),
    "category.restore": _("restored the intervention category"),
    "interventioncategory.purge": _("deleted for good the intervention category"),
    "comment.delete": _("deleted the comment"),
    "comment.restore": _("restored the comment"),
    "comment.purge": _("deleted for good the comment"),
    "extraction_field.create": _("added the extraction field"),
    "extraction_field.update": _("edited the extraction field"),
    "extraction_settings.update": _("changed the extraction settings of"),
    "rob_assessment.create": _("assessed the risk of bias of"),
    "rob_assessment.update": _("assessed the risk of bias of"),
    "grade_assessment.create": _("assessed with GRADE:"),
    "grade_assessment.update": _("assessed with GRADE:"),
    "verdict.final": _("set the final verdict of"),
    "extraction.create": _("extracted"),
    "extraction.update": _("extracted"),
    "consensus.create": _("recorded the consensus on"),
    "consensus.update": _("recorded the consensus on"),
    "report_settings.update": _("changed the report settings of"),
    "comment.create": _("commented on"),
    "comment.reply": _("replied to a comment on"),
    "comment.resolve": _("resolved a comment on"),
}

# What a comment can be on ("verdict:2" in a comment's audit entry).
TARGET_KINDS = {
    "verdict": _("Verdict"),
    "category": _("Intervention category"),
    "study": _("Study"),
    "result": _("Result"),
    "flow": _("Flow diagram"),
}

# The fields the audit entries name most, as a person reads them.
FIELD_LABELS = {
    "target": _("on"),
    "body": _("comment"),
    "value": _("decision"),
    "reason": _("exclusion reason"),
    "note": _("note"),
    "stage": _("stage"),
    "status": _("status"),
    "title": _("title"),
    "role": _("role"),
    "resolved": _("resolved"),
    "label": _("label"),
    "assignee": _("assigned to"),
    "assigned_to": _("assigned to"),
    "records": _("records"),
    "abstract": _("abstract"),
    "authors": _("authors"),
    "year": _("year"),
    "journal": _("journal"),
    "volume": _("volume"),
    "issue": _("issue"),
    "pages": _("pages"),
    "doi": _("DOI"),
    "pmid": _("PMID"),
    "url": _("URL"),
    "keywords": _("keywords"),
    "language": _("language"),
    "publication_type": _("publication type"),
}

_TARGET = re.compile(r"^([a-z_]+):(\d+)$")


def action_label(action: str) -> str:
    """The action in words; an action no label names yet reads as its kind, not its code."""
    label = ACTION_LABELS.get(action)
    if label is not None:
        return str(label)
    return action.replace("_", " ").replace(".", ": ")


def field_label(name: str) -> str:
    label = FIELD_LABELS.get(name)
    return str(label) if label is not None else name.replace("_", " ")


def value_label(name: str, value):
    """A value as a person reads it: a comment's target "verdict:2" as "Verdict 2"."""
    if name == "target" and isinstance(value, str):
        match = _TARGET.match(value)
        if match and match.group(1) in TARGET_KINDS:
            return f"{TARGET_KINDS[match.group(1)]} {match.group(2)}"
    return value
