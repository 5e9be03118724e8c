"""Rasters on the terrain grid: written atomically on its exact grid."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
import rasterio
from rasterio.enums import Resampling

from coverage import synthetic
from coverage.errors import InputError
from coverage.inputs.rasters import raster_on_grid, write_grid


def test_write_grid_is_atomic_and_on_the_terrain_grid(tmp_path: Path) -> None:
    t = synthetic.flat(5, 7)
    out = write_grid(t, tmp_path / "g.tif", np.ones(t.shape, np.uint8), tags={"what": "test"})
    with rasterio.open(out) as src:
        assert src.transform == t.transform and src.crs == t.crs
        assert src.read(1).sum() == 35 and src.tags()["what"] == "test"
    with pytest.raises(InputError, match="do not match"):
        write_grid(t, tmp_path / "bad.tif", np.ones((2, 2), np.uint8))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["g.tif"]  # no temporary left behind
    plain = tmp_path / "plain"
    plain.touch()  # a file made with the process's umask, as any other output
    assert out.stat().st_mode & 0o777 == plain.stat().st_mode & 0o777


def test_truncated_population_raster_is_named_damaged(tmp_path: Path) -> None:
    t = synthetic.flat(200, 200)
    path = tmp_path / "pop.tif"
    with rasterio.open(path, "w", driver="GTiff", height=200, width=200, count=1,
                       dtype="float32", crs=t.crs, transform=t.transform) as dst:  # fmt: skip
        dst.write(np.ones(t.shape, np.float32), 1)  # uncompressed: half the bytes, half the cells
    with path.open("r+b") as fh:
        fh.truncate(path.stat().st_size // 2)
    with pytest.raises(InputError, match=r"population raster .*pop\.tif: the file is damaged"):
        raster_on_grid(
            path, t, what="population raster", crs_hint="WorldPop is EPSG:4326",
            content="people per cell", dtype=np.float64, resampling=Resampling.sum,
        )  # fmt: skip
