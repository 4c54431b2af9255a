"""Schema for sourced factors and auditable results part 1: new columns beside the old ones.

0009 fills them from the old ones, 0010 drops the old ones and adds the constraints, 0011 loads the
shipped datasets."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("invoicing", "0007_invoice_number_search_within_organization"),
        ("jobs", "0003_chunk_invoice_arrays"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.RemoveConstraint(
            model_name="emissionfactor",
            name="invoicing_emissionfactor_category_valid",
        ),
        migrations.RemoveConstraint(
            model_name="emissionfactor",
            name="invoicing_emissionfactor_kind_valid",
        ),
        migrations.RemoveConstraint(
            model_name="emissionfactor",
            name="invoicing_emissionfactor_calorific_basis_valid",
        ),
        migrations.RemoveConstraint(
            model_name="emissionfactor",
            name="invoicing_ef_kg_co2e_gte_0",
        ),
        migrations.RemoveConstraint(
            model_name="emissionfactor",
            name="invoicing_ef_natural_key",
        ),
        migrations.RemoveConstraint(
            model_name="organizationcustomfactor",
            name="invoicing_organizationcustomfactor_calorific_basis_valid",
        ),
        migrations.RenameField(
            model_name="invoiceemission",
            old_name="factor_source",
            new_name="source_location",
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="source_location",
            field=models.TextField(blank=True, default="", help_text="Where each factor is in its document."),
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="basis",
            field=models.CharField(
                choices=[("co2e", "CO2e (CO2, CH4 and N2O)"), ("co2_only", "CO2 only, as published")],
                default="co2e",
                max_length=10,
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="ch4_kg_co2e",
            field=models.DecimalField(
                blank=True, decimal_places=17, help_text="kg CO2e of CH4 per unit.", max_digits=25, null=True
            ),
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="item",
            field=models.CharField(
                default="", help_text="The fuel, supplier or grid as the publication names it.", max_length=300
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="n2o_kg_co2e",
            field=models.DecimalField(
                blank=True, decimal_places=17, help_text="kg CO2e of N2O per unit.", max_digits=25, null=True
            ),
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="scope_basis",
            field=models.TextField(blank=True, default="", help_text="What the publication's figure covers."),
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="source_document",
            field=models.CharField(default="", max_length=300),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="emissionfactor",
            name="source_location",
            field=models.TextField(
                default="", help_text="Sheet, row, cell or id of the figure in the source document."
            ),
            preserve_default=False,
        ),
        migrations.AddField(
            model_name="invoice",
            name="kwh_per_m3",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="Natural gas: kWh (gross, PCS) per m³ as printed on the bill (Spanish bills' conversion factor).",
                max_digits=12,
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="invoiceemission",
            name="basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not recorded (calculated before the basis was kept)"),
                    ("co2e", "CO2e"),
                    ("co2_only", "CO2 only (the publication gives no CO2e)"),
                    ("mixed", "Partly CO2 only (see the year parts)"),
                ],
                default="",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="invoiceemission",
            name="kwh",
            field=models.DecimalField(
                blank=True, decimal_places=6, help_text="kWh, for the energy category only.", max_digits=20, null=True
            ),
        ),
        migrations.AddField(
            model_name="invoiceemission",
            name="scope",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not an emission (energy in kWh)"),
                    ("scope_1", "Scope 1 (fuel burnt on site)"),
                    ("scope_2_market_based", "Scope 2 (purchased electricity, market-based)"),
                    ("scope_2_location_based", "Scope 2 (purchased electricity, location-based)"),
                    ("scope_2_heat_and_steam", "Scope 2 (purchased heat and steam; location- and market-based alike)"),
                    ("scope_3_3a", "Scope 3 cat. 3a (well-to-tank of fuels burnt on site)"),
                    ("scope_3_3b", "Scope 3 cat. 3b (upstream of purchased electricity, heat and steam)"),
                    ("scope_3_3c", "Scope 3 cat. 3c (transmission and distribution losses)"),
                    (
                        "scope_3_3b_3c",
                        "Scope 3 cat. 3b and 3c (upstream and distribution losses of purchased heat and steam)",
                    ),
                ],
                default="",
                max_length=30,
            ),
        ),
        migrations.AddField(
            model_name="invoiceemission",
            name="source_document",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AddField(
            model_name="invoiceemission",
            name="year_parts",
            field=models.JSONField(blank=True, default=list, help_text="Per calendar year: days, quantity, factors."),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="biogenic_co2_kg",
            field=models.DecimalField(
                blank=True,
                decimal_places=17,
                help_text="kg biogenic CO2 per unit, outside the scopes.",
                max_digits=25,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="calorific_basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not applicable"),
                    ("gross", "Gross (HHV / PCS)"),
                    ("net", "Net (LHV / PCI)"),
                    ("unstated", "Not stated by the publication"),
                ],
                default="",
                max_length=10,
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="category",
            field=models.CharField(
                choices=[
                    ("fuel_combustion", "Fuel combustion"),
                    ("fuel_wtt", "Well-to-tank of a fuel"),
                    ("electricity_generation_direct", "Grid electricity, direct emissions of generation"),
                    ("electricity_td_losses", "Grid electricity, T&D losses"),
                    ("electricity_wtt_generation", "Grid electricity, well-to-tank of generation"),
                    ("electricity_wtt_td", "Grid electricity, well-to-tank of T&D losses"),
                    ("heat_and_steam", "Purchased heat and steam"),
                    ("heat_and_steam_td", "Purchased heat and steam, distribution losses"),
                    ("heat_and_steam_wtt", "Purchased heat and steam, well-to-tank"),
                    ("residual_mix", "Residual mix / consumption without guarantees of origin"),
                    ("supplier_mix", "Supplier mix or energy attribute certificate"),
                ],
                max_length=45,
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="co2_kg",
            field=models.DecimalField(
                blank=True, decimal_places=17, help_text="kg CO2 per unit.", max_digits=25, null=True
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="fuel",
            field=models.ForeignKey(
                blank=True,
                help_text="Catalogue fuel.",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="invoicing.stationaryfuel",
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="kg_co2e",
            field=models.DecimalField(
                blank=True,
                decimal_places=17,
                help_text="kg CO2e per unit; empty for a CO2-only factor.",
                max_digits=25,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="kind",
            field=models.CharField(
                choices=[
                    ("standard", "Standard"),
                    ("supplier", "Supplier-specific label"),
                    ("renewable_goo", "Renewable guarantee of origin"),
                    ("cogeneration_goo", "High-efficiency cogeneration guarantee of origin"),
                    ("distribution_losses_wtt", "Well-to-tank of district heat distribution losses"),
                ],
                default="standard",
                max_length=30,
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactor",
            name="region",
            field=models.CharField(blank=True, default="", max_length=100),
        ),
        migrations.AlterField(
            model_name="emissionfactordataset",
            name="content_hash",
            field=models.CharField(help_text="sha256 of the loaded figures; proves a reload is equal.", max_length=64),
        ),
        migrations.AlterField(
            model_name="emissionfactordataset",
            name="licence",
            field=models.TextField(blank=True, default="", help_text="Licence or terms of use, where known."),
        ),
        migrations.AlterField(
            model_name="emissionfactordataset",
            name="name",
            field=models.CharField(max_length=300),
        ),
        migrations.AlterField(
            model_name="emissionfactordataset",
            name="publisher",
            field=models.CharField(max_length=200),
        ),
        migrations.AlterField(
            model_name="emissionfactordataset",
            name="rank",
            field=models.PositiveSmallIntegerField(
                default=100,
                help_text="Order among datasets with a factor for the same country and category (lower first).",
            ),
        ),
        migrations.AlterField(
            model_name="emissionfactordataset",
            name="version",
            field=models.CharField(max_length=300),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="calorific_basis",
            field=models.CharField(blank=True, default="", help_text="gross or net, if any.", max_length=10),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="conversion",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="dataset_name",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="dataset_publisher",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="dataset_version",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="factor_rung",
            field=models.CharField(blank=True, default="", help_text="Why this factor was chosen.", max_length=100),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="factor_value",
            field=models.DecimalField(blank=True, decimal_places=17, max_digits=25, null=True),
        ),
        migrations.AlterField(
            model_name="invoiceemission",
            name="kg_co2e",
            field=models.DecimalField(
                blank=True,
                decimal_places=6,
                help_text="kg CO2e (kg CO2 where the basis is CO2 only).",
                max_digits=20,
                null=True,
            ),
        ),
        migrations.AlterField(
            model_name="organizationcustomfactor",
            name="calorific_basis",
            field=models.CharField(
                blank=True,
                choices=[
                    ("", "Not applicable"),
                    ("gross", "Gross (HHV / PCS)"),
                    ("net", "Net (LHV / PCI)"),
                    ("unstated", "Not stated by the publication"),
                ],
                default="",
                max_length=10,
            ),
        ),
        migrations.AddConstraint(
            model_name="invoice",
            constraint=models.CheckConstraint(
                condition=models.Q(("kwh_per_m3__isnull", True), ("kwh_per_m3__gt", 0), _connector="OR"),
                name="invoicing_invoice_kwh_per_m3_gt_0",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceemission",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    (
                        "scope__in",
                        [
                            "",
                            "scope_1",
                            "scope_2_market_based",
                            "scope_2_location_based",
                            "scope_2_heat_and_steam",
                            "scope_3_3a",
                            "scope_3_3b",
                            "scope_3_3c",
                            "scope_3_3b_3c",
                        ],
                    )
                ),
                name="invoicing_invoiceemission_scope_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="invoiceemission",
            constraint=models.CheckConstraint(
                condition=models.Q(("basis__in", ["", "co2e", "co2_only", "mixed"])),
                name="invoicing_invoiceemission_basis_valid",
            ),
        ),
    ]
