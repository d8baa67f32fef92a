"""Render the week's KPIs as a table."""

import attrs
from dateutil.relativedelta import relativedelta
from tabulate import tabulate


@attrs.frozen
class Kpi:
    name: str
    value: float


def table(kpis: list[Kpi]) -> str:
    return tabulate([(k.name, k.value) for k in kpis], headers=["kpi", "value"])


def week_span() -> relativedelta:
    return relativedelta(weeks=1)
