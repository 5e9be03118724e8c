"""Tests of output sets replaced whole (coverage.outputs.outputset via export.write_outputs)."""

from __future__ import annotations

import hashlib
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from coverage.errors import InputError
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
    with pytest.raises(InputError, match="is a file"):
        check_output_folder(f)
    with pytest.raises(InputError, match="lies under the file"):
        check_output_folder(f / "maps")
    assert check_output_folder(tmp_path / "new" / "maps") == (tmp_path / "new" / "maps").resolve()


_INTERRUPTED_WRITE = """
import sys, time
from coverage.cli import EXIT_INTERRUPTED, EXIT_TERMINATED, Terminated, stop_on_sigterm
from coverage.outputs import export, kml
from tests.helpers import build_tiny_plan

stop_on_sigterm()
plan = build_tiny_plan("another plan")  # other names: other bytes in every file
real = kml.kmz_bytes

def slow(*args, **kwargs):
    print("READY", flush=True)
    time.sleep(30)
    return real(*args, **kwargs)

kml.kmz_bytes = slow
try:
    export.write_outputs(plan, sys.argv[1], language="en")
except KeyboardInterrupt:
    sys.exit(EXIT_INTERRUPTED)
except Terminated:
    sys.exit(EXIT_TERMINATED)
"""


@pytest.mark.parametrize(("signum", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)])
def test_an_interrupted_write_leaves_the_previous_set_and_no_temporary_file(
    tiny_plan, tmp_path, signum, status
):
    out = tmp_path / "out"
    export.write_outputs(tiny_plan, out, language="en")
    before = _digests(out)
    with subprocess.Popen(
        [sys.executable, "-c", _INTERRUPTED_WRITE, str(out)],
        cwd=REPO,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        stdout=subprocess.PIPE,
        text=True,
    ) as proc:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "READY"  # map and summaries staged, kmz next
        proc.send_signal(signum)
        assert proc.wait(timeout=60) == status
    assert _digests(out) == before
    assert not [p for p in out.rglob("*") if p.name.startswith(".")]
