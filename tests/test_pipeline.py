"""End-to-end tests of coverage.pipeline and the CLI on a tiny synthetic territory.

The territory is written to files (a GeoTIFF DEM, GeoJSON veredas and schools, an area and a
scenario TOML) so that the whole path, from files to outputs, runs as a user runs it.
"""

from __future__ import annotations

import dataclasses
import json
import shutil
import subprocess
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import rasterio
from numpy.typing import NDArray
from shapely.geometry import Point, box

from coverage import pipeline, synthetic
from coverage.cli import main
from coverage.errors import InputError
from coverage.inputs.settlements import Settlements, demand_points
from coverage.outputs.report import summarize
from coverage.pipeline.service import ServiceScore
from coverage.plan import Plan
from coverage.scenario import DemandParams, PopulationFacts, Scenario, load_scenario
from tests.territory import write_territory


@pytest.fixture(scope="module")
def territory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return write_territory(tmp_path_factory.mktemp("territory"))


@pytest.fixture(scope="module")
def synthetic_inputs(territory: Path) -> pipeline.Inputs:
    return pipeline.prepare_inputs(pipeline.resolve(load_scenario(territory)))


def _covered_people(s: Scenario, inputs: pipeline.Inputs) -> float:
    """The people the placement serves by its own covers (signal, link rates, capacity).

    Not the plan's served count: the plan's own SINR may lower that (more sites on one
    carrier interfere more), which the placement's covers only bound.
    """
    run = pipeline.resolve(s)  # the same data, planned with another scenario
    cands = pipeline.build_candidates(run, inputs)
    rx, _ = pipeline.coverage_matrix(run, inputs, cands)
    placement = pipeline.choose_sites(run, inputs, cands, rx)
    return placement.result.covered_weight


def test_more_sites_and_taller_masts_never_cover_fewer_people(
    territory: Path, synthetic_inputs: pipeline.Inputs
) -> None:
    # people only in the objective: with a school bonus, a plan may trade people for a school;
    # the placement's own covers, as solved: the capture repair re-judges a plan by another
    # model (best server), under which more sites need not serve more
    s = load_scenario(territory).replace(
        placement={"school_weight_people": 0.0, "capture_repair": False}
    )
    by_budget = [
        _covered_people(s.replace(placement={"budget_sites": b}), synthetic_inputs)
        for b in (1, 2, 3)
    ]
    assert by_budget[0] <= by_budget[1] + 1e-6 <= by_budget[2] + 2e-6
    assert by_budget[0] > 0
    short = _covered_people(s.replace(placement={"mast_heights_m": (12.0,)}), synthetic_inputs)
    tall = _covered_people(s.replace(placement={"mast_heights_m": (30.0,)}), synthetic_inputs)
    assert short <= tall + 1e-6


@pytest.mark.parametrize("budget_sites", [1, 2, 3])
def test_the_capture_repair_never_serves_fewer(
    territory: Path, synthetic_inputs: pipeline.Inputs, budget_sites: int
) -> None:
    """Under the service model (best server, capacity), the repaired plan serves at least
    what the MILP's plan as solved serves."""
    s = load_scenario(territory).replace(placement={"budget_sites": budget_sites})
    served = {}
    for repair in (False, True):
        run = pipeline.resolve(s.replace(placement={"capture_repair": repair}))
        cands = pipeline.build_candidates(run, synthetic_inputs)
        rx, _ = pipeline.coverage_matrix(run, synthetic_inputs, cands)
        placement = pipeline.choose_sites(run, synthetic_inputs, cands, rx)
        score = ServiceScore(
            rx, synthetic_inputs.demand, run.technology, run.broadband, run.threshold_dbm,
            pipeline.demand_weights(run, synthetic_inputs),
        )  # fmt: skip
        served[repair] = score(np.asarray(placement.result.chosen, dtype=np.int64))
        assert ("placement_repair" in placement.result.details) == repair
    assert served[True] >= served[False] - 1e-9


def test_ridge_site_covers_more_than_valley_site() -> None:
    # a straight-flanked (triangular) north-south ridge, 250 m high, on a plain
    x = np.abs(np.arange(80) - 40.0) * 30.0
    t = synthetic.from_array(np.tile(1500.0 + np.maximum(0.0, 250.0 - x / 2.4), (80, 1)))
    xmin, ymin, xmax, ymax = t.bounds
    v = gpd.GeoDataFrame(
        {"vereda_id": ["1"], "name": ["V"]}, geometry=[box(xmin, ymin, xmax, ymax)], crs=t.crs
    )
    st = Settlements(
        boundary=v[["name", "geometry"]],
        veredas=v,
        schools=gpd.GeoDataFrame(
            {"school_id": [], "name": [], "vereda": []}, geometry=[], crs=t.crs
        ),
    )
    demand, _ = demand_points(
        t, st, PopulationFacts(total_people=1000), DemandParams(resolution_m=90, max_slope_deg=90)
    )
    s = load_scenario().replace(propagation={"model": "los"}, placement={"mast_heights_m": (12.0,)})
    run = pipeline.resolve(s)
    inputs = pipeline.Inputs({}, t, st, demand, [])
    xs, ys = t.cell_centers()
    ymid = float(ys[40])
    cands = gpd.GeoDataFrame(
        {"candidate_id": ["ridge", "valley"], "grid_power": [False, False]},
        geometry=[Point(float(xs[40]), ymid), Point(float(xs[5]), ymid)],
        crs=t.crs,
    )
    rx, _ = pipeline.coverage_matrix(run, inputs, cands)
    ok = np.nan_to_num(rx, nan=-np.inf) >= run.threshold_dbm
    people = demand["population"].to_numpy()
    ridge, valley = people[ok[0]].sum(), people[ok[1]].sum()
    assert ridge > 0.95 * people.sum()  # the crest sees both flanks
    assert valley < 0.7 * people.sum()  # the valley site sees only its own side
    assert ridge > valley


def test_run_writes_every_output_and_gdal_reads_them(territory: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    outputs = pipeline.run_scenario(territory, out_dir=out)
    for key in ("map", "summary_json", "summary_csv", "summary_md", "gpkg", "manifest"):
        assert outputs[key].is_file() and outputs[key].parent == out
    summary = json.loads(outputs["summary_json"].read_text(encoding="utf-8"))
    totals = summary["totals"]
    assert totals["people_total"] == pytest.approx(1000)
    assert sum(v["people_covered"] for v in summary["subdivisions"]) == pytest.approx(
        totals["people_covered"]
    )
    assert "simplified line-of-sight model" in summary["models"]["propagation"]
    assert any("ASSUMPTION" in a for a in summary["assumptions"])
    tifs = sorted(out.glob("*.tif"))
    assert tifs
    if shutil.which("gdalinfo"):
        info = subprocess.run(
            ["gdalinfo", str(tifs[0])], capture_output=True, text=True, check=True
        ).stdout
        assert "EPSG" in info or "MAGNA" in info
        layers = subprocess.run(
            ["ogrinfo", "-ro", "-q", str(outputs["gpkg"])], capture_output=True, text=True,
            check=True,
        ).stdout  # fmt: skip
        for layer in ("sites", "links", "demand"):
            assert layer in layers
    else:  # the test command installs gdal-bin; never pass silently without it
        pytest.fail("gdalinfo not found: install Debian's gdal-bin (make test does).")
    html = outputs["map"].read_text(encoding="utf-8")
    assert "<b>Alta</b>" not in html  # the school name is escaped


def test_run_is_deterministic(territory: Path, tmp_path: Path) -> None:
    a = pipeline.run_scenario(territory, out_dir=tmp_path / "a", formats=["summary", "gpkg"])
    b = pipeline.run_scenario(territory, out_dir=tmp_path / "b", formats=["summary", "gpkg"])
    ja = json.loads(a["summary_json"].read_text(encoding="utf-8"))
    jb = json.loads(b["summary_json"].read_text(encoding="utf-8"))
    for key in ("totals", "subdivisions", "sites", "backhaul", "cost"):
        assert ja[key] == jb[key]
    assert a["gpkg"].read_bytes() == b["gpkg"].read_bytes()  # GDAL's dates are fixed too


def test_each_site_footprint_holds_its_best_server_area(territory: Path) -> None:
    plan = pipeline.plan_coverage(territory)
    n = len(plan.access_sites)
    assert n >= 1 and plan.footprints is not None and plan.threshold_dbm is not None
    rx = np.nan_to_num(plan.coverage_dbm, nan=-np.inf)
    union = np.zeros(plan.terrain.shape, dtype=bool)
    for i in range(n):
        own = plan.site_footprint(i)
        assert own is not None
        assert own[plan.best_server == i].all()  # its best-server cells are in its footprint
        union |= own
    # every cell some site serves at the threshold is in a footprint, and no other cell
    np.testing.assert_array_equal(union, rx >= plan.threshold_dbm)


def test_cli_run_and_clear_errors(territory: Path, tmp_path: Path, capsys) -> None:
    assert main(["-q", "run", str(territory), "--out", str(tmp_path / "cli")]) == 0
    assert (tmp_path / "cli" / "summary.json").is_file()
    bad = territory.parent / "bad.toml"
    bad.write_text(territory.read_text(encoding="utf-8").replace("max_hops", "max_hop"), "utf-8")
    assert main(["-q", "run", str(bad)]) == 2
    assert "did you mean 'max_hops'" in capsys.readouterr().err


def test_all_input_problems_reported_before_computing(territory: Path, tmp_path: Path) -> None:
    root = tmp_path / "broken"
    shutil.copytree(territory.parent, root, ignore=shutil.ignore_patterns("out"))
    (root / "schools.geojson").write_text(
        '{"type": "FeatureCollection", "features": []}', encoding="utf-8"
    )
    with rasterio.open(root / "dem.tif", "r+") as dst:
        dst.nodata = float(dst.read(1)[0, 0])
        dst.write(np.full((dst.height, dst.width), dst.nodata, dtype="float32"), 1)
    with pytest.raises(InputError) as info:
        pipeline.prepare_inputs(pipeline.resolve(load_scenario(root / "scenario.toml")))
    text = str(info.value)
    assert "schools.geojson: the layer is empty" in text
    assert "every cell is nodata" in text


def test_cli_validate_reports_ok(territory: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["-q", "validate", str(territory)]) == 0
    assert "synthetic-los: OK" in capsys.readouterr().out


def _write_msi(path: Path, gain_dbi: float, front_to_back_db: float) -> Path:
    """A 65 deg sector in MSI Planet format (gain in dBi)."""
    lines = ["NAME TEST-SECTOR", f"GAIN {gain_dbi} dBi", "HORIZONTAL 360"]
    lines += [
        f"{a} {min(12 * (min(a, 360 - a) / 65) ** 2, front_to_back_db):.3f}" for a in range(360)
    ]
    lines += ["VERTICAL 360"] + [f"{a} 0" for a in range(360)]
    path.write_text("\n".join(lines), encoding="utf-8")
    return path


def test_antenna_pattern_file_shapes_coverage(
    territory: Path, synthetic_inputs: pipeline.Inputs, tmp_path: Path
) -> None:
    """A sector pattern from an MSI file: its gain becomes the site gain, and received power
    falls by the pattern's attenuation away from the boresight (never rises)."""
    from coverage.errors import ScenarioError

    msi = _write_msi(tmp_path / "sector.msi", 14.0, 30.0)
    base = load_scenario(territory)
    with pytest.raises(ScenarioError, match="not both"):
        base.replace(technology={"antenna_pattern": str(msi), "tx_antenna_gain_dbi": 10.0})
    s = base.replace(technology={"antenna_pattern": str(msi), "antenna_azimuth_deg": 90.0})
    sector = pipeline.resolve(s)
    assert sector.technology.tx_antenna_gain_dbi == 14.0
    inputs = synthetic_inputs
    cands = pipeline.build_candidates(sector, inputs).iloc[:3]
    rx_sector, _ = pipeline.coverage_matrix(sector, inputs, cands)
    # the same peak gain, no pattern
    omni = dataclasses.replace(pipeline.resolve(base), technology=sector.technology, antenna=None)
    rx_omni, _ = pipeline.coverage_matrix(omni, inputs, cands)
    ok = np.isfinite(rx_omni) & np.isfinite(rx_sector)
    drop = rx_omni[ok] - rx_sector[ok]
    assert drop.min() >= -1e-3  # a pattern never adds gain
    assert drop.max() == pytest.approx(30.0, abs=0.01)  # the back of the sector
    # behind each site (azimuth 250-290 deg) the drop is the front-to-back ratio
    n_h = len(s.placement.mast_heights_m)
    px, py = inputs.demand.geometry.x.to_numpy(), inputs.demand.geometry.y.to_numpy()
    behind = 0
    for row in range(len(rx_omni)):
        site = cands.geometry.iloc[row // n_h]
        az = np.degrees(np.arctan2(px - site.x, py - site.y)) % 360.0
        sel = (np.abs(az - 270.0) < 20.0) & ok[row]
        behind += int(sel.sum())
        np.testing.assert_allclose(rx_omni[row][sel] - rx_sector[row][sel], 30.0, atol=0.01)
    assert behind > 0
    with pytest.raises(ScenarioError, match="antenna_pattern"):
        pipeline.resolve(base.replace(technology={"antenna_pattern": "missing.msi"}))
    # three sectors from 90 deg (90, 210, 330): nothing is behind a site any more; the worst
    # direction lies half-way between two sectors, 60 deg off both
    three = pipeline.resolve(s.replace(technology={"antenna_sectors": 3}))
    rx_three, _ = pipeline.coverage_matrix(three, inputs, cands)
    drop3 = rx_omni[ok] - rx_three[ok]
    assert drop3.min() >= -1e-3 and np.all(rx_three[ok] >= rx_sector[ok] - 1e-3)
    assert drop3.max() <= 12 * (60 / 65) ** 2 + 0.01
    table = np.array([min(12 * (min(a, 360 - a) / 65) ** 2, 30.0) for a in range(361)])
    for row in range(len(rx_omni)):
        site = cands.geometry.iloc[row // n_h]
        az = np.degrees(np.arctan2(px - site.x, py - site.y)) % 360.0
        want = np.min(
            [np.interp((az - b) % 360.0, np.arange(361.0), table) for b in (90, 210, 330)], axis=0
        )
        np.testing.assert_allclose(
            rx_omni[row][ok[row]] - rx_three[row][ok[row]], want[ok[row]], atol=0.01
        )
    # the plan lists each access site's sector azimuths and states the antennas
    plan = pipeline.assemble_plan(
        three, inputs, cands, rx_three, pipeline.choose_sites(three, inputs, cands, rx_three)
    )
    roles = plan.sites["role"]
    assert (roles == "access").any()
    assert set(plan.sites.loc[roles == "access", "azimuths_deg"]) == {"90;210;330"}
    assert set(plan.sites.loc[roles != "access", "azimuths_deg"]) <= {"omni"}
    assert any("3 sector(s) per site at 90, 210, 330 deg" in a for a in plan.assumptions)
    with pytest.raises(ScenarioError, match="antenna_sectors needs an antenna_pattern"):
        base.replace(technology={"antenna_sectors": 3})
    with pytest.raises(ScenarioError, match="antenna_sectors must be 1-12"):
        s.replace(technology={"antenna_sectors": 13})


def test_land_cover_clutter_lowers_received_power_by_its_class_loss(tmp_path: Path) -> None:
    """[propagation] land_cover (relative to the scenario file): every demand point inside
    tree cover loses the scenario's 7 dB; the raster's class reaches the assumptions."""
    root = tmp_path / "lc"
    root.mkdir()
    scenario_path = write_territory(root)
    with rasterio.open(root / "dem.tif") as src:
        profile = src.profile | {"dtype": "uint8", "nodata": 0}
        codes = np.full((src.height, src.width), 10, dtype=np.uint8)
    with rasterio.open(root / "landcover.tif", "w", **profile) as dst:
        dst.write(codes, 1)
    # one downtilt: a fitted one may differ where the clutter changes what a site serves
    base = load_scenario(scenario_path).replace(technology={"antenna_downtilt_deg": 2.0})
    s = base.replace(propagation={"land_cover": "landcover.tif", "clutter_loss_db": {"10": 7.0}})
    run = pipeline.resolve(s)
    inputs = pipeline.prepare_inputs(run)
    assert inputs.clutter_db is not None and np.all(inputs.clutter_db == 7.0)
    assert any("Clutter" in a and "landcover.tif" in a for a in inputs.assumptions)
    plain_run = pipeline.resolve(base)
    plain = pipeline.prepare_inputs(plain_run)
    cands = pipeline.build_candidates(plain_run, plain).iloc[:2]
    rx_plain, _ = pipeline.coverage_matrix(plain_run, plain, cands)
    rx_clutter, _ = pipeline.coverage_matrix(run, inputs, cands)
    ok = np.isfinite(rx_plain)
    np.testing.assert_allclose(rx_plain[ok] - rx_clutter[ok], 7.0, atol=1e-4)
    nowhere = base.replace(propagation={"land_cover": "nowhere.tif"})
    with pytest.raises(InputError, match="land_cover"):
        pipeline.prepare_inputs(pipeline.resolve(nowhere))


def _punch_voids(dem: Path, rows: slice, cols: slice) -> None:
    """Make the cells ``rows`` x ``cols`` of a GeoTIFF nodata (-32768), in place."""
    with rasterio.open(dem) as src:
        data, profile = src.read(1), src.profile
    data[rows, cols] = -32768
    with rasterio.open(dem, "w", **{**profile, "nodata": -32768}) as dst:
        dst.write(data, 1)


def test_dem_voids_are_refused_above_max_void_share_and_warned_below(tmp_path: Path) -> None:
    (tmp_path / "many").mkdir()
    (tmp_path / "few").mkdir()
    many = write_territory(tmp_path / "many")
    _punch_voids(many.parent / "dem.tif", slice(30, 55), slice(30, 55))  # about 10 % of the grid
    with pytest.raises(
        InputError, match=r"dem\.tif: [\d,]+ of [\d,]+ cells \(\d+\.\d %\) of the grid"
    ):
        pipeline.prepare_inputs(pipeline.resolve(load_scenario(many)))
    few = write_territory(tmp_path / "few")
    _punch_voids(few.parent / "dem.tif", slice(30, 41), slice(30, 41))  # about 2 %
    plan = pipeline.plan_coverage(few)
    # (and, on this plan as on any: it states its service threshold, which its area uses)
    assert plan.threshold_dbm == pipeline.resolve(load_scenario(few)).threshold_dbm
    assert (
        plan.signal_cells() == (np.nan_to_num(plan.coverage_dbm, nan=-999) >= plan.threshold_dbm)
    ).all()
    share = plan.terrain.filled_voids / plan.terrain.elevation_m.size
    assert 0.01 < share < 0.05
    (warning,) = [w for w in plan.warnings if w.startswith("DEM dem.tif: ")]
    assert f"({100 * share:.1f} %) were voids filled" in warning and "invented" in warning
    assert warning in summarize(plan)["warnings"]


def _with_boundary(scenario: Path) -> None:
    """Give the territory a boundary layer (the veredas' union), as Palmitas has."""
    root = scenario.parent
    v = gpd.read_file(root / "veredas.geojson")
    gpd.GeoDataFrame(geometry=[v.union_all()], crs=v.crs).to_file(
        root / "boundary.geojson", driver="GeoJSON"
    )
    area = root / "area.toml"
    area.write_text(
        area.read_text(encoding="utf-8") + '[layers.boundary]\nfile = "boundary.geojson"\n',
        encoding="utf-8",
    )


def test_veredas_off_the_terrain_are_named_not_blamed_on_habitability(tmp_path: Path) -> None:
    scenario = write_territory(tmp_path)
    _with_boundary(scenario)
    v = gpd.read_file(tmp_path / "veredas.geojson")
    v["geometry"] = v.geometry.translate(0.5, 0.0)  # half a degree east
    v.to_file(tmp_path / "veredas.geojson", driver="GeoJSON")
    with pytest.raises(InputError) as err:
        pipeline.prepare_inputs(pipeline.resolve(load_scenario(scenario)))
    text = str(err.value)
    assert "habitable" not in text
    assert f"veredas layer {tmp_path / 'veredas.geojson'}: its features (" in text
    assert ") in EPSG:4326 do not overlap the DEM dem.tif (" in text and "Likely cause" in text


def test_a_school_off_the_terrain_is_named_with_its_layer_and_the_fixes(tmp_path: Path) -> None:
    scenario = write_territory(tmp_path)
    s = gpd.read_file(tmp_path / "schools.geojson")
    s["geometry"] = [s.geometry[0], Point(s.geometry[1].x + 0.2, s.geometry[1].y)]
    s.to_file(tmp_path / "schools.geojson", driver="GeoJSON")
    with pytest.raises(InputError) as err:
        pipeline.prepare_inputs(pipeline.resolve(load_scenario(scenario)))
    text = str(err.value)
    assert text.startswith(f"schools layer {tmp_path / 'schools.geojson'}: 1 school(s) lie outside")
    assert "'Escuela Baja' (" in text and "Escuela <b>Alta</b>" not in text
    assert "margin_m" in text and "school_outside_field" in text


def _one_site_plan(s: Scenario, inputs: pipeline.Inputs) -> tuple[Plan, NDArray[np.float32]]:
    """The plan with one access site, and the received power (dBm) of every option."""
    run = pipeline.resolve(s.replace(placement={"budget_sites": 1}))
    cands = pipeline.build_candidates(run, inputs)
    rx, _ = pipeline.coverage_matrix(run, inputs, cands)
    plan = pipeline.assemble_plan(
        run, inputs, cands, rx, pipeline.choose_sites(run, inputs, cands, rx)
    )
    return plan, rx


def test_dwellings_in_one_valley_move_the_site_to_serve_it(tmp_path: Path) -> None:
    """Every dwelling sits within 150 m of the lowest cell of vereda Alta: the plan puts its one
    site where it serves that valley; the uniform spread's site reaches none of it."""
    uniform_path = write_territory(tmp_path)
    uniform = load_scenario(uniform_path)
    inputs = pipeline.prepare_inputs(pipeline.resolve(uniform))
    t = inputs.terrain
    alta = inputs.settlements.veredas.geometry.iloc[0]
    xs, ys = np.meshgrid(*t.cell_centers())
    in_alta = gpd.GeoSeries(gpd.points_from_xy(xs.ravel(), ys.ravel())).within(alta).to_numpy()
    low = int(np.argmin(np.where(in_alta, t.elevation_m.ravel(), np.inf)))
    centre = Point(xs.ravel()[low], ys.ravel()[low])
    near = in_alta & (np.hypot(xs.ravel() - centre.x, ys.ravel() - centre.y) <= 150.0)
    gpd.GeoDataFrame(
        geometry=gpd.points_from_xy(xs.ravel()[near], ys.ravel()[near]), crs=t.crs
    ).to_crs(4326).to_file(tmp_path / "dwellings.geojson", driver="GeoJSON")
    (tmp_path / "households.csv").write_text("codigo,2026\n1,120\n2,0\n", encoding="utf-8")
    area = (
        (tmp_path / "area.toml")
        .read_text(encoding="utf-8")
        .replace(
            "[layers.dem]",
            '[layers.dwellings]\nfile = "dwellings.geojson"\n[layers.households]\n'
            'file = "households.csv"\nid_field = "codigo"\n[layers.dem]',
        )
    )
    (tmp_path / "valley_area.toml").write_text(area, encoding="utf-8")
    text = uniform_path.read_text(encoding="utf-8").replace('"area.toml"', '"valley_area.toml"')
    (tmp_path / "valley.toml").write_text(text.replace("[demand]\n", "[demand]\nyear = 2026\n"))
    valley = load_scenario(tmp_path / "valley.toml")
    valley_inputs = pipeline.prepare_inputs(pipeline.resolve(valley))
    assert (valley_inputs.demand["kind"] == "population").sum() == int(near.sum())
    assert "dwellings" in valley_inputs.demand_model

    uniform_plan, _ = _one_site_plan(uniform, inputs)
    valley_plan, rx = _one_site_plan(valley, valley_inputs)
    assert valley_plan.models["demand"] == valley_inputs.demand_model
    assert valley_plan.people_covered >= 0.8 * valley_plan.people_total
    [(uniform_site, uniform_xy)] = uniform_plan.access_sites[["site_id", "geometry"]].to_numpy()
    [(valley_site, valley_xy)] = valley_plan.access_sites[["site_id", "geometry"]].to_numpy()
    assert valley_site != uniform_site
    assert valley_xy.distance(centre) < uniform_xy.distance(centre) / 2
    # the uniform spread's site, at any mast height, gives no valley dwelling a usable signal
    run = pipeline.resolve(valley)
    cands = pipeline.build_candidates(run, valley_inputs)
    heights = len(valley.placement.mast_heights_m)
    i = int(np.flatnonzero(cands["candidate_id"].to_numpy() == uniform_site)[0])
    people = valley_inputs.demand["kind"].to_numpy() == "population"
    assert not (rx[i * heights : (i + 1) * heights][:, people] >= run.threshold_dbm).any()


def test_a_budget_that_buys_nothing_serves_nobody_and_explains_why(
    territory: Path, synthetic_inputs: pipeline.Inputs
) -> None:
    s = load_scenario(territory).replace(placement={"budget_sites": 0, "budget_usd": 1.0})
    run = pipeline.resolve(s)
    cands = pipeline.build_candidates(run, synthetic_inputs)
    rx, _ = pipeline.coverage_matrix(run, synthetic_inputs, cands)
    plan = pipeline.assemble_plan(
        run, synthetic_inputs, cands, rx, pipeline.choose_sites(run, synthetic_inputs, cands, rx)
    )
    assert len(plan.access_sites) == 0
    assert not plan.demand["covered"].any() and not plan.demand["signal_covered"].any()
    assert set(plan.demand["reason"]) == {"out_of_range"}
    assert summarize(plan)["broadband"]["totals"]["downlink_busy_hour_mbps"] is None
