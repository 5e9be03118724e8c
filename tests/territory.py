"""A tiny synthetic territory written to files, as a user's own area would be.

:func:`write_territory` writes a GeoTIFF DEM, GeoJSON veredas and schools, an area and a
scenario TOML into a folder, so that a test runs the whole path from files to outputs: the
pipeline tests, and the fuzz test that breaks each of these files in turn.
"""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import rasterio
from pyproj import Transformer
from shapely.geometry import Point, box

from coverage import synthetic

__all__ = ["write_territory"]

TO_WGS84 = Transformer.from_crs("EPSG:9377", "EPSG:4326", always_xy=True)


def write_territory(root: Path, *, rows: int = 90, cols: int = 90) -> Path:
    """Write a synthetic territory and its scenario into ``root``; return the scenario path."""
    t = synthetic.andes_like(rows, cols, seed=3)
    with rasterio.open(
        root / "dem.tif", "w", driver="GTiff", height=rows, width=cols, count=1,
        dtype="float32", crs=t.crs, transform=t.transform,
    ) as dst:  # fmt: skip
        dst.write(t.elevation_m, 1)
    xmin, ymin, xmax, ymax = t.bounds
    inset = 700.0
    mid = (xmin + xmax) / 2
    veredas = gpd.GeoDataFrame(
        {"nombre": ["Alta", "Baja"], "codigo": ["1", "2"]},
        geometry=[
            box(xmin + inset, ymin + inset, mid, ymax - inset),
            box(mid, ymin + inset, xmax - inset, ymax - inset),
        ],
        crs=t.crs,
    ).to_crs(4326)
    veredas.to_file(root / "veredas.geojson", driver="GeoJSON")
    schools = gpd.GeoDataFrame(
        {"nombre": ["Escuela <b>Alta</b>", "Escuela Baja"]},
        geometry=[Point(mid - 500, ymax - inset - 300), Point(mid + 500, ymin + inset + 300)],
        crs=t.crs,
    ).to_crs(4326)
    schools.to_file(root / "schools.geojson", driver="GeoJSON")
    pop_lon, pop_lat = TO_WGS84.transform(xmax - 200, ymax - 200)
    (root / "area.toml").write_text(
        """name = "Synthetic"
crs = "EPSG:9377"
margin_m = 500.0
school_outside_field = ""
[population]
total_people = 1000
households = 400
source = "synthetic test territory"
[layers.dem]
file = "dem.tif"
[layers.veredas]
file = "veredas.geojson"
id_field = "codigo"
[layers.schools]
file = "schools.geojson"
""",
        encoding="utf-8",
    )
    (root / "scenario.toml").write_text(
        f"""name = "synthetic-los"
area = "area.toml"
out_dir = "{(root / "out").as_posix()}"
language = "en"
[technology]
preset = "lte-b28-small-cell"
max_range_m = 2500.0
[propagation]
model = "los"
[demand]
resolution_m = 150.0
[candidates]
max_candidates = 12
min_spacing_m = 300.0
outside_margin_m = 300.0
[placement]
budget_usd = 0.0
budget_sites = 2
mast_heights_m = [12.0, 30.0]
time_limit_s = 20.0
mip_gap = 0.0
[backhaul]
pop = {{ name = "PoP", lon_deg = {pop_lon}, lat_deg = {pop_lat} }}
max_link_m = 4000.0
max_hops = 4
""",
        encoding="utf-8",
    )
    return root / "scenario.toml"
