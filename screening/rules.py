import rules

from reviewapp.rules import is_lead, is_reviewer

rules.add_perm("screening.import_records", is_lead | is_reviewer)
rules.add_perm("screening.resolve_duplicates", is_lead)
rules.add_perm("screening.screen", is_lead | is_reviewer)
rules.add_perm("screening.manage_stages", is_lead)
rules.add_perm("screening.resolve_conflicts", is_lead)
rules.add_perm("screening.report_flow", is_lead)
rules.add_perm("screening.manage_fulltexts", is_lead | is_reviewer)
