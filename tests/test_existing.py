"""The service people already have: existing sites predicted as candidates are, and planned around.

On the synthetic territory of :mod:`tests.territory`, an existing site is put where the
one-site plan puts its access site, with the access technology's own figures, so that the
existing site and that candidate are the same radio: the same prediction, the same points
served. Planning for the unserved must then go elsewhere. A last test measures what the real
Palmitas sites serve, on the data mirror.
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
from shapely.geometry import Point

from coverage import pipeline
from coverage.errors import InputError
from coverage.pipeline.existing import SERVICE_CLASSES, existing_rx_dbm
from coverage.radio.technology import PRESETS
from coverage.scenario import Scenario, load_scenario
from tests.territory import write_territory

#: The access preset's own figures (lte-b28-small-cell): the existing site is that radio.
AS_ACCESS = {  # the access preset's radio (peak gain: existing sites have no vertical pattern)
    "tx_power_dbm": {"LTE": 37.0},
    "antenna_gain_dbi": {"LTE": PRESETS["lte-b28-small-cell"].tx_antenna_gain_dbi},
    "f_mhz": {"LTE": 780.5},
    "cable_loss_db": 2.0,
}
SITE_COLUMNS = {
    "site_id": str,
    "operator": str,
    "technology": str,
    "height_m": float,
    "tx_power_dbm": float,
    "f_mhz": float,
    "estimated": bool,
    "predicted": bool,
}


def _one_site(s: Scenario) -> Scenario:
    """One access site, people only in the objective (no school bonus)."""
    return s.replace(placement={"budget_sites": 1, "school_weight_people": 0.0})


def _write_sites(root: Path, points: list[Point], crs: str, technology: str = "LTE") -> None:
    gpd.GeoDataFrame(
        {"operador": ["Claro"] * len(points), "tecnologia": [technology] * len(points)},
        geometry=points,
        crs=crs,
    ).to_crs(4326).to_file(root / "existing.geojson", driver="GeoJSON")
    area = root / "area.toml"
    if "existing_sites" not in area.read_text(encoding="utf-8"):
        with area.open("a", encoding="utf-8") as fh:
            fh.write('[layers.existing_sites]\nfile = "existing.geojson"\n')


@pytest.fixture(scope="module")
def plain(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic territory, without existing sites."""
    return write_territory(tmp_path_factory.mktemp("plain"))


@pytest.fixture(scope="module")
def best_site(plain: Path) -> tuple[Point, float]:
    """Where the one-site plan puts its access site, and its mast height (m)."""
    plan = pipeline.plan_coverage(_one_site(load_scenario(plain)))
    site = plan.access_sites.iloc[0]
    return site.geometry, float(site["mast_height_m"])


@pytest.fixture(scope="module")
def served_territory(
    tmp_path_factory: pytest.TempPathFactory, best_site: tuple[Point, float]
) -> Path:
    """The territory with one existing Claro LTE site at the one-site plan's access site."""
    path = write_territory(tmp_path_factory.mktemp("served"))
    _write_sites(path.parent, [best_site[0]], "EPSG:9377")
    return path


def _scenario(path: Path, height_m: float, target: str = "everyone") -> Scenario:
    existing = {**AS_ACCESS, "height_m": height_m, "target": target}
    return _one_site(load_scenario(path)).replace(existing=existing)


def test_an_existing_site_is_predicted_as_a_candidate_at_its_place_and_height(
    served_territory: Path, best_site: tuple[Point, float]
) -> None:
    point, height = best_site
    # an existing site radiates its peak gain everywhere: the candidate without the pattern
    run = dataclasses.replace(pipeline.resolve(_scenario(served_territory, height)), antenna=None)
    inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run))
    assert inputs.existing_sites is not None
    cands = gpd.GeoDataFrame(
        {"candidate_id": ["same"], "grid_power": [False]}, geometry=[point], crs="EPSG:9377"
    )
    rx, heights = pipeline.coverage_matrix(run, inputs, cands)
    row = rx[list(heights).index(height)]
    np.testing.assert_array_equal(existing_rx_dbm(run, inputs, inputs.existing_sites)[0], row)
    served = np.nan_to_num(row, nan=-np.inf) >= run.threshold_dbm
    np.testing.assert_array_equal(inputs.demand["served_existing"].to_numpy(), served)
    assert served.any() and not served.all()


def test_points_near_the_site_are_served_and_the_service_classes_partition_the_demand(
    served_territory: Path, best_site: tuple[Point, float]
) -> None:
    point, height = best_site
    s = _scenario(served_territory, height)
    threshold_dbm = pipeline.resolve(s).threshold_dbm
    plan = pipeline.plan_coverage(s)
    d = plan.demand
    nearest = d.distance(point).sort_values().index[:3]
    assert d.loc[nearest, "served_existing"].all()
    assert set(d.loc[nearest, "existing_site"]) == {"X01"}
    assert set(d.loc[nearest, "existing_operator"]) == {"Claro"}
    served = d["served_existing"].to_numpy()
    assert (d.loc[served, "existing_dbm"] >= threshold_dbm).all()
    assert (d.loc[~served & d["existing_dbm"].notna(), "existing_dbm"] < threshold_dbm).all()
    # the three classes partition the demand points and the people
    assert set(d["service"]) <= set(SERVICE_CLASSES)
    np.testing.assert_array_equal(d["service"] == "served_existing", served)
    np.testing.assert_array_equal(d["service"] == "served_new", d["covered"] & ~served)
    np.testing.assert_array_equal(d["service"] == "unserved", ~d["covered"] & ~served)
    by_service = plan.metrics["people_by_service"]
    assert sum(by_service.values()) == pytest.approx(plan.people_total)
    # the existing-sites table keeps the contract the outputs read
    table = plan.existing_sites
    assert table is not None and len(table) == 1 and table.crs == plan.crs
    for column, kind in SITE_COLUMNS.items():
        assert isinstance(table[column].iloc[0], kind | np.generic), column
    row = table.iloc[0]
    assert (row["site_id"], row["operator"], row["technology"]) == ("X01", "Claro", "LTE")
    assert row["estimated"] and row["predicted"] and row["height_m"] == height
    assert row["people_served"] == pytest.approx(by_service["served_existing"])
    assert "1 of 1 existing sites" in plan.models["existing_service"]
    assert any("ESTIMATES" in a for a in plan.assumptions)
    assert any(a.startswith("Target: everyone") for a in plan.assumptions)


def test_planning_for_the_unserved_moves_the_sites_away_from_the_existing_site(
    served_territory: Path, best_site: tuple[Point, float]
) -> None:
    point, height = best_site
    everyone = pipeline.plan_coverage(_scenario(served_territory, height))
    unserved = pipeline.plan_coverage(_scenario(served_territory, height, "unserved"))
    near = [s.distance(point) for s in everyone.access_sites.geometry]
    away = [s.distance(point) for s in unserved.access_sites.geometry]
    assert min(near) < 1.0  # planning for everyone builds over the existing site again
    assert min(away) > 300.0
    new_people = {
        name: plan.metrics["people_by_service"]["served_new"]
        for name, plan in (("everyone", everyone), ("unserved", unserved))
    }
    assert new_people["unserved"] > new_people["everyone"]
    assert any(a.startswith("Target: the unserved") for a in unserved.assumptions)


def test_without_the_layer_the_columns_are_blank(plain: Path) -> None:
    plan = pipeline.plan_coverage(_one_site(load_scenario(plain)))
    d = plan.demand
    assert d["existing_dbm"].isna().all() and not d["served_existing"].any()
    assert (d["existing_site"] == "").all() and (d["existing_operator"] == "").all()
    assert set(d["service"]) <= {"served_new", "unserved"}
    assert plan.existing_sites is None
    assert plan.models["existing_service"].startswith("none")
    # the target "unserved" then plans as "everyone" does
    unserved = pipeline.plan_coverage(
        _one_site(load_scenario(plain)).replace(existing={"target": "unserved"})
    )
    assert unserved.people_covered == pytest.approx(plan.people_covered)


def test_a_site_outside_the_terrain_is_kept_but_not_predicted(plain: Path, tmp_path: Path) -> None:
    root = tmp_path / "outside"
    shutil.copytree(plain.parent, root, ignore=shutil.ignore_patterns("out"))
    run = pipeline.resolve(load_scenario(root / "scenario.toml"))
    xmin, ymin, xmax, ymax = pipeline.prepare_inputs(run).terrain.bounds
    inside, outside = Point((xmin + xmax) / 2, (ymin + ymax) / 2), Point(xmax + 5000, ymax)
    _write_sites(root, [inside, outside], "EPSG:9377", technology="UMTS")
    run = pipeline.resolve(load_scenario(root / "scenario.toml"))
    inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run))
    assert inputs.existing_sites is not None
    assert inputs.existing_sites["predicted"].tolist() == [True, False]
    assert inputs.existing_sites["f_mhz"].tolist() == [881.5, 881.5]
    assert set(inputs.demand["existing_site"]) <= {"X01", ""}
    assert any(
        "1 existing site(s) lie outside the terrain" in a and "X02" in a for a in inputs.assumptions
    )
    rx = existing_rx_dbm(run, inputs, inputs.existing_sites)
    assert np.isnan(rx[1]).all() and np.isfinite(rx[0]).any()


def test_layer_problems_are_reported_with_the_other_inputs(plain: Path, tmp_path: Path) -> None:
    root = tmp_path / "broken"
    shutil.copytree(plain.parent, root, ignore=shutil.ignore_patterns("out"))
    _write_sites(root, [Point(4701000.0, 2258500.0)], "EPSG:9377", technology="LTE")
    s = load_scenario(root / "scenario.toml").replace(existing={"f_mhz": {"UMTS": 881.5}})
    (root / "schools.geojson").write_text('{"type": "FeatureCollection", "features": []}', "utf-8")
    with pytest.raises(InputError) as info:
        pipeline.prepare_inputs(pipeline.resolve(s))
    text = str(info.value)
    assert "schools.geojson: the layer is empty" in text
    assert "existing.geojson: feature 0 field 'tecnologia' is 'LTE'" in text
    assert "[existing] f_mhz do not give" in text


def test_palmitas_existing_sites_and_the_people_they_serve(mirror: Path) -> None:
    """The 17 OpenCelliD sites of the bundled area: 12 lie on the terrain (area + 3 km);
    the 3 inside the corregimiento, in Volcana Guayabal, serve about half of the people and
    the vereda's school under the stated assumptions (25 m, 46 dBm + 15 dBi LTE at 700 MHz,
    ITM)."""
    run = pipeline.resolve(load_scenario())
    inputs = pipeline.existing_service(run, pipeline.prepare_inputs(run, mirror=mirror))
    sites = inputs.existing_sites
    assert sites is not None and len(sites) == 17
    assert sites["estimated"].all()
    assert int(sites["predicted"].sum()) == 12
    inside = sites.within(inputs.area).to_numpy()
    assert inside.sum() == 3 and set(sites.loc[inside, "operator"]) == {"Claro"}
    d = inputs.demand
    rx = existing_rx_dbm(run, inputs, sites[inside])
    by_inside = (np.nan_to_num(rx, nan=-np.inf) >= run.threshold_dbm).any(axis=0)
    people = float(d.loc[by_inside, "population"].sum())
    households = float(d.loc[by_inside, "households"].sum())
    total = float(d["population"].sum())
    served = d["served_existing"].to_numpy()
    # dwelling demand (2026): 1,718 of 3,508 people, 635 of 1,296 households; the uniform
    # spread over habitable cells gave about a quarter
    assert 0.15 * total < people <= float(d.loc[served, "population"].sum()) < 0.7 * total
    assert 0 < households <= people
    schools = d.loc[served & (d["kind"] == "school").to_numpy(), "name"].tolist()
    assert "Centro Educativo La Volcana" in schools
    assert any("5 existing site(s) lie outside the terrain" in a for a in inputs.assumptions)
