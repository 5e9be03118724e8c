"""The cost model: items, total cost of ownership, power sizing, and the scenario's overrides."""

from __future__ import annotations

import dataclasses

import pytest
from hypothesis import given
from hypothesis import strategies as st

from coverage.errors import InputError, ScenarioError
from coverage.planning.costbook import DEFAULT_ITEMS
from coverage.planning.costitem import CostItem, CostLine
from coverage.planning.costs import CostTable, SolarSizing, total_usd


def test_every_default_item_has_a_source_or_says_it_is_an_assumption():
    for item in DEFAULT_ITEMS.values():
        assert item.source.strip()
        cited = not item.is_assumption
        assert cited or item.source.startswith("ASSUMPTION"), item.key
    assert not DEFAULT_ITEMS["satellite_kit"].is_assumption  # a published price
    assert DEFAULT_ITEMS["mast_18m"].is_assumption


def test_present_value_factor_is_the_textbook_annuity_factor():
    """(1 - 1.09^-10) / 0.09 = 6.4177 (any annuity table at 9 %, 10 years)."""
    t = CostTable(years=10, discount_rate=0.09)
    assert t.pv_factor == pytest.approx(6.417658, rel=1e-6)
    assert CostTable(years=5, discount_rate=0.0).pv_factor == pytest.approx(5.0)


def test_tco_is_capex_plus_discounted_opex():
    t = CostTable()
    lines = [t.line("mast_18m", 1), t.line("maintenance", 1)]
    totals = total_usd(t, lines)
    assert totals["capex_usd"] == 15_000.0
    assert totals["opex_usd_per_year"] == 2_000.0
    assert totals["tco_usd"] == pytest.approx(15_000.0 + 2_000.0 * t.pv_factor)


def test_solar_power_is_sized_from_the_load():
    """200 W (a 150 W small cell and two 25 W radios) x 24 h / (4 h x 0.75) = 1,600 W peak;
    200 W x 24 h x 2 days / 0.8 = 12 kWh of battery."""
    t = CostTable()
    lines = {x.item.key: x for x in t.site_lines(18, grid_power=False)}
    assert lines["solar_pv"].quantity == pytest.approx(1_600.0)
    assert lines["battery"].quantity == pytest.approx(12.0)
    assert "grid_connection" not in lines and "site_lease" in lines
    grid = {x.item.key: x for x in t.site_lines(18, grid_power=True)}
    assert grid["grid_energy"].quantity == pytest.approx(200 * 8.766)
    assert "solar_pv" not in grid and "site_lease" not in grid  # a school hosts it


def test_relays_have_no_access_radio_and_unlicensed_bands_pay_no_operator():
    t = CostTable()
    access = {x.item.key for x in t.site_lines(12, grid_power=False)}
    relay = {x.item.key for x in t.site_lines(12, grid_power=False, access=False)}
    assert {"radio_lte-b28-small-cell", "operator_fee"} <= access
    assert not relay & {"radio_lte-b28-small-cell", "operator_fee"}
    wifi = CostTable(preset="wifi-5ghz-ptmp", licensed_band=False, cellular=False)
    keys = {x.item.key for x in wifi.site_lines(12, grid_power=False)}
    assert "radio_wifi-5ghz-ptmp" in keys and "operator_fee" not in keys
    assert {x.item.key for x in wifi.plan_lines()} == {"pop_equipment"}
    assert {x.item.key for x in t.plan_lines(10.0)} == {
        "pop_equipment",
        "core_network",
        "ip_transit",
    }


def test_link_and_satellite_prices():
    t = CostTable()
    assert t.link_cost_usd() == 2 * 1_500.0 + 1_000.0
    assert t.satellite_household_usd() == pytest.approx(340 + 100 + 540 * t.pv_factor)


@given(height=st.sampled_from([6.0, 12.0, 18.0, 30.0]), grid=st.booleans(), access=st.booleans())
def test_low_central_high_are_ordered_for_every_site(height, grid, access):
    low, mid, high = (
        CostTable(case=c).site_cost_usd(height, grid_power=grid, access=access)
        for c in ("low", "central", "high")
    )
    assert low <= mid <= high


def test_bad_items_and_tables_are_refused():
    with pytest.raises(InputError, match="low <= central <= high"):
        CostItem("x", "x", "site", (3.0, 2.0, 1.0), source="ASSUMPTION: test")
    with pytest.raises(InputError, match="no source"):
        CostItem("x", "x", "site", (1.0, 2.0, 3.0))
    with pytest.raises(InputError, match="case"):
        CostTable(case="median")  # type: ignore[arg-type]
    with pytest.raises(InputError, match="No mast cost for height 7"):
        CostTable().site_cost_usd(7, grid_power=True)
    with pytest.raises(InputError, match="did you mean 'mast_18m'"):
        CostTable().item("mast_18")
    with pytest.raises(InputError, match="radio_magic"):
        CostTable(preset="magic")
    with pytest.raises(InputError, match="shares"):
        SolarSizing(performance_ratio=1.5)
    line = CostLine(DEFAULT_ITEMS["battery"], 2.0, "high")
    assert (line.capex_usd, line.opex_usd_per_year) == (1_200.0, 120.0)


def test_the_scenario_overrides_items():
    from coverage.pipeline.resolve import resolve
    from coverage.sections import CostOverride, CostParams
    from tests.helpers import tiny_scenario

    palmitas_scenario = tiny_scenario()

    costs = CostParams(
        items={
            "mast_18m": CostOverride(capex_usd=(9_000.0,), source="quote, 2026"),
            "mast_24m": CostOverride(
                capex_usd=(10_000.0, 20_000.0, 30_000.0), label="Mast, 24 m", unit="site",
                source="ASSUMPTION: test",
            ),
        },
        case="high",
    )  # fmt: skip
    s = dataclasses.replace(palmitas_scenario, costs=costs)
    table = resolve(s).costs
    assert table.item("mast_18m").capex_usd == (9_000.0, 9_000.0, 9_000.0)
    assert table.item("mast_18m").source == "quote, 2026"
    assert 24.0 in table.heights_m and table.case == "high"
    with pytest.raises(ScenarioError, match="need a source"):
        CostOverride(capex_usd=(1.0,))
    bad = dataclasses.replace(
        palmitas_scenario, costs=CostParams(items={"mast_99": CostOverride(label="")})
    )
    with pytest.raises(ScenarioError, match="not a default item"):
        resolve(bad)
