"""Checks a new area needs before any computation: the PoP inside the terrain (issue 19)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from coverage.errors import ScenarioError
from coverage.pipeline import prepare_inputs, resolve
from coverage.scenario import load_scenario
from tests.territory import write_territory


def test_a_pop_outside_the_terrain_is_refused_before_the_coverage_matrix(tmp_path: Path) -> None:
    path = write_territory(tmp_path)
    text = path.read_text(encoding="utf-8")
    path.write_text(re.sub(r"lon_deg = [-\d.]+", "lon_deg = -70.0", text), encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"\[backhaul\] pop 'PoP' .* lies outside the terrain"):
        prepare_inputs(resolve(load_scenario(path)))


def test_a_pop_inside_the_terrain_passes(tmp_path: Path) -> None:
    inputs = prepare_inputs(resolve(load_scenario(write_territory(tmp_path))))
    assert len(inputs.demand) > 0
