"""Reading a result: the 1.5-degree targets, the comparison with the average resident, and the
national reduction path the KPIs measure against."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sparcs_engage.footprint.calculation import FootprintResult

# 1.5-degree lifestyle targets, kg CO2e per person and year (household consumption only, so
# compared with the lifestyle footprint, without the public services): Institute for Global
# Environmental Strategies, Aalto University and D-mat, "1.5-Degree Lifestyles: Targets and
# Options for Reducing Lifestyle Carbon Footprints" (Sitra and KR Foundation, 2019), kept in
# the 2021 update by the Hot or Cool Institute, "1.5-Degree Lifestyles: Towards a Fair
# Consumption Space for All" (2021).
TARGETS_KG: dict[int, int] = {2030: 2500, 2040: 1400, 2050: 700}
TARGETS_SOURCE = (
    "IGES, Aalto University, D-mat & Sitra: 1.5-Degree Lifestyles (2019); "
    "Hot or Cool Institute (2021)"
)

# A difference smaller than this share is "about the same" as the average (it rounds to 0 %).
SAME_AS_AVERAGE = 0.005


@dataclass(frozen=True)
class Comparison:
    """A lifestyle footprint next to the average resident's and the 1.5-degree targets."""

    lifestyle_kg: float
    average_kg: float
    share_vs_average: float  # -0.2 means 20 % below the average
    gap_to_2030_kg: float  # what is left to cut for the 2030 target; 0 when already under it
    targets_met: tuple[int, ...]  # target years the result is already under

    @property
    def relation(self) -> str:
        """less, more or same: within half a percent counts as the same as the average."""
        if self.share_vs_average <= -SAME_AS_AVERAGE:
            return "less"
        if self.share_vs_average >= SAME_AS_AVERAGE:
            return "more"
        return "same"


def compare(result: FootprintResult, average: FootprintResult) -> Comparison:
    """Compare a result's lifestyle footprint with the average resident's (calculated by the
    same method: ``calculate(average_profile(country))``) and with the 1.5-degree targets."""
    mine, theirs = result.lifestyle_kg, average.lifestyle_kg
    return Comparison(
        lifestyle_kg=mine,
        average_kg=theirs,
        share_vs_average=(mine - theirs) / theirs,
        gap_to_2030_kg=max(0.0, mine - TARGETS_KG[2030]),
        targets_met=tuple(year for year, kg in sorted(TARGETS_KG.items()) if mine <= kg),
    )


def path_kg(start_kg: float, start_year: int, on: date) -> float:
    """The national reduction path on a day: a straight line from the average resident's
    lifestyle footprint on 1 January of ``start_year`` to the 2030 target on 1 January 2030,
    and the target after that."""
    target = TARGETS_KG[2030]
    span = (date(2030, 1, 1) - date(start_year, 1, 1)).days
    done = (on - date(start_year, 1, 1)).days
    share = min(1.0, max(0.0, done / span))
    return start_kg + (target - start_kg) * share


@dataclass(frozen=True)
class Parts:
    """What the resident decides and what they don't, kg CO2e per person and year.

    ``energy_system_kg`` is the heat of a home on district heat: the network's fuels decide its
    emissions, and only the city's plans change them; ``public_kg`` are the public services
    and infrastructure everyone in the country shares; ``personal_kg`` is the rest, the part
    the resident's own choices change."""

    personal_kg: float
    energy_system_kg: float
    public_kg: float

    @property
    def fixed_kg(self) -> float:
        return self.energy_system_kg + self.public_kg


def parts(heating: str, result: FootprintResult) -> Parts:
    """Split a result into the resident's part and the fixed part (see ``Parts``)."""
    system = result.by_item.get("heating", 0.0) if heating == "district_heat" else 0.0
    return Parts(
        personal_kg=result.lifestyle_kg - system,
        energy_system_kg=system,
        public_kg=result.public_kg,
    )
