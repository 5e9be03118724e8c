"""Fuzz test: a broken, hostile or absurd territory gives one clear error or a whole plan.

Hypothesis breaks one to three things of the synthetic territory of :mod:`tests.territory`
at a time: a scenario or area key set to NaN, a huge or negative number, a wrong type or a
hostile string; an unknown key; a vereda or school name with markup, mathtext, control
characters or none at all; a geometry that is empty, self-crossing, of the wrong kind or
far away; a layer in metres without its CRS; a DEM full of voids; a file truncated, emptied,
not UTF-8, missing or a folder. Each case runs ``coverage-plan run`` over a folder that
holds a previous output set, and must end in exactly one of two ways:

* exit 2 with one ``coverage-plan: error:`` message, and the previous set byte-identical;
* exit 0 or 3 with a whole new set: every file its manifest lists, with that checksum, and
  nothing else; per-vereda rows that sum to the totals.

Never another exception, never a half-written folder. CI replays a derandomized sequence
(``tests/conftest.py``); ``pytest tests/test_fuzz.py --hypothesis-profile=fuzz`` explores
many more cases.
"""

from __future__ import annotations

import contextlib
import hashlib
import io
import json
import math
import shutil
import tomllib
import warnings
from pathlib import Path
from typing import Any

import numpy as np
import pytest
import rasterio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.cli import main
from coverage.outputs.outputset import STAGING_PREFIX
from tests.territory import write_territory

#: Keys to break, by section of the scenario ("" is the top level) or of the area ("area.*").
SCENARIO_KEYS: dict[str, tuple[str, ...]] = {
    "": ("name", "language", "out_dir"),
    "technology": (
        "preset",
        "f_mhz",
        "tx_power_dbm",
        "tx_antenna_gain_dbi",
        "rx_sensitivity_dbm",
        "terminal_height_m",
        "max_range_m",
        "antenna_downtilt_deg",
        "antenna_sectors",
    ),
    "propagation": ("model", "k_factor", "resolution_m", "climate"),
    "demand": ("resolution_m", "max_slope_deg", "min_elevation_m", "max_elevation_m"),
    "candidates": ("min_spacing_m", "max_candidates", "tpi_radius_m", "outside_margin_m"),
    "placement": (
        "method",
        "budget_usd",
        "budget_sites",
        "target_share",
        "mast_heights_m",
        "time_limit_s",
        "mip_gap",
        "max_nodes",
        "school_weight_people",
    ),
    "backhaul": ("pop_mast_height_m", "f_mhz", "max_link_m", "max_hops", "min_clearance_ratio"),
    "costs": ("radio_usd", "installation_usd"),
}
AREA_KEYS: dict[str, tuple[str, ...]] = {
    "": ("crs", "margin_m", "school_outside_field", "max_void_share"),
    "population": ("total_people", "households"),
}
#: Names no output may choke on or render as markup or mathtext.
HOSTILE_NAMES = (
    r"$\frac{1}{$ x",
    "US$ 5 y US$ 10",
    "<script>alert(1)</script>",
    "<img src=x onload=alert(1)>",
    "a\x0bb\x01c",
    '=HYPERLINK("http://x")',
    "../../etc/passwd",
    "",
    " ",
    "Vereda La Suiza",
    "\u202eevil",
    "ñandú 🌄",
)
_NUMBERS = st.one_of(
    st.sampled_from([math.nan, math.inf, -math.inf, 0, -1, -1e9, 1e9, 1e300, 2**63 - 1]),
    st.floats(allow_nan=True, allow_infinity=True),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
)
_TEXT = st.one_of(st.sampled_from(HOSTILE_NAMES), st.text(max_size=12))
_VALUES = st.one_of(_NUMBERS, _TEXT, st.booleans(), st.just([]), st.just({}), st.lists(_NUMBERS))


def _key_of(keys: dict[str, tuple[str, ...]]) -> st.SearchStrategy[tuple[str, str]]:
    return st.sampled_from([(s, k) for s, ks in keys.items() for k in ks])


MUTATIONS = st.one_of(
    st.tuples(st.just("scenario"), _key_of(SCENARIO_KEYS), _VALUES),
    st.tuples(st.just("area"), _key_of(AREA_KEYS), _VALUES),
    st.tuples(st.just("unknown key"), st.sampled_from(["", "placement", "backhaul"])),
    st.tuples(
        st.just("name"),
        st.sampled_from(["veredas.geojson", "schools.geojson"]),
        st.integers(0, 1),
        st.one_of(_TEXT, st.none(), st.integers()),
    ),
    st.tuples(
        st.just("geometry"),
        st.sampled_from(["veredas.geojson", "schools.geojson"]),
        st.integers(0, 1),
        st.sampled_from(["null", "empty", "bowtie", "point", "far away", "nan"]),
    ),
    st.tuples(
        st.just("metres without crs"), st.sampled_from(["veredas.geojson", "schools.geojson"])
    ),
    st.tuples(st.just("dem voids"), st.sampled_from([0.02, 0.3, 0.91, 1.0])),
    st.tuples(
        st.just("file"),
        st.sampled_from(
            ["dem.tif", "veredas.geojson", "schools.geojson", "scenario.toml", "area.toml"]
        ),
        st.sampled_from(["truncated", "empty", "not utf-8", "missing", "folder"]),
    ),
)


# --- a territory broken in one place ---------------------------------------------------------
def _toml_value(value: Any) -> str:
    """``value`` as a TOML inline value (tables inline, floats with nan and inf)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return (
            "nan"
            if math.isnan(value)
            else ("inf" if value > 0 else "-inf")
            if math.isinf(value)
            else repr(value)
        )
    if isinstance(value, str):
        return _toml_string(value)
    if isinstance(value, list):
        return "[" + ", ".join(_toml_value(v) for v in value) + "]"
    items = ", ".join(f"{_toml_string(str(k))} = {_toml_value(v)}" for k, v in value.items())
    return "{ " + items + " }"


def _toml_string(text: str) -> str:
    """A TOML basic string: backslash, quote and control characters escaped, the rest as is."""

    def escape(c: str) -> str:
        if c in '"\\':
            return "\\" + c
        return f"\\u{ord(c):04x}" if ord(c) < 0x20 or ord(c) == 0x7F else c

    return '"' + "".join(escape(c) for c in text) + '"'


def _edit_toml(path: Path, section: str, key: str, value: Any) -> None:
    raw = tomllib.loads(path.read_text(encoding="utf-8"))
    (raw.setdefault(section, {}) if section else raw)[key] = value
    path.write_text("".join(f"{k} = {_toml_value(v)}\n" for k, v in raw.items()), encoding="utf-8")


def _edit_features(path: Path, edit: Any) -> None:
    layer = json.loads(path.read_text(encoding="utf-8"))
    edit(layer)
    path.write_text(json.dumps(layer), encoding="utf-8")


def _broken_geometry(kind: str, geometry: dict[str, Any] | None) -> dict[str, Any] | None:
    if not geometry or not geometry.get("coordinates"):  # broken already: break it from here
        geometry = {"type": "Point", "coordinates": [-75.6, 6.3]}
    x, y = np.asarray(geometry["coordinates"], dtype=float).reshape(-1, 2).mean(axis=0)
    d = 0.01
    shapes: dict[str, Any] = {
        "null": None,
        "empty": {"type": geometry["type"], "coordinates": []},
        "bowtie": {
            "type": "Polygon",
            "coordinates": [
                [[x - d, y - d], [x + d, y + d], [x + d, y - d], [x - d, y + d], [x - d, y - d]]
            ],
        },
        "point": {"type": "Point", "coordinates": [x, y]},
        "far away": {
            "type": geometry["type"],
            "coordinates": json.loads(json.dumps(geometry["coordinates"]).replace("-75", "-15")),
        },
        "nan": {"type": "Point", "coordinates": [math.nan, y]},
    }
    return shapes[kind]


def _metres_without_crs(path: Path) -> None:
    import geopandas as gpd

    with warnings.catch_warnings():  # a name made a number by an earlier mutation
        warnings.simplefilter("ignore")
        layer = gpd.read_file(path).to_crs("EPSG:9377")
    text = json.loads(layer.to_json())
    text.pop("crs", None)
    path.write_text(json.dumps(text), encoding="utf-8")


def _voids(path: Path, share: float) -> None:
    with rasterio.open(path, "r+") as dst:
        elevation = dst.read(1)
        dst.nodata = -32768.0
        n = round(share * elevation.size)
        elevation.ravel()[np.random.default_rng(0).permutation(elevation.size)[:n]] = -32768.0
        dst.write(elevation, 1)


def _break_file(path: Path, kind: str) -> None:
    data = path.read_bytes()
    path.unlink()
    if kind == "truncated":
        path.write_bytes(data[: len(data) // 2])
    elif kind == "empty":
        path.write_bytes(b"")
    elif kind == "not utf-8":
        path.write_bytes("# café\n".encode("latin-1") + data)
    elif kind == "folder":
        path.mkdir()


def _apply(root: Path, mutation: tuple[Any, ...]) -> None:
    """Break the territory in ``root`` as ``mutation`` says (a drawn tuple of MUTATIONS)."""
    kind, *args = mutation
    if kind == "scenario":
        (section, key), value = args
        _edit_toml(root / "scenario.toml", section, key, value)
    elif kind == "area":
        (section, key), value = args
        _edit_toml(root / "area.toml", section, key, value)
    elif kind == "unknown key":
        _edit_toml(root / "scenario.toml", args[0], "colour", "blue")
    elif kind == "name":
        file, row, name = args
        _edit_features(root / file, lambda g: g["features"][row]["properties"].update(nombre=name))
    elif kind == "geometry":
        file, row, shape = args
        _edit_features(
            root / file,
            lambda g: g["features"][row].update(
                geometry=_broken_geometry(shape, g["features"][row]["geometry"])
            ),
        )
    elif kind == "metres without crs":
        _metres_without_crs(root / args[0])
    elif kind == "dem voids":
        _voids(root / "dem.tif", args[0])
    elif kind == "file":
        _break_file(root / args[0], args[1])


# --- the checks ------------------------------------------------------------------------------
def _digests(folder: Path) -> dict[str, str]:
    return {
        p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(folder.rglob("*"))
        if p.is_file()
    }


def _assert_whole_set(out: Path) -> None:
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    listed = {str(v["path"]): str(v["sha256"]) for v in manifest["outputs"].values()}
    assert _digests(out) == {**listed, "manifest.json": _digests(out)["manifest.json"]}
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    for key in ("people_total", "people_covered", "households_total"):
        rows = sum(v[key] for v in summary["subdivisions"])
        assert rows == pytest.approx(summary["totals"][key], rel=1e-9, abs=1e-6), key


@pytest.fixture(scope="module")
def territory(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The synthetic territory with a previous output set in ``out/``."""
    root = tmp_path_factory.mktemp("territory")
    scenario = write_territory(root, rows=60, cols=60)
    assert main(["-q", "run", str(scenario), "--out", str(root / "out")]) == 0
    return root


@settings(
    max_examples=max(settings().max_examples // 4, 10),  # each runs a whole plan
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(mutations=st.lists(MUTATIONS, min_size=1, max_size=3))
def test_a_broken_territory_gives_one_message_or_a_whole_plan(
    territory: Path, tmp_path_factory: pytest.TempPathFactory, mutations: list[tuple[Any, ...]]
) -> None:
    root = tmp_path_factory.mktemp("fuzz")
    shutil.copytree(territory, root, dirs_exist_ok=True)
    for mutation in sorted(mutations, key=lambda m: m[0] == "file"):  # files broken last
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            _apply(root, mutation)  # a file broken twice: the first break stands
    out = root / "out"
    before = _digests(out)
    stderr = io.StringIO()
    with contextlib.redirect_stderr(stderr):
        status = main(["-q", "run", str(root / "scenario.toml"), "--out", str(out)])
    message = stderr.getvalue()
    assert not [p for p in out.rglob("*") if p.name.startswith(STAGING_PREFIX)]
    if status == 2:
        assert message.startswith("coverage-plan: error: "), message
        assert "Traceback" not in message
        assert _digests(out) == before
    else:
        assert status in (0, 3), (status, message)
        _assert_whole_set(out)
    shutil.rmtree(root, ignore_errors=True)
