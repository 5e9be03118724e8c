"""Tests of output sets replaced whole (coverage.outputs.outputset via export.write_outputs)."""

from __future__ import annotations

import errno
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from coverage.errors import OutputError
from coverage.outputs import export, kml
from coverage.outputs.outputset import STAGING_PREFIX, check_output_folder
from tests.helpers import build_tiny_plan

REPO = Path(__file__).resolve().parents[2]


def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def test_a_failing_writer_leaves_the_previous_set_as_it_was(tiny_plan, tmp_path, monkeypatch):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    before = _digests(out)

    def broken(*_args, **_kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(kml, "kmz_bytes", broken)
    other = build_tiny_plan("another plan")  # other names: other bytes in every file
    with pytest.raises(RuntimeError, match="disk on fire"):
        export.write_outputs(other, out, language="en")
    assert _digests(out) == before
    assert not list(out.glob(f"{STAGING_PREFIX}*"))


def test_a_smaller_set_removes_the_stale_files_and_keeps_foreign_ones(tiny_plan, tmp_path):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    assert (out / "map.html").is_file() and list((out / "profiles").glob("*.png"))
    (out / "my_notes.txt").write_text("mine", encoding="utf-8")
    paths = export.write_outputs(tiny_plan, out, language="en", formats=["summary"])
    assert not (out / "map.html").exists()
    assert not (out / "profiles").exists()
    assert (out / "my_notes.txt").read_text(encoding="utf-8") == "mine"
    assert set(_digests(out)) == {"my_notes.txt"} | {
        p.relative_to(out).as_posix() for p in paths.values()
    }
    assert all(p.parent == out and p.is_file() for p in paths.values())


def test_an_output_folder_that_is_a_file_or_under_one_is_refused(tmp_path):
    f = tmp_path / "plan.txt"
    f.write_text("x", encoding="utf-8")
    with pytest.raises(OutputError, match="is a file"):
        check_output_folder(f)
    with pytest.raises(OutputError, match="lies under the file"):
        check_output_folder(f / "maps")
    assert check_output_folder(tmp_path / "new" / "maps") == (tmp_path / "new" / "maps").resolve()


def test_a_disk_without_room_for_the_set_is_refused_before_writing(
    tiny_plan, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    before = _digests(out)
    need = export.estimate_set_bytes(tiny_plan)
    real = shutil.disk_usage
    monkeypatch.setattr(shutil, "disk_usage", lambda p: real(p)._replace(free=need - 1))
    with pytest.raises(OutputError, match=r"needs about \d+ MiB.*MiB free"):
        export.write_outputs(tiny_plan, out, language="en")
    with pytest.raises(OutputError, match="needs about 16 MiB"):  # before a plan is known
        check_output_folder(tmp_path / "new")
    assert _digests(out) == before


def test_a_full_disk_while_writing_is_one_message_and_keeps_the_previous_set(
    tiny_plan, tmp_path, monkeypatch
):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    before = _digests(out)

    def full(*_args, **_kwargs):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(kml, "kmz_bytes", full)
    with pytest.raises(OutputError, match=r"No space left on device.*previous set is as it was"):
        export.write_outputs(build_tiny_plan("another plan"), out, language="en")
    assert _digests(out) == before
    assert not list(out.glob(f"{STAGING_PREFIX}*"))


#: Runs in a subprocess: writes another plan over ``argv[1]`` and stops, when the writer of
#: output ``argv[2]`` has written its files, for the signal the test sends; ``manifest``
#: stops after the manifest is staged, just before the move.
_INTERRUPTED_WRITE = """
import sys, time
from coverage.cli import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, stop_on_sigterm
from coverage.outputs import export
from tests.helpers import build_tiny_plan

out, point = sys.argv[1], sys.argv[2]

def then_wait(write):
    def wrapped(*args, **kwargs):
        paths = write(*args, **kwargs)
        print("READY", flush=True)
        time.sleep(30)
        return paths
    return wrapped

if point == "manifest":
    export.write_manifest = then_wait(export.write_manifest)
else:
    writers = export._writers
    def patched(*args, **kwargs):
        steps = writers(*args, **kwargs)
        steps[point] = then_wait(steps[point])
        return steps
    export._writers = patched

stop_on_sigterm()
plan = build_tiny_plan("another plan")  # other names: other bytes in every file
try:
    export.write_outputs(plan, out, language="en")
except KeyboardInterrupt:
    sys.exit(EXIT_INTERRUPTED)
except Terminated:
    sys.exit(EXIT_TERMINATED)
"""

#: Five points of the output stage: after the first writer, in the middle (the GeoPackage,
#: whose driver wrote temporary files before), the KMZ, the last writer, and the manifest.
_POINTS = ("map", "gpkg", "kmz", "gap_report", "manifest")


@pytest.mark.parametrize("point", _POINTS)
@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_write_leaves_the_previous_set_and_no_temporary_file(
    tiny_plan, tmp_path, signum, status, point
):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    before = _digests(out)
    with subprocess.Popen(
        [sys.executable, "-c", _INTERRUPTED_WRITE, str(out), point],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == status
    assert _digests(out) == before
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]


def test_ctrl_c_during_the_move_waits_until_the_new_set_is_whole(tiny_plan, tmp_path, monkeypatch):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    real = os.replace
    sent: list[int] = []

    def replace_then_interrupt(src, dest):
        real(src, dest)
        if not sent and STAGING_PREFIX not in str(dest):  # after the first file moved in
            sent.append(signal.SIGINT)
            signal.raise_signal(signal.SIGINT)

    monkeypatch.setattr(os, "replace", replace_then_interrupt)
    other = build_tiny_plan("another plan")
    with pytest.raises(KeyboardInterrupt):
        export.write_outputs(other, out, language="en")
    monkeypatch.setattr(os, "replace", real)
    fresh = tmp_path / "fresh"
    export.write_outputs(other, fresh, language="en")
    moved, whole = _digests(out), _digests(fresh)
    assert sent and set(moved) == set(whole)
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summary["name"] == "another plan"
    for entry in manifest["outputs"].values():
        assert hashlib.sha256((out / entry["path"]).read_bytes()).hexdigest() == entry["sha256"]
