"""The figures the map page shows: city averages, the latest year, the district table and
card, a trend, class breaks for the legend."""

from __future__ import annotations

import math
from collections.abc import Iterable

import pandas as pd

from sparcs_engage.energy.districts import District
from sparcs_engage.energy.indicators import POPULATION


def _aggregation(df: pd.DataFrame, indicator: str) -> str:
    """How districts combine into a city figure: from the frame, else the default rule."""
    if "aggregation" in df.columns:
        found = df.loc[df["indicator"] == indicator, "aggregation"]
        if not found.empty:
            return str(found.iloc[0])
    return "sum" if indicator == POPULATION else "population_weighted"


def city_average(df: pd.DataFrame, indicator: str, year: int) -> float | None:
    """The city figure for one indicator and year, computed from the district rows.

    Counts (aggregation ``sum``, i.e. population) are added up: the result is the city total.
    Everything else (per-resident figures, per-1,000-resident rates and shares of residents)
    is weighted by each district's population of the same year, which is exactly the city's
    own per-resident figure when the district figures are "district total / district
    residents". For shares of energy (renewable share) it is an approximation: the right
    weight would be the energy used, which the data does not have. Districts without a
    population row for that year are left out; None when nothing can be computed.
    """
    rows = df[(df["indicator"] == indicator) & (df["year"] == year)]
    if rows.empty:
        return None
    if _aggregation(df, indicator) == "sum":
        return float(rows["value"].sum())
    population = df[(df["indicator"] == POPULATION) & (df["year"] == year)]
    weights = rows["district"].map(population.set_index("district")["value"])
    usable = weights.notna() & (weights > 0)
    if not usable.any():
        return None
    values, weights = rows["value"][usable], weights[usable]
    return float((values * weights).sum() / weights.sum())


def latest_year(df: pd.DataFrame, indicator: str, district: str | None = None) -> int | None:
    """The most recent data year of an indicator (for one district if given), or None."""
    rows = df[df["indicator"] == indicator]
    if district is not None:
        rows = rows[rows["district"] == district]
    return None if rows.empty else int(rows["year"].max())


def district_table(
    df: pd.DataFrame, indicator: str, year: int | None, lang: str, districts: Iterable[District]
) -> pd.DataFrame:
    """Every district's value of an indicator in a year, largest first, districts without
    data last; columns district, name, value, unit, year, source, note.

    ``year=None`` means the indicator's latest year.
    """
    if year is None:
        year = latest_year(df, indicator)
    rows = df[(df["indicator"] == indicator) & (df["year"] == year)].set_index("district")
    units = df.loc[df["indicator"] == indicator, "unit"]
    unit = str(units.iloc[0]) if not units.empty else ""
    records = []
    for district in districts:
        found = district.id in rows.index
        records.append(
            {
                "district": district.id,
                "name": district.name(lang),
                "value": float(rows.at[district.id, "value"]) if found else math.nan,
                "unit": unit,
                "year": year,
                "source": str(rows.at[district.id, "source"]) if found else "",
                "note": str(rows.at[district.id, "note"]) if found else "",
            }
        )
    table = pd.DataFrame.from_records(
        records, columns=["district", "name", "value", "unit", "year", "source", "note"]
    )
    table = table.sort_values(
        ["value", "name"], ascending=[False, True], na_position="last", kind="stable"
    )
    return table.reset_index(drop=True)


def district_card(df: pd.DataFrame, district_id: str) -> pd.DataFrame:
    """For one district, every indicator's latest value next to the city figure of that year.

    Columns: indicator, value, year, unit, city_average, aggregation, source, note. For
    ``sum`` indicators (population) ``city_average`` is the city total.
    """
    columns = [
        "indicator",
        "value",
        "year",
        "unit",
        "city_average",
        "aggregation",
        "source",
        "note",
    ]
    rows = df[df["district"] == district_id]
    records = []
    for indicator in dict.fromkeys(df["indicator"]):
        own = rows[rows["indicator"] == indicator]
        if own.empty:
            continue
        latest = own.loc[own["year"].idxmax()]
        year = int(latest["year"])
        records.append(
            {
                "indicator": indicator,
                "value": float(latest["value"]),
                "year": year,
                "unit": str(latest["unit"]),
                "city_average": city_average(df, indicator, year),
                "aggregation": _aggregation(df, indicator),
                "source": str(latest["source"]),
                "note": str(latest["note"]),
            }
        )
    return pd.DataFrame.from_records(records, columns=columns)


def trend(df: pd.DataFrame, district_id: str, indicator: str) -> pd.DataFrame:
    """One district's values of an indicator year by year, with the city figure of each year.

    Columns: year, value, city_average, unit, source, note; sorted by year.
    """
    rows = df[(df["district"] == district_id) & (df["indicator"] == indicator)]
    rows = rows.sort_values("year")
    return pd.DataFrame(
        {
            "year": rows["year"].astype("int64").to_list(),
            "value": rows["value"].astype("float64").to_list(),
            "city_average": [city_average(df, indicator, int(y)) for y in rows["year"]],
            "unit": rows["unit"].to_list(),
            "source": rows["source"].to_list(),
            "note": rows["note"].to_list(),
        },
        columns=["year", "value", "city_average", "unit", "source", "note"],
    )


def class_breaks(values: Iterable[float], classes: int = 5) -> list[float]:
    """Quantile class limits for a choropleth: [min, ..., max], at most ``classes`` classes.

    Equal-count classes keep every colour in use even when one district stands far out; equal
    limits are merged, so a city whose districts share one value gets a single class.
    """
    data = sorted(v for v in values if v is not None and not math.isnan(v))
    if not data:
        return []
    limits = [data[0]]
    for k in range(1, classes):
        position = k * (len(data) - 1) / classes
        low = data[math.floor(position)]
        high = data[math.ceil(position)]
        limit = low + (high - low) * (position - math.floor(position))
        if limit > limits[-1]:
            limits.append(limit)
    if data[-1] > limits[-1] or len(limits) == 1:
        limits.append(data[-1])
    return limits
