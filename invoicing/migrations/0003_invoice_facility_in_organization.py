from django.db import migrations

# An invoice's facility must belong to the invoice's organization. Django has no composite
# foreign keys, so the rule is a plain SQL constraint against the (id, organization) unique key.
FORWARD = """
ALTER TABLE invoicing_invoice
  ADD CONSTRAINT invoicing_invoice_facility_same_org
  FOREIGN KEY (facility_id, organization_id)
  REFERENCES invoicing_facility (id, organization_id);
"""
BACKWARD = "ALTER TABLE invoicing_invoice DROP CONSTRAINT invoicing_invoice_facility_same_org;"


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0002_initial")]

    operations = [migrations.RunSQL(FORWARD, BACKWARD)]
