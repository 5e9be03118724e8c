"""Pictures of a plan: the interactive folium map and the rasters it overlays.

This is the only module that imports folium. :func:`coverage_map` builds a Leaflet map with
layers toggled from a control (terrain hillshade, coverage of the best server and of each
site, best-server areas, sites, backhaul links with their margin, demand covered and not
covered, veredas), a legend and popups with the figures, in Spanish or English.
:func:`map_html` renders it to one self-contained HTML page: no basemap tiles from the
internet (terrain is our own hillshade image), and Leaflet's JavaScript and CSS inlined from
a local copy (Debian's ``libjs-leaflet``, or a folder named by ``$COVERAGE_LEAFLET_DIR``), so
that the map works offline, as it must in the field.

Rasters are reprojected from the working CRS to Web Mercator (EPSG:3857) only here and in
:mod:`coverage.outputs.export`, since Leaflet stretches an image overlay linearly in Mercator.
Every name from an input file is HTML-escaped before it reaches a popup, tooltip or legend.
"""

from __future__ import annotations

import base64
import html
import io
import itertools
import logging
import math
import os
import re
from pathlib import Path
from typing import Any

import folium
import matplotlib.image
import numpy as np
import rasterio.warp
from affine import Affine
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from numpy.typing import NDArray
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from scipy import ndimage
from scipy.spatial import cKDTree

from coverage.inputs.terrain import Terrain
from coverage.outputs.report import label, summarize
from coverage.plan import Plan

__all__ = [
    "BEST_SERVER_COLORS",
    "RX_CLASS_COLORS",
    "RX_CLASS_EDGES_DBM",
    "coverage_map",
    "hillshade",
    "leaflet_assets",
    "map_html",
    "rx_classes",
    "to_web_mercator",
]

log = logging.getLogger(__name__)

#: Edges (dBm) of the received-power classes 1..5 used in maps, the class GeoTIFF and the
#: coverage polygons: class 1 is below -105 dBm, class 5 at or above -75 dBm; 0 is no signal.
RX_CLASS_EDGES_DBM = (-105.0, -95.0, -85.0, -75.0)
#: RGB colours of the received-power classes 0 (no signal, transparent) to 5.
RX_CLASS_COLORS = (
    (0, 0, 0),
    (215, 48, 39),
    (252, 141, 89),
    (254, 224, 139),
    (145, 207, 96),
    (26, 152, 80),
)
#: Colours of best-server areas, cycled over the access sites.
BEST_SERVER_COLORS = (
    (31, 119, 180),
    (255, 127, 14),
    (148, 103, 189),
    (23, 190, 207),
    (227, 119, 194),
    (140, 86, 75),
    (188, 189, 34),
    (127, 127, 127),
)
#: Above this many population points, the map draws them as an image, not as markers.
MAX_DEMAND_MARKERS = 400
_ROLE_COLORS = {"pop": "#000000", "access": "#1f4e9e", "relay": "#7b3fa0"}
LEAFLET_URLS = {
    "leaflet": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.js",
    "leaflet_css": "https://cdn.jsdelivr.net/npm/leaflet@1.9.3/dist/leaflet.css",
}
#: Folders searched, in order, for a local copy of Leaflet (leaflet.js and leaflet.css).
LEAFLET_DIRS = (
    "/usr/share/javascript/leaflet",  # Debian libjs-leaflet
    "/usr/share/nodejs/leaflet/dist",  # Debian node-leaflet
    "/usr/lib/node_modules/leaflet/dist",  # npm install -g leaflet
)


def rx_classes(rx_dbm: NDArray[np.floating]) -> NDArray[np.uint8]:
    """Classify received power (dBm) into classes 0 (no signal, NaN) to 5 (strongest).

    The edges are :data:`RX_CLASS_EDGES_DBM`; a value on an edge goes to the upper class.
    """
    rx = np.asarray(rx_dbm, dtype=np.float64)
    cls = np.digitize(np.nan_to_num(rx, nan=-np.inf), RX_CLASS_EDGES_DBM) + 1
    return np.where(np.isfinite(rx), cls, 0).astype(np.uint8)


def rx_class_labels() -> list[str]:
    """Text of the received-power classes 1..5, e.g. ``"-95 to -85 dBm"``."""
    e = RX_CLASS_EDGES_DBM
    out = [f"< {e[0]:.0f} dBm"]
    out += [f"{lo:.0f} … {hi:.0f} dBm" for lo, hi in itertools.pairwise(e)]
    out.append(f"≥ {e[-1]:.0f} dBm")
    return out


def hillshade(
    elevation_m: NDArray[np.floating],
    cell_size_m: float,
    *,
    azimuth_deg: float = 315.0,
    altitude_deg: float = 45.0,
    z_factor: float = 1.0,
) -> NDArray[np.uint8]:
    """Analytical hillshade of a north-up grid, 0 (shadow) to 255 (lit).

    Slopes are Horn's (1981) third-order finite differences, the method of GDAL's
    ``gdaldem hillshade``; Horn, B.K.P., "Hill shading and the reflectance map",
    Proc. IEEE 69(1), 1981. Edge cells repeat their neighbours.

    Parameters
    ----------
    elevation_m
        Elevations (m), row 0 north.
    cell_size_m
        Cell edge (m).
    azimuth_deg, altitude_deg
        Direction of the light, clockwise from north, and its height above the horizon.
    z_factor
        Vertical exaggeration.
    """
    z = np.pad(np.asarray(elevation_m, dtype=np.float64) * z_factor, 1, mode="edge")
    a, b, c = z[:-2, :-2], z[:-2, 1:-1], z[:-2, 2:]
    d, f = z[1:-1, :-2], z[1:-1, 2:]
    g, h, i = z[2:, :-2], z[2:, 1:-1], z[2:, 2:]
    dzdx = ((c + 2 * f + i) - (a + 2 * d + g)) / (8.0 * cell_size_m)
    dzdy = ((g + 2 * h + i) - (a + 2 * b + c)) / (8.0 * cell_size_m)  # positive southwards
    slope = np.arctan(np.hypot(dzdx, dzdy))
    aspect = np.arctan2(dzdy, -dzdx)
    zen = np.radians(90.0 - altitude_deg)
    azi = np.radians(360.0 - azimuth_deg + 90.0)
    shade = np.cos(zen) * np.cos(slope) + np.sin(zen) * np.sin(slope) * np.cos(azi - aspect)
    return np.clip(255.0 * shade, 0, 255).astype(np.uint8)


def to_web_mercator(
    array: NDArray[Any],
    terrain: Terrain,
    *,
    nodata: float,
    categorical: bool = False,
    dst_crs: str = "EPSG:3857",
) -> tuple[NDArray[Any], tuple[float, float, float, float]]:
    """Reproject a grid on the terrain's cells to ``dst_crs`` (Web Mercator by default).

    Returns
    -------
    array, bounds_lonlat
        The reprojected grid (same dtype, ``nodata`` outside) and the (west, south, east,
        north) of its outer edges in degrees (EPSG:4326), for a Leaflet image overlay or a
        KML ground overlay (use ``dst_crs="EPSG:4326"`` for KML).
    """
    src_crs = terrain.crs
    rows, cols = array.shape
    dst = CRS.from_user_input(dst_crs)
    # Square destination cells about as many as the source's (computed here rather than
    # with calculate_default_transform, which trips affine's deprecation of `*`).
    left, bottom, right, top = rasterio.warp.transform_bounds(
        src_crs, dst, *terrain.bounds, densify_pts=21
    )
    res = min((right - left) / cols, (top - bottom) / rows)
    width = max(1, math.ceil((right - left) / res - 1e-9))
    height = max(1, math.ceil((top - bottom) / res - 1e-9))
    transform = Affine(res, 0.0, left, 0.0, -res, top)
    out = np.full((height, width), nodata, dtype=array.dtype)
    rasterio.warp.reproject(
        source=np.ascontiguousarray(array),
        destination=out,
        src_transform=terrain.transform,
        src_crs=src_crs,
        src_nodata=nodata,
        dst_transform=transform,
        dst_crs=dst,
        dst_nodata=nodata,
        resampling=Resampling.nearest if categorical else Resampling.bilinear,
    )
    t: Affine = transform
    x0, y1 = t.c, t.f
    x1, y0 = x0 + width * t.a, y1 + height * t.e
    to_ll = Transformer.from_crs(dst, "EPSG:4326", always_xy=True)
    (w, e), (s, n) = (lambda xy: (xy[0], xy[1]))(to_ll.transform([x0, x1], [y0, y1]))
    return out, (float(w), float(s), float(e), float(n))


def png_bytes(rgba: NDArray[np.uint8]) -> bytes:
    """Encode an RGBA (or grey) uint8 image as PNG bytes."""
    buf = io.BytesIO()
    matplotlib.image.imsave(buf, rgba, format="png", cmap="gray" if rgba.ndim == 2 else None)
    return buf.getvalue()


def palette_rgba(
    classes: NDArray[np.integer], colors: tuple[tuple[int, int, int], ...], *, alpha: int = 255
) -> NDArray[np.uint8]:
    """Colour an integer class grid; class 0 (or below) is transparent."""
    lut = np.zeros((len(colors), 4), dtype=np.uint8)
    lut[:, :3] = colors
    lut[1:, 3] = alpha
    idx = np.clip(np.asarray(classes, dtype=np.int64), 0, len(colors) - 1)
    return lut[idx]


def _data_uri(png: bytes) -> str:
    return "data:image/png;base64," + base64.b64encode(png).decode("ascii")


class _Bind(MacroElement):
    """Bind a popup or tooltip to the parent layer with plain Leaflet (no jQuery).

    The content is passed through Jinja's ``tojson``, which escapes ``<``, ``>``, ``&``
    and quotes, so it can never close the script or run as code; the caller HTML-escapes
    names so that Leaflet shows them as text.
    """

    _template = Template(
        """
        {% macro script(this, kwargs) %}
        {{ this._parent.get_name() }}.{{ this.method }}({{ this.content|tojson }},
            {{ this.options|tojson }});
        {% endmacro %}
        """
    )

    def __init__(self, method: str, content: str, options: dict[str, Any]) -> None:
        super().__init__()
        self._name = "Bind"
        self.method = method
        self.content = content
        self.options = options


def _esc(text: Any) -> str:
    """HTML-escape a name from an input file (quotes included)."""
    return html.escape(str(text), quote=True)


def _popup(rows: list[tuple[str, Any]], title: str) -> _Bind:
    body = "".join(f"<tr><th>{_esc(k)}</th><td>{_esc(_text(v))}</td></tr>" for k, v in rows)
    return _Bind("bindPopup", f"<b>{_esc(title)}</b><table>{body}</table>", {"maxWidth": 320})


def _tooltip(text: str) -> _Bind:
    return _Bind("bindTooltip", _esc(text), {"sticky": True})


def _with(layer: Any, *children: MacroElement) -> Any:
    """Add popups/tooltips to a layer and return it."""
    for child in children:
        layer.add_child(child)
    return layer


def _text(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "–" if not np.isfinite(v) else f"{float(v):,.1f}"
    return str(v)


def _margin_color(margin_db: float) -> str:
    if not np.isfinite(margin_db) or margin_db < 0:
        return "#d73027"
    return "#1a9850" if margin_db >= 10 else "#fc8d59"


def coverage_map(plan: Plan, *, language: str = "es") -> folium.Map:
    """Build the interactive map of a plan.

    Parameters
    ----------
    plan
        The plan (working CRS); rasters and layers are reprojected for display only.
    language
        "es" or "en": labels of layers, legend and popups.

    Returns
    -------
    folium.Map
        With no tile layer (terrain is a hillshade image overlay), layers in a control,
        a legend, and only Leaflet itself as a script dependency. Save it with
        :func:`map_html` for an offline page.
    """
    L = lambda key: label(key, language)  # noqa: E731
    terrain = plan.terrain
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    # Only Leaflet: no jQuery, Bootstrap or icon fonts from CDNs (see map_html).
    m.default_js = [("leaflet", LEAFLET_URLS["leaflet"])]
    m.default_css = [("leaflet_css", LEAFLET_URLS["leaflet_css"])]

    shade, bounds = to_web_mercator(
        hillshade(terrain.elevation_m, terrain.cell_size_m), terrain, nodata=0
    )
    w, s, e, n = bounds
    overlay_bounds = [[s, w], [n, e]]
    folium.raster_layers.ImageOverlay(
        _data_uri(
            png_bytes(np.dstack([shade] * 3 + [np.where(shade > 0, 255, 0)]).astype(np.uint8))
        ),
        bounds=overlay_bounds,
        name=L("terrain"),
        opacity=1.0,
        interactive=False,
    ).add_to(m)

    rx = np.where(np.isfinite(plan.coverage_dbm), plan.coverage_dbm, np.nan).astype(np.float32)
    cls = rx_classes(rx)
    cls_web, _ = to_web_mercator(cls, terrain, nodata=0, categorical=True)
    folium.raster_layers.ImageOverlay(
        _data_uri(png_bytes(palette_rgba(cls_web, RX_CLASS_COLORS, alpha=170))),
        bounds=overlay_bounds,
        name=L("coverage_best"),
        interactive=False,
    ).add_to(m)

    access = plan.access_sites.reset_index(drop=True)
    server = np.asarray(plan.best_server, dtype=np.int64)
    server_web, _ = to_web_mercator(
        (server + 1).astype(np.int16), terrain, nodata=0, categorical=True
    )
    if len(access):
        colors = tuple(BEST_SERVER_COLORS[i % len(BEST_SERVER_COLORS)] for i in range(len(access)))
        folium.raster_layers.ImageOverlay(
            _data_uri(png_bytes(palette_rgba(server_web, ((0, 0, 0), *colors), alpha=150))),
            bounds=overlay_bounds,
            name=L("best_server"),
            show=False,
            interactive=False,
        ).add_to(m)
    for i, row in access.iterrows():
        mine = np.where(server_web == int(i) + 1, cls_web, 0)
        folium.raster_layers.ImageOverlay(
            _data_uri(png_bytes(palette_rgba(mine, RX_CLASS_COLORS, alpha=190))),
            bounds=overlay_bounds,
            name=html.escape(f"{L('coverage_site')} {row['site_id']}"),
            show=False,
            interactive=False,
        ).add_to(m)

    to_ll = Transformer.from_crs(plan.crs, "EPSG:4326", always_xy=True)

    def ll(x: Any, y: Any) -> tuple[Any, Any]:
        lon, lat = to_ll.transform(x, y)
        return lat, lon

    g_veredas = folium.FeatureGroup(name=L("veredas"), show=True)
    per_vereda = {str(v["vereda"]): v for v in summarize(plan)["veredas"]}
    for row in plan.veredas.to_crs("EPSG:4326").itertuples():
        v = per_vereda.get(str(row.name))
        figures = (
            [
                (f"{L('people')} {L('covered').lower()}", v["people_covered"]),
                (f"{L('people')} {L('uncovered').lower()}", v["people_uncovered"]),
                (f"{L('schools')} {L('covered').lower()}", v["schools_covered"]),
                (f"{L('schools')} {L('uncovered').lower()}", v["schools_uncovered"]),
            ]
            if v
            else []
        )
        _with(
            folium.GeoJson(
                {"type": "Feature", "properties": {}, "geometry": row.geometry.__geo_interface__},
                style_function=lambda _f: {
                    "color": "#333333",
                    "weight": 2,
                    "fill": True,
                    "fillOpacity": 0.0,
                },
            ),
            _tooltip(str(row.name)),
            _popup(figures, f"{L('vereda')}: {row.name}"),
        ).add_to(g_veredas)
    g_veredas.add_to(m)

    site_xy = {str(r.site_id): (r.geometry.x, r.geometry.y) for r in plan.sites.itertuples()}
    g_links = folium.FeatureGroup(name=L("links"), show=True)
    for r in plan.links.itertuples():
        a, b = str(r.site_a), str(r.site_b)
        coords = (
            [ll(x, y) for x, y in r.geometry.coords]
            if r.geometry is not None
            else [ll(*site_xy[a]), ll(*site_xy[b])]
        )
        _with(
            folium.PolyLine(
                coords,
                color=_margin_color(float(r.margin_db)),
                weight=4,
                opacity=0.9,
            ),
            _tooltip(f"{a} – {b}: {float(r.margin_db):.1f} dB"),
            _popup(
                [
                    (L("length_km"), float(r.length_m) / 1000.0),
                    (L("margin_db"), float(r.margin_db)),
                    (L("clearance"), float(r.clearance_ratio)),
                    (L("capacity_mbps"), float(r.capacity_mbps)),
                ],
                f"{a} – {b}",
            ),
        ).add_to(g_links)
    g_links.add_to(m)

    g_sites = folium.FeatureGroup(name=L("sites"), show=True)
    for r in plan.sites.itertuples():
        lat, lon = ll(r.geometry.x, r.geometry.y)
        title = f"{r.site_id} · {r.name}"
        _with(
            folium.CircleMarker(
                (lat, lon),
                radius=8 if r.role == "pop" else 7,
                color="#ffffff",
                weight=2,
                fill=True,
                fill_color=_ROLE_COLORS.get(str(r.role), "#444444"),
                fill_opacity=1.0,
            ),
            _tooltip(title),
            _popup(
                [
                    (L("role"), L(str(r.role))),
                    (L("mast_m"), float(r.mast_height_m)),
                    (L("ground_m"), float(r.ground_elevation_m)),
                    (L("people"), float(r.people_covered)),
                    (L("schools"), int(r.schools_covered)),
                    ("USD", float(r.cost_usd)),
                ],
                title,
            ),
        ).add_to(g_sites)
    g_sites.add_to(m)

    demand = plan.demand
    is_school = (demand["kind"] == "school").to_numpy()
    many = int((~is_school).sum()) > MAX_DEMAND_MARKERS
    for covered, key, color in (
        (True, "demand_covered", "#1a9850"),
        (False, "demand_uncovered", "#d73027"),
    ):
        group = folium.FeatureGroup(name=L(key), show=True)
        sel = demand["covered"].astype(bool).to_numpy() == covered
        if many:  # thousands of population cells: one image per group, markers for schools
            cells = _demand_cells(plan, sel & ~is_school)
            web, _ = to_web_mercator(cells, terrain, nodata=0, categorical=True)
            rgb = (26, 152, 80) if covered else (215, 48, 39)
            folium.raster_layers.ImageOverlay(
                _data_uri(png_bytes(palette_rgba(web, ((0, 0, 0), rgb), alpha=220))),
                bounds=overlay_bounds,
                interactive=False,
            ).add_to(group)
            sel &= is_school
        for r in demand[sel].itertuples():
            lat, lon = ll(r.geometry.x, r.geometry.y)
            school = r.kind == "school"
            reason = "covered_reason" if r.reason == "covered" else str(r.reason)
            _with(
                folium.CircleMarker(
                    (lat, lon),
                    radius=7
                    if school
                    else float(np.clip(3 + np.sqrt(max(r.population, 0)) / 3, 3, 14)),
                    color="#000000" if school else color,
                    weight=2 if school else 1,
                    fill=True,
                    fill_color=color,
                    fill_opacity=0.9,
                ),
                _tooltip(str(r.name)),
                _popup(
                    [
                        (L("vereda"), str(r.vereda)),
                        (L("people"), float(r.population)),
                        (L("households"), float(r.households)),
                        (L("rx_dbm"), float(r.rx_dbm)),
                        (L("site"), str(r.best_site) or "–"),
                        (L("reason"), L(reason)),
                    ],
                    f"{L('school') if school else L('people')}: {r.name}",
                ),
            ).add_to(group)
        group.add_to(m)

    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    root.html.add_child(Element(_legend_html(plan, language)))
    m.fit_bounds([[s, w], [n, e]])
    return m


def _demand_cells(plan: Plan, mask: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Cells (1) holding the selected demand points, widened to the points' spacing.

    Points are dropped into the terrain grid; each is then spread over a square of about
    the median distance to its nearest neighbour, so a 90 m demand grid reads as a
    continuous area on a 30 m terrain grid.
    """
    t = plan.terrain
    cells = np.zeros(t.shape, dtype=np.uint8)
    pts = plan.demand.geometry[mask]
    if len(pts) == 0:
        return cells
    x, y = pts.x.to_numpy(), pts.y.to_numpy()
    row, col = t.rowcol(x, y)
    inside = (row >= 0) & (row < t.shape[0]) & (col >= 0) & (col < t.shape[1])
    cells[row[inside], col[inside]] = 1
    all_pts = plan.demand.geometry[plan.demand["kind"] != "school"]
    xy = np.column_stack([all_pts.x.to_numpy(), all_pts.y.to_numpy()])
    if len(xy) > 1:
        dist, _ = cKDTree(xy).query(xy, k=2)
        size = int(np.clip(round(float(np.median(dist[:, 1])) / t.cell_size_m), 1, 15))
        if size > 1:
            cells = ndimage.maximum_filter(cells, size=size)
    return cells


def _legend_html(plan: Plan, language: str) -> str:
    e = html.escape
    L = lambda key: e(label(key, language))  # noqa: E731
    swatch = (
        '<i style="display:inline-block;width:12px;height:12px;background:{};margin-right:4px"></i>'
    )
    rows = [f"<b>{L('rx_dbm')}</b>"]
    for (r, g, b), text in zip(RX_CLASS_COLORS[1:], rx_class_labels(), strict=True):
        rows.append(swatch.format(f"rgb({r},{g},{b})") + e(text))
    rows.append(f"<b>{L('sites')}</b>")
    rows += [swatch.format(c) + L(role) for role, c in _ROLE_COLORS.items()]
    rows.append(f"<b>{L('margin_db')}</b>")
    rows += [
        swatch.format("#1a9850") + "≥ 10",
        swatch.format("#fc8d59") + "0 … 10",
        swatch.format("#d73027") + "&lt; 0",
    ]
    rows += [
        swatch.format("#1a9850") + L("demand_covered"),
        swatch.format("#d73027") + L("demand_uncovered"),
    ]
    models = "; ".join(f"{k}: {v}" for k, v in plan.models.items())
    return (
        '<div id="coverage-title" style="position:fixed;top:10px;left:60px;z-index:1000;'
        "background:rgba(255,255,255,.9);padding:4px 10px;font:bold 15px sans-serif;"
        f'border-radius:4px">{L("title")}: {e(plan.name)}</div>'
        '<div id="coverage-legend" style="position:fixed;bottom:50px;left:10px;z-index:1000;'
        "background:rgba(255,255,255,.92);padding:8px 10px;font:12px sans-serif;"
        f'border-radius:4px;max-width:260px;line-height:1.5"><b>{L("legend")}</b><br>'
        + "<br>".join(rows)
        + f'<div style="margin-top:4px;font-size:10px;color:#555">{L("models")}: {e(models)}'
        "</div></div>"
    )


def leaflet_assets() -> Path | None:
    """Folder of a local Leaflet copy (``leaflet.js`` + ``leaflet.css``), or None.

    Looks first in ``$COVERAGE_LEAFLET_DIR``, then in :data:`LEAFLET_DIRS` (Debian's
    ``libjs-leaflet`` installs ``/usr/share/javascript/leaflet``).
    """
    candidates = [os.environ.get("COVERAGE_LEAFLET_DIR", ""), *LEAFLET_DIRS]
    for c in candidates:
        if c and (Path(c) / "leaflet.js").is_file() and (Path(c) / "leaflet.css").is_file():
            return Path(c)
    return None


def _inline_css(folder: Path) -> str:
    css = (folder / "leaflet.css").read_text(encoding="utf-8")

    def repl(mt: re.Match[str]) -> str:
        img = folder / mt.group(1)
        if img.is_file() and img.suffix == ".png":
            return f"url({_data_uri(img.read_bytes())})"
        return mt.group(0)

    return re.sub(r"url\((images/[\w.-]+)\)", repl, css)


_FOLIUM_ID = re.compile(r"_([0-9a-f]{32})(?![0-9a-f])")


def _stable_ids(page: str) -> str:
    """Replace folium's random element ids by counters, so the same map gives the same page."""
    ids: dict[str, str] = {}

    def repl(mt: re.Match[str]) -> str:
        return "_" + ids.setdefault(mt.group(1), f"id{len(ids):05d}")

    return _FOLIUM_ID.sub(repl, page)


def map_html(m: folium.Map, *, offline: bool = True) -> str:
    """Render a map to one HTML page, with Leaflet inlined when ``offline``.

    With ``offline`` and a local Leaflet copy (see :func:`leaflet_assets`), the page has no
    external script or stylesheet: it works without internet. Without a local copy it keeps
    the CDN links and logs a warning naming the fix (``apt-get install libjs-leaflet`` or
    ``$COVERAGE_LEAFLET_DIR``).
    """
    page = _stable_ids(m.get_root().render())
    if not offline:
        return page
    folder = leaflet_assets()
    if folder is None:
        log.warning(
            "No local Leaflet copy found (looked in $COVERAGE_LEAFLET_DIR and %s); the map "
            "needs internet to load Leaflet. Install Debian's libjs-leaflet or set "
            "COVERAGE_LEAFLET_DIR to a folder with leaflet.js and leaflet.css.",
            ", ".join(LEAFLET_DIRS),
        )
        return page
    js = (folder / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = _inline_css(folder).replace("</style", "<\\/style")
    script_tag = f'<script src="{LEAFLET_URLS["leaflet"]}"></script>'
    css_tag = f'<link rel="stylesheet" href="{LEAFLET_URLS["leaflet_css"]}"/>'
    if script_tag not in page or css_tag not in page:
        log.warning("Leaflet links not found in the rendered map; left as they are.")
        return page
    page = page.replace(script_tag, f"<script>{js}</script>", 1)
    return page.replace(css_tag, f"<style>{css}</style>", 1)
