"""Viewshed accuracy and speed against the exact reference, GDAL and GRASS (run on demand).

    .venv/bin/pytest tests/benchmarks/test_viewshed_bench.py -s

Every ratio is measured in the same run on the same machine, as wall-clock and as CPU time
(user + system, children included for subprocesses) with the load average printed beside them:
the machine is shared. Timings are the best of three, after one warm-up run (which fills numba's on-disk cache); "end to end" means a whole
process: ``coverage-plan viewshed`` versus ``gdal_viewshed``, each reading the same GeoTIFF
and writing a GeoTIFF. Beside it, the floor of any Python tool here is measured in the same
run: ``python -c "import numpy, rasterio"``, which alone takes about as long as the whole
``gdal_viewshed`` run on 4000 x 4000, so "2x end to end" cannot be met from Python; the
in-process ratio (``viewshed()`` wall time against the whole ``gdal_viewshed`` process) is the
one a library can meet.
"""

from __future__ import annotations

import json
import resource
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
import rasterio

from coverage import synthetic
from coverage.inputs.dem import load_terrain
from coverage.inputs.terrain import Terrain
from coverage.radio.visibility import viewshed, viewshed_reference
from tests.helpers import write_terrain

pytestmark = pytest.mark.benchmark

VENV_BIN = Path(sys.executable).parent
OBS_H, TGT_H, K = 30.0, 2.0, 4.0 / 3.0


def _iou(a: np.ndarray, b: np.ndarray) -> float:
    return float((a & b).sum() / max(1, (a | b).sum()))


def _best_of(fn: Callable[[], object], n: int = 3) -> float:
    times = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def _cpu_of(fn: Callable[[], object], n: int = 3) -> float:
    """Least CPU time (user + system, s) of ``fn``, this process and its children together."""
    times = []
    for _ in range(n):
        before = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        fn()
        after = (
            resource.getrusage(resource.RUSAGE_SELF),
            resource.getrusage(resource.RUSAGE_CHILDREN),
        )
        times.append(
            sum(
                a.ru_utime + a.ru_stime - b.ru_utime - b.ru_stime
                for a, b in zip(after, before, strict=True)
            )
        )
    return min(times)


def _load() -> str:
    """The machine's load average: the benchmarks share two cores with other work."""
    return "load average " + " ".join(Path("/proc/loadavg").read_text().split()[:3])


def _xy(t: Terrain, row: int, col: int) -> tuple[float, float]:
    xs, ys = t.cell_centers()
    return float(xs[col]), float(ys[row])


def _gdal_viewshed(dem: Path, out: Path, x: float, y: float) -> np.ndarray:
    cmd = ["gdal_viewshed", "-q", "-ox", repr(x), "-oy", repr(y), "-oz", str(OBS_H)]
    cmd += ["-tz", str(TGT_H), "-cc", str(1.0 / K), "-vv", "1", "-iv", "0", "-ov", "0"]
    subprocess.run([*cmd, str(dem), str(out)], check=True)
    with rasterio.open(out) as src:
        return src.read(1) > 0


def _observers(t: Terrain, n: int = 5) -> list[tuple[float, float]]:
    rows, cols = t.shape
    fr = [(0.5, 0.5), (0.2, 0.25), (0.8, 0.7), (0.3, 0.85), (0.65, 0.1)][:n]
    return [_xy(t, int(a * rows), int(b * cols)) for a, b in fr]


@pytest.fixture(scope="module")
def palmitas(mirror: Path) -> Terrain:
    import geopandas as gpd

    area = gpd.read_file(mirror / "palmitas_corregimiento.geojson").to_crs("EPSG:9377")
    return load_terrain(
        mirror / "dem" / "medellin_dem_srtm1.tif", area.union_all(), "EPSG:9377", margin_m=3000
    )


@pytest.mark.parametrize("which", ["palmitas", "andes_300", "andes_1000"])
def test_accuracy_against_exact_reference_and_gdal(
    which: str, request: pytest.FixtureRequest, tmp_path: Path
) -> None:
    if which == "palmitas":
        t = request.getfixturevalue("palmitas")
    else:
        n = int(which.split("_")[1])
        t = synthetic.andes_like(n, n, seed=1)
    dem = tmp_path / "dem.tif"
    write_terrain(dem, t)
    ious, gdal_ious = [], []
    for x, y in _observers(t):
        kw = {"observer_height_m": OBS_H, "target_height_m": TGT_H, "k_factor": K}
        fast = viewshed(t, x, y, **kw)
        ref = viewshed_reference(t, x, y, **kw)
        ious.append(_iou(fast, ref))
        gdal_ious.append(_iou(_gdal_viewshed(dem, tmp_path / "g.tif", x, y), ref))
    print(
        f"\n[{which} {t.shape}] IoU vs exact R3: fast min {min(ious):.4f} mean "
        f"{np.mean(ious):.4f}; gdal_viewshed min {min(gdal_ious):.4f} mean {np.mean(gdal_ious):.4f}"
    )
    assert min(ious) >= 0.99


def _grass_viewshed(dem: Path, out: Path, x: float, y: float) -> np.ndarray:
    script = (
        f"r.in.gdal -o input={dem} output=dem --quiet && g.region raster=dem && "
        f"r.viewshed -c -b input=dem output=vs coordinates={x!r},{y!r} observer_elevation={OBS_H} "
        f"target_elevation={TGT_H} refraction_coeff={1.0 - 1.0 / K} --quiet && "
        f"r.out.gdal input=vs output={out} type=Byte --quiet --overwrite -f"
    )
    res = subprocess.run(
        ["grass", "--tmp-location", str(dem), "--exec", "bash", "-c", script],
        capture_output=True,
        text=True,
    )
    assert res.returncode == 0 and out.is_file(), res.stderr[-2000:]
    with rasterio.open(out) as src:
        return src.read(1) > 0


@pytest.mark.skipif(shutil.which("grass") is None, reason="GRASS (grass-core) is not installed")
def test_accuracy_against_grass_r_viewshed(palmitas: Terrain, tmp_path: Path) -> None:
    dem = tmp_path / "dem.tif"
    write_terrain(dem, palmitas)
    ious, ref_ious = [], []
    for x, y in _observers(palmitas, 3):
        kw = {"observer_height_m": OBS_H, "target_height_m": TGT_H, "k_factor": K}
        fast = viewshed(palmitas, x, y, **kw)
        grass = _grass_viewshed(dem, tmp_path / "r.tif", x, y)
        ious.append(_iou(fast, grass))
        ref_ious.append(_iou(viewshed_reference(palmitas, x, y, **kw), grass))
    print(
        f"\n[palmitas] IoU vs r.viewshed -c -r 0.25: fast min {min(ious):.4f}; "
        f"exact R3 min {min(ref_ious):.4f}"
    )
    assert min(ious) >= 0.97


@pytest.fixture(scope="module")
def big_dem(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Terrain]:
    t = synthetic.andes_like(4000, 4000, seed=2)
    path = tmp_path_factory.mktemp("big") / "dem4000.tif"
    write_terrain(path, t)
    return path, t


def test_speed_one_viewshed_4000(big_dem: tuple[Path, Terrain], tmp_path: Path) -> None:
    dem, t = big_dem
    x, y = _xy(t, 2000, 2000)
    ours = [str(VENV_BIN / "coverage-plan"), "-q", "viewshed", str(dem), str(tmp_path / "c.tif")]
    ours += ["--x", repr(x), "--y", repr(y), "--observer-height", str(OBS_H)]
    ours += ["--target-height", str(TGT_H), "--k", repr(K)]
    subprocess.run(ours, check=True)  # warm-up: numba cache
    t_cli = _best_of(lambda: subprocess.run(ours, check=True))
    t_gdal = _best_of(lambda: _gdal_viewshed(dem, tmp_path / "g.tif", x, y))
    kw = {"observer_height_m": OBS_H, "target_height_m": TGT_H, "k_factor": K}
    viewshed(t, x, y, **kw)
    t_kernel = _best_of(lambda: viewshed(t, x, y, **kw))
    c_cli = _cpu_of(lambda: subprocess.run(ours, check=True))
    c_gdal = _cpu_of(lambda: _gdal_viewshed(dem, tmp_path / "g.tif", x, y))
    c_kernel = _cpu_of(lambda: viewshed(t, x, y, **kw))
    # The floor of any Python CLI here: starting Python and importing numpy and rasterio
    # (needed to read and write the GeoTIFFs), before any viewshed work.
    floor_cmd = [sys.executable, "-c", "import numpy, rasterio"]
    t_floor = _best_of(lambda: subprocess.run(floor_cmd, check=True))
    print(
        f"\n[4000 x 4000, {_load()}] wall: coverage-plan viewshed end to end {t_cli:.3f} s, "
        f"in-process viewshed() {t_kernel:.3f} s; gdal_viewshed end to end {t_gdal:.3f} s -> "
        f"speed-up {t_gdal / t_cli:.2f}x end to end, {t_gdal / t_kernel:.2f}x in-process. "
        f"CPU: {c_cli:.3f} s end to end, {c_kernel:.3f} s in-process (2 threads), gdal "
        f"{c_gdal:.3f} s (1 thread) -> CPU ratio {c_gdal / c_cli:.2f}x end to end, "
        f"{c_gdal / c_kernel:.2f}x in-process. Floor: `python -c 'import numpy, rasterio'` "
        f"{t_floor:.3f} s wall (2x gdal end to end would need {t_gdal / 2:.3f} s in all)"
    )
    # In-process (viewshed() wall, 2 threads, against the whole gdal_viewshed process) is the
    # target a Python library can meet. End to end it cannot: the interpreter with numpy and
    # rasterio alone (the floor above) takes about as long as gdal_viewshed's whole run, and
    # the CLI also imports numba and loads its cached kernels. Recorded, not hidden.
    unmet = []
    if t_gdal / t_kernel < 2.0:
        unmet.append(f"in-process {t_gdal / t_kernel:.2f}x")
    if t_gdal / t_cli < 2.0:
        unmet.append(
            f"end to end {t_gdal / t_cli:.2f}x (CLI {t_cli:.3f} s vs gdal {t_gdal:.3f} s; the "
            f"python+numpy+rasterio start-up floor alone is {t_floor:.3f} s, "
            f"2x needs {t_gdal / 2:.3f} s)"
        )
    if unmet:
        pytest.xfail(f"target 2x gdal_viewshed not met: {'; '.join(unmet)} (wall, {_load()})")


_MANY = """
import json, sys, time
import numpy as np
from coverage import synthetic
from coverage.radio.visibility import cumulative_viewshed
t = synthetic.andes_like(1000, 1000, seed=3)
rng = np.random.default_rng(0)
rc = rng.integers(0, 1000, (500, 2))
xs, ys = t.cell_centers()
sites = np.column_stack([xs[rc[:, 1]], ys[rc[:, 0]]])
cumulative_viewshed(t, sites[:2], 30.0, target_height_m=2.0)
t0 = time.perf_counter()
c0 = time.process_time()
count = cumulative_viewshed(t, sites, 30.0, target_height_m=2.0)
dt = time.perf_counter() - t0
cpu = time.process_time() - c0
# VmHWM (peak RSS of this process image): ru_maxrss would include the parent's at fork.
hwm = [ln for ln in open("/proc/self/status") if ln.startswith("VmHWM")][0]
rss = int(hwm.split()[1]) / 1024
import numba
print(json.dumps({"seconds": dt, "cpu": cpu, "peak_rss_mb": rss, "threads": numba.get_num_threads(), "sites": [list(map(float, s)) for s in sites[:20]]}))
"""


def test_speed_500_viewsheds_1000(tmp_path: Path) -> None:
    res = subprocess.run([sys.executable, "-c", _MANY], check=True, capture_output=True, text=True)
    out = json.loads(res.stdout.strip().splitlines()[-1])
    t = synthetic.andes_like(1000, 1000, seed=3)
    dem = tmp_path / "dem.tif"
    write_terrain(dem, t)
    sample = out["sites"]

    def gdal_sample() -> None:
        for x, y in sample:
            _gdal_viewshed(dem, tmp_path / "g.tif", x, y)

    t0 = time.perf_counter()
    cpu_gdal_500 = _cpu_of(gdal_sample, n=1) / len(sample) * 500
    t_gdal_500 = (time.perf_counter() - t0) / len(sample) * 500
    print(
        f"\n[500 viewsheds, 1000 x 1000, {_load()}] cumulative_viewshed {out['seconds']:.2f} s "
        f"(CPU {out['cpu']:.1f} s, {out['threads']} threads, parallel across sites), peak RSS "
        f"{out['peak_rss_mb']:.0f} MB (whole process); gdal_viewshed x500 extrapolated from "
        f"{len(sample)} calls {t_gdal_500:.1f} s (CPU {cpu_gdal_500:.1f} s) -> speed-up "
        f"{t_gdal_500 / out['seconds']:.1f}x wall, {cpu_gdal_500 / out['cpu']:.1f}x CPU"
    )
    assert out["peak_rss_mb"] < 1024
    if t_gdal_500 / out["seconds"] < 20.0:
        pytest.xfail(
            f"target 20x gdal_viewshed x500 not met: {t_gdal_500 / out['seconds']:.1f}x wall, "
            f"{cpu_gdal_500 / out['cpu']:.1f}x CPU ({_load()})"
        )
