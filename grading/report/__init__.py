"""The report's tables and their export formats, as pure functions of plain data.

No Django here: `grading.services.report` reads the database into the inputs of `tables`, and
the writers take the stored tables (plain JSON) and return bytes. That keeps the table rules
fast to test and lets the benchmark and the management command share one code path.
"""
