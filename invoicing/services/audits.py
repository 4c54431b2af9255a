"""Bill audits: the one service that keeps InvoiceAuditFinding up to date (docs/audits.md).

Every path that writes invoices (API create, correction and deletion, imports, generation, the demo)
calls `invoice_audit_refresh` in its own transaction with the supply points it touched. The service
computes those supply points' findings again from their bills and writes what changed, in one SQL statement:
window functions over each supply point's bills ordered by period (overlaps, gaps), grouping
(duplicates) and the median daily use per supply point (outliers). No Python loop over invoices.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import QuerySet

from invoicing.emissions.units import KWH_PER, LIQUID_VOLUME_LITRES, MASS_KG, SYMBOL
from invoicing.models import Invoice

# A gap is more than this many days between the end of a supply point's coverage and its next bill.
GAP_TOLERANCE_DAYS = 3
# Usage outliers: daily use above OUTLIER_RATIO x the supply point's median or below 1 / OUTLIER_RATIO of
# it, once the supply point has OUTLIER_MIN_BILLS bills in comparable units.
OUTLIER_RATIO = 3
OUTLIER_MIN_BILLS = 6
# Daily use is compared in one unit per dimension (kWh, m³ or kg), converted as the emissions are
# (invoicing.emissions.units); bills of different dimensions (m³ and kWh of gas) are not compared.

_FINDINGS_SQL = """
WITH unit_base (unit_id, dimension, per_base, base_unit) AS (
    SELECT u.id, u.dimension, c.per_base, c.base_unit
      FROM unnest(%(unit_codes)s::text[], %(per_base)s::numeric[], %(base_units)s::text[])
           AS c (code, per_base, base_unit)
      JOIN invoicing_unit u ON u.code = c.code
),
bill AS (
    SELECT i.id, i.supply_point AS sp, i.type, i.facility_id, i.facility_fuel_id,
           CASE WHEN i.supply_point LIKE 'cups:%%' THEN substr(i.supply_point, 6) END AS cups,
           CASE WHEN i.supply_point LIKE 'cups:%%' THEN 'CUPS ' || substr(i.supply_point, 6)
                ELSE i.type || ' at ' || f.name || coalesce(' (' || sf.name || ')', '') END AS sp_label,
           i.start_date, i.end_date, i.end_date - i.start_date + 1 AS days,
           upper(btrim(i.invoice_number)) AS number_key,
           coalesce(nullif(btrim(i.invoice_number), ''), i.id::text) AS label,
           i.quantity, i.unit_id, u.dimension, i.quantity * u.per_base AS base_quantity, u.base_unit,
           row_number() OVER (PARTITION BY i.supply_point ORDER BY i.start_date, i.end_date, i.id) AS rn
      FROM invoicing_invoice i
      JOIN invoicing_facility f ON f.id = i.facility_id
      LEFT JOIN invoicing_facilityfuel ff ON ff.id = i.facility_fuel_id
      LEFT JOIN invoicing_stationaryfuel sf ON sf.id = ff.fuel_id
      LEFT JOIN unit_base u ON u.unit_id = i.unit_id
     WHERE i.organization_id = %(organization_id)s {scope}
),
-- For each bill, the earlier bill (in period order) whose period reaches furthest: the end of the
-- supply point's coverage so far. Encoded as end day x 10^10 + row number so that one running max
-- finds both the day and the bill.
reach AS MATERIALIZED (
    SELECT b.sp, b.rn, max((b.end_date - DATE '1970-01-01')::bigint * 10000000000 + b.rn)
                OVER (PARTITION BY b.sp ORDER BY b.rn ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
                %% 10000000000 AS partner_rn
      FROM bill b
),
-- Each bill beside that earlier bill: joined on (supply point, row number), a hash join.
pair AS (
    SELECT b.*, p.id AS p_id, p.label AS p_label, p.start_date AS p_start, p.end_date AS p_end,
           CASE WHEN p.facility_id = b.facility_id THEN ARRAY[b.facility_id]
                ELSE ARRAY[p.facility_id, b.facility_id] END AS facility_ids
      FROM reach r
      JOIN bill b ON b.sp = r.sp AND b.rn = r.rn
      JOIN bill p ON p.sp = r.sp AND p.rn = r.partner_rn
),
stats AS (
    SELECT sp, dimension, count(*) AS bills,
           percentile_cont(0.5) WITHIN GROUP (ORDER BY (base_quantity / days)::float8) AS median
      FROM bill
     WHERE dimension IS NOT NULL
     GROUP BY sp, dimension
    HAVING count(*) >= %(outlier_min_bills)s
),
finding (code, sp, type, cups, facility_ids, facility_fuel_id, invoice_ids, start_date, end_date, details, message) AS (
    SELECT 'OVERLAPPING_PERIODS', sp, type, cups, facility_ids, facility_fuel_id, ARRAY[p_id, id],
           start_date, least(end_date, p_end),
           jsonb_build_object('shared_days', least(end_date, p_end) - start_date + 1,
                              'first_shared_day', start_date, 'last_shared_day', least(end_date, p_end)),
           format('Bills %%s (%%s to %%s) and %%s (%%s to %%s) of %%s share %%s day(s), %%s to %%s: '
                  'those days are billed twice.',
                  p_label, p_start, p_end, label, start_date, end_date, sp_label,
                  least(end_date, p_end) - start_date + 1, start_date, least(end_date, p_end))
      FROM pair
     WHERE start_date <= p_end
    UNION ALL
    SELECT 'GAP', sp, type, cups, facility_ids, facility_fuel_id, ARRAY[p_id, id],
           p_end + 1, start_date - 1,
           jsonb_build_object('gap_days', start_date - p_end - 1,
                              'first_uncovered_day', p_end + 1, 'last_uncovered_day', start_date - 1),
           format('No bill of %%s covers the %%s days from %%s to %%s, between bills %%s (ending %%s) and %%s '
                  '(starting %%s): a missing bill?',
                  sp_label, start_date - p_end - 1, p_end + 1, start_date - 1, p_label, p_end, label, start_date)
      FROM pair
     WHERE start_date - p_end - 1 > %(gap_tolerance_days)s
    UNION ALL
    SELECT 'DUPLICATE', sp, min(type), min(cups), array_agg(DISTINCT facility_id),
           (array_agg(facility_fuel_id))[1], array_agg(id ORDER BY rn), min(start_date), max(end_date),
           jsonb_build_object('reason', 'same_number', 'invoice_number', min(label), 'bills', count(*)),
           format('%%s bills of %%s have the number %%s (%%s): one bill entered twice?',
                  count(*), min(sp_label), min(label),
                  string_agg(start_date || ' to ' || end_date, ', ' ORDER BY rn))
      FROM bill
     WHERE number_key <> ''
     GROUP BY sp, number_key
    HAVING count(*) > 1
    UNION ALL
    SELECT 'DUPLICATE', sp, min(type), min(cups), array_agg(DISTINCT facility_id),
           (array_agg(facility_fuel_id))[1], array_agg(id ORDER BY rn), start_date, end_date,
           jsonb_build_object('reason', 'same_period_and_quantity', 'quantity', quantity,
                              'unit_id', unit_id, 'bills', count(*)),
           format('%%s bills of %%s (%%s) are for the same period, %%s to %%s, and the same quantity, %%s: '
                  'one bill entered twice?',
                  count(*), min(sp_label), string_agg(label, ', ' ORDER BY rn), start_date, end_date,
                  trim_scale(quantity))
      FROM bill
     GROUP BY sp, start_date, end_date, quantity, unit_id
    HAVING count(*) > 1 AND NOT (count(DISTINCT number_key) = 1 AND min(number_key) <> '')
    UNION ALL
    SELECT 'USAGE_OUTLIER', b.sp, b.type, b.cups, ARRAY[b.facility_id], b.facility_fuel_id, ARRAY[b.id],
           b.start_date, b.end_date,
           jsonb_build_object('daily_use', round(b.base_quantity / b.days, 3),
                              'median_daily_use', round(s.median::numeric, 3),
                              'ratio_to_median', round((b.base_quantity / b.days) / s.median::numeric, 2),
                              'unit', b.base_unit || '/day', 'bills', s.bills),
           format('Bill %%s (%%s to %%s) of %%s used %%s %%s a day, %%s times the median of its %%s bills '
                  '(%%s %%s a day): a misread quantity or unit?',
                  b.label, b.start_date, b.end_date, b.sp_label, round(b.base_quantity / b.days, 3), b.base_unit,
                  round((b.base_quantity / b.days) / s.median::numeric, 2), s.bills,
                  round(s.median::numeric, 3), b.base_unit)
      FROM bill b
      JOIN stats s ON s.sp = b.sp AND s.dimension = b.dimension
     WHERE s.median > 0
       AND (b.base_quantity / b.days > %(outlier_ratio)s * s.median::numeric
            OR b.base_quantity / b.days < s.median::numeric / %(outlier_ratio)s)
),
-- Only what changed is written: the findings stored for these supply points that are no longer found
-- go, the new ones come; the others stay as they are (a correction rarely changes more than a few).
old AS (
    SELECT id, supply_point, code, invoice_ids, start_date, end_date, facility_ids, details, message
      FROM invoicing_invoiceauditfinding
     WHERE organization_id = %(organization_id)s {finding_scope}
),
gone AS (
    DELETE FROM invoicing_invoiceauditfinding
     WHERE id IN (SELECT o.id FROM old o WHERE NOT EXISTS (SELECT 1 FROM finding n WHERE {same}))
),
inserted AS (
    INSERT INTO invoicing_invoiceauditfinding
           (id, organization_id, code, supply_point, type, cups, facility_ids, facility_fuel_id, invoice_ids,
            start_date, end_date, details, message)
    SELECT gen_random_uuid(), %(organization_id)s, code, sp, type, cups, facility_ids, facility_fuel_id,
           invoice_ids, start_date, end_date, details, message
      FROM finding n
     WHERE NOT EXISTS (SELECT 1 FROM old o WHERE {same})
    RETURNING id, code, invoice_ids
)
INSERT INTO invoicing_invoiceauditfindinginvoice (invoice_id, code, finding_id)
SELECT invoice_id, code, id FROM inserted, unnest(invoice_ids) AS invoice_id
"""


# A stored finding and a found one are the same when everything shown of them is.
_SAME_FINDING = (
    "n.sp = o.supply_point AND n.code = o.code AND n.invoice_ids = o.invoice_ids AND n.start_date = o.start_date "
    "AND n.end_date = o.end_date AND n.facility_ids = o.facility_ids AND n.details = o.details "
    "AND n.message = o.message"
)

# unit code → (how many of its dimension's base unit one is, the base unit's symbol)
_UNIT_BASES: dict[str, tuple[Decimal, str]] = {
    **{code: (kwh, SYMBOL["kwh"]) for code, kwh in KWH_PER.items()},
    **{code: (litres / LIQUID_VOLUME_LITRES["m3"], SYMBOL["m3"]) for code, litres in LIQUID_VOLUME_LITRES.items()},
    **{code: (kg, SYMBOL["kg"]) for code, kg in MASS_KG.items()},
}


@transaction.atomic(savepoint=False)  # the caller's transaction, or one of its own
def invoice_audit_refresh(
    *,
    organization_id: uuid.UUID,
    invoices: QuerySet[Invoice] | None = None,
    supply_points: Iterable[str] = (),
    everything: bool = False,
) -> None:
    """Recompute the audit findings of some supply points of an organization, with their invoice links.

    The supply points are those of `invoices` (as stored now, so call it after the write) plus
    `supply_points` (keys of `Invoice.supply_point`, e.g. those bills had before a correction or a
    deletion), or every supply point of the organization with `everything`. Runs in the caller's
    transaction; findings of one organization are refreshed one transaction at a time (an advisory
    lock), so two writers never compute from each other's uncommitted bills.
    """
    keys = set(supply_points)
    if invoices is not None:
        keys.update(invoices.filter(organization_id=organization_id).values_list("supply_point", flat=True).distinct())
    if not everything and not keys:
        return
    scope = "" if everything else "AND i.supply_point = ANY(%(keys)s::text[])"
    params: dict[str, Any] = {
        "organization_id": organization_id,
        "keys": sorted(keys),
        "gap_tolerance_days": GAP_TOLERANCE_DAYS,
        "outlier_ratio": OUTLIER_RATIO,
        "outlier_min_bills": OUTLIER_MIN_BILLS,
        "unit_codes": list(_UNIT_BASES),
        "per_base": [per_base for per_base, _ in _UNIT_BASES.values()],
        "base_units": [symbol for _, symbol in _UNIT_BASES.values()],
    }
    with connection.cursor() as cursor:
        # The organization's audit lock.
        cursor.execute(
            "SELECT pg_advisory_xact_lock(hashtext('invoice_audit'), hashtext(%s::text))", [str(organization_id)]
        )
        # One statement finds, deletes what is no longer found (its links by ON DELETE CASCADE) and inserts the new.
        cursor.execute(
            _FINDINGS_SQL.format(scope=scope, finding_scope=scope.replace("i.", ""), same=_SAME_FINDING), params
        )
        if everything:
            # A whole organization can change the tables' statistics at once; the planner's estimate for
            # `audit_codes` (rows per invoice) must not wait for autovacuum (a guess of thousands made it
            # JIT-compile the invoice list: 380 ms a page instead of 5).
            cursor.execute("ANALYZE invoicing_invoiceauditfinding, invoicing_invoiceauditfindinginvoice")
