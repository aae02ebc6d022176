"""Every KPI for a filter in one :func:`compute`, which the dashboard, the CLI and the export
all call, and the report as plain data."""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import UTC, date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

from sparcs_engage.kpis.definitions import KPIS, REGISTRY, kpi_texts
from sparcs_engage.kpis.facts import gather
from sparcs_engage.kpis.filters import KpiFilter
from sparcs_engage.kpis.values import MIN_GROUP, NOT_APPLICABLE, KpiValue, _delta


@dataclass(frozen=True)
class KpiReport:
    """Every KPI that applies to a filter, in registry order."""

    flt: KpiFilter
    values: tuple[KpiValue, ...]
    population: int | None
    workshops: int
    computed_at: datetime

    def get(self, kpi_id: str) -> KpiValue | None:
        return next((v for v in self.values if v.id == kpi_id), None)


def city_today(zone: str, now: datetime | None = None) -> date:
    """Today in a city's own time zone (the server may run on UTC)."""
    return (now or datetime.now(UTC)).astimezone(ZoneInfo(zone)).date()


def compute(session: Session, flt: KpiFilter, now: datetime | None = None) -> KpiReport:
    """All KPIs for a filter (the ones whose channels are not selected are left out)."""
    facts = gather(session, flt)
    current_month = city_today(facts.zone, now).strftime("%Y-%m")
    values = []
    for kpi in REGISTRY:
        if not kpi.applies(flt):
            continue
        if flt.district and not kpi.by_district:
            values.append(KpiValue(kpi.id, None, None, NOT_APPLICABLE))
            continue
        value = kpi.formula(facts)
        values.append(replace(value, delta=_delta(value.trend, current_month)))
    return KpiReport(flt, tuple(values), facts.population, facts.workshops, datetime.now(UTC))


def report_dict(report: KpiReport, lang: str = "en") -> dict[str, Any]:
    """The report as plain data (for JSON): ids, values, units, texts in one language."""
    texts = kpi_texts(lang)
    flt = report.flt
    return {
        "city": flt.city,
        "district": flt.district,
        "period": {
            "start": flt.start.isoformat() if flt.start else None,
            "end": flt.end.isoformat() if flt.end else None,
        },
        "channels": list(flt.channels),
        "min_group": MIN_GROUP,
        "computed_at": report.computed_at.isoformat(timespec="seconds"),
        "kpis": [
            {
                "id": v.id,
                "name": texts[v.id]["name"],
                "unit": KPIS[v.id].unit,
                "framework": KPIS[v.id].framework,
                "value": v.value,
                "n": v.n,
                "status": v.status,
                "top": v.top,
                "trend": [{"month": m, "value": x} for m, x in v.trend],
                "breakdown": [
                    {"key": r.key, "value": r.value, "n": r.n, "reference": r.reference}
                    for r in v.breakdown
                ],
            }
            for v in report.values
        ],
    }
