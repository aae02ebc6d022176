"""Reading a result: the reference values shown next to it (the 1.5-degree targets and the
national averages, with their sources) and the comparison with them."""

from __future__ import annotations

from dataclasses import dataclass

from sparcs_engage.footprint.calculation import FootprintResult

# 1.5-degree lifestyle targets, kg CO2e per person and year (household consumption only):
# Institute for Global Environmental Strategies, Aalto University and D-mat, "1.5-Degree
# Lifestyles: Targets and Options for Reducing Lifestyle Carbon Footprints" (Sitra and
# KR Foundation, 2019), kept in the 2021 update by the Hot or Cool Institute, "1.5-Degree
# Lifestyles: Towards a Fair Consumption Space for All" (2021).
TARGETS_KG: dict[int, int] = {2030: 2500, 2040: 1400, 2050: 700}

# National averages, kg CO2e per person and year:
# FI: Sitra, Lifestyle test (elämäntapatesti), average Finn 10,300 kg (calculation basis by
#     D-mat, 2018); household consumption only, like the targets above.
# DE: Umweltbundesamt, CO2-Rechner (built by ifeu), German average 10.8 t (2022 profile:
#     housing 2.2, electricity about 0.5, mobility about 2.2, food 1.7, other consumption 3.4,
#     public emissions 0.8 t).
NATIONAL_AVERAGE_KG: dict[str, int] = {"FI": 10_300, "DE": 10_800}

# Source and year of the references above, for the page to show next to the numbers.
REFERENCE_SOURCES: dict[str, str] = {
    "targets": "IGES, Aalto-yliopisto, D-mat & Sitra: 1.5-Degree Lifestyles (2019); "
    "Hot or Cool Institute (2021)",
    "FI": "Sitra, Elämäntapatesti (D-mat, 2018)",
    "DE": "Umweltbundesamt, CO2-Rechner (2022)",
}


@dataclass(frozen=True)
class Comparison:
    """A result next to the national average and the 1.5-degree targets, for the plain sentence."""

    total_kg: float
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


# A difference smaller than this share is "about the same" as the average (it rounds to 0 %).
SAME_AS_AVERAGE = 0.005


def compare(result: FootprintResult, average_kg: float) -> Comparison:
    """Compare a result with an average resident's total and the 1.5-degree targets.

    Pass the calculated average profile's total (``calculate(average_profile(country))``), so
    that the sentence and the chart beside it show the same average.
    """
    average = float(average_kg)
    return Comparison(
        total_kg=result.total_kg,
        average_kg=average,
        share_vs_average=(result.total_kg - average) / average,
        gap_to_2030_kg=max(0.0, result.total_kg - TARGETS_KG[2030]),
        targets_met=tuple(year for year, kg in sorted(TARGETS_KG.items()) if result.total_kg <= kg),
    )
