from io import StringIO

import pytest
from django.core.management import call_command

# Migrations applying from zero is proven on brand-new clusters by
# tests/invoicing/test_database_rules.py::test_unit_ids_are_identical_in_two_fresh_databases;
# migrating the shared test database to zero here would break serialized_rollback tests.


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()
