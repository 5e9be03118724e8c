"""Tests of where input layers are looked for (coverage.inputs.sources), and what a user is told."""

from __future__ import annotations

from pathlib import Path

import pytest

from coverage.errors import DataSourceError
from coverage.inputs.sources import resolve_layer
from coverage.scenario import LayerSpec


def test_a_layer_that_is_a_folder_beside_the_area_file_is_named_as_such(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVERAGE_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.delenv("COVERAGE_DATA_BASE_URL", raising=False)
    (tmp_path / "veredas.geojson").mkdir()
    with pytest.raises(DataSourceError) as info:
        resolve_layer("veredas", LayerSpec(file="veredas.geojson"), area_dir=tmp_path, mirror="")
    text = str(info.value)
    assert f"beside the area file ({tmp_path / 'veredas.geojson'}: a folder, not a file)" in text
    assert "mirror (none set)" in text and "prepared from" not in text  # no empty source
