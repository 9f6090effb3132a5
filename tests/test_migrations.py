"""Every model change comes with its migration."""

import io

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_every_model_change_has_a_migration():
    output = io.StringIO()
    try:
        call_command("makemigrations", "--check", "--dry-run", stdout=output, stderr=output)
    except SystemExit:  # --check exits 1 when a migration is missing
        pytest.fail(f"A model change has no migration:\n{output.getvalue()}")
