import rules

from reviewapp.rules import is_lead, is_member, is_reviewer

rules.add_perm("grading.view_grading", is_member)
rules.add_perm("grading.extract", is_lead | is_reviewer)
rules.add_perm("grading.set_final_verdict", is_lead)
rules.add_perm("grading.manage_categories", is_lead)
rules.add_perm("grading.manage_extraction_form", is_lead)
# Risk-of-bias assessments (RoB 2, ROBINS-I): the people who extract; peer reviewers read.
rules.add_perm("grading.assess_risk_of_bias", is_lead | is_reviewer)
