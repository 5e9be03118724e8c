"""Regions: the region file's checks, and the same plans serially, on a local dask cluster
and on a scheduler and two workers started as separate processes.

The region has two tiny synthetic territories (:func:`tests.territory.write_territory`, the
same terrain: every site of one lies on a site of the other, so the border pairs are known);
the second plans with one site (an override) and its own point of presence.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coverage import pipeline
from coverage.cli import main
from coverage.errors import ClusterError, RegionError, ScenarioError
from coverage.pipeline.cluster import region_client
from coverage.pipeline.region import (
    RegionResult,
    plan_region,
    prepare_territory,
    rx_block,
    write_region,
)
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
        assert status == 0
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
    root: Path, tmp_path: Path
) -> None:
    out = tmp_path / "cli"
    assert main(["-q", "region", str(root / "region.toml"), "--serial", "--out", str(out)]) == 0
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
