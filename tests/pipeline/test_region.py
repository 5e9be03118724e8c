"""Regions: the region file's checks, and the same plans serially, on a local dask cluster
and on a scheduler and two workers started as separate processes.

The region has two tiny synthetic territories (:func:`tests.territory.write_territory`, the
same terrain: every site of one lies on a site of the other, so the border pairs are known);
the second plans with one site (an override) and its own point of presence.
"""

from __future__ import annotations

import dataclasses
import json
import os
import re
import shutil
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from shapely.affinity import translate

from coverage import pipeline
from coverage.cli import main
from coverage.errors import ClusterError, RegionError, ScenarioError
from coverage.outputs.regionsummary import territory_table
from coverage.pipeline.cluster import region_client
from coverage.pipeline.region import (
    RegionResult,
    plan_region,
    prepare_territory,
    rx_block,
    write_region,
)
from coverage.pipeline.regionareas import build_request_areas
from coverage.pipeline.regionborder import border_tasks, extra_load, within_capacity
from coverage.pipeline.regionfile import load_region, territory_scenarios
from coverage.pipeline.sparsecov import SparseCoverage
from coverage.scenario import load_scenario
from tests.territory import write_territory

REPO = Path(__file__).resolve().parents[2]


def _pop(lon: float, lat: float) -> str:
    return f'pop = {{ name = "PoP b", lon_deg = {lon!r}, lat_deg = {lat!r}, source = "test" }}'


def _region_text(root: Path, *, extra: str = "", second: str | None = None) -> str:
    pop = load_scenario(root / "a" / "scenario.toml").backhaul.pop
    overrides = (
        second
        if second is not None
        else f"overrides = {{ placement = {{ budget_sites = 1 }}, backhaul = {{ {_pop(pop.lon_deg, pop.lat_deg)} }} }}"
    )
    return f"""name = "Two valleys"
scenario = "a/scenario.toml"
out_dir = "{(root / "out").as_posix()}"
block_candidates = 4
{extra}
[[areas]]
name = "Alpha"
area = "a"

[[areas]]
name = "Beta"
area = "b/area.toml"
{overrides}
"""


@pytest.fixture(scope="module")
def root(tmp_path_factory: pytest.TempPathFactory) -> Path:
    folder = tmp_path_factory.mktemp("region")
    for name in ("a", "b"):
        (folder / name).mkdir()
        write_territory(folder / name, rows=60, cols=60)
    (folder / "region.toml").write_text(_region_text(folder), encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def serial(root: Path) -> RegionResult:
    return plan_region(
        load_region(root / "region.toml"), out_dir=root / "serial", formats=["summary"]
    )


def _same(a: RegionResult, b: RegionResult) -> None:
    assert [o.name for o in a.outcomes] == [o.name for o in b.outcomes] == ["Alpha", "Beta"]
    for x, y in zip(a.outcomes, b.outcomes, strict=True):
        pd.testing.assert_frame_equal(x.sites, y.sites)
        pd.testing.assert_frame_equal(x.subdivisions, y.subdivisions)
        assert x.totals == y.totals
        assert x.cost_usd == y.cost_usd
        assert x.warnings == y.warnings
    pd.testing.assert_frame_equal(a.border, b.border)
    pd.testing.assert_frame_equal(a.neighbour, b.neighbour)
    pd.testing.assert_frame_equal(a.neighbour_load, b.neighbour_load)
    assert a.neighbour_notes == b.neighbour_notes


# --- the region file ----------------------------------------------------------------------------
def _problems(root: Path, text: str) -> str:
    path = root / "bad.toml"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(RegionError) as err:
        territory_scenarios(load_region(path))
    assert str(path.resolve()) in str(err.value) or str(path) in str(err.value)
    return str(err.value)


def test_region_file_lists_every_problem_under_its_key(root: Path) -> None:
    text = _region_text(root, extra="workerz = 2\nblock_candidates = 0").replace(
        "block_candidates = 4\n", ""
    )
    text = text.replace('area = "a"', 'area = "missing"')
    msg = _problems(root, text)
    assert "unknown key 'workerz' (did you mean 'workers'?)" in msg
    assert "block_candidates: must be an integer in 4-4096, got 0" in msg
    assert "areas[0].area:" in msg and "does not exist" in msg


def test_region_file_refuses_no_areas_and_two_areas_of_one_name(root: Path) -> None:
    assert "give at least one [[areas]]" in _problems(
        root, 'name = "R"\nscenario = "a/scenario.toml"\n'
    )
    twice = _region_text(root).replace('name = "Beta"', 'name = "alpha"')
    assert "two areas have the name 'alpha'" in _problems(root, twice)


def test_an_other_area_must_give_its_point_of_presence(root: Path) -> None:
    msg = _problems(
        root, _region_text(root, second="overrides = { placement = { budget_sites = 1 } }")
    )
    assert "areas[1] (Beta).overrides: give this territory's fibre point of presence" in msg


def test_overrides_are_checked_as_a_scenario_file_is(root: Path) -> None:
    pop = load_scenario(root / "a" / "scenario.toml").backhaul.pop
    bad = (
        f"overrides = {{ placement = {{ budget_sitez = 1 }}, out_dir = 'x', "
        f"backhaul = {{ {_pop(pop.lon_deg, 95.0)} }} }}"
    )
    msg = _problems(root, _region_text(root, second=bad))
    assert "areas[1].overrides.out_dir: not an override here" in msg
    text = _region_text(root, second=bad.replace("out_dir = 'x', ", ""))
    msg = _problems(root, text)
    assert "budget_sitez" in msg and "did you mean 'budget_sites'" in msg
    assert "lat_deg" in msg


def test_each_territory_gets_the_base_scenario_with_its_area_and_overrides(root: Path) -> None:
    a, b = territory_scenarios(load_region(root / "region.toml"), out_dir=root / "o")
    base = load_scenario(root / "a" / "scenario.toml")
    assert a.area.path == base.area.path and b.area.path == (root / "b" / "area.toml").resolve()
    assert (a.placement.budget_sites, b.placement.budget_sites) == (2, 1)
    assert b.backhaul.pop.name == "PoP b" and b.backhaul.pop.source == "test"
    assert (Path(a.out_dir), Path(b.out_dir)) == (root / "o" / "alpha", root / "o" / "beta")
    assert b.name == f"{base.name}-beta"


def test_an_area_may_plan_with_its_own_scenario_overrides_merged_over_it(root: Path) -> None:
    own = (root / "b" / "scenario.toml").read_text(encoding="utf-8")
    (root / "b" / "own.toml").write_text(
        own.replace("budget_sites = 2", "budget_sites = 3").replace(
            "max_candidates = 12", "max_candidates = 9"
        ),
        encoding="utf-8",
    )
    second = 'scenario = "b/own.toml"\noverrides = { placement = { time_limit_s = 7.0 } }'
    path = root / "own.toml"
    path.write_text(_region_text(root, second=second).replace('area = "b/area.toml"\n', ""))
    region = load_region(path)
    assert region.areas[1].area_path is None
    assert region.areas[1].scenario_path == (root / "b" / "own.toml").resolve()
    a, b = territory_scenarios(region, out_dir=root / "o")
    own_scenario = load_scenario(root / "b" / "own.toml")
    assert b.area.path == own_scenario.area.path == (root / "b" / "area.toml").resolve()
    assert (b.placement.budget_sites, b.candidates.max_candidates) == (3, 9)  # its own
    assert b.placement.time_limit_s == 7.0  # the override over it
    assert b.backhaul.pop == own_scenario.backhaul.pop  # its own PoP: none needed
    assert b.name == own_scenario.name and Path(b.out_dir) == root / "o" / "beta"
    assert a.placement.budget_sites == 2  # the base still plans the others
    # its own scenario with another area: the PoP is asked for, as for the base
    other = second + '\narea = "a"'
    msg = _problems(root, _region_text(root, second=other).replace('area = "b/area.toml"\n', ""))
    assert "areas[1] (Beta).overrides: give this territory's fibre point of presence" in msg
    missing = 'scenario = "b/nope.toml"'
    msg = _problems(root, _region_text(root, second=missing).replace('area = "b/area.toml"\n', ""))
    assert "areas[1].scenario:" in msg and "is not a file" in msg


def _request(root: Path) -> Path:
    """A new-area request on a two-territory boundary layer: territory "G" by its codigo."""
    import geopandas as gpd

    folder = root / "layers"
    folder.mkdir()
    write_territory(folder, rows=60, cols=60)
    veredas = gpd.read_file(folder / "veredas.geojson").assign(corregimiento="G")
    veredas.to_file(folder / "subs.geojson", driver="GeoJSON")
    schools = gpd.GeoDataFrame(
        {"nombre": ["Escuela Alta", "Escuela Baja"], "corregimiento": "G"},
        geometry=list(veredas.to_crs(9377).representative_point()),
        crs=9377,
    )
    schools.to_crs(4326).to_file(folder / "escuelas.geojson", driver="GeoJSON")
    outline = veredas.dissolve().geometry.iloc[0]
    far = translate(outline, xoff=1.0)  # a degree east
    gpd.GeoDataFrame(
        {"codigo": ["G", "H"], "nombre": ["Gamma", "Eta"]}, geometry=[outline, far], crs=veredas.crs
    ).to_file(folder / "corregimientos.geojson", driver="GeoJSON")
    inner = outline.representative_point()
    (folder / "gamma.toml").write_text(
        f"""name = "Gamma"
dems = ["dem.tif"]
people = 900.0
household_count = 300.0
margin_m = 500.0
[boundary]
path = "corregimientos.geojson"
where = {{ codigo = "G" }}
[subdivisions]
path = "subs.geojson"
where = {{ corregimiento = "G" }}
id_field = "codigo"
[schools]
path = "escuelas.geojson"
where = {{ corregimiento = "G" }}
[pop]
lon_deg = {inner.x!r}
lat_deg = {inner.y!r}
source = "assumed (test)"
""",
        encoding="utf-8",
    )
    return folder / "gamma.toml"


def test_an_area_given_as_a_new_area_request_is_built_then_planned_with_its_scenario(
    root: Path, tmp_path: Path
) -> None:
    request = _request(tmp_path)
    second = (
        f'request = "{request.as_posix()}"\noverrides = {{ placement = {{ time_limit_s = 9.0 }} }}'
    )
    path = tmp_path / "requests.toml"
    text = _region_text(root, second=second).replace('area = "b/area.toml"\n', "")
    path.write_text(
        text.replace('"a/scenario.toml"', f'"{(root / "a" / "scenario.toml").as_posix()}"').replace(
            'area = "a"', f'area = "{(root / "a").as_posix()}"'
        ),
        encoding="utf-8",
    )
    region = load_region(path)
    assert region.areas[1].request_path == request.resolve()
    with pytest.raises(
        RegionError, match=r"areas\[1\] \(Beta\)\.request: its area is not built yet"
    ):
        territory_scenarios(region)
    built = build_request_areas(region, tmp_path / "out")
    area = tmp_path / "out" / "beta" / "area"
    assert built.areas[1].scenario_path == (area / "scenario.toml").resolve()
    _, beta = territory_scenarios(built, out_dir=tmp_path / "out")
    assert beta.area.name == "Gamma" and beta.area.path == (area / "area.toml").resolve()
    assert beta.area.population.total_people == 900.0  # the request's, not the other feature's
    assert beta.placement.time_limit_s == 9.0 and beta.backhaul.pop.source == "assumed (test)"
    both = _problems(tmp_path, text.replace(second, second + '\narea = "b"\nscenario = "x.toml"'))
    assert "areas[1].area: not with `request`" in both and "areas[1].scenario: not with" in both


# --- plans ----------------------------------------------------------------------------------------
def test_serial_region_plans_each_territory_as_plan_coverage_does(
    root: Path, serial: RegionResult
) -> None:
    _, beta = territory_scenarios(load_region(root / "region.toml"))
    alone = pipeline.plan_coverage(beta)
    pd.testing.assert_frame_equal(serial.outcomes[1].sites, alone.sites)
    assert serial.outcomes[1].totals["people_covered"] == alone.people_covered
    # the same terrain: each of Beta's sites stands on one of Alpha's, PoPs included
    beta_sites = set(serial.outcomes[1].sites["site_id"])
    assert set(serial.border["site_b"]) == beta_sites
    assert (serial.border["distance_m"] == 0.0).all()


def test_region_summary_files(root: Path, serial: RegionResult) -> None:
    out = write_region(serial, root / "serial")
    table = pd.read_csv(out["territories"])
    assert list(table["territory"]) == ["Alpha", "Beta", "region"]
    assert table["people"].iloc[-1] == pytest.approx(table["people"].iloc[:-1].sum())
    access_relays = int(table["access_sites"].iloc[-1] + table["relays"].iloc[-1])
    pairs = serial.border[serial.border["role_a"] != "pop"]
    assert table["sites_counted_once"].iloc[-1] == access_relays - len(pairs)
    subs = pd.read_csv(out["subdivisions"])
    assert set(subs["territory"]) == {"Alpha", "Beta"}
    report = out["report"].read_text(encoding="utf-8")
    assert "## What the region models" in report and "Border sites" in report
    page = out["map"].read_text(encoding="utf-8")
    assert "Alpha" in page and "Beta" in page and "<script src=" not in page  # offline
    assert json.loads(out["json"].read_text(encoding="utf-8"))["name"] == "Two valleys"


@pytest.mark.slow
def test_local_cluster_gives_the_serial_plans(root: Path, serial: RegionResult) -> None:
    with region_client(workers=2) as client:
        result = plan_region(
            load_region(root / "region.toml"), client, out_dir=root / "local", formats=["summary"]
        )
    _same(serial, result)
    assert result.metrics["workers"] == 2
    spans = [(b["territory"], b["start"], b["stop"], b["pairs"]) for b in result.metrics["blocks"]]
    assert spans == [
        (b["territory"], b["start"], b["stop"], b["pairs"]) for b in serial.metrics["blocks"]
    ]
    assert {b["worker"] for b in result.metrics["blocks"]} != {"local"}


def _start(args: list[str], env: dict[str, str], log: Path) -> subprocess.Popen[bytes]:
    dask = Path(sys.executable).parent / "dask"
    with log.open("wb") as fh:
        return subprocess.Popen([str(dask), *args], env=env, stdout=fh, stderr=subprocess.STDOUT)


@pytest.mark.slow
def test_scheduler_and_two_worker_processes_give_the_serial_plans(
    root: Path, serial: RegionResult, tmp_path: Path
) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join([str(REPO), os.environ.get("PYTHONPATH", "")]),
    }
    env["NUMBA_NUM_THREADS"] = "1"  # the workers' own environment only, never this process's
    file = tmp_path / "scheduler.json"
    procs = [
        _start(
            [
                "scheduler",
                "--host",
                "127.0.0.1",
                "--port",
                "0",
                "--scheduler-file",
                str(file),
                "--no-dashboard",
            ],
            env,
            tmp_path / "scheduler.log",
        )
    ]
    try:
        deadline = time.monotonic() + 60
        while not file.is_file() and time.monotonic() < deadline:
            time.sleep(0.2)
        assert file.is_file(), (tmp_path / "scheduler.log").read_text()
        procs += [
            _start(
                [
                    "worker",
                    "--scheduler-file",
                    str(file),
                    "--nthreads",
                    "1",
                    "--no-dashboard",
                    "--host",
                    "127.0.0.1",
                ],
                env,
                tmp_path / f"worker{i}.log",
            )
            for i in range(2)
        ]
        address = json.loads(file.read_text())["address"]
        from distributed import Client

        with Client(address, timeout="30s") as client:
            client.wait_for_workers(2, timeout=60)
        out = tmp_path / "out"
        status = main(
            ["-q", "region", str(root / "region.toml"), "--scheduler", address, "--out", str(out)]
        )
        assert status == 3  # the territories overlap: an Alpha site over capacity with Beta's
        with Client(address, timeout="30s") as client:
            result = plan_region(
                load_region(root / "region.toml"),
                client,
                out_dir=tmp_path / "again",
                formats=["summary"],
            )
        _same(serial, result)
        assert (out / "alpha" / "summary.json").is_file() and (out / "beta" / "map.html").is_file()
        table = pd.read_csv(out / "region_territories.csv")
        assert table["people_served_network"].iloc[:2].tolist() == [
            o.totals["people_covered"] for o in serial.outcomes
        ]
    finally:
        for p in reversed(procs):
            p.terminate()
        for p in procs:
            try:
                p.wait(timeout=20)
            except subprocess.TimeoutExpired:
                p.kill()
                p.wait()


def test_cli_region_serial_writes_every_territory_and_the_summary(
    root: Path, serial: RegionResult, tmp_path: Path
) -> None:
    out = tmp_path / "cli"
    # the two territories overlap: Alpha's sites would carry Beta's points over capacity
    assert serial.warnings and all("would carry" in w for w in serial.warnings)
    assert main(["-q", "region", str(root / "region.toml"), "--serial", "--out", str(out)]) == 3
    for name in (
        "region.md",
        "region_map.html",
        "region_territories.csv",
        "alpha/map.html",
        "beta/summary.json",
    ):
        assert (out / name).is_file(), name
    assert main(["-q", "region", str(root / "missing.toml"), "--serial"]) == 2


def test_a_territory_that_fails_fails_the_region_with_its_own_error(
    root: Path, tmp_path: Path
) -> None:
    far = f"overrides = {{ backhaul = {{ {_pop(-70.0, 4.0)} }} }}"  # far outside Beta's terrain
    path = root / "far.toml"
    path.write_text(_region_text(root, second=far), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"PoP|point of presence"):
        plan_region(load_region(path), out_dir=tmp_path / "far", formats=["summary"])
    assert main(["-q", "region", str(path), "--serial", "--out", str(tmp_path / "cli")]) == 2


# --- border sites serve both sides ------------------------------------------------------------
def _side_by_side(root: Path, shift_m: float) -> Path:
    """Two territories of one DEM, Alpha west of the middle and Beta east of it, each with
    a margin that holds the other's nearest sites; ``shift_m`` moves Beta (its DEM too) east."""
    import geopandas as gpd
    import rasterio
    from affine import Affine
    from shapely.geometry import Point, box

    from tests.territory import TO_WGS84

    (root / "a").mkdir(parents=True)
    write_territory(root / "a", rows=80, cols=120)
    shutil.copytree(root / "a", root / "b")
    with rasterio.open(root / "a" / "dem.tif") as src:
        (x0, y0, x1, y1), crs, profile, dem = src.bounds, src.crs, src.profile, src.read(1)
    with rasterio.open(
        root / "b" / "dem.tif",
        "w",
        **{**profile, "transform": Affine.translation(shift_m, 0.0) @ profile["transform"]},
    ) as dst:
        dst.write(dem, 1)
    mid, yc = (x0 + x1) / 2, (y0 + y1) / 2
    layout = {
        "a": (box(x0 + 1000, y0 + 1000, mid, y1 - 1000), mid - 400, mid - 300),
        "b": (box(mid, y0 + 1000, x1 - 1000, y1 - 1000), mid + 400, mid + 300),
    }
    pops = {}
    for name, (shape, school_x, pop_x) in layout.items():
        dx = shift_m if name == "b" else 0.0
        folder = root / name
        vereda = gpd.GeoDataFrame(
            {"nombre": [name], "codigo": ["1"]},
            geometry=[translate(shape, xoff=dx)],
            crs=crs,
        )
        vereda.to_crs(4326).to_file(folder / "veredas.geojson", driver="GeoJSON")
        school = gpd.GeoDataFrame(
            {"nombre": [f"Escuela {name}"]}, geometry=[Point(school_x + dx, yc)], crs=crs
        )
        school.to_crs(4326).to_file(folder / "schools.geojson", driver="GeoJSON")
        area = (folder / "area.toml").read_text(encoding="utf-8")
        (folder / "area.toml").write_text(area.replace("margin_m = 500.0", "margin_m = 900.0"))
        pops[name] = TO_WGS84.transform(pop_x + dx, yc)
    scenario = (root / "a" / "scenario.toml").read_text(encoding="utf-8")
    lon, lat = pops["a"]
    scenario = re.sub(
        r"pop = \{[^}]*\}",
        f'pop = {{ name = "PoP a", lon_deg = {lon!r}, lat_deg = {lat!r} }}',
        scenario,
    )
    (root / "a" / "scenario.toml").write_text(scenario, encoding="utf-8")
    text = _region_text(
        root,
        second=f"overrides = {{ placement = {{ budget_sites = 1 }}, backhaul = {{ {_pop(*pops['b'])} }} }}",
    )
    (root / "region.toml").write_text(text, encoding="utf-8")
    return root / "region.toml"


def test_a_site_near_the_border_serves_the_other_side_counted_once(tmp_path: Path) -> None:
    path = _side_by_side(tmp_path / "near", 0.0)
    result = plan_region(load_region(path), out_dir=tmp_path / "near" / "out", formats=["summary"])
    alpha, beta = result.outcomes
    reached = result.neighbour
    assert len(reached) and set(reached["territory"]) == {"Beta"}  # Beta plans with one site
    assert not reached.duplicated(["territory", "demand_id"]).any()
    assert set(reached["from_territory"]) == {"Alpha"}
    access = set(alpha.sites.loc[alpha.sites["role"] == "access", "site_id"])
    assert set(reached["site_id"]) <= access
    assert beta.unserved is not None
    left = beta.unserved.set_index("demand_id")
    assert set(reached["demand_id"]) <= set(left.index)  # only points Beta's plan leaves out
    assert left["reason"].isin(["blocked_by_terrain", "out_of_range", "weak_signal"]).all()
    _, b_scenario = territory_scenarios(load_region(path))
    from coverage.pipeline.resolve import resolve

    assert (reached["rx_dbm"] >= resolve(b_scenario).threshold_dbm).all()
    # the same prediction by hand: Beta's own data and model, one site, at its own height
    prepared = prepare_territory(1, "Beta", "beta", b_scenario, None)
    first = reached.iloc[0]
    site = alpha.sites[alpha.sites["site_id"] == first["site_id"]]
    rx, heights = pipeline.coverage_matrix(prepared.resolved, prepared.inputs, site)
    row = list(heights).index(float(site["mast_height_m"].iloc[0]))
    col = list(prepared.inputs.demand["demand_id"].map(str)).index(first["demand_id"])
    assert float(rx[row, col]) == pytest.approx(float(first["rx_dbm"]), abs=1e-4)
    out = write_region(result, tmp_path / "near" / "out")
    table = pd.read_csv(out["territories"]).set_index("territory")
    counted = reached[reached["counted"].astype(bool)]  # within the sites' spare capacity
    assert len(counted) <= len(reached)  # here none: Alpha's site is nearly full already
    people = float(counted["people"].sum())
    assert table.loc["Beta", "people_from_neighbour"] == pytest.approx(people)
    assert table.loc["Alpha", "people_from_neighbour"] == 0.0
    assert table.loc["region", "people_from_neighbour"] == pytest.approx(people)
    assert table.loc["region", "people_served_region"] == pytest.approx(
        table.loc[["Alpha", "Beta"], "people_served_network"].sum() + people
    )
    assert table.loc["Beta", "people_served_network"] == beta.totals["people_covered"]  # unchanged
    subs = pd.read_csv(out["subdivisions"])
    assert subs["people_from_neighbour"].sum() == pytest.approx(people)
    assert len(pd.read_csv(out["neighbour"])) == len(reached)
    record = json.loads(out["json"].read_text(encoding="utf-8"))["served_from_neighbour"]
    assert len(record["points"]) == len(reached) and "capacity" in " ".join(record["models"])
    assert "## Served from a neighbouring territory's site" in out["report"].read_text(
        encoding="utf-8"
    )

    # the extra busy-hour load on the serving sites, and a site it would overload
    load = result.neighbour_load
    assert set(load["site_id"]) == set(reached["site_id"]) and set(load["territory"]) == {"Alpha"}
    for site, extra, capacity in zip(
        load["site_id"], load["extra_downlink_mbps"], load["capacity_downlink_mbps"], strict=True
    ):
        mine = reached[reached["site_id"] == site]
        assert float(extra) == pytest.approx(float(mine["downlink_mbps"].sum()))
        assert float(extra) > 0 and np.isfinite(float(capacity))
    over = load["offered_downlink_mbps"] + load["extra_downlink_mbps"]
    assert (load["overloaded"] == (over > load["capacity_downlink_mbps"])).all()
    assert len(result.warnings) == int(load["overloaded"].sum())  # the plans have none
    roomy = alpha.sites.assign(capacity_downlink_mbps=1e6)
    calm = extra_load([dataclasses.replace(alpha, sites=roomy), beta], reached)
    assert not calm["overloaded"].any()
    assert dataclasses.replace(result, neighbour_load=calm).warnings == ()
    full = alpha.sites.assign(capacity_downlink_mbps=alpha.sites["offered_downlink_mbps"])
    busy = extra_load([dataclasses.replace(alpha, sites=full), beta], reached)
    assert busy["overloaded"].all()
    # only what a site's spare capacity carries is counted, strongest first
    bare = reached.drop(columns="counted")
    assert not within_capacity([dataclasses.replace(alpha, sites=full), beta], bare)[
        "counted"
    ].any()
    room = [dataclasses.replace(alpha, sites=roomy), beta]
    all_in = within_capacity(room, bare)
    assert all_in["counted"].all()
    wide = territory_table(room, result.border, all_in).set_index("territory")
    assert wide.loc["Beta", "people_from_neighbour"] == pytest.approx(reached["people"].sum())
    for _, mine in reached.groupby("site_id"):
        ranked = mine.sort_values(["rx_dbm", "demand_id"], ascending=[False, True])
        flags = ranked["counted"].astype(int).to_numpy()
        assert not (np.diff(flags) > 0).any()  # no counted point after one left out
    assert (
        load["points_counted"] == [int(counted["site_id"].eq(s).sum()) for s in load["site_id"]]
    ).all()
    said = dataclasses.replace(result, neighbour_load=busy)
    assert len(said.warnings) == len(busy) and "would carry" in said.warnings[0]
    report = write_region(said, tmp_path / "busy")["report"].read_text(encoding="utf-8")
    assert "## Warnings" in report and "over its" in report
    assert len(pd.read_csv(tmp_path / "busy" / "region_neighbour_site_load.csv")) == len(busy)


def test_the_region_report_speaks_the_base_scenarios_language(
    root: Path, serial: RegionResult, tmp_path: Path
) -> None:
    assert serial.language == "en"  # the test territory's scenario says so
    spanish = dataclasses.replace(serial, language="es")
    report = write_region(spanish, tmp_path / "es")["report"].read_text(encoding="utf-8")
    for heading in ("# Región: Two valleys", "## Territorios", "## Qué modela la región"):
        assert heading in report
    assert "## Servidos desde un sitio de un territorio vecino" in report
    assert "| territorio | hogares | personas | personas_servidas_red |" in report
    assert "What the region models" not in report and "Territories" not in report
    assert "solo se cuentan los puntos que caben" in report  # a full site's neighbours
    english = write_region(serial, tmp_path / "en")["report"].read_text(encoding="utf-8")
    assert "## What the region models" in english and "| territory | households |" in english
    # the CSV keeps its column names whatever the language
    assert pd.read_csv(tmp_path / "es" / "region_territories.csv").columns[0] == "territory"


def test_far_apart_territories_serve_nothing_across(tmp_path: Path) -> None:
    path = _side_by_side(tmp_path / "far", 50_000.0)
    result = plan_region(load_region(path), out_dir=tmp_path / "far" / "out", formats=["summary"])
    assert border_tasks(result.outcomes, territory_scenarios(load_region(path))) == ([], [])
    assert len(result.neighbour) == 0 and result.neighbour_notes == ()
    beta = result.outcomes[1]
    assert beta.unserved is not None and len(beta.unserved)  # something left to serve
    table = territory_table(result.outcomes, result.border, result.neighbour)
    assert (table["people_from_neighbour"] == 0).all()
    assert (table["people_served_region"] == table["people_served_network"]).all()


def test_the_serial_region_counts_a_border_site_at_the_other_sides_points(
    serial: RegionResult,
) -> None:
    # the region's two territories share their terrain: Alpha's sites stand on Beta's points
    assert len(serial.neighbour)
    assert set(serial.neighbour["territory"]) <= {"Alpha", "Beta"}


def test_sparse_coverage_blocks_put_together_are_the_whole_matrix_above_the_threshold(
    root: Path,
) -> None:
    alpha, _ = territory_scenarios(load_region(root / "region.toml"))
    prepared = prepare_territory(0, "Alpha", "alpha", alpha, None)
    whole, _ = pipeline.coverage_matrix(prepared.resolved, prepared.inputs, prepared.candidates)
    n = prepared.n_candidates
    blocks = [rx_block(prepared, a, min(a + 3, n)) for a in range(0, n, 3)]  # 3 does not divide 8
    assert n % 3 and len(blocks) == -(-n // 3)
    together = SparseCoverage.concatenate([b.coverage for b in blocks])
    thr = prepared.resolved.threshold_dbm
    above = np.where(np.nan_to_num(whole, nan=-np.inf) >= thr, whole, np.nan)
    assert together.floor_dbm == thr and together.shape == whole.shape
    assert np.array_equal(together.to_dense(), above, equal_nan=True)
    heights = len(alpha.placement.mast_heights_m)
    assert sum(b.pairs for b in blocks) == n * heights * len(prepared.inputs.demand)


def test_a_scheduler_that_does_not_answer_is_a_cluster_error_naming_it() -> None:
    with (
        pytest.raises(ClusterError, match=r"tcp://127\.0\.0\.1:9"),
        region_client("tcp://127.0.0.1:9", connect_timeout_s=2.0),
    ):
        pass
