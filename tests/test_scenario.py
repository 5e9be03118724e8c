"""Tests of coverage.scenario and coverage.inputs.sources: validated TOML and input resolution."""

from __future__ import annotations

import functools
import hashlib
import http.server
import shutil
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from coverage import scenario
from coverage.errors import DataSourceError, ScenarioError
from coverage.inputs.sources import resolve_layer, resolve_layers
from coverage.scenario import (
    DATA_DIR,
    PACKAGE_DATA_DIR,
    LayerSpec,
    default_scenario_path,
    load_area,
    load_scenario,
)


def test_default_scenario_loads_with_sourced_area() -> None:
    s = load_scenario()
    assert s.area.crs == "EPSG:9377"
    assert s.area.population.total_people == 6481
    assert "Proyecciones" in s.area.population.source
    for layer in s.area.layers.values():
        assert layer.sha256 and layer.source
    assert s.to_dict()["placement"]["budget_sites"] == s.placement.budget_sites


def test_packaged_scenario_files_equal_the_top_level_ones() -> None:
    """An installed wheel carries coverage/data/, a copy of data/ kept equal by this test."""
    top = sorted(p.relative_to(DATA_DIR) for p in DATA_DIR.rglob("*.toml"))
    packaged = sorted(p.relative_to(PACKAGE_DATA_DIR) for p in PACKAGE_DATA_DIR.rglob("*.toml"))
    assert top and top == packaged
    for rel in top:
        assert (PACKAGE_DATA_DIR / rel).read_bytes() == (DATA_DIR / rel).read_bytes(), (
            f"copy data/{rel} over coverage/data/{rel}"
        )


def test_default_scenario_falls_back_to_the_packaged_copy(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    assert default_scenario_path() == DATA_DIR / "palmitas" / "scenario.toml"  # a clone
    monkeypatch.setattr(scenario, "DATA_DIR", tmp_path / "no-clone")  # as an installed wheel
    assert default_scenario_path() == PACKAGE_DATA_DIR / "palmitas" / "scenario.toml"
    assert load_scenario().area.path == PACKAGE_DATA_DIR / "palmitas" / "area.toml"
    monkeypatch.setattr(scenario, "PACKAGE_DATA_DIR", tmp_path / "nothing")
    with pytest.raises(ScenarioError, match="reinstall the package"):
        load_scenario()


def _write_scenario(tmp_path: Path, body: str) -> Path:
    area = load_scenario().area.path
    assert area is not None
    shutil.copy(area, tmp_path / "area.toml")
    p = tmp_path / "s.toml"
    p.write_text('name = "t"\narea = "area.toml"\n' + body, encoding="utf-8")
    return p


def test_unknown_keys_are_rejected_as_typos_all_at_once(tmp_path: Path) -> None:
    p = _write_scenario(
        tmp_path,
        "[placement]\nbudget_site = 3\nmethod = 'annealing'\n[propagation]\nk_factr = 1.2\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    text = str(info.value)
    assert "did you mean 'budget_sites'" in text
    assert "did you mean 'k_factor'" in text
    assert "milp or greedy" in text
    assert "3 problem(s)" in text


def test_wrong_types_and_ranges_name_the_key(tmp_path: Path) -> None:
    p = _write_scenario(tmp_path, "[propagation]\nk_factor = 'high'\n[backhaul]\nmax_hops = 40\n")
    with pytest.raises(ScenarioError, match=r"propagation.k_factor: expected a number") as info:
        load_scenario(p)
    assert "max_hops must be in [1, 10]" in str(info.value)


def test_every_kind_of_wrong_type_names_the_key_and_the_type(tmp_path: Path) -> None:
    p = _write_scenario(
        tmp_path,
        "language = 3\n[backhaul]\nmax_hops = 'x'\ntwo_paths = 1\n"
        "[placement]\nmast_heights_m = 5\n[propagation]\nclutter_loss_db = 3\n"
        "[candidates]\nextra = [{ name = 'a', lon_deg = true, lat_deg = 6.0 }]\n",
    )
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    text = str(info.value)
    for problem in (
        "s.toml.language: expected a string, got 3",
        "backhaul.max_hops: expected an integer, got 'x'",
        "backhaul.two_paths: expected true or false, got 1",
        "placement.mast_heights_m: expected a list, got 5",
        "propagation.clutter_loss_db: expected a table, got 3",
        "candidates.extra[0].lon_deg: expected a number, got True",
    ):
        assert problem in text


def test_replace_changes_one_field() -> None:
    s = load_scenario()
    t = s.replace(placement={"budget_usd": 50_000.0})
    assert t.placement.budget_usd == 50_000 and t.placement.method == s.placement.method
    with pytest.raises(ScenarioError, match="exactly one of budget_usd"):
        s.replace(placement={"budget_sites": 2})
    u = s.replace(placement={"budget_usd": 0.0, "budget_sites": 3})
    assert u.placement.budget_sites == 3


def test_costs_must_price_every_mast_height(tmp_path: Path) -> None:
    p = _write_scenario(tmp_path, '[costs]\nmast_usd_by_height_m = { "12" = 2000.0, "x" = 1.0 }\n')
    with pytest.raises(ScenarioError, match="'x' is not a height"):
        load_scenario(p)
    p = _write_scenario(tmp_path, '[costs]\nmast_usd_by_height_m = { "12" = 2000.0 }\n')
    with pytest.raises(ScenarioError, match=r"does not price the mast heights \[18.0, 30.0\]"):
        load_scenario(p)


def test_area_with_bad_checksum_and_missing_layer(tmp_path: Path) -> None:
    p = tmp_path / "area.toml"
    p.write_text(
        'name = "x"\ncrs = "EPSG:9377"\n[population]\ntotal_people = -1\n'
        '[layers.dem]\nfile = "dem.tif"\nsha256 = ["abc"]\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError) as info:
        load_area(p)
    text = str(info.value)
    assert "negative" in text and "64 lower-case hex" in text
    p.write_text(
        'name = "x"\ncrs = "EPSG:9377"\n[population]\ntotal_people = 5\n'
        '[layers.dem]\nfile = "dem.tif"\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="lacks \\['schools', 'veredas'\\]"):
        load_area(p)


# --- sources -------------------------------------------------------------------------------
class _QuietHandler(http.server.SimpleHTTPRequestHandler):
    """A static file handler that logs nothing (the test output stays readable)."""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 (the base's name)
        pass


@pytest.fixture
def http_server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    """A static file server on 127.0.0.1 serving a temporary folder."""
    root = tmp_path / "served"
    root.mkdir()
    handler = functools.partial(_QuietHandler, directory=str(root))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}", root
    finally:
        server.shutdown()
        server.server_close()


def test_mirror_resolves_and_verifies_every_palmitas_layer(mirror: Path) -> None:
    area = load_scenario().area
    paths = resolve_layers(area, mirror=mirror)
    assert set(paths) == set(area.layers)
    assert all(p.is_file() for p in paths.values())


def test_download_into_cache_verifies_sha256(
    http_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, root = http_server
    payload = b"elevation data"
    (root / "dem").mkdir()
    (root / "dem" / "x.tif").write_bytes(payload)
    cache = tmp_path / "cache"
    monkeypatch.setenv("COVERAGE_CACHE_DIR", str(cache))
    monkeypatch.delenv("COVERAGE_DATA_MIRROR", raising=False)
    monkeypatch.delenv("COVERAGE_DATA_BASE_URL", raising=False)
    good = LayerSpec(
        file="dem/x.tif", url=f"{base}/dem/x.tif", sha256=(hashlib.sha256(payload).hexdigest(),)
    )
    got = resolve_layer("dem", good)
    assert got == cache / "dem" / "x.tif" and got.read_bytes() == payload
    # second call is served from the cache, even with the server's file gone
    (root / "dem" / "x.tif").unlink()
    assert resolve_layer("dem", good) == got


def test_corrupt_download_leaves_no_file(
    http_server: tuple[str, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, root = http_server
    (root / "v.geojson").write_bytes(b"tampered")
    cache = tmp_path / "cache"
    monkeypatch.setenv("COVERAGE_CACHE_DIR", str(cache))
    monkeypatch.setenv("COVERAGE_DATA_BASE_URL", base)
    monkeypatch.delenv("COVERAGE_DATA_MIRROR", raising=False)
    layer = LayerSpec(file="v.geojson", sha256=("0" * 64,))
    with pytest.raises(DataSourceError, match="has sha256"):
        resolve_layer("veredas", layer)
    assert not any(cache.rglob("*"))
    with pytest.raises(DataSourceError, match=r"download from .* failed"):
        resolve_layer("veredas", LayerSpec(file="absent.geojson"))


def test_missing_layer_without_url_says_how_to_get_it(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("COVERAGE_CACHE_DIR", str(tmp_path))
    monkeypatch.delenv("COVERAGE_DATA_BASE_URL", raising=False)
    layer = LayerSpec(file="nothing.geojson", source="somewhere")
    with pytest.raises(DataSourceError, match="COVERAGE_DATA_MIRROR"):
        resolve_layer("veredas", layer, mirror=tmp_path / "empty")
