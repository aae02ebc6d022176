"""The city's part: each city's published plans and what they change in a resident's
footprint by the city's target year, for the same answers."""

from __future__ import annotations

from pathlib import Path

import pytest

from sparcs_engage import footprint as fp
from sparcs_engage.settings import REPO_ROOT

CITIES = REPO_ROOT / "data" / "cities"


def plans(city: str, country: str) -> fp.CityPlans:
    loaded = fp.load_plans(CITIES / city, city, country)
    assert loaded is not None
    return loaded


def test_each_city_has_plans_with_sources_texts_and_estimates_marked() -> None:
    for city, country, target in (("espoo", "FI", 2030), ("leipzig", "DE", 2040)):
        p = plans(city, country)
        assert p.target_year == target
        assert p.plans
        for plan in p.plans:
            assert plan.factor in fp.KNOWN_KEYS
            assert plan.source.strip() and plan.source_year >= 2019
            assert set(plan.what) >= {"fi", "de", "en"}
            if plan.status == "estimate":
                assert plan.reasoning.strip(), plan.id
        assert any(plan.factor == "district_heat" and plan.where == "city" for plan in p.plans)


def test_espoo_district_heat_by_hand() -> None:
    a = fp.average_profile("FI").model_copy(update={"city": "espoo"})
    view = fp.outlook(a, plans("espoo", "FI"))
    effects = {e.plan.id: e.saving_kg for e in view.effects}
    heat = fp.default_heat_kwh(a) / a.household_size  # 80 m2 x 140 kWh / 2 = 5,600 kWh
    # coal ended: 0.12397 -> 0.07; Espoo Clean Heat: 0.07 -> 0.025 (both estimates)
    assert effects["coal_ended"] == pytest.approx(heat * (0.12397 - 0.07), rel=1e-9)
    assert effects["clean_heat"] == pytest.approx(heat * (0.07 - 0.025), rel=1e-9)
    # the Finnish grid: 0.06663 -> 0.04 on the household electricity (900 + 500 x 2) / 2
    assert effects["finnish_grid"] == pytest.approx(950 * (0.06663 - 0.04), rel=1e-9)
    # every plan up to 2030 together; HSL's 2035 goal is later than Espoo's target year
    due = sum(v for k, v in effects.items() if k != "hsl_zero_emission")
    assert view.saving_kg == pytest.approx(due, rel=1e-9)
    assert view.target_year == 2030
    assert view.planned.factor_version.endswith("-plans2030")


def test_a_gas_heated_home_in_leipzig_gains_from_the_grid_only() -> None:
    a = fp.average_profile("DE").model_copy(update={"city": "leipzig"})
    effects = {e.plan.id: e.saving_kg for e in fp.outlook(a, plans("leipzig", "DE")).effects}
    assert effects["heat_network_law"] == 0 and effects["climate_neutral_heat"] == 0
    assert effects["german_grid_2030"] > 0 and effects["german_grid_2035"] > 0


def test_plans_of_another_country_change_nothing() -> None:
    a = fp.average_profile("FI").model_copy(update={"city": "leipzig"})
    view = fp.outlook(a, plans("leipzig", "DE"))
    assert view.saving_kg == 0 and all(e.saving_kg == 0 for e in view.effects)


def test_a_city_without_plans_and_a_broken_plans_file(tmp_path: Path) -> None:
    assert fp.load_plans(tmp_path, "nowhere", "FI") is None
    (tmp_path / "plans.toml").write_text(
        'target_year = 2030\n[[plan]]\nid = "x"\nfactor = "district_hat"\nwhere = "city"\n'
        'year = 2030\nvalue = 0.1\nstatus = "estimate"\nsource = "s"\nsource_year = 2024\n'
        '[plan.what]\nen = "x"\n',
        encoding="utf-8",
    )
    with pytest.raises(fp.PlanFileError, match="district_hat"):
        fp.load_plans(tmp_path, "somewhere", "FI")
