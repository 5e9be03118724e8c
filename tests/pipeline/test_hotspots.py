"""School hotspots end to end on the tiny synthetic territory (tests/territory.py): where one
access site is all the budget buys, a hotspot at the school it serves is the cheapest way to
reach the households beyond its coverage, and every output says so; with the option off, or
reaching no one, the plan is the terrestrial one."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import pytest
from shapely.geometry import Point

from coverage import pipeline
from coverage.errors import InputError, ScenarioError
from coverage.outputs.compare import plan_figures
from coverage.outputs.export import write_outputs
from coverage.outputs.report import summarize
from coverage.outputs.rollout import rollout
from coverage.pipeline.hotspots import BuiltHotspots, hotspot_option, with_busy_hour_load
from coverage.plan import Plan
from coverage.planning.costs import hotspot_usd
from coverage.scenario import Scenario, load_scenario
from tests.territory import write_territory

#: One site, the PoP and the plan-wide items fit in it, a second site does not (about
#: 47,000 USD plan-wide and 105,000 for a site at central prices; a hotspot 4,380).
BUDGET_USD = 200_000.0
WALK_M = 1500.0  # wide enough to reach past the site's coverage on this small grid


@pytest.fixture(scope="module")
def territory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_territory(tmp_path_factory.mktemp("territory"))


@pytest.fixture(scope="module")
def inputs(territory: Path) -> pipeline.Inputs:
    return pipeline.prepare_inputs(pipeline.resolve(load_scenario(territory)))


def _scenario(territory: Path, **hotspots: object) -> Scenario:
    return load_scenario(territory).replace(
        placement={"budget_sites": 0, "budget_usd": BUDGET_USD}, hotspots=hotspots
    )


def _plan(s: Scenario, inputs: pipeline.Inputs) -> Plan:
    run = pipeline.resolve(s)
    cands = pipeline.build_candidates(run, inputs)
    rx, _ = pipeline.coverage_matrix(run, inputs, cands)
    return pipeline.assemble_plan(
        run, inputs, cands, rx, pipeline.choose_sites(run, inputs, cands, rx)
    )


@pytest.fixture(scope="module")
def mixed(territory: Path, inputs: pipeline.Inputs) -> Plan:
    return _plan(_scenario(territory, enabled=True, walk_radius_m=WALK_M), inputs)


@pytest.fixture(scope="module")
def terrestrial(territory: Path, inputs: pipeline.Inputs) -> Plan:
    return _plan(_scenario(territory, enabled=False, walk_radius_m=WALK_M), inputs)


def test_the_budget_builds_a_hotspot_whose_households_are_hotspot_served(mixed: Plan) -> None:
    hot = mixed.hotspots
    assert hot is not None and len(hot) >= 1
    d = mixed.demand
    served = d["service"] == "served_hotspot"
    assert served.any()
    # each served point names a built hotspot, is not covered by a site, has no terminal
    assert set(d.loc[served, "hotspot"]) <= set(hot["hotspot_id"])
    assert not d.loc[served, "covered"].any()
    assert (d.loc[served, "satellite_terminals"] == 0).all()
    assert (d.loc[~served, "hotspot"] == "").all()
    # the host school is served by the plan's network: the hotspot has a feed
    hosts = d.set_index("demand_id").loc[hot["host_id"]]
    assert hosts["covered"].all() and (hosts["kind"] == "school").all()
    assert hot["households_reached"].sum() == pytest.approx(d.loc[served, "households"].sum())
    # priced from the hotspot items, within the budget
    lines = mixed.costs
    assert lines is not None
    usd = lines.loc[lines["kind"] == "hotspot"].groupby("element")["tco_usd"].sum()
    assert set(usd.index) == set(hot["hotspot_id"])
    assert usd.to_numpy() == pytest.approx(hot["cost_usd"].to_numpy())
    assert usd.iloc[0] == pytest.approx(hotspot_usd(pipeline.resolve(mixed.scenario).costs))
    assert lines["tco_usd"].sum() <= BUDGET_USD + 1e-6
    assert any("Hotspot option" in a for a in mixed.assumptions)
    assert mixed.metrics["hotspots_built"] == len(hot)


def test_the_hotspot_reaches_people_the_terrestrial_plan_leaves_unserved(
    mixed: Plan, terrestrial: Plan
) -> None:
    """The same budget: the mixed plan serves more households, none fewer by the network
    than it would lose to the hotspot's cost (here the same single site)."""
    a, b = terrestrial.demand, mixed.demand
    connected = ("served_new", "served_hotspot", "served_satellite")
    assert b["service"].isin(connected).sum() > a["service"].isin(connected).sum()
    assert (
        b.loc[b["service"].isin(connected), "households"].sum()
        > a.loc[a["service"].isin(connected), "households"].sum()
    )


def test_outputs_show_hotspot_households_per_vereda_on_the_map_and_in_the_kml(
    mixed: Plan, tmp_path: Path
) -> None:
    built = mixed.hotspots
    assert built is not None
    summary = summarize(mixed)
    served = mixed.demand["service"] == "served_hotspot"
    hh = float(mixed.demand.loc[served, "households"].sum())
    assert summary["totals"]["households_served_hotspot"] == pytest.approx(hh)
    per_vereda = sum(v["households_served_hotspot"] for v in summary["subdivisions"])
    assert per_vereda == pytest.approx(hh)
    assert summary["cost"]["hotspots"] == len(built)
    figures = plan_figures(mixed)  # what a scenario comparison tabulates
    assert figures["households_served_hotspot"] == pytest.approx(hh)
    assert figures["people_served_hotspot"] == pytest.approx(
        float(mixed.demand.loc[served, "population"].sum())
    )
    assert figures["hotspots"] == len(built)
    written = write_outputs(
        mixed, tmp_path, language="en", formats=["summary", "map", "kmz", "sites_csv", "costs_csv"]
    )
    table = pd.read_csv(written["summary_csv"])
    assert table["households_served_hotspot"].sum() == pytest.approx(hh, abs=len(table))
    hot = pd.read_csv(written["hotspots_csv"])
    assert hot["hotspot_id"].tolist() == built["hotspot_id"].tolist()
    assert hot["households_reached"].sum() == pytest.approx(hh, abs=0.01 * len(hot))
    costs = pd.read_csv(written["costs_csv"])
    assert (costs["kind"] == "hotspot").sum() == 6 * len(hot)  # six items per hotspot
    page = Path(written["map"]).read_text(encoding="utf-8")
    assert "Public Wi-Fi hotspots (schools and plazas)" in page and "Public Wi-Fi hotspot" in page
    with zipfile.ZipFile(written["kmz"]) as z:
        kml = z.read("doc.kml").decode("utf-8")
    assert all(h in kml for h in built["hotspot_id"])
    assert "served_hotspot" in kml
    md = Path(written["summary_md"]).read_text(encoding="utf-8")
    assert "Public Wi-Fi hotspot" in md
    assert json.loads(Path(written["summary_json"]).read_text())["cost"]["hotspot_usd"] > 0


def test_hotspots_off_or_reaching_no_one_give_the_terrestrial_plan(
    territory: Path, inputs: pipeline.Inputs, terrestrial: Plan
) -> None:
    off = terrestrial
    assert off.hotspots is None and "hotspot" not in off.demand.columns
    assert off.costs is not None and not (off.costs["kind"] == "hotspot").any()
    assert "served_hotspot" not in set(off.demand["service"])
    assert "hotspots_built" not in off.metrics
    # the option on, but a walk of 1 m reaches no household: the same plan as off
    nobody = _plan(_scenario(territory, enabled=True, walk_radius_m=1.0), inputs)
    assert nobody.hotspots is not None and len(nobody.hotspots) == 0
    assert nobody.sites["site_id"].tolist() == off.sites["site_id"].tolist()
    assert nobody.demand["service"].tolist() == off.demand["service"].tolist()
    assert np.array_equal(nobody.demand["covered"], off.demand["covered"])
    assert nobody.costs is not None
    assert nobody.costs["tco_usd"].sum() == pytest.approx(off.costs["tco_usd"].sum())


def test_bad_hotspot_keys_are_named() -> None:
    s = load_scenario()
    with pytest.raises(ScenarioError, match=r"hotspots\.walk_radius_m.*\n.*hotspots\.weight"):
        s.replace(hotspots={"walk_radius_m": 0.0, "weight": 1.5})
    with pytest.raises(ScenarioError, match=r"hotspots\.enabled"):
        s.replace(hotspots={"enabled": "yes"})


def _with_plazas(root: Path, mixed: Plan) -> tuple[Path, gpd.GeoDataFrame]:
    """A copy of the territory whose area names a plazas layer: one plaza 40 m from the
    household point nearest the hotspot school of the mixed plan, and one 5 km outside."""
    scenario = write_territory(root)
    d = mixed.demand
    homes = d[d["kind"] != "school"]
    school = mixed.hotspots.geometry.iloc[0]  # type: ignore[union-attr]
    near = homes.geometry.iloc[int(np.argmin(homes.distance(school).to_numpy()))]
    plazas = gpd.GeoDataFrame(
        {"nombre": ["Parque", "Lejos"]},
        geometry=[Point(near.x + 40.0, near.y), Point(near.x + 5_000.0, near.y)],
        crs=d.crs,
    ).to_crs(4326)
    plazas.to_file(root / "plazas.geojson", driver="GeoJSON")
    area = root / "area.toml"
    area.write_text(
        area.read_text() + '[layers.plazas]\nfile = "plazas.geojson"\n', encoding="utf-8"
    )
    return scenario, plazas


def test_plazas_are_candidates_fed_by_a_building_and_never_lower_the_optimum(
    mixed: Plan, tmp_path: Path
) -> None:
    scenario, _ = _with_plazas(tmp_path, mixed)
    s = _scenario(scenario, enabled=True, walk_radius_m=WALK_M)
    run = pipeline.resolve(s)
    inputs = pipeline.prepare_inputs(run)
    option = hotspot_option(run, inputs.demand, inputs.paths["plazas"])
    assert option is not None and option.kinds is not None
    assert option.kinds.count("plaza") == 1  # the far plaza has no building within 100 m
    j = option.kinds.index("plaza")
    assert option.labels[j] == "Parque"
    assert inputs.demand["kind"].iloc[option.host[j]] != "school"
    plan = _plan(s, inputs)
    assert plan.metrics["covered_weight"] >= mixed.metrics["covered_weight"] - 1e-6
    assert any("each place of the plazas layer" in a for a in plan.assumptions)
    hot = plan.hotspots
    assert hot is not None and set(hot["kind"]) <= {"school", "plaza"}
    off = _plan(_scenario(scenario, enabled=True, walk_radius_m=WALK_M, plazas=False), inputs)
    assert off.metrics["covered_weight"] == pytest.approx(mixed.metrics["covered_weight"])
    assert any("plazas = false" in a for a in off.assumptions)
    assert any("no plaza is a candidate" in a for a in mixed.assumptions)


def test_a_bad_plazas_layer_stops_the_plan_naming_the_file(mixed: Plan, tmp_path: Path) -> None:
    scenario, plazas = _with_plazas(tmp_path, mixed)
    plazas.rename(columns={"nombre": "name"}).to_file(tmp_path / "plazas.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match=r"plazas layer .*plazas.geojson: missing field"):
        pipeline.prepare_inputs(pipeline.resolve(load_scenario(scenario)))


def test_a_hotspot_over_its_zone_size_is_a_plan_warning(mixed: Plan) -> None:
    busy = pipeline.resolve(mixed.scenario).busy_hour
    hot = mixed.hotspots
    assert hot is not None
    share = busy.take_up_share * busy.busy_hour_share
    want = hot["households_reached"].to_numpy() * share
    assert hot["busy_hour_users"].to_numpy() == pytest.approx(want)
    assert hot["busy_hour_mbps"].to_numpy() == pytest.approx(want * busy.household_downlink_mbps)
    over = (hot["busy_hour_mbps"] > 9.0) | (hot["busy_hour_users"] > 10)
    assert sum("one Wi-Fi zone is sized for" in w for w in mixed.warnings) == int(over.sum())
    # the same hotspots reaching 3 and 60 households: only the second is over 10 users
    table = hot.iloc[[0, 0]].assign(hotspot_id=["hotspot a", "hotspot b"])
    table["households_reached"] = [3.0, 60.0 / share]
    loaded = with_busy_hour_load(BuiltHotspots(table, np.array([], dtype=object)), busy)
    assert len(loaded.overloads) == 1 and "hotspot b" in loaded.overloads[0]
    assert "60.0 users" in loaded.overloads[0]
    assert loaded.warnings == ()


def test_the_rollout_schedules_the_hotspots_with_their_feeding_site(mixed: Plan) -> None:
    r = rollout(mixed, BUDGET_USD / 2, 2)  # two halves of the one-shot budget: all is built
    assert r.unbuilt == []
    hot = mixed.hotspots
    assert hot is not None and int(r.years["hotspots"].sum()) == len(hot)
    d = mixed.demand.set_index("demand_id")
    for h, host in zip(hot["hotspot_id"], hot["host_id"], strict=True):
        served = d.index[(d["hotspot"] == h) & (d["service"] == "served_hotspot")]
        years = {r.per_demand[str(i)] for i in served}
        assert len(years) == 1 and years.pop() >= r.per_site[str(d.loc[host, "best_site"])] >= 1
    assert r.years["share_of_one_shot"].iloc[-1] == pytest.approx(1.0)
