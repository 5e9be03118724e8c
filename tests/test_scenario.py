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
    PlacementParams,
    Point,
    PopulationFacts,
    TechnologyParams,
    default_scenario_path,
    load_area,
    load_scenario,
)


def test_default_scenario_loads_with_sourced_area() -> None:
    s = load_scenario()
    assert s.area.crs == "EPSG:9377"
    assert s.area.population.total_people == 6481  # the older figure, kept to check the tables
    assert "Proyecciones" in s.area.population.source
    assert s.demand.year == 2026 and s.demand.vintage == ""
    assert {"dwellings", "households", "population"} <= set(s.area.layers)
    assert s.area.population.vintages["actualizacion_2025"].published == 2025
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
    if not any(k in body for k in ("pop =", "pop=", "[backhaul.pop]")):  # a PoP, always
        body += '\n[backhaul.pop]\nname = "PoP"\nlon_deg = -75.636\nlat_deg = 6.282\n'
    p.write_text('name = "t"\narea = "area.toml"\n' + body, encoding="utf-8")
    return p


def test_a_scenario_without_a_pop_is_refused_not_given_the_palmitas_one(tmp_path: Path) -> None:
    area = load_scenario().area.path
    assert area is not None
    shutil.copy(area, tmp_path / "area.toml")
    p = tmp_path / "s.toml"
    p.write_text('name = "t"\narea = "area.toml"\n[backhaul]\nmax_hops = 3\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match=r"\[backhaul\] pop is not set"):
        load_scenario(p)


def test_out_dir_defaults_to_the_area_folder(tmp_path: Path) -> None:
    folder = tmp_path / "san_cristobal"
    folder.mkdir()
    scenario = load_scenario(_write_scenario(folder, ""))
    assert scenario.out_dir == "maps/san_cristobal"


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
    assert (
        "needs exactly one of budget_usd" in text
    )  # the typo left no budget: a section's checks all run
    assert "4 problem(s)" in text


def test_wrong_types_and_ranges_name_the_key(tmp_path: Path) -> None:
    p = _write_scenario(tmp_path, "[propagation]\nk_factor = 'high'\n[backhaul]\nmax_hops = 40\n")
    with pytest.raises(ScenarioError, match=r"propagation.k_factor: expected a number") as info:
        load_scenario(p)
    assert "backhaul.max_hops: 40 is outside [1, 10] hops" in str(info.value)


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
    from coverage.pipeline.resolve import resolve

    body = "[placement]\nbudget_usd = 1e6\nmast_heights_m = [12.0, 24.0]\n"
    p = _write_scenario(tmp_path, body)
    with pytest.raises(ScenarioError, match=r"asks for \[24.0\] m: add \[costs.items.mast_24m\]"):
        resolve(load_scenario(p))


def test_the_old_cost_keys_say_where_prices_went(tmp_path: Path) -> None:
    p = _write_scenario(tmp_path, "[costs]\nradio_usd = 1500.0\n")
    with pytest.raises(ScenarioError, match=r"set \[costs.items.radio_lte-b28-small-cell\]"):
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
    assert "population: total_people -1 is negative" in text
    assert "64 lower-case hex" in text
    p.write_text(
        'name = "x"\ncrs = "EPSG:9377"\n[population]\ntotal_people = 5\n'
        '[layers.dem]\nfile = "dem.tif"\n',
        encoding="utf-8",
    )
    with pytest.raises(ScenarioError, match="lacks \\['schools', 'veredas'\\]"):
        load_area(p)


def _problems(path: Path) -> str:
    with pytest.raises(ScenarioError) as info:
        load_scenario(path)
    return str(info.value)


@pytest.mark.parametrize(
    ("body", "problem"),
    [
        (
            "[technology]\ntx_power_dbm = nan\n",
            "technology.tx_power_dbm: expected a finite number, got nan",
        ),
        (
            "[technology]\nrx_sensitivity_dbm = nan\n",
            "technology.rx_sensitivity_dbm: expected a finite",
        ),
        (
            "[placement]\nbudget_usd = inf\n",
            "placement.budget_usd: expected a finite number, got inf",
        ),
        (
            "[placement]\nmast_heights_m = [12.0, -inf]\n",
            "placement.mast_heights_m[1]: expected a finite",
        ),
        (
            "[costs]\ndiscount_rate = nan\n",
            "costs.discount_rate: expected a finite number, got nan",
        ),
        (
            "[backhaul]\npop = { name = 'p', lon_deg = nan, lat_deg = 6.0 }\n",
            "backhaul.pop.lon_deg: expected a finite",
        ),
        ("[demand]\nmax_elevation_m = inf\n", "demand.max_elevation_m: expected a finite"),
    ],
)
def test_nan_and_inf_are_refused_under_their_key(tmp_path: Path, body: str, problem: str) -> None:
    """TOML allows nan and inf; a NaN power made an empty plan blamed on "out of range"."""
    assert problem in _problems(_write_scenario(tmp_path, body))


def test_every_number_out_of_its_physical_range_is_named_with_the_range(tmp_path: Path) -> None:
    """Values a user test ran without complaint: 1e6 dBm covered everything with one site, a
    -30 m PoP mast gave "No relay chain"; now each is refused, all in one message."""
    p = _write_scenario(
        tmp_path,
        "[technology]\ntx_power_dbm = 1e6\ntx_antenna_gain_dbi = 60.0\nrx_sensitivity_dbm = -20.0\n"
        "antenna_azimuth_deg = 360.0\n[candidates]\noutside_margin_m = -5000.0\ntpi_radius_m = 0.0\n"
        "[backhaul]\npop_mast_height_m = -30.0\nf_mhz = 1e9\n[placement]\nbudget_usd = 1e5\ntime_limit_s = 0.0\n"
        "school_weight_people = -1.0\n[costs]\nyears = 0\n",
    )
    text = _problems(p)
    for problem in (
        "technology.tx_power_dbm: 1e+06 is outside [-10, 80] dBm",
        "technology.tx_antenna_gain_dbi: 60 is outside [-10, 45] dBi",
        "technology.rx_sensitivity_dbm: -20 is outside [-160, -40] dBm",
        "technology.antenna_azimuth_deg: 360 is outside [0, 360) deg",
        "candidates.outside_margin_m: -5,000 is outside [0, 100,000] m",
        "candidates.tpi_radius_m: 0 is outside (0, 100,000] m",
        "backhaul.pop_mast_height_m: -30 is outside (0, 200] m",
        "backhaul.f_mhz: 1e+09 is outside [30, 100,000] MHz",
        "placement.time_limit_s: 0 is outside (0, 86,400] s",
        "placement.school_weight_people: -1 is outside [0, 1e+06] people",
        "costs.years: 0 is outside [1, 50] years",
    ):
        assert problem in text
    assert "11 problem(s)" in text
    assert "give a value in that range" in text and "assumption" in text  # the fix, the why


def test_candidates_may_not_lie_beyond_the_terrain_the_area_reads(tmp_path: Path) -> None:
    text = _problems(_write_scenario(tmp_path, "[candidates]\noutside_margin_m = 4000.0\n"))
    assert "outside_margin_m 4,000 m is more than the area's margin_m 3,000 m" in text


def _write_area(tmp_path: Path, extra: str, population: str = "total_people = 6481\n") -> Path:
    p = tmp_path / "area.toml"
    layers = "".join(f'[layers.{k}]\nfile = "{k}.x"\n' for k in ("dem", "veredas", "schools"))
    p.write_text(f'name = "x"\n{extra}[population]\n{population}{layers}', encoding="utf-8")
    return p


@pytest.mark.parametrize(
    ("population", "problem"),
    [
        ("total_people = 6481\nhouseholds = 1e9\n", "population.households: 1e+09 is outside"),
        ("total_people = 6481\nhouseholds = 7000\n", "7,000 households for 6,481 people"),
        ("total_people = 0\nhouseholds = 10\n", "10 households for 0 people"),
        ("total_people = nan\n", "population.total_people: expected a finite number, got nan"),
    ],
)
def test_households_never_outnumber_people(tmp_path: Path, population: str, problem: str) -> None:
    with pytest.raises(ScenarioError, match=r"area\.toml has 1 problem") as info:
        load_area(_write_area(tmp_path, 'crs = "EPSG:9377"\n', population))
    assert problem in str(info.value)


@pytest.mark.parametrize(
    ("crs", "problem"),
    [
        ("EPSG:99999", "'EPSG:99999' is not a CRS pyproj knows"),
        ("MAGNA-SIRGAS", "'MAGNA-SIRGAS' (MAGNA-SIRGAS) is not projected (it is in degrees)"),
        ("EPSG:2263", "'EPSG:2263' (NAD83 / New York Long Island (ftUS)) is in US survey foot"),
    ],
)
def test_area_crs_must_be_a_known_projected_crs_in_metres(
    tmp_path: Path, crs: str, problem: str
) -> None:
    """An unknown or geographic CRS was a pyproj traceback deep in the run."""
    with pytest.raises(ScenarioError) as info:
        load_area(_write_area(tmp_path, f'crs = "{crs}"\n'))
    text = str(info.value)
    assert "area.toml" in text and f"area.toml.crs: {problem}" in text
    assert "EPSG:9377" in text and "EPSG:3116" in text  # the fix, for Colombia


def test_area_margin_and_void_share_are_checked(tmp_path: Path) -> None:
    with pytest.raises(ScenarioError) as info:
        load_area(
            _write_area(tmp_path, 'crs = "EPSG:9377"\nmargin_m = 0.0\nmax_void_share = 1.5\n')
        )
    text = str(info.value)
    assert "area.toml.margin_m: 0 is outside (0, 100,000] m" in text
    assert "area.toml.max_void_share: 1.5 is outside [0, 1]" in text
    area = load_area(_write_area(tmp_path, 'crs = "EPSG:9377"\nmax_void_share = 0.2\n'))
    assert area.max_void_share == 0.2
    assert load_scenario().area.max_void_share == 0.05  # the default


def test_objects_built_in_code_are_checked_like_files() -> None:
    """The loader is not the only door: a NaN or a string typed in code is refused too."""
    with pytest.raises(ScenarioError, match=r"tx_power_dbm: expected a finite number, got nan"):
        TechnologyParams(tx_power_dbm=float("nan"))
    with pytest.raises(ScenarioError, match=r"budget_usd: expected a finite number, got '5'"):
        PlacementParams(budget_usd="5")  # type: ignore[arg-type]
    with pytest.raises(ScenarioError, match=r"lat_deg: expected a finite number, got nan"):
        Point("p", 0.0, float("nan"))
    with pytest.raises(ScenarioError, match=r"mast_heights_m: 250 is outside \(0, 200\] m"):
        PlacementParams(budget_sites=1, mast_heights_m=(12.0, 250.0))
    with pytest.raises(ScenarioError, match="households"):
        PopulationFacts(total_people=10, households=11)


def test_resolved_technology_is_checked_with_an_antenna_files_gain(tmp_path: Path) -> None:
    """The preset plus overrides is checked again once resolved: an antenna file's GAIN is
    the site gain, and the scenario's own keys never saw it."""
    from coverage.pipeline import resolve

    msi = tmp_path / "huge.msi"
    lines = ["NAME HUGE", "GAIN 70 dBi", "HORIZONTAL 360", *[f"{a} 0" for a in range(360)]]
    msi.write_text("\n".join([*lines, "VERTICAL 360", *[f"{a} 0" for a in range(360)]]), "utf-8")
    s = load_scenario().replace(technology={"antenna_pattern": str(msi)})
    with pytest.raises(ScenarioError, match=r"tx_antenna_gain_dbi=70 is outside \[-10, 45\] dBi"):
        resolve(s)


def test_replace_checks_and_converts_as_the_loader_does() -> None:
    """The README pattern skipped validation: a typo was a TypeError, a string budget a
    comparison error, ``language="fr"`` a private error class."""
    s = load_scenario()
    with pytest.raises(ScenarioError) as info:
        s.replace(
            placement={"budget_site": 4, "budget_usd": "120000"},
            language="fr",
            candidates={"outside_margin_m": -1.0},
            backhaul={"pop": {"lat_deg": 95.0}},
        )
    assert type(info.value) is ScenarioError
    text = str(info.value)
    for problem in (
        "placement: unknown key 'budget_site' (did you mean 'budget_sites'?)",
        "placement.budget_usd: expected a number, got '120000'",
        "language: 'fr' is not es or en",
        "candidates.outside_margin_m: -1 is outside [0, 100,000] m",
        "backhaul.pop.lat_deg: 95 is outside [-90, 90] deg",
    ):
        assert problem in text
    assert "5 problem(s)" in text
    with pytest.raises(ScenarioError, match=r"budget_sites: expected an integer, got '4'"):
        s.replace(placement={"budget_sites": "4", "budget_usd": 0.0})
    with pytest.raises(ScenarioError, match=r"unknown key 'nme' \(did you mean 'name'\?\)"):
        s.replace(nme="x")
    t = s.replace(placement={"mast_heights_m": (18.0,), "budget_usd": 60_000}, name="light")
    assert t.placement.mast_heights_m == (18.0,) and t.placement.budget_usd == 60_000.0
    assert t.name == "light" and t.area == s.area
    assert (
        s.replace(technology={"tx_power_dbm": 40}).replace(technology={"tx_power_dbm": None}) == s
    )  # an override unset again


def test_a_file_that_is_not_utf8_names_the_byte_and_the_fix(tmp_path: Path) -> None:
    p = _write_scenario(tmp_path, "")
    p.write_bytes(p.read_bytes().replace(b'name = "t"', 'name = "Peñol"'.encode("latin-1")))
    with pytest.raises(ScenarioError) as info:
        load_scenario(p)
    text = str(info.value)
    assert str(p) in text and "not UTF-8 text (byte 10 is 0xf1)" in text
    assert "save it again choosing the UTF-8 encoding" in text


def test_a_folder_given_as_scenario_is_called_a_folder(tmp_path: Path) -> None:
    _write_scenario(tmp_path, "")
    with pytest.raises(ScenarioError, match=r"is a folder \(it holds area.toml, s.toml\); give"):
        load_scenario(tmp_path)


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


def test_the_service_section_checks_its_values() -> None:
    s = load_scenario()
    with pytest.raises(ScenarioError) as info:
        s.replace(
            service={
                "take_up_share": 1.5,
                "location_pct": 100.0,
                "carriers": 0,
                "household_downlink_mbps": -1.0,
                "busy_hour_shar": 0.1,
            }
        )
    text = str(info.value)
    for key in ("take_up_share", "location_pct", "carriers", "household_downlink_mbps"):
        assert f"service.{key}" in text, text
    assert "did you mean 'busy_hour_share'?" in text


def test_the_service_terminal_sets_the_height_and_gain_unless_technology_does() -> None:
    from coverage.pipeline import resolve

    base = load_scenario()
    assert base.technology.terminal_height_m is None  # the template leaves it to the terminal
    handset = resolve(base)
    assert handset.terminal.name == "handset-outdoor"
    assert handset.technology.terminal_height_m == 1.5
    assert handset.terminal_gain_dbi == pytest.approx(-3.0)  # 0 dBi less 3 dB body loss
    cpe = resolve(base.replace(service={"terminal": "rooftop-cpe"}))
    assert (cpe.technology.terminal_height_m, cpe.technology.rx_antenna_gain_dbi) == (6.0, 9.0)
    fixed = resolve(
        base.replace(service={"terminal": "rooftop-cpe"}, technology={"terminal_height_m": 3.0})
    )
    assert fixed.technology.terminal_height_m == 3.0
    indoor = resolve(base.replace(service={"terminal": "handset-indoor"}))
    assert indoor.threshold_dbm > handset.threshold_dbm  # the building's spread
    assert indoor.terminal_gain_dbi == pytest.approx(-3.0 - 12.04, abs=0.01)
    # ITM itself gives the loss at the service's quantiles
    assert "mdvar=3" in handset.model.describe() and "50/90/50" in handset.model.describe()


def test_an_unknown_terminal_or_a_backhaul_preset_is_refused_before_any_data() -> None:
    from coverage.pipeline import resolve

    s = load_scenario()
    with pytest.raises(ScenarioError, match=r"no terminal 'dish'.*handset-outdoor"):
        resolve(s.replace(service={"terminal": "dish"}))
    with pytest.raises(ScenarioError, match="'ptp-5ghz' is a backhaul technology"):
        resolve(s.replace(technology={"preset": "ptp-5ghz"}))


def test_the_template_names_every_key_of_every_section() -> None:
    """data/palmitas/scenario.toml is the commented template of every scenario key."""
    import dataclasses
    import re

    text = (Path(__file__).resolve().parents[1] / "data/palmitas/scenario.toml").read_text(
        encoding="utf-8"
    )
    s = load_scenario()
    missing = [
        f"{f.name}.{g.name}"
        for f in dataclasses.fields(s)
        if f.name != "area" and dataclasses.is_dataclass(getattr(s, f.name))
        for g in dataclasses.fields(getattr(s, f.name))
        if not re.search(rf"^#?\s*{g.name}\s*=", text, re.MULTILINE)
    ]
    assert missing == []
