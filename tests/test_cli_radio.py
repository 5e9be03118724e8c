"""Tests of coverage.cli_radio: ``pathloss`` and ``viewshed`` as SPLAT! and GDAL users expect.

Every ITM setting on the command line or in a SPLAT! ``.lrp`` file, a geographic DEM
reprojected, KML/PNG beside the GeoTIFF, and a CSV of sites in one call; each on a small
synthetic DEM written to ``tmp_path``, each option shown to change the result where ITM
says it should.
"""

from __future__ import annotations

import logging
import xml.etree.ElementTree as ET
from pathlib import Path

import matplotlib.image
import numpy as np
import pytest
import rasterio
import rasterio.warp
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer
from rasterio.enums import Resampling

from coverage import synthetic
from coverage.cli import main
from coverage.outputs.styles import RX_CLASS_COLORS
from coverage.radio.lrp import read_lrp
from tests.helpers import TINY_CRS, write_geotiff

#: SPLAT!'s sample.lrp (its sample_data), with this project's frequency.
SAMPLE_LRP = """15.000  ; Earth Dielectric Constant (Relative permittivity)
0.005   ; Earth Conductivity (Siemens per meter)
301.000 ; Atmospheric Bending Constant (N-units)
700.000 ; Frequency in MHz (20 MHz to 20 GHz)
5       ; Radio Climate (5 = Continental Temperate)
0       ; Polarization (0 = Horizontal, 1 = Vertical)
0.5     ; Fraction of situations (50% of locations)
0.5     ; Fraction of time (50% of the time)
46000.0 ; Effective Radiated Power in Watts (optional)

Anything after the 9th line is ignored.
"""


@pytest.fixture(scope="module")
def dem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, float]:
    """A 40 x 40 DEM of steep synthetic terrain, and the centre of its middle cell."""
    terrain = synthetic.andes_like(40, 40, seed=5, relief_m=400.0)
    path = tmp_path_factory.mktemp("dem") / "dem.tif"
    write_geotiff(path, terrain.elevation_m, crs=TINY_CRS, transform=terrain.transform)
    xs, ys = terrain.cell_centers()
    return path, float(xs[20]), float(ys[20])


@pytest.fixture(scope="module")
def wide_dem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, float]:
    """30 x 30 cells of 3 km: paths long enough (40 km) for ITM's time variability to show."""
    terrain = synthetic.andes_like(30, 30, seed=5, relief_m=400.0, cell_size_m=3000.0)
    path = tmp_path_factory.mktemp("wide") / "dem.tif"
    write_geotiff(path, terrain.elevation_m, crs=TINY_CRS, transform=terrain.transform)
    xs, ys = terrain.cell_centers()
    return path, float(xs[15]), float(ys[15])


def _pathloss(
    dem: tuple[Path, float, float],
    out: Path,
    *extra: str,
    f_mhz: str | None = "700",
    radius: str = "550",
) -> NDArray[np.float64]:
    path, x, y = dem
    argv = ["-q", "pathloss", str(path), str(out), "--x", str(x), "--y", str(y)]
    argv += ["--tx-height", "30", "--rx-height", "2", "--radius", radius]
    argv += ["--f-mhz", f_mhz] if f_mhz is not None else []
    assert main([*argv, *extra]) == 0
    return _read(out)


def _read(path: Path) -> NDArray[np.float64]:
    with rasterio.open(path) as src:
        return np.ma.filled(src.read(1, masked=True).astype(np.float64), np.nan)


@pytest.mark.parametrize(
    ("extra", "effect", "wide"),
    [
        (["--location-pct", "90"], "higher", False),  # in broadcast mode (3): location counts
        (["--location-pct", "10"], "lower", False),
        (["--situation-pct", "90"], "higher", False),
        (["--time-pct", "90"], "higher", True),  # time variability grows with distance
        (["--climate", "continental-temperate", "--time-pct", "99"], "differs", True),
        (["--polarization", "horizontal"], "differs", False),
        (["--permittivity", "4", "--conductivity", "0.001"], "differs", False),
        (["--n0", "250"], "differs", False),
        (["--mdvar", "13", "--location-pct", "90"], "same", False),  # +10: no location variability
    ],
)
def test_each_itm_option_changes_the_loss_as_itm_says(
    dem: tuple[Path, float, float],
    wide_dem: tuple[Path, float, float],
    tmp_path: Path,
    extra: list[str],
    effect: str,
    wide: bool,
) -> None:
    grid, radius = (wide_dem, "40000") if wide else (dem, "550")
    mdvar = [] if "--mdvar" in extra else ["--mdvar", "3"]
    base = _pathloss(grid, tmp_path / "b.tif", *mdvar, radius=radius)
    if "--mdvar" in extra:
        base = _pathloss(grid, tmp_path / "b.tif", "--mdvar", "13", radius=radius)
    got = _pathloss(grid, tmp_path / "g.tif", *extra, *mdvar, radius=radius)
    both = np.isfinite(base) & np.isfinite(got)
    assert both.sum() > 400
    diff = got[both] - base[both]
    if effect == "higher":
        assert np.all(diff >= -1e-3) and np.median(diff) > 0.2 and diff.max() > 1.0
    elif effect == "lower":
        assert np.all(diff <= 1e-3) and np.median(diff) < -0.2 and diff.min() < -1.0
    elif effect == "differs":
        assert np.abs(diff).max() > 0.5
    else:
        np.testing.assert_array_equal(got, base)


def test_a_location_quantile_itm_ignores_is_warned_of(
    dem: tuple[Path, float, float], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """In ITM's accidental mode (1, the default) the location quantile has no effect."""
    base = _pathloss(dem, tmp_path / "base.tif")
    with caplog.at_level(logging.WARNING, logger="coverage.cli"):
        got = _pathloss(dem, tmp_path / "got.tif", "--location-pct", "90")
    np.testing.assert_array_equal(got, base)
    assert "--location-pct 90 is not used: ITM's mode of variability 1 ignores it" in caplog.text


def test_a_splat_lrp_file_sets_itm_and_the_options_override_it(
    dem: tuple[Path, float, float], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    lrp = tmp_path / "site.lrp"
    lrp.write_text(SAMPLE_LRP, encoding="utf-8")
    same = [
        *("--permittivity", "15", "--conductivity", "0.005", "--n0", "301", "--climate", "5"),
        *("--polarization", "horizontal", "--situation-pct", "50", "--time-pct", "50"),
    ]
    with caplog.at_level(logging.INFO, logger="coverage.cli"):
        from_file = _pathloss(dem, tmp_path / "lrp.tif", "--lrp", str(lrp), f_mhz=None)
    assert "its ERP (46000 W) is not used" in caplog.text
    np.testing.assert_array_equal(from_file, _pathloss(dem, tmp_path / "opt.tif", *same))
    over = _pathloss(dem, tmp_path / "over.tif", "--lrp", str(lrp), "--n0", "380", f_mhz="900")
    np.testing.assert_array_equal(
        over, _pathloss(dem, tmp_path / "o2.tif", *same, "--n0", "380", f_mhz="900")
    )
    assert not np.array_equal(over, from_file, equal_nan=True)
    with rasterio.open(tmp_path / "lrp.tif") as src:
        tags = src.tags()
    assert "N0=301 N-units" in tags["model"] and "climate 5" in tags["model"]
    assert "horizontal pol." in tags["model"] and tags["f_mhz"] == "700"


def test_read_lrp_reads_splat_sample_file(tmp_path: Path) -> None:
    lrp = tmp_path / "sample.lrp"
    lrp.write_text(SAMPLE_LRP, encoding="utf-8")
    got = read_lrp(lrp)
    assert (got.permittivity, got.conductivity_s_m, got.n0, got.f_mhz) == (15, 0.005, 301, 700)
    assert (got.climate, got.polarization) == (5, "horizontal")
    assert (got.situation_pct, got.time_pct, got.erp_w) == (50.0, 50.0, 46000.0)
    eight = "".join(SAMPLE_LRP.splitlines(keepends=True)[:8])
    lrp.write_text(eight, encoding="utf-8")
    assert read_lrp(lrp).erp_w is None


@pytest.mark.parametrize(
    ("line", "text", "problem"),
    [
        (
            3,
            "abc ; N-units",
            "line 3: expected the atmospheric bending constant (N-units), a number, got 'abc ; N-units'",
        ),
        (
            3,
            "500.0 ; N-units",
            "line 3: the atmospheric bending constant (N-units) 500 is outside [250, 400] N-units",
        ),
        (5, "9 ; climate", "line 5: the radio climate (1-7) 9 is outside [1, 7]"),
        (6, "0.5", "line 6: the polarization (0 horizontal, 1 vertical) must be a whole number"),
        (8, "50 ; percent, not a fraction", "line 8: the fraction of time 50 is outside (0, 1)"),
        (
            1,
            "",
            "line 1: expected the earth dielectric constant (relative permittivity), a number, got 'an empty line'",
        ),
    ],
)
def test_an_lrp_error_names_the_file_and_the_line(
    tmp_path: Path, line: int, text: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    lines = SAMPLE_LRP.splitlines()
    lines[line - 1] = text
    lrp = tmp_path / "bad.lrp"
    lrp.write_text("\n".join(lines), encoding="utf-8")
    argv = ["pathloss", "d.tif", str(tmp_path / "o.tif"), "--x", "0", "--y", "0"]
    argv += ["--tx-height", "30", "--rx-height", "2", "--radius", "500", "--lrp", str(lrp)]
    assert main(argv) == 2  # refused before the DEM (which does not exist) is read
    assert f"{lrp} {problem}" in " ".join(capsys.readouterr().err.split())


def test_a_short_lrp_file_is_refused(tmp_path: Path) -> None:
    lrp = tmp_path / "short.lrp"
    lrp.write_text("15\n0.005\n301\n", encoding="utf-8")
    with pytest.raises(ValueError, match=r"3 lines; a SPLAT! \.lrp file has 8"):
        read_lrp(lrp)


@pytest.mark.parametrize("command", ["pathloss", "viewshed"])
def test_help_lists_every_option(command: str, capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as done:
        main([command, "--help"])
    assert done.value.code == 0
    text = " ".join(capsys.readouterr().out.split())
    for option in ("--lon", "--lat", "--sites", "--crs", "--png", "--kml"):
        assert option in text
    if command == "pathloss":
        assert "quantile (50; (0, 100) %)" in text and "50 % time" in text and "%%" not in text
        for option in _OPTIONS:
            assert option in text


_OPTIONS = (
    *("--lrp", "--n0", "--climate", "--permittivity", "--conductivity", "--polarization"),
    *("--time-pct", "--location-pct", "--situation-pct", "--mdvar"),
)

_ARGS = ["pathloss", "d.tif", "o.tif", "--x", "0", "--y", "0", "--tx-height", "30"]


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--n0", "500"], "argument --n0: 500 is outside [250, 400] N-units (NTIA ITM 1.4"),
        (
            ["--climate", "9"],
            "argument --climate: unknown radio climate '9'; use one of 1 equatorial",
        ),
        (["--time-pct", "100"], "argument --time-pct: 100 is outside (0, 100) %"),
        (["--conductivity", "0"], "argument --conductivity: 0 is outside (0, 10] S/m"),
        (["--permittivity", "0.5"], "argument --permittivity: 0.5 is outside [1, 100]"),
        (["--polarization", "circular"], "argument --polarization: invalid choice: 'circular'"),
        (["--mdvar", "4"], "argument --mdvar: invalid choice: 4"),
    ],
)
def test_an_itm_option_out_of_range_is_a_usage_error_naming_it(
    extra: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as done:
        main([*_ARGS, *extra])
    assert done.value.code == 2
    assert problem in " ".join(capsys.readouterr().err.split())


@pytest.mark.parametrize(
    ("extra", "problem"),
    [
        (["--model", "fspl", "--n0", "300"], "--n0: ITM's settings; use --model itm"),
        (["--model", "deygout", "--lrp", "x.lrp"], "--lrp: ITM's settings; use --model itm"),
        (["--k", "1.2"], "--k is the k-factor of --model deygout"),
        (["--lon", "-75.6"], "--lon and --lat go together"),
        (
            ["--lon", "-75.6", "--lat", "6.3"],
            "one of --x/--y, --lon/--lat or --sites FILE; got ['--x/--y', '--lon/--lat']",
        ),
    ],
)
def test_options_that_do_not_go_together_are_refused_before_the_dem_is_read(
    tmp_path: Path, extra: list[str], problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = [*_ARGS, "--rx-height", "2", "--radius", "500", "--f-mhz", "700"]
    argv[2] = str(tmp_path / "o.tif")
    assert main([*argv, *extra]) == 2
    assert problem in capsys.readouterr().err


def _geographic_copy(metric: Path, out: Path) -> Path:
    """``metric`` (EPSG:9377) reprojected to EPSG:4326 on 1-arc-second cells, as SRTM ships,
    over a box just inside its footprint (so that the copy has no voids)."""
    res = 1.0 / 3600.0
    with rasterio.open(metric) as src:
        left, bottom, right, top = rasterio.warp.transform_bounds(src.crs, "EPSG:4326", *src.bounds)
        left, bottom, right, top = left + 2 * res, bottom + 2 * res, right - 2 * res, top - 2 * res
        width, height = round((right - left) / res), round((top - bottom) / res)
        transform = Affine(res, 0.0, left, 0.0, -res, top)
        data = np.full((height, width), -32768.0, dtype=np.float32)
        rasterio.warp.reproject(
            rasterio.band(src, 1),
            data,
            dst_transform=transform,
            dst_crs="EPSG:4326",
            dst_nodata=-32768.0,
            resampling=Resampling.bilinear,
        )
    assert (data > -32768.0).all()
    return write_geotiff(out, data, crs="EPSG:4326", transform=transform, nodata=-32768.0)


def _on(grid_path: Path, values_path: Path) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """The cells of ``grid_path`` and the value of ``values_path`` at each of their centres."""
    with rasterio.open(grid_path) as a, rasterio.open(values_path) as b:
        va = np.ma.filled(a.read(1, masked=True).astype(np.float64), np.nan)
        vb = np.ma.filled(b.read(1, masked=True).astype(np.float64), np.nan)
        assert a.crs == b.crs
        rows, cols = np.indices(va.shape)
        xs, ys = rasterio.transform.xy(a.transform, rows.ravel(), cols.ravel())
        r, c = rasterio.transform.rowcol(b.transform, xs, ys)
        r, c = np.asarray(r), np.asarray(c)
        inside = (r >= 0) & (r < vb.shape[0]) & (c >= 0) & (c < vb.shape[1])
        sampled = np.full(va.size, np.nan)
        sampled[inside] = vb[r[inside], c[inside]]
    return va.ravel(), sampled


@pytest.fixture(scope="module")
def hills(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, float, float]:
    """40 x 40 cells of 30 m of rolling hills (100 m of relief): resampling them twice, to
    EPSG:4326 and back, moves their slopes little."""
    terrain = synthetic.andes_like(40, 40, seed=5, relief_m=100.0)
    path = tmp_path_factory.mktemp("hills") / "dem.tif"
    write_geotiff(path, terrain.elevation_m, crs=TINY_CRS, transform=terrain.transform)
    xs, ys = terrain.cell_centers()
    return path, float(xs[20]), float(ys[20])


def test_a_geographic_dem_gives_the_metric_dem_s_result(
    hills: tuple[Path, float, float], tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    dem = hills
    path, x, y = dem
    geo = _geographic_copy(path, tmp_path / "geo.tif")
    lon, lat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform(x, y)
    metric = _pathloss(dem, tmp_path / "metric.tif")
    argv = [
        "-q",
        "pathloss",
        str(geo),
        str(tmp_path / "g.tif"),
        "--lon",
        str(lon),
        "--lat",
        str(lat),
    ]
    argv += ["--tx-height", "30", "--rx-height", "2", "--radius", "550", "--f-mhz", "700"]
    with caplog.at_level(logging.INFO, logger="coverage.inputs.dem"):
        assert main([*argv, "--crs", TINY_CRS]) == 0
    assert f"is in EPSG:4326: reprojected to {TINY_CRS}" in caplog.text
    got, want = _on(tmp_path / "g.tif", tmp_path / "metric.tif")
    both = np.isfinite(got) & np.isfinite(want)
    assert both.sum() > 0.8 * np.isfinite(metric).sum()  # the copy lies just inside the DEM
    err = np.abs(got[both] - want[both])
    print(
        f"geographic vs metric: median {np.median(err):.2f} dB, 90th pct {np.percentile(err, 90):.2f} dB"
    )
    assert np.median(err) < 1.0 and np.percentile(err, 90) < 6.0, (
        np.median(err),
        np.percentile(err, 90),
    )
    with caplog.at_level(logging.INFO, logger="coverage.inputs.dem"):  # no --crs: its UTM zone
        assert main([*argv[:3], str(tmp_path / "utm.tif"), *argv[4:]]) == 0
    assert "reprojected to EPSG:32618" in caplog.text  # WGS 84 / UTM zone 18N, around Palmitas
    with rasterio.open(tmp_path / "utm.tif") as src:
        assert src.crs.to_epsg() == 32618


def test_a_geographic_viewshed_matches_the_metric_one(
    hills: tuple[Path, float, float], tmp_path: Path
) -> None:
    path, x, y = hills
    geo = _geographic_copy(path, tmp_path / "geo.tif")
    lon, lat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform(x, y)
    common = ["--observer-height", "10", "--max-distance", "550"]
    metric = ["viewshed", str(path), str(tmp_path / "m.tif"), "--x", str(x), "--y", str(y)]
    assert main(["-q", *metric, *common]) == 0
    geographic = [
        "viewshed",
        str(geo),
        str(tmp_path / "g.tif"),
        "--lon",
        str(lon),
        "--lat",
        str(lat),
    ]
    assert main(["-q", *geographic, *common, "--crs", TINY_CRS]) == 0
    got, want = _on(tmp_path / "g.tif", tmp_path / "m.tif")
    both = np.isfinite(want)
    agree = np.mean(got[both] == want[both])
    print(f"geographic vs metric viewshed: {agree:.3f} of cells agree")
    assert agree > 0.9, agree


def test_kml_and_png_lie_beside_the_geotiff_in_the_project_palette(
    dem: tuple[Path, float, float], tmp_path: Path
) -> None:
    loss = _pathloss(dem, tmp_path / "s1.tif", "--kml")
    png, kml = tmp_path / "s1.png", tmp_path / "s1.kml"
    assert png.is_file() and kml.is_file()
    ns = {"k": "http://www.opengis.net/kml/2.2"}
    root = ET.parse(kml).getroot()
    overlay = root.find("k:Document/k:GroundOverlay", ns)
    assert overlay is not None
    assert overlay.findtext("k:Icon/k:href", namespaces=ns) == "s1.png"
    box = {
        t: float(overlay.findtext(f"k:LatLonBox/k:{t}", namespaces=ns) or "nan")
        for t in ("north", "south", "east", "west")
    }
    _, x, y = dem
    lon, lat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform(x, y)
    assert box["west"] < lon < box["east"] and box["south"] < lat < box["north"]
    assert box["east"] - box["west"] < 0.02  # 1.2 km of grid, in degrees
    legend = overlay.findtext("k:description", namespaces=ns) or ""
    assert "path loss (dB)" in legend and "&lt; 110 dB" in legend  # HTML: Google Earth shows <
    rgba = (matplotlib.image.imread(png) * 255).round().astype(np.uint8)
    colours = {tuple(int(v) for v in p[:3]) for p in rgba.reshape(-1, 4) if p[3] > 0}
    assert colours and colours <= set(RX_CLASS_COLORS[1:])
    assert np.isfinite(loss).any()
    screen = root.find("k:Document/k:ScreenOverlay", ns)
    assert screen is not None and screen.findtext("k:Icon/k:href", namespaces=ns) == "s1.legend.png"
    key = (matplotlib.image.imread(tmp_path / "s1.legend.png") * 255).round().astype(np.uint8)
    shown = {tuple(int(v) for v in p[:3]) for p in key.reshape(-1, 4)}
    assert set(RX_CLASS_COLORS[1:]) <= shown  # a swatch of each class
    _pathloss(dem, tmp_path / "s2.tif", "--png")
    assert (tmp_path / "s2.png").is_file() and not (tmp_path / "s2.kml").exists()
    assert not (tmp_path / "s2.legend.png").exists()


def test_a_csv_of_sites_runs_in_one_call_one_file_per_site(
    dem: tuple[Path, float, float], tmp_path: Path
) -> None:
    path, x, y = dem
    lon, lat = Transformer.from_crs(TINY_CRS, "EPSG:4326", always_xy=True).transform(x + 150, y)
    sites = tmp_path / "sites.csv"
    sites.write_text(
        f"name,x,y,height_m,f_mhz\nAlto / Norte,{x},{y},30,\nLa Cruz,{x - 200},{y + 100},15,900\n",
        encoding="utf-8",
    )
    out = tmp_path / "out"
    out.mkdir()
    argv = ["-q", "pathloss", str(path), str(out), "--sites", str(sites), "--rx-height", "2"]
    assert main([*argv, "--radius", "550", "--f-mhz", "700", "--png"]) == 0
    assert sorted(p.name for p in out.iterdir()) == [
        "Alto_Norte.png",
        "Alto_Norte.tif",
        "La_Cruz.png",
        "La_Cruz.tif",
    ]
    np.testing.assert_array_equal(_read(out / "Alto_Norte.tif"), _pathloss(dem, tmp_path / "a.tif"))
    single = ["--x", str(x - 200), "--y", str(y + 100), "--tx-height", "15"]
    one = tmp_path / "b.tif"
    assert (
        main(
            [
                "-q",
                "pathloss",
                str(path),
                str(one),
                *single,
                "--rx-height",
                "2",
                "--radius",
                "550",
                "--f-mhz",
                "900",
            ]
        )
        == 0
    )
    np.testing.assert_array_equal(_read(out / "La_Cruz.tif"), _read(one))

    geo = tmp_path / "geo.csv"
    geo.write_text(f"name,lon,lat,height_m\nA,{lon},{lat},10\nB,{lon},{lat},40\n", encoding="utf-8")
    views = tmp_path / "views"
    views.mkdir()
    count = tmp_path / "count.tif"
    vs = ["-q", "viewshed", str(path), str(views), "--sites", str(geo), "--count", str(count)]
    assert main([*vs, "--max-distance", "550", "--png"]) == 0
    a, b = _read(views / "A.tif"), _read(views / "B.tif")
    np.testing.assert_array_equal(_read(count), a + b)
    assert (tmp_path / "count.png").is_file() and (views / "A.png").is_file()
    with rasterio.open(views / "B.tif") as src:
        assert src.tags()["site"] == "B" and src.tags()["observer_height_m"] == "40"
    assert (b >= a).all() and b.sum() > a.sum()  # the higher eye sees more


@pytest.mark.parametrize(
    ("text", "problem"),
    [
        ("name,x,y\nA,1,2\n", "missing columns ['height_m']"),
        ("name,x,y,height_m\nA,1,2,30\nA,3,4,30\n", "line 3: site 'A' is named twice"),
        ("name,x,y,height_m\nA,1,2,300\n", "line 2: column height_m 300 is outside [0, 200] m"),
        ("name,x,y,height_m\nA,one,2,30\n", "line 2: column x must be a finite number, got 'one'"),
        ("name,lon,lat,height_m\nA,-75,95,30\n", "line 2: column lat 95 is outside [-90, 90] deg"),
        (
            "name,x,y,height_m\nA b,1,2,30\nA/b,1,2,30\n",
            "Sites 'A b' and 'A/b' would both write A_b",
        ),
    ],
)
def test_a_bad_sites_file_is_refused_naming_the_line(
    tmp_path: Path, text: str, problem: str, capsys: pytest.CaptureFixture[str]
) -> None:
    sites = tmp_path / "sites.csv"
    sites.write_text(text, encoding="utf-8")
    never = tmp_path / "no-dem.tif"  # refused before the DEM is read
    argv = ["viewshed", str(never), str(tmp_path), "--sites", str(sites)]
    assert main(argv) == 2
    assert problem in capsys.readouterr().err


def test_a_site_outside_the_dem_is_named(
    dem: tuple[Path, float, float], tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    path, x, y = dem
    argv = ["viewshed", str(path), str(tmp_path / "v.tif"), "--x", str(x + 5000), "--y", str(y)]
    assert main(argv) == 2
    assert "Site 'v' at (" in capsys.readouterr().err


def test_utm_zone_of_a_dem_centre() -> None:
    from rasterio.crs import CRS

    from coverage.inputs.dem import utm_crs

    assert utm_crs(CRS.from_epsg(4326), (-75.8, 6.2, -75.6, 6.4)).to_epsg() == 32618
    assert utm_crs(CRS.from_epsg(4326), (-47.0, -23.6, -46.5, -23.4)).to_epsg() == 32723


def test_count_needs_sites_and_a_folder_checked_before_the_dem_is_read(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    dem = tmp_path / "dem.tif"
    dem.write_bytes(b"not a GeoTIFF: never read")
    one = ["viewshed", str(dem), str(tmp_path / "v.tif"), "--x", "0", "--y", "0"]
    assert main([*one, "--count", str(tmp_path / "c.tif")]) == 2
    assert "--count counts the sites of --sites FILE" in capsys.readouterr().err
    sites = tmp_path / "s.csv"
    sites.write_text("name,x,y,height_m\nA,0,0,10\n", encoding="utf-8")
    many = ["viewshed", str(dem), str(tmp_path), "--sites", str(sites)]
    assert main([*many, "--count", str(tmp_path / "missing" / "c.tif")]) == 2
    assert f"The folder {tmp_path / 'missing'} of --count" in capsys.readouterr().err
