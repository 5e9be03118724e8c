"""The notebooks run from top to bottom (committed without outputs, executed here)."""

from __future__ import annotations

import json
import os
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = sorted((ROOT / "notebooks").glob("*.ipynb"))


def test_notebooks_are_committed_without_outputs() -> None:
    assert NOTEBOOKS, "no notebooks found"
    for path in NOTEBOOKS:
        nb = json.loads(path.read_text(encoding="utf-8"))
        for cell in nb["cells"]:
            if cell["cell_type"] == "code":
                assert cell["outputs"] == [] and cell["execution_count"] is None, path.name


def test_notebooks_show_their_figures() -> None:
    """Each notebook draws with the inline backend (so a figure is an image/png output, also
    under MPLBACKEND=Agg) and displays every figure it closes before closing it."""
    for path in NOTEBOOKS:
        nb = nbformat.read(path, as_version=4)
        code = [c.source for c in nb.cells if c.cell_type == "code"]
        assert code[0].startswith("%matplotlib inline"), path.name
        assert any("fig" in src for src in code), f"{path.name} draws no figure"
        for src in code:
            closes = src.find("plt.close(fig)")
            if closes >= 0:
                assert src.rfind("display(fig)", 0, closes) >= 0, (path.name, src)


def _image_outputs(nb: nbformat.NotebookNode) -> int:
    """How many outputs of the executed notebook hold a PNG image."""
    return sum(
        "image/png" in out.get("data", {})
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
    )


@pytest.mark.slow
@pytest.mark.parametrize("path", NOTEBOOKS, ids=[p.name for p in NOTEBOOKS])
def test_notebook_runs(path: Path, mirror: Path, tmp_path: Path, monkeypatch) -> None:
    monkeypatch.setenv("COVERAGE_DATA_MIRROR", str(mirror))
    monkeypatch.setenv("COVERAGE_NOTEBOOK_OUT", str(tmp_path / "out"))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    # the kernel runs in notebooks/: it imports this checkout's package, not another install
    given = os.environ.get("PYTHONPATH", "")
    monkeypatch.setenv("PYTHONPATH", os.pathsep.join(p for p in (str(ROOT), given) if p))
    nb = nbformat.read(path, as_version=4)
    client = NotebookClient(
        nb, timeout=300, kernel_name="python3", resources={"metadata": {"path": str(path.parent)}}
    )
    client.execute()
    errors = [
        out
        for cell in nb.cells
        if cell.cell_type == "code"
        for out in cell.get("outputs", [])
        if out.get("output_type") == "error"
    ]
    assert not errors
    assert _image_outputs(nb) > 0, f"{path.name} shows no figure"
    assert os.environ["COVERAGE_NOTEBOOK_OUT"]
