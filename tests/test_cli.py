"""Tests of coverage.cli: the exit statuses of ``coverage-plan run`` and their ``--help``.

The planning itself is replaced by a hand-built plan (``pipeline.plan_coverage`` patched),
so that these tests write real outputs without a long run; ``tests/test_pipeline.py`` runs
the command on a synthetic territory end to end.
"""

from __future__ import annotations

import dataclasses
import json
import logging
from pathlib import Path

import pytest

from coverage import pipeline
from coverage.cli import EXIT_UNPROVEN, main
from coverage.plan import Plan
from tests.helpers import WARNING, build_tiny_plan

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
