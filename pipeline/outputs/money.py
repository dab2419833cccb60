"""Money as the outputs show it: always with its currency code, in compact units an executive reads at a glance.

The marts do not convert currencies. A mart row that carries a `currency` column (mart_revenue_influence,
mart_cost_to_serve) is shown in that currency and never summed with another; money without one (the scorecard's
currency KPIs, revenue at risk) is shown in the reporting currency, OUTCOMES_CURRENCY (default USD), which should be
the currency of the seed channel_costs and of the CRM's revenue figures.
"""

from __future__ import annotations

import os
import re

CURRENCY_ENV = "OUTCOMES_CURRENCY"
DEFAULT_CURRENCY = "USD"
UNITS = ((1e9, "B"), (1e6, "M"), (1e3, "k"))


def reporting_currency() -> str:
    value = (os.environ.get(CURRENCY_ENV) or DEFAULT_CURRENCY).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise ValueError(f"{CURRENCY_ENV} must be a three-letter ISO 4217 code such as USD or EUR, got {value!r}")
    return value


def format_money(value: float | None, currency: str | None = None) -> str:
    """`USD 1.2M`, `USD 950`, `USD 2.50`, `-EUR 3.4k`; `-` for no value."""
    if value is None:
        return "-"
    currency = currency or reporting_currency()
    sign, amount = ("-" if value < 0 else ""), abs(float(value))
    for threshold, suffix in UNITS:
        if amount >= threshold:
            return f"{sign}{currency} {amount / threshold:,.1f}{suffix}"
    text = f"{amount:,.0f}" if amount >= 100 or amount == int(amount) else f"{amount:,.2f}"
    return f"{sign}{currency} {text}"


def axis_title(currencies: list[str]) -> str:
    """The label of a money axis: its currency, or that several are shown side by side, not converted."""
    if len(currencies) == 1:
        return f"{currencies[0]}"
    if not currencies:
        return reporting_currency()
    return f"{', '.join(currencies)} (not converted)"
