"""An output set replaced whole: staged, then moved into its folder in one uninterrupted step.

:func:`check_output_folder` says before any computation whether a folder can take the
outputs (not a file, not under a file, writable, with free space for the set).
:func:`staged_output_set` hands the writers a hidden staging folder inside the output
folder; when every writer has succeeded, the files move into place with :func:`os.replace`
(the manifest last) while SIGINT and SIGTERM wait, and the files of the previous set that
the new one does not have (those its ``manifest.json`` lists: a stale ``profiles/*.png``,
say) are removed. On any failure (a full disk: one :class:`~coverage.errors.OutputError`)
or interrupt before that, the staging folder is removed and the previous set is left as it
was. Files the previous manifest does not list (a user's notes) are never touched.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import shutil
import signal
import tempfile
import threading
from collections.abc import Iterator
from pathlib import Path
from types import FrameType
from typing import Any

from coverage.errors import CoverageError, OutputError
from coverage.outputs.files import safe_path

__all__ = ["MIN_SET_BYTES", "STAGING_PREFIX", "check_output_folder", "staged_output_set"]

log = logging.getLogger(__name__)

#: Name prefix of the hidden staging folders inside an output folder.
STAGING_PREFIX = ".staging-"
#: Free space asked for before a plan is known (bytes): the smallest output set of a plan
#: (the default Palmitas set is about 7 MiB, see ``docs/benchmarks.md``), with room to spare.
MIN_SET_BYTES = 16 * 2**20


def check_output_folder(out_dir: str | os.PathLike[str], need_bytes: int | None = None) -> Path:
    """Check that a folder can receive an output set, before any work is done.

    Parameters
    ----------
    out_dir
        The output folder; it may not exist yet.
    need_bytes
        The space the new set needs (bytes), e.g. from
        :func:`coverage.outputs.export.estimate_set_bytes`; None (default): before the plan
        is known, the size of the set already in the folder, and at least
        :data:`MIN_SET_BYTES`. The previous set stays until the new one is whole, so both
        must fit.

    Returns
    -------
    Path
        The folder, resolved.

    Raises
    ------
    OutputError
        The path is a file, lies under a file, its nearest existing folder is not writable,
        or its disk has less free space than the set needs; the message names the path and
        the fix.
    """
    root = Path(out_dir).resolve()
    if root.exists() and not root.is_dir():
        msg = f"The output folder {root} is a file; give a folder (new or existing) with --out."
        raise OutputError(msg)
    existing = root
    while not existing.exists():
        existing = existing.parent
    if not existing.is_dir():
        msg = f"The output folder {root} lies under the file {existing}; give another folder."
        raise OutputError(msg)
    if not os.access(existing, os.W_OK | os.X_OK):
        msg = (
            f"The output folder {root} cannot be written ({existing} is not writable); give "
            "a folder you may write to, or fix its permissions."
        )
        raise OutputError(msg)
    need = need_bytes if need_bytes is not None else max(_set_bytes(root), MIN_SET_BYTES)
    free = shutil.disk_usage(existing).free
    if free < need:
        msg = (
            f"The output folder {root} needs about {need / 2**20:.0f} MiB for the output set, "
            f"but its disk has {free / 2**20:.0f} MiB free; free some space or give a folder on "
            "another disk with --out."
        )
        raise OutputError(msg)
    return root


def _set_bytes(root: Path) -> int:
    """Bytes of the files the manifest in ``root`` lists (0 without a readable manifest)."""
    total = 0
    for rel in _listed(root / "manifest.json"):
        with contextlib.suppress(OSError):
            total += (root / rel).stat().st_size
    return total


@contextlib.contextmanager
def staged_output_set(
    out_dir: str | os.PathLike[str], need_bytes: int | None = None
) -> Iterator[Path]:
    """Yield a staging folder; move its files into ``out_dir`` when the block succeeds.

    Parameters
    ----------
    out_dir
        The output folder (created if missing; checked by :func:`check_output_folder`).
    need_bytes
        The space the new set needs (bytes), checked first; None: as
        :func:`check_output_folder`.

    Yields
    ------
    Path
        The empty staging folder, inside ``out_dir``: write every output there, with the
        same relative names as in ``out_dir``.

    Raises
    ------
    OutputError
        From :func:`check_output_folder`; or a file could not be written (a full disk, a
        folder made read-only meanwhile): the previous set is then as it was.
    """
    root = check_output_folder(out_dir, need_bytes)
    root.mkdir(parents=True, exist_ok=True)
    for old in root.glob(f"{STAGING_PREFIX}*"):  # left by a killed run
        shutil.rmtree(old, ignore_errors=True)
    stage = Path(tempfile.mkdtemp(prefix=STAGING_PREFIX, dir=root))
    try:
        try:
            yield stage
        except OSError as err:
            if isinstance(err, CoverageError):
                raise
            msg = (
                f"Writing the output set into {root} failed ({err.strerror or err}); the "
                "previous set is as it was. Free some space, fix the folder's permissions or "
                "give another folder with --out, and run again."
            )
            raise OutputError(msg) from err
        with _signals_deferred():
            _move_in(stage, root)
    finally:
        shutil.rmtree(stage, ignore_errors=True)


def _move_in(stage: Path, root: Path) -> None:
    """Move every staged file into ``root`` (the manifest last); remove the previous set's
    files that the new set does not have."""
    old = _listed(root / "manifest.json")
    if old:
        old.add("manifest.json")  # a set without a manifest must not keep the old one
    files = sorted(p for p in stage.rglob("*") if p.is_file())
    files.sort(key=lambda p: p.name == "manifest.json")
    new = set()
    for src in files:
        rel = src.relative_to(stage).as_posix()
        dest = root / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        os.replace(src, dest)
        new.add(rel)
    for rel in sorted(old - new):
        path = safe_path(root, rel)
        if path.is_file():
            path.unlink()
            log.info("removed %s of the previous output set", rel)
            with contextlib.suppress(OSError):  # a folder that still holds files stays
                if path.parent != root:
                    path.parent.rmdir()


def _listed(manifest: Path) -> set[str]:
    """Relative paths the previous set's manifest lists (empty when there is none)."""
    try:
        outputs = json.loads(manifest.read_text(encoding="utf-8"))["outputs"]
        paths = {str(v["path"]) for v in outputs.values()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return set()
    return {p for p in paths if not Path(p).is_absolute() and ".." not in Path(p).parts}


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold SIGINT and SIGTERM until the block ends, then act on them as before."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    caught: list[int] = []

    def hold(signum: int, frame: FrameType | None) -> None:
        caught.append(signum)

    previous: dict[int, Any] = {s: signal.signal(s, hold) for s in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for s, handler in previous.items():
            signal.signal(s, handler)
        for s in caught:
            signal.raise_signal(s)
