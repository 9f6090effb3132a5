import rules

from reviewapp.rules import is_lead, is_member, is_reviewer

rules.add_perm("grading.view_grading", is_member)
rules.add_perm("grading.extract", is_lead | is_reviewer)
rules.add_perm("grading.set_final_verdict", is_lead)
rules.add_perm("grading.manage_categories", is_lead)
rules.add_perm("grading.manage_extraction_form", is_lead)
