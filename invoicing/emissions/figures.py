"""An invoice's figures, kept beside its result rows: what lists and the emissions inventory read.

`invoice_figures_refresh(invoice_ids=...)` recomputes, from the stored InvoiceEmission and
InvoiceCalculationFailure rows of each invoice and its current period and facility:

- on the invoice: `co2e` (kg CO2e of the categories counted in an invoice's total: not those of
  CATEGORIES_OUTSIDE_CO2E), `total_energy_kwh` (the energy category's kWh), `calculated_categories` (how
  many activity categories have a stored result) and `failure_codes` (of its recorded failures);
- its InvoiceMonth rows: one per calendar month of its period, holding the month's share of each amount
  the inventory adds up (CATEGORY_FIGURES), spread by days, each calendar year's part as the engine
  computed it (its year parts) over that year's days (docs/inventory.md, "Calendarization").

The calculator calls it in the transaction that writes the rows, and a correction of an invoice's period
or facility calls it too, so the figures never disagree with the rows. The emissions inventory
(invoicing.selectors.inventory) sums InvoiceMonth rows and counts invoices, reading no result row.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.db import connection
from django.utils import timezone

from invoicing.choices import CATEGORIES_OUTSIDE_CO2E, ActivityCategory, Scope

# The eight figures of the inventory (docs/inventory.md): (key, export column naming its unit). Scope 2 is
# reported both ways, side by side, never added up. Biogenic CO2 is kg of CO2, outside the scopes.
FIGURES: tuple[tuple[str, str], ...] = (
    ("scope_1", "scope_1_kg_co2e"),
    ("scope_2_location_based", "scope_2_location_based_kg_co2e"),
    ("scope_2_market_based", "scope_2_market_based_kg_co2e"),
    ("scope_3_cat3a", "scope_3_cat3a_kg_co2e"),
    ("scope_3_cat3b", "scope_3_cat3b_kg_co2e"),
    ("scope_3_cat3c", "scope_3_cat3c_kg_co2e"),
    ("biogenic_co2", "biogenic_co2_kg"),
    ("energy_kwh", "energy_kwh"),
)
FIGURE_KEYS = tuple(key for key, _ in FIGURES)

_C = ActivityCategory
# Every (activity category, figure) a result row can feed, given the scopes its category takes
# (invoicing.choices.scope_of): an InvoiceMonth column each (MONTH_COLUMNS).
CATEGORY_FIGURES: tuple[tuple[str, str], ...] = (
    (_C.STATIONARY, "scope_1"),
    (_C.STATIONARY, "scope_2_location_based"),  # purchased heat and steam
    (_C.STATIONARY, "scope_2_market_based"),  # purchased heat and steam
    (_C.STATIONARY, "biogenic_co2"),
    (_C.STATIONARY_GENERATION, "scope_3_cat3a"),
    (_C.STATIONARY_GENERATION, "scope_3_cat3b"),  # upstream of purchased heat
    (_C.STATIONARY_GENERATION, "scope_3_cat3c"),  # distribution losses of purchased heat
    (_C.STATIONARY_GENERATION, "biogenic_co2"),
    (_C.ELECTRICITY, "scope_2_market_based"),
    (_C.ELECTRICITY, "biogenic_co2"),
    (_C.ELECTRICITY_LOCATION_BASED, "scope_2_location_based"),
    (_C.ELECTRICITY_GENERATION, "scope_3_cat3b"),
    (_C.ELECTRICITY_GENERATION, "biogenic_co2"),
    (_C.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION, "scope_3_cat3c"),
    (_C.ELECTRICITY_TRANSMISSION_AND_DISTRIBUTION, "biogenic_co2"),
    (_C.ENERGY, "energy_kwh"),
)

# The 3c part of an upstream-of-purchased-heat row `e`: its factors of scope 3c (SQL function of migration 0017).
_THREE_C = "invoicing_emission_factor_scope_kg(e.invoice_id, e.category, %(scope_3c)s)"


def _amount(figure: str, row: str = "e", three_c: str = _THREE_C) -> str:
    """How a row feeds `figure`: SQL over the row (its scope, category, kg_co2e, biogenic_co2_kg, kwh),
    NULL where it does not. Purchased heat and steam is Scope 2 under both methods (GHG Protocol Scope 2
    Guidance); an upstream-of-purchased-heat row (scope_3_3b_3c) is split by the scopes of its factors."""
    amounts = {
        "scope_1": f"CASE WHEN {row}.scope = %(scope_1)s THEN {row}.kg_co2e END",
        "scope_2_location_based": f"CASE WHEN {row}.scope IN (%(scope_2_lb)s, %(scope_2_heat)s) THEN {row}.kg_co2e END",
        "scope_2_market_based": f"CASE WHEN {row}.scope IN (%(scope_2_mb)s, %(scope_2_heat)s) THEN {row}.kg_co2e END",
        "scope_3_cat3a": f"CASE WHEN {row}.scope = %(scope_3a)s THEN {row}.kg_co2e END",
        "scope_3_cat3b": f"CASE WHEN {row}.scope = %(scope_3b)s THEN {row}.kg_co2e"
        f" WHEN {row}.scope = %(scope_3bc)s THEN {row}.kg_co2e - {three_c} END",
        "scope_3_cat3c": f"CASE WHEN {row}.scope = %(scope_3c)s THEN {row}.kg_co2e"
        f" WHEN {row}.scope = %(scope_3bc)s THEN {three_c} END",
        # Location-based electricity repeats the market-based rows' grid biogenic CO2 (UK): counted once,
        # from the categories counted in an invoice's co2e.
        "biogenic_co2": f"CASE WHEN {row}.category <> ALL(%(outside_co2e)s) THEN {row}.biogenic_co2_kg END",
        "energy_kwh": f"{row}.kwh",
    }
    return amounts[figure]


_PARAMS: dict[str, Any] = {
    "scope_1": Scope.SCOPE_1.value,
    "scope_2_lb": Scope.SCOPE_2_LOCATION_BASED.value,
    "scope_2_mb": Scope.SCOPE_2_MARKET_BASED.value,
    "scope_2_heat": Scope.SCOPE_2_HEAT_AND_STEAM.value,
    "scope_3a": Scope.SCOPE_3_3A.value,
    "scope_3b": Scope.SCOPE_3_3B.value,
    "scope_3c": Scope.SCOPE_3_3C.value,
    "scope_3bc": Scope.SCOPE_3_3B_3C.value,
    "outside_co2e": [str(c) for c in CATEGORIES_OUTSIDE_CO2E],
    "energy": ActivityCategory.ENERGY.value,
}

# The InvoiceMonth column of each (category, figure) pair of CATEGORY_FIGURES.
MONTH_COLUMNS = tuple(f"{category}_{figure}" for category, figure in CATEGORY_FIGURES)


def _amounts_sql(row: str = "e", three_c: str = _THREE_C) -> str:
    """ARRAY of the rows' amounts in CATEGORY_FIGURES order, an aggregate over rows named `row`."""
    sums = ", ".join(
        f"SUM({_amount(figure, row, three_c)}) FILTER (WHERE {row}.category = '{category}')"
        for category, figure in CATEGORY_FIGURES
    )
    return f"ARRAY[{sums}]::numeric[]"


def _spread(amount: str, upto: str, before: str, days: str) -> str:
    """The share of `amount` in a piece of a period of `days` days: the rounded running total at the piece's
    last day (`upto` days from the period's start) minus the one before its first (`before` days)."""
    return (
        f"(CASE WHEN {upto} = {days} THEN {amount} ELSE round({amount} * {upto} / {days}, 6) END)"
        f" - (CASE WHEN {before} = 0 THEN 0 ELSE round({amount} * {before} / {days}, 6) END)"
    )


# A row's part in the calendar year `g` of its invoice's period `t`: the engine's year part for that year
# (docs/emissions.md: each year's quantity with that year's factors) when the row's parts are those of the
# invoice's current period, else the row's figures spread over the period by days.
def _by_days(amount: str) -> str:
    return _spread(amount, "(g.last_day - t.start_date + 1)", "(g.first_day - t.start_date)", "t.days")


_YEAR_PART_SQL = f"""
    SELECT e.category, e.scope, {_by_days("e.kwh")} AS kwh,
           CASE WHEN q.part IS NULL THEN {_by_days("e.kg_co2e")} ELSE (q.part->>'kg_co2e')::numeric END AS kg_co2e,
           CASE WHEN q.part IS NULL THEN {_by_days("e.biogenic_co2_kg")}
                ELSE (q.part->>'biogenic_co2_kg')::numeric END AS biogenic_co2_kg,
           CASE WHEN e.scope <> %(scope_3bc)s THEN NULL WHEN q.part IS NULL THEN {_by_days(_THREE_C)} ELSE (
               SELECT COALESCE(SUM((f->>'kg_co2e')::numeric), 0) FROM jsonb_array_elements(q.part->'factors') AS f
               WHERE f->>'scope' = %(scope_3c)s) END AS three_c
    FROM (
        SELECT (SELECT p FROM jsonb_array_elements(e.year_parts) AS p
                WHERE (p->>'start_date')::date = g.first_day AND (p->>'end_date')::date = g.last_day
                  AND (SELECT min((a->>'start_date')::date) = t.start_date AND max((a->>'end_date')::date) = t.end_date
                       FROM jsonb_array_elements(e.year_parts) AS a)) AS part
    ) AS q
    OFFSET 0  -- evaluated once per row, not once per use of its columns
"""

_MONTH_SHARES_SQL = ", ".join(
    f"{_spread(f'y.amounts[{n}]', 'y.upto', 'y.before', 'y.days')} AS {column}"
    for n, column in enumerate(MONTH_COLUMNS, start=1)
)
_MONTH_FIELDS = ", ".join(("invoice_id", "organization_id", "facility_id", "month", *MONTH_COLUMNS))
# What a month row that is written again may change: its facility (after a correction) and its shares.
_MONTH_REWRITTEN = ("facility_id", *MONTH_COLUMNS)
_MONTH_UPDATES = ", ".join(f"{name} = EXCLUDED.{name}" for name in _MONTH_REWRITTEN)
_MONTH_CURRENT = ", ".join(f"o.{name}" for name in _MONTH_REWRITTEN)
_MONTH_EXCLUDED = ", ".join(f"EXCLUDED.{name}" for name in _MONTH_REWRITTEN)

_REFRESH_SQL = f"""
    WITH totals AS (
        SELECT i.id, i.organization_id, i.facility_id, i.start_date, i.end_date,
               (i.end_date - i.start_date + 1) AS days, r.co2e, r.energy, r.results, r.amounts,
               (SELECT array_agg(DISTINCT f.code ORDER BY f.code) FROM invoicing_invoicecalculationfailure AS f
                WHERE f.invoice_id = i.id) AS failure_codes
        FROM unnest(%(ids)s::uuid[]) AS u(id)
        JOIN invoicing_invoice AS i ON i.id = u.id
        -- Each invoice's rows, found by its id (a join with the whole result table would be planned as a scan).
        CROSS JOIN LATERAL (
            SELECT SUM(e.kg_co2e) FILTER (WHERE e.category <> ALL(%(outside_co2e)s)) AS co2e,
                   MAX(e.kwh) FILTER (WHERE e.category = %(energy)s) AS energy,
                   count(*) AS results,
                   {_amounts_sql()} AS amounts
            FROM invoicing_invoiceemission AS e
            WHERE e.invoice_id = i.id
        ) AS r
    ),
    -- Each month of each period, with the calendar year it lies in (the part of the period in that year)
    -- and that year's amounts: the invoice's whole amounts when the period lies in one year (most bills),
    -- else the sum of its rows' parts in that year. Each year's amounts are spread over its months by days.
    months AS (
        SELECT t.id AS invoice_id, t.organization_id, t.facility_id, g.month, {_MONTH_SHARES_SQL}
        FROM totals AS t
        CROSS JOIN LATERAL (
            SELECT m::date AS month, (m + interval '1 month - 1 day')::date AS month_end,
                   GREATEST(t.start_date, date_trunc('year', m)::date) AS first_day,
                   LEAST(t.end_date, (date_trunc('year', m) + interval '1 year - 1 day')::date) AS last_day
            FROM generate_series(date_trunc('month', t.start_date::timestamp), t.end_date::timestamp,
                                 interval '1 month') AS m
        ) AS g
        CROSS JOIN LATERAL (
            SELECT (g.last_day - g.first_day + 1) AS days,
                   LEAST(g.last_day, g.month_end) - g.first_day + 1 AS upto,
                   GREATEST(g.month - g.first_day, 0) AS before,
                   CASE WHEN g.first_day = t.start_date AND g.last_day = t.end_date THEN t.amounts ELSE (
                       SELECT {_amounts_sql("x", "x.three_c")}
                       FROM invoicing_invoiceemission AS e CROSS JOIN LATERAL ({_YEAR_PART_SQL}) AS x
                       WHERE e.invoice_id = t.id
                   ) END AS amounts
            OFFSET 0
        ) AS y
        WHERE t.results > 0
    ),
    -- Months no longer of an invoice (its period corrected, its last result gone) go; the others are
    -- written only where they change (a recalculation that finds the same numbers writes nothing).
    gone AS (
        DELETE FROM invoicing_invoicemonth AS o
        WHERE o.invoice_id = ANY(%(ids)s::uuid[])
          AND NOT EXISTS (SELECT FROM months AS n WHERE n.invoice_id = o.invoice_id AND n.month = o.month)
    ),
    written AS (
        INSERT INTO invoicing_invoicemonth AS o ({_MONTH_FIELDS})
        SELECT {_MONTH_FIELDS} FROM months
        ON CONFLICT (invoice_id, month) DO UPDATE SET {_MONTH_UPDATES}
        WHERE ({_MONTH_CURRENT}) IS DISTINCT FROM ({_MONTH_EXCLUDED})
    )
    UPDATE invoicing_invoice AS i
    SET co2e = t.co2e, total_energy_kwh = t.energy, calculated_categories = t.results,
        failure_codes = t.failure_codes, updated_at = %(now)s
    FROM totals AS t
    WHERE i.id = t.id
      AND (i.co2e, i.total_energy_kwh, i.calculated_categories, i.failure_codes)
          IS DISTINCT FROM (t.co2e, t.energy, t.results, t.failure_codes)
"""


def invoice_figures_refresh(*, invoice_ids: Sequence[uuid.UUID], now: datetime | None = None) -> None:
    """Recompute the figures kept for each invoice of `invoice_ids` from its stored rows (module docstring).

    `updated_at` becomes `now` (default: the current time) on the invoices whose own figures changed; rows
    that would not change are not written. One statement; runs in the caller's transaction, which should
    hold the invoices' row locks (the calculator's SELECT … FOR UPDATE) when jobs may calculate them at
    the same time. Ids of invoices that do not exist are ignored.
    """
    params = {**_PARAMS, "ids": sorted(set(invoice_ids)), "now": now or timezone.now()}
    with connection.cursor() as cursor:
        cursor.execute(_REFRESH_SQL, params)
