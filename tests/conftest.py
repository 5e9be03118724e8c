"""Shared fixtures: tiny synthetic terrain built in memory, and the Palmitas mirror.

Helpers that several test modules need live here; module-specific fixtures stay in their
test module.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import settings

from coverage import synthetic
from coverage.inputs.terrain import Terrain
from coverage.plan import Plan
from tests.helpers import build_tiny_plan

# Property tests explore new random cases on developers' machines; CI (``CI`` set, as
# .ci/run does) replays a fixed derandomized sequence, so a run there is reproducible.
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
# A long exploration (``pytest --hypothesis-profile=fuzz``): tests/test_fuzz.py then tries
# 500 broken territories instead of 25.
settings.register_profile("fuzz", max_examples=2000, deadline=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

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


@pytest.fixture
def tiny_plan() -> Plan:
    """A small hand-built Plan: 2 veredas, 4 sites, 4 links, 8 demand points, 60 x 60 grids."""
    return build_tiny_plan()
