"""Output files written whole and inside their folder: safe paths and atomic writes.

Every output file is written to a temporary file in the same folder, then moved into place
with :func:`os.replace`, so a reader never sees half a file. Every output path stays inside
the output folder: names that are absolute or climb out with ``..`` are refused.
"""

from __future__ import annotations

import contextlib
import io
import logging
import os
import re
import tempfile
import warnings
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.backends.backend_pdf import PdfPages
from matplotlib.figure import Figure

from coverage.errors import InputError

log = logging.getLogger(__name__)
#: matplotlib's warning for a character its font cannot draw, e.g. "Glyph 127748 (...) missing".
_MISSING_GLYPH = re.compile(r"Glyph \d+ \((.*?)\) missing from font")

__all__ = [
    "atomic_path",
    "figure_png",
    "safe_path",
    "save_figure",
    "save_pdf",
    "write_bytes",
    "write_text",
]


def safe_path(out_dir: str | os.PathLike[str], name: str | os.PathLike[str]) -> Path:
    """Return ``out_dir / name``, refusing a name that would leave ``out_dir``.

    Parameters
    ----------
    out_dir
        The output folder (need not exist yet).
    name
        A relative file name inside it, e.g. ``"profiles/a_b.png"``.

    Returns
    -------
    Path
        The resolved path inside ``out_dir``.

    Raises
    ------
    InputError
        ``name`` is absolute, contains ``..``, or resolves (through links) outside
        ``out_dir``.
    """
    rel = Path(name)
    if rel.is_absolute() or ".." in rel.parts or str(name).strip() in ("", "."):
        msg = (
            f"Output name {str(name)!r} is absolute, empty or climbs out with '..'; give a "
            "plain relative name inside the output folder."
        )
        raise InputError(msg)
    root = Path(out_dir).resolve()
    path = (root / rel).resolve()
    if not path.is_relative_to(root):
        msg = f"Output {str(name)!r} resolves to {path}, outside the output folder {root}."
        raise InputError(msg)
    return path


@contextlib.contextmanager
def atomic_path(path: str | os.PathLike[str]) -> Iterator[Path]:
    """Yield a temporary path beside ``path``; move it onto ``path`` when the block succeeds.

    The temporary file keeps the suffix of ``path`` (drivers choose their format by it) and
    is removed if the block raises, so a reader never sees a half-written file.

    Parameters
    ----------
    path
        The final file; its folder is created if missing.

    Yields
    ------
    Path
        The temporary path to write (it does not exist yet).
    """
    final = Path(path)
    final.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp_name = tempfile.mkstemp(prefix=f".{final.stem}.", suffix=final.suffix, dir=final.parent)
    os.close(fd)
    tmp = Path(tmp_name)
    tmp.unlink()  # drivers such as GPKG refuse to open an existing empty file
    try:
        yield tmp
        os.replace(tmp, final)
    finally:
        if tmp.exists():
            tmp.unlink()


def write_bytes(path: str | os.PathLike[str], data: bytes) -> Path:
    """Write bytes to ``path`` atomically.

    Parameters
    ----------
    path
        The file to write.
    data
        Its content.

    Returns
    -------
    Path
        ``path``.
    """
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)


def write_text(path: str | os.PathLike[str], text: str) -> Path:
    """Write UTF-8 text to ``path`` atomically.

    Parameters
    ----------
    path
        The file to write.
    text
        Its content.

    Returns
    -------
    Path
        ``path``.
    """
    return write_bytes(path, text.encode("utf-8"))


def save_figure(fig: Figure, path: str | os.PathLike[str], *, dpi: int = 150) -> Path:
    """Save a matplotlib figure atomically (format from the suffix) and close it.

    Parameters
    ----------
    fig
        The figure; closed even if saving fails.
    path
        The file to write (``.png``, ``.pdf``, ...).
    dpi
        Resolution of raster formats (dots per inch).

    Returns
    -------
    Path
        ``path``.
    """
    try:
        with atomic_path(path) as tmp, _missing_glyphs_logged(path):
            fig.savefig(tmp, dpi=dpi, metadata=_figure_metadata(Path(path).suffix))
    finally:
        plt.close(fig)
    return Path(path)


def figure_png(fig: Figure, name: str, *, dpi: int = 150) -> bytes:
    """A matplotlib figure as PNG bytes with fixed metadata, for a file that embeds it; closed.

    Parameters
    ----------
    fig
        The figure; closed even if drawing fails.
    name
        What the image is, for the log line on characters the font lacks.
    dpi
        Resolution (dots per inch).

    Returns
    -------
    bytes
        The PNG; the same figure gives the same bytes.
    """
    buf = io.BytesIO()
    try:
        with _missing_glyphs_logged(name):
            fig.savefig(buf, format="png", dpi=dpi, metadata=_figure_metadata(".png"))
    finally:
        plt.close(fig)
    return buf.getvalue()


def save_pdf(figs: Iterable[Figure], path: str | os.PathLike[str]) -> Path:
    """Save figures as the pages of one PDF (matplotlib PdfPages), atomically.

    Parameters
    ----------
    figs
        The pages, in order; all closed even if saving fails.
    path
        The PDF file to write.

    Returns
    -------
    Path
        ``path``.
    """
    figs = list(figs)
    try:
        with (
            atomic_path(path) as tmp,
            _missing_glyphs_logged(path),
            PdfPages(tmp, metadata=_figure_metadata(".pdf")) as pdf,
        ):
            for fig in figs:
                pdf.savefig(fig)
    finally:
        for fig in figs:
            plt.close(fig)
    return Path(path)


@contextlib.contextmanager
def _missing_glyphs_logged(path: str | os.PathLike[str]) -> Iterator[None]:
    """Log once which characters of a name the chart font lacks (drawn as boxes), instead of
    matplotlib's warning per glyph; other warnings pass on as they came."""
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield
    missing = []
    for w in caught:
        glyph = _MISSING_GLYPH.search(str(w.message))
        if glyph:
            missing.append(glyph.group(1))
        else:
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)
    if missing:
        log.warning(
            "%s: the chart font has no glyph for %s; drawn as boxes",
            Path(path).name,
            ", ".join(dict.fromkeys(missing)),
        )


def _figure_metadata(suffix: str) -> dict[str, Any]:
    # Fixed metadata so the same plan gives the same bytes (no creation date).
    if suffix == ".pdf":
        return {"Creator": "coverage-planner", "Producer": "matplotlib", "CreationDate": None}
    if suffix == ".png":
        return {"Software": "coverage-planner"}
    return {}
