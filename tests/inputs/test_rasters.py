"""Rasters on the terrain grid: written atomically on its exact grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio

from coverage import synthetic
from coverage.errors import InputError
from coverage.inputs.rasters import write_grid


def test_write_grid_is_atomic_and_on_the_terrain_grid(tmp_path: Path) -> None:
    t = synthetic.flat(5, 7)
    out = write_grid(t, tmp_path / "g.tif", np.ones(t.shape, np.uint8), tags={"what": "test"})
    with rasterio.open(out) as src:
        assert src.transform == t.transform and src.crs == t.crs
        assert src.read(1).sum() == 35 and src.tags()["what"] == "test"
    with pytest.raises(InputError, match="do not match"):
        write_grid(t, tmp_path / "bad.tif", np.ones((2, 2), np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.tif"]  # no temporary left behind
