from io import StringIO

import pytest
from django.core.management import call_command


@pytest.mark.django_db
def test_no_model_change_lacks_a_migration():
    out = StringIO()
    call_command("makemigrations", "--check", "--dry-run", stdout=out)
    assert "No changes detected" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_migrations_apply_from_zero_and_back():
    call_command("migrate", "invoicing", "zero", verbosity=0)
    call_command("migrate", verbosity=0)
    from invoicing.models import Unit

    assert Unit.objects.filter(code="kwh").exists()
