"""Every write in screening, one module per concern: import from the submodule
(`from screening.services.screening import decision_record`); nothing is re-exported here."""
