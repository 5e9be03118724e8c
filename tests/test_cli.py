"""Tests of coverage.cli: the exit statuses of ``coverage-plan run`` and their ``--help``.

The planning itself is replaced by a hand-built plan (``pipeline.plan_coverage`` patched),
so that these tests write real outputs without a long run; ``tests/test_pipeline.py`` runs
the command on a synthetic territory end to end.
"""

from __future__ import annotations

import dataclasses
import json
import logging
import shutil
from pathlib import Path

import numpy as np
import pytest

from coverage import pipeline, synthetic
from coverage.cli import EXIT_UNPROVEN, main
from coverage.plan import Plan
from tests.helpers import TINY_CRS, WARNING, build_tiny_plan, write_geotiff

SCENARIO = Path(__file__).resolve().parents[1] / "data" / "palmitas" / "scenario.toml"


def _run_on(plan: Plan, out: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[int, list[object]]:
    """``coverage-plan -q run SCENARIO --out OUT`` (the default Palmitas scenario file) with
    ``plan`` as what planning made."""
    asked: list[object] = []

    def plan_coverage(scenario: object = None, **_kwargs: object) -> Plan:
        asked.append(scenario)
        return plan

    monkeypatch.setattr(pipeline, "plan_coverage", plan_coverage)
    return main(["-q", "run", str(SCENARIO), "--out", str(out)]), asked


def test_run_refuses_an_output_folder_under_a_file_before_planning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    status, asked = _run_on(build_tiny_plan(), blocker / "maps", monkeypatch)
    assert status == 2 and asked == []  # refused before any planning
    assert "lies under the file" in capsys.readouterr().err


def test_run_of_a_plan_with_warnings_writes_everything_logs_them_and_exits_3(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    plan = dataclasses.replace(build_tiny_plan(), warnings=(WARNING, "Second warning."))
    with caplog.at_level(logging.WARNING, logger="coverage.cli"):
        status, asked = _run_on(plan, tmp_path, monkeypatch)
    assert status == EXIT_UNPROVEN == 3
    assert [getattr(a, "name", a) for a in asked] == ["palmitas-lte700"]  # loaded once, first
    logged = [r for r in caplog.records if r.name == "coverage.cli"]
    assert [(r.levelno, r.getMessage()) for r in logged] == [
        (logging.WARNING, WARNING),
        (logging.WARNING, "Second warning."),
    ]
    manifest = json.loads((tmp_path / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["warnings"] == [WARNING, "Second warning."]
    assert len(manifest["outputs"]) > 10  # every output written before the status came back
    summary = json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))
    assert summary["warnings"] == [WARNING, "Second warning."]


def test_run_of_a_plan_without_warnings_exits_0_and_logs_no_warning(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="coverage.cli"):
        status, _ = _run_on(build_tiny_plan(), tmp_path, monkeypatch)
    assert status == 0
    assert [r for r in caplog.records if r.name == "coverage.cli"] == []
    assert json.loads((tmp_path / "summary.json").read_text(encoding="utf-8"))["warnings"] == []


@pytest.mark.parametrize("argv", [["--help"], ["run", "--help"]])
def test_help_ends_with_the_exit_statuses(
    argv: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    assert "exit status: 0 done; 2 an error" in text
    assert f"{EXIT_UNPROVEN} (run) every output was written, but the plan has warnings" in text


@pytest.mark.parametrize(
    "command",
    [
        ["viewshed"],
        ["pathloss", "--tx-height", "30", "--rx-height", "2", "--f-mhz", "700", "--radius", "500"],
    ],
)
def test_a_raster_command_refuses_to_overwrite_its_input_dem(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    dem = tmp_path / "dem.tif"
    dem.write_bytes(b"not read: refused before")
    same = tmp_path / "." / "dem.tif"
    status = main([*command, str(dem), str(same), "--x", "0", "--y", "0"])
    assert status == 2
    assert "is the input DEM" in capsys.readouterr().err
    assert dem.read_bytes() == b"not read: refused before"


_PATHLOSS = ["pathloss", "d.tif", "o.tif", "--x", "0", "--y", "0", "--rx-height", "2"]


@pytest.mark.parametrize(
    ("argv", "problem"),
    [
        (
            ["viewshed", "d.tif", "o.tif", "--x", "0", "--y", "0", "--observer-height", "-50"],
            "argument --observer-height: -50 is outside [0, 200] m",
        ),
        (
            ["viewshed", "d.tif", "o.tif", "--x", "0", "--y", "inf"],
            "argument --y: 'inf' is not a finite number",
        ),
        (
            ["viewshed", "d.tif", "o.tif", "--x", "0", "--y", "0", "--k", "nan"],
            "argument --k: 'nan' is not a finite number",
        ),
        (
            [*_PATHLOSS, "--tx-height", "30", "--f-mhz", "1e9", "--radius", "500"],
            "argument --f-mhz: 1e+09 is outside [30, 100,000] MHz",
        ),
        (
            [*_PATHLOSS, "--tx-height", "1e7", "--f-mhz", "700", "--radius", "500"],
            "argument --tx-height: 1e+07 is outside (0, 200] m",
        ),
        (
            [*_PATHLOSS, "--tx-height", "30", "--f-mhz", "700", "--radius", "-1"],
            "argument --radius: -1 is outside [100, 100,000] m",
        ),
    ],
)
def test_a_number_option_out_of_its_range_is_a_usage_error_naming_it(
    argv: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    """A -50 m observer or a 1e9 MHz carrier ran to the end; now argparse refuses them."""
    with pytest.raises(SystemExit) as done:
        main(argv)
    assert done.value.code == 2
    err = " ".join(capsys.readouterr().err.split())
    assert problem in err and "usage:" in err


@pytest.mark.parametrize(
    "command",
    [
        ["viewshed"],
        ["pathloss", "--tx-height", "30", "--rx-height", "2", "--f-mhz", "700", "--radius", "500"],
    ],
)
def test_a_raster_command_refuses_an_output_it_cannot_write_before_reading_the_dem(
    tmp_path: Path, command: list[str], capsys: pytest.CaptureFixture[str]
) -> None:
    """An output in a missing folder was a traceback after the whole computation."""
    dem = tmp_path / "dem.tif"
    dem.write_bytes(b"not a GeoTIFF: never read")
    missing = tmp_path / "no-such-folder" / "out.tif"
    assert main([*command, str(dem), str(missing), "--x", "0", "--y", "0"]) == 2
    err = capsys.readouterr().err
    assert f"The folder {missing.parent} of the output {missing} does not exist" in err
    assert "mkdir -p" in err
    assert main([*command, str(dem), str(tmp_path), "--x", "0", "--y", "0"]) == 2
    assert "is a folder; give the GeoTIFF file to write" in capsys.readouterr().err


def test_validate_checks_the_output_folder_as_run_does(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """``validate`` said OK to a scenario that ``run`` then refused (its output folder)."""
    prepared: list[object] = []
    monkeypatch.setattr(pipeline, "prepare_inputs", lambda *a, **k: prepared.append(a))
    blocker = tmp_path / "a_file"
    blocker.write_text("x", encoding="utf-8")
    assert main(["-q", "validate", str(SCENARIO), "--out", str(blocker / "maps")]) == 2
    assert "lies under the file" in capsys.readouterr().err
    shutil.copy(SCENARIO.parent / "area.toml", tmp_path / "area.toml")
    own = tmp_path / "s.toml"
    text = SCENARIO.read_text(encoding="utf-8")
    own.write_text(text.replace('"maps/palmitas"', json.dumps(str(blocker))), encoding="utf-8")
    assert main(["-q", "validate", str(own)]) == 2  # the scenario's own out_dir
    assert f"The output folder {blocker} is a file" in capsys.readouterr().err
    assert prepared == []  # refused before any data was read


@pytest.mark.parametrize(
    ("key", "value", "problem"),
    [
        ("tx_power_dbm", "nan", "technology.tx_power_dbm: expected a finite number, got nan"),
        ("tx_power_dbm", "1e6", "technology.tx_power_dbm: 1e+06 is outside [-10, 80] dBm"),
        ("rx_sensitivity_dbm", "nan", "technology.rx_sensitivity_dbm: expected a finite number"),
    ],
)
def test_validate_refuses_the_numbers_a_user_test_found_accepted(
    tmp_path: Path, key: str, value: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    shutil.copy(SCENARIO.parent / "area.toml", tmp_path / "area.toml")
    own = tmp_path / "s.toml"
    text = SCENARIO.read_text(encoding="utf-8")
    own.write_text(text.replace(f"# {key} = ", f"{key} = {value} #"), encoding="utf-8")
    assert main(["-q", "validate", str(own)]) == 2
    assert problem in capsys.readouterr().err


def test_viewshed_refuses_a_dem_of_voids_unless_allowed(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    terrain = synthetic.ridge()
    elevation = terrain.elevation_m.astype(np.float32).copy()
    elevation[:, : elevation.shape[1] // 2] = -32768.0  # half the grid is voids
    dem = write_geotiff(
        tmp_path / "dem.tif", elevation, crs=TINY_CRS, transform=terrain.transform, nodata=-32768.0
    )
    xs, ys = terrain.cell_centers()
    x, y = float(xs[40]), float(ys[10])  # on the half with elevations
    args = ["viewshed", str(dem), str(tmp_path / "v.tif"), "--x", str(x), "--y", str(y)]
    assert main(args) == 2
    assert "raise --max-void-share" in capsys.readouterr().err
    assert not (tmp_path / "v.tif").exists()
    assert main([*args, "--max-void-share", "0.6"]) == 0
    assert (tmp_path / "v.tif").is_file()
