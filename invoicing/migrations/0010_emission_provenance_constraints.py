"""Schema for sourced factors and auditable results, part 3: the old factor columns go, the constraints come."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [("invoicing", "0009_emission_provenance_rows")]

    operations = [
        migrations.AddConstraint(
            model_name="emissionfactor",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "category__in",
                        [
                            "fuel_combustion",
                            "fuel_wtt",
                            "electricity_generation_direct",
                            "electricity_td_losses",
                            "electricity_wtt_generation",
                            "electricity_wtt_td",
                            "heat_and_steam",
                            "heat_and_steam_td",
                            "heat_and_steam_wtt",
                            "residual_mix",
                            "supplier_mix",
                        ],
                    )
                ),
                name="invoicing_emissionfactor_category_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="emissionfactor",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "kind__in",
                        ["standard", "supplier", "renewable_goo", "cogeneration_goo", "distribution_losses_wtt"],
                    )
                ),
                name="invoicing_emissionfactor_kind_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="emissionfactor",
            constraint=models.CheckConstraint(
                condition=models.Q(("calorific_basis__in", ["", "gross", "net", "unstated"])),
                name="invoicing_emissionfactor_calorific_basis_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="emissionfactor",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["co2e", "co2_only"])), name="invoicing_emissionfactor_basis_valid"
            ),
        ),
        migrations.AddConstraint(
            model_name="emissionfactor",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("basis", "co2e"), ("kg_co2e__gte", 0)),
                    models.Q(("basis", "co2_only"), ("kg_co2e__isnull", True), ("co2_kg__gte", 0)),
                    _connector="OR",
                ),
                name="invoicing_ef_value_of_its_basis",
            ),
        ),
        migrations.AddConstraint(
            model_name="emissionfactor",
            constraint=models.UniqueConstraint(
                fields=("dataset", "category", "kind", "country", "region", "item", "unit", "calorific_basis", "year"),
                name="invoicing_ef_natural_key",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceemission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    models.Q(("category", "energy"), ("kg_co2e__isnull", True), ("kwh__isnull", False)),
                    models.Q(
                        models.Q(("category", "energy"), _negated=True),
                        ("kg_co2e__isnull", False),
                        ("kwh__isnull", True),
                    ),
                    _connector="OR",
                ),
                name="invoicing_emission_kwh_only_for_energy",
            ),
        ),
        migrations.AddConstraint(
            model_name="organizationcustomfactor",
            constraint=models.CheckConstraint(
                condition=models.Q(("calorific_basis__in", ["", "gross", "net", "unstated"])),
                name="invoicing_organizationcustomfactor_calorific_basis_valid",
            ),
        ),
        migrations.RemoveField(
            model_name="emissionfactor",
            name="ch4_g",
        ),
        migrations.RemoveField(
            model_name="emissionfactor",
            name="n2o_g",
        ),
        migrations.RemoveField(
            model_name="emissionfactor",
            name="source_reference",
        ),
        migrations.RemoveField(
            model_name="emissionfactor",
            name="supplier_name",
        ),
    ]
