"""Shared fixtures: tiny synthetic terrain built in memory, and the Palmitas mirror.

Helpers that several test modules need live here; module-specific fixtures stay in their
test module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from coverage import synthetic
from coverage.terrain import Terrain

#: The offline mirror of the real Palmitas data, beside the checkout (CI has it too).
MIRROR = Path(
    os.environ.get(
        "COVERAGE_DATA_MIRROR", Path(__file__).resolve().parents[1].parent / "shared/data/palmitas"
    )
)


@pytest.fixture(scope="session")
def mirror() -> Path:
    """Path of the Palmitas data mirror; fails (never skips) when it is missing."""
    if not (MIRROR / "dem" / "medellin_dem_srtm1.tif").is_file():
        pytest.fail(
            f"Palmitas data mirror not found at {MIRROR}: set COVERAGE_DATA_MIRROR to the folder "
            "holding palmitas_veredas.geojson and dem/."
        )
    return MIRROR


@pytest.fixture
def flat_terrain() -> Terrain:
    """A 50 x 50 flat plain of 30 m cells at 1,500 m."""
    return synthetic.flat()


@pytest.fixture
def ridge_terrain() -> Terrain:
    """A 60 x 60 grid with a 300 m north-south ridge in the middle."""
    return synthetic.ridge()


@pytest.fixture(scope="session")
def andes_terrain() -> Terrain:
    """200 x 200 cells of steep, ridged synthetic terrain (seed 0)."""
    return synthetic.andes_like()
