import rules

from reviewapp.rules import is_lead, is_member, is_peer_reviewer, is_reviewer


@rules.predicate
def can_settle_consensus(user, result) -> bool:
    """Who may record a result's consensus (dual extraction): a lead, or one of the result's
    two extractors while they may extract. The consensus page, its form and the service ask
    this one rule."""
    project = result.study.topic_area.project
    if user.has_perm("grading.set_final_verdict", project):
        return True
    return (
        user.has_perm("grading.extract", project)
        and result.extractions.filter(reviewer_id=user.pk).exists()
    )


@rules.predicate
def can_delete_study(user, study) -> bool:
    """Who may put a study or one of its results in the bin and take it out again: a lead.
    The study page, the bin and the API's DELETE and restore ask this one rule."""
    return is_lead(user, study.topic_area.project)


@rules.predicate
def can_delete_category(user, category) -> bool:
    """Who may put an intervention category in the bin (with its results and verdict) and
    take it out again: a lead. The category's page, the bin and the API ask this one rule."""
    return is_lead(user, category.topic_area.project)


@rules.predicate
def can_delete_comment(user, comment) -> bool:
    """Who may put a comment (with its replies) in the bin and take it out again: its
    author while a member, or a lead. The threads, the bin and the API ask this one rule."""
    project = comment.project
    return is_lead(user, project) or (
        is_member(user, project) and user.is_authenticated and comment.author_id == user.pk
    )


rules.add_perm("grading.delete_study", can_delete_study)
rules.add_perm("grading.delete_comment", can_delete_comment)
rules.add_perm("grading.delete_category", can_delete_category)
rules.add_perm("grading.view_grading", is_member)
rules.add_perm("grading.extract", is_lead | is_reviewer)
rules.add_perm("grading.set_final_verdict", is_lead)
rules.add_perm("grading.manage_categories", is_lead)
rules.add_perm("grading.manage_extraction_form", is_lead)
# Risk-of-bias assessments (RoB 2, ROBINS-I): the people who extract; peer reviewers read.
rules.add_perm("grading.assess_risk_of_bias", is_lead | is_reviewer)
# The report: every member reads it and comments; leads and peer reviewers export it;
# leads change its settings and reply to and resolve comments.
rules.add_perm("grading.view_report", is_member)
rules.add_perm("grading.export_report", is_lead | is_peer_reviewer)
rules.add_perm("grading.change_report", is_lead)
rules.add_perm("grading.comment", is_member)
rules.add_perm("grading.resolve_comment", is_lead)
