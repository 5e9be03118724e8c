"""What the outputs look like: received-power classes, colours, and the raster pictures.

The interactive map, the static map, the KML, the GeoTIFF colour tables and the comparison
figures draw the same classes in the same colours over the same hillshade, so those live
here, apart from any one writer; :mod:`coverage.outputs.labels` holds the words. Besides
the constants, this module turns grids into pictures: the received-power classes, an
analytical hillshade, the reprojection of a grid for a Leaflet or KML overlay, a colour
palette, PNG encoding, and the grid cells of thousands of demand points, to draw them as an
area (:func:`demand_cells`). It makes no map and writes no file.

Colours are ``"#rrggbb"`` text where the writers take text (folium, matplotlib), and
``(r, g, b)`` tuples of 0-255 where a grid is coloured (:func:`palette_rgba`, colour tables).
"""

from __future__ import annotations

import colorsys
import io
import itertools
import math
from typing import Any

import matplotlib.image
import numpy as np
import rasterio.warp
from affine import Affine
from numpy.typing import NDArray
from pyproj import Transformer
from rasterio.crs import CRS
from rasterio.enums import Resampling
from scipy import ndimage
from scipy.spatial import cKDTree

from coverage.inputs.terrain import Terrain
from coverage.plan import Plan

__all__ = [
    "BEST_SERVER_COLORS",
    "COVERED_COLOR",
    "EXISTING_SITE_COLOR",
    "GOOD_MARGIN_DB",
    "MARGIN_COLORS",
    "MARGIN_DASHES",
    "MAX_DEMAND_MARKERS",
    "ROLE_COLORS",
    "RX_CLASS_COLORS",
    "RX_CLASS_EDGES_DBM",
    "RX_CLASS_STEP_DB",
    "SERVICE_COLORS",
    "THRESHOLD_CLASS",
    "UNCOVERED_COLOR",
    "best_server_colors",
    "demand_cells",
    "hex_rgb",
    "hillshade",
    "margin_class",
    "palette_rgba",
    "plan_rx_edges",
    "png_bytes",
    "rx_class_edges",
    "rx_class_labels",
    "rx_classes",
    "rx_legend",
    "threshold_text",
    "to_web_mercator",
]

#: Edges (dBm) of the received-power classes 1..5 of a plan that states no service threshold
#: (a hand-built plan): class 1 is below -105 dBm, class 5 at or above -75 dBm; 0 is no
#: signal. A plan with a threshold gets edges built on it (:func:`rx_class_edges`).
RX_CLASS_EDGES_DBM = (-105.0, -95.0, -85.0, -75.0)
#: Width (dB) of the received-power classes around the service threshold.
RX_CLASS_STEP_DB = 10.0
#: The first received-power class at or above the service threshold (:func:`rx_class_edges`).
THRESHOLD_CLASS = 3
#: RGB colours of the received-power classes 0 (no signal, transparent) to 5: ColorBrewer's
#: sequential "Greens" (Brewer, C.A., colorbrewer2.org, 2002), one hue growing darker with
#: the signal, so it reads in order under any colour-vision deficiency; no other meaning of
#: the outputs is green (tests/outputs/test_styles.py).
RX_CLASS_COLORS = (
    (0, 0, 0),
    (237, 248, 233),
    (186, 228, 179),
    (116, 196, 118),
    (49, 163, 84),
    (0, 109, 44),
)
#: The first colours of best-server areas (Paul Tol's "muted" qualitative scheme, Tol, P.,
#: "Colour Schemes", SRON/EPS/TN/09-002, 2021); :func:`best_server_colors` adds more, so
#: every access site has its own colour however many there are.
BEST_SERVER_COLORS = (
    (204, 102, 119),
    (51, 34, 136),
    (221, 204, 119),
    (17, 119, 51),
    (136, 204, 238),
    (136, 34, 85),
    (68, 170, 153),
    (153, 153, 51),
    (170, 68, 153),
)
#: Colours of a demand point's service class (``plan.demand["service"]``): already served by
#: an existing mobile cell (blue), newly served by the plan's sites (sky blue), still unserved
#: (vermillion): served reads as blue, old darker than new. From Okabe & Ito's colour-blind-safe
#: palette (Okabe, M. and Ito, K., "Color Universal Design", 2008); chosen among its triples
#: for the largest smallest CIELAB difference under simulated protanopia, deuteranopia and
#: tritanopia (Machado et al. 2009), about 25 (tests/outputs/test_styles.py). The green of
#: Okabe & Ito is left out: under tritanopia it nears the blue, and green is the signal
#: classes' hue. Satellite (reddish purple) and school hotspot (yellow) are
#: from the same palette; the yellow stays at least 33 apart from the others under each
#: simulated deficiency (the same test).
SERVICE_COLORS = {
    "served_existing": "#0072b2",
    "served_new": "#56b4e9",
    "served_hotspot": "#f0e442",
    "served_satellite": "#cc79a7",
    "unserved": "#d55e00",
}
#: Colours of the site roles, in the order the legends list them: black, and Paul Tol's
#: indigo and wine (Tol 2021), chosen with the link colours below by a search for the
#: largest smallest CIELAB difference to the service and signal colours under each simulated
#: colour-vision deficiency (at least 14, tests/outputs/test_styles.py).
ROLE_COLORS = {"pop": "#000000", "access": "#332288", "relay": "#882255"}
#: Colours of demand covered and not covered: the service colours of the same meaning.
COVERED_COLOR = SERVICE_COLORS["served_new"]
UNCOVERED_COLOR = SERVICE_COLORS["unserved"]
#: Colour of the ring that marks an existing mobile site (the colour of the service it gives).
EXISTING_SITE_COLOR = SERVICE_COLORS["served_existing"]
#: A backhaul link's margin class (see :func:`margin_class`) and its colour: dark brown
#: (Tol), grey and Okabe & Ito's orange; none is a service, site or signal colour, and the
#: writers draw them solid, dashed and dotted (:data:`MARGIN_DASHES`) besides.
MARGIN_COLORS = {"good": "#661100", "fair": "#777777", "bad": "#e69f00"}
#: Line pattern of each margin class: SVG/Leaflet ``dash_array`` text ("" is solid).
MARGIN_DASHES = {"good": "", "fair": "8 5", "bad": "2 5"}
#: Margin (dB) from which a link is drawn as good; from 0 dB up to it, as fair.
GOOD_MARGIN_DB = 10.0
#: Above this many population points, maps draw them as an image or dots, not as markers.
MAX_DEMAND_MARKERS = 400


def hex_rgb(color: str) -> tuple[int, int, int]:
    """The ``(r, g, b)`` (0-255) of a ``"#rrggbb"`` colour.

    Parameters
    ----------
    color
        Colour as ``"#rrggbb"``.

    Returns
    -------
    tuple of int
        Red, green and blue, 0-255.
    """
    r, g, b = (int(color[i : i + 2], 16) for i in (1, 3, 5))
    return r, g, b


def margin_class(margin_db: float) -> str:
    """The class of a backhaul link's fade margin, a key of :data:`MARGIN_COLORS`.

    Parameters
    ----------
    margin_db
        The link's margin (dB).

    Returns
    -------
    str
        "good" from :data:`GOOD_MARGIN_DB` up, "fair" from 0 dB up, else "bad" (NaN too).
    """
    if not np.isfinite(margin_db) or margin_db < 0:
        return "bad"
    return "good" if margin_db >= GOOD_MARGIN_DB else "fair"


def rx_class_edges(threshold_dbm: float | None = None) -> tuple[float, ...]:
    """Edges (dBm) of the received-power classes 1..5, built on the service threshold.

    Parameters
    ----------
    threshold_dbm
        The plan's service threshold (dBm, :attr:`coverage.plan.Plan.threshold_dbm`), or
        None for a plan that states none.

    Returns
    -------
    tuple of float
        Four increasing edges. With a threshold ``t``: ``t - 10, t, t + 10, t + 20``
        (:data:`RX_CLASS_STEP_DB`), so the threshold is the lower edge of class
        :data:`THRESHOLD_CLASS`: classes 1-2 lie below it, 3-5 at or above it. Without one:
        :data:`RX_CLASS_EDGES_DBM`.
    """
    if threshold_dbm is None or not math.isfinite(threshold_dbm):
        return RX_CLASS_EDGES_DBM
    t, w = float(threshold_dbm), RX_CLASS_STEP_DB
    return (t - w, t, t + w, t + 2 * w)


def plan_rx_edges(plan: Plan) -> tuple[float, ...]:
    """The received-power class edges (dBm) of a plan: :func:`rx_class_edges` of its threshold.

    Parameters
    ----------
    plan
        The plan; its ``threshold_dbm`` (None for a hand-built plan).

    Returns
    -------
    tuple of float
        Four increasing edges (dBm).
    """
    return rx_class_edges(getattr(plan, "threshold_dbm", None))


def rx_classes(
    rx_dbm: NDArray[np.floating], edges_dbm: tuple[float, ...] = RX_CLASS_EDGES_DBM
) -> NDArray[np.uint8]:
    """Classify received power into classes 0 (no signal) to 5 (strongest).

    Parameters
    ----------
    rx_dbm
        Received power (dBm), NaN where no signal.
    edges_dbm
        The four class edges (dBm), e.g. :func:`plan_rx_edges`.

    Returns
    -------
    numpy.ndarray of uint8
        Same shape: 0 for NaN, else 1-5 by ``edges_dbm`` (a value on an edge goes to the
        upper class).
    """
    rx = np.asarray(rx_dbm, dtype=np.float64)
    cls = np.digitize(np.nan_to_num(rx, nan=-np.inf), edges_dbm) + 1
    return np.where(np.isfinite(rx), cls, 0).astype(np.uint8)


def _dbm(x: float) -> str:
    return f"{x:.1f}".rstrip("0").rstrip(".")


def rx_class_labels(edges_dbm: tuple[float, ...] = RX_CLASS_EDGES_DBM) -> list[str]:
    """Text of the received-power classes 1..5.

    Parameters
    ----------
    edges_dbm
        The four class edges (dBm), e.g. :func:`plan_rx_edges`.

    Returns
    -------
    list of str
        E.g. ``"< -104 dBm"``, ``"-94 … -84 dBm"``, ``"≥ -74 dBm"`` (edges to 0.1 dB).
    """
    e = edges_dbm
    out = [f"< {_dbm(e[0])} dBm"]
    out += [f"{_dbm(lo)} … {_dbm(hi)} dBm" for lo, hi in itertools.pairwise(e)]
    out.append(f"≥ {_dbm(e[-1])} dBm")
    return out


def threshold_text(threshold_dbm: float | None, words: str) -> str:
    """The legend line that marks the service threshold, e.g. "service threshold −94 dBm".

    Parameters
    ----------
    threshold_dbm
        The service threshold (dBm); None gives "".
    words
        The words before the value, in the output's language (label ``service_threshold``).

    Returns
    -------
    str
        ``"<words> <value> dBm"``, or "" without a threshold.
    """
    if threshold_dbm is None or not math.isfinite(threshold_dbm):
        return ""
    return f"{words} {_dbm(float(threshold_dbm))} dBm"


def rx_legend(plan: Plan, words: str) -> list[tuple[tuple[int, int, int] | None, str]]:
    """The legend rows of the received-power classes, with the service threshold marked.

    Parameters
    ----------
    plan
        The plan: its class edges (:func:`plan_rx_edges`) and service threshold.
    words
        "service threshold" in the output's language (label ``service_threshold``).

    Returns
    -------
    list of (colour, text)
        One ``((r, g, b), label)`` per class 1..5, weakest first; for a plan with a
        threshold, a ``(None, "<words> <t> dBm")`` row between the last class below it and
        the first at or above it (the threshold is that edge).
    """
    texts = rx_class_labels(plan_rx_edges(plan))
    rows: list[tuple[tuple[int, int, int] | None, str]] = list(
        zip(RX_CLASS_COLORS[1:], texts, strict=True)
    )
    mark = threshold_text(getattr(plan, "threshold_dbm", None), words)
    if mark:
        rows.insert(THRESHOLD_CLASS - 1, (None, mark))
    return rows


def best_server_colors(n: int) -> tuple[tuple[int, int, int], ...]:
    """One colour per access site for the best-server areas, all different, for any ``n``.

    Parameters
    ----------
    n
        Number of access sites.

    Returns
    -------
    tuple of (int, int, int)
        ``n`` distinct ``(r, g, b)`` (0-255): :data:`BEST_SERVER_COLORS` first, then hues a
        golden angle (137.5°) apart at three alternating lightnesses, skipping any colour
        already given.
    """
    out = list(BEST_SERVER_COLORS[:n])
    seen = set(out)
    k = 0
    while len(out) < n:
        hue = (k * 137.50776405) % 360.0 / 360.0
        value = (0.85, 0.6, 0.4)[k % 3]
        r, g, b = (round(255 * c) for c in colorsys.hsv_to_rgb(hue, 0.65, value))
        k += 1
        if (r, g, b) not in seen:
            seen.add((r, g, b))
            out.append((r, g, b))
    return tuple(out)


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
        Direction of the light (degrees clockwise from north) and its height above the
        horizon (degrees).
    z_factor
        Vertical exaggeration (1 is none).

    Returns
    -------
    numpy.ndarray of uint8
        Same shape as ``elevation_m``.
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

    Parameters
    ----------
    array
        A grid of the terrain's shape.
    terrain
        The terrain whose cells ``array`` is on (its CRS, transform and bounds).
    nodata
        Value of ``array`` that means no data, and the fill outside the source grid.
    categorical
        Nearest-neighbour resampling (classes, indices) instead of bilinear.
    dst_crs
        The target CRS; ``"EPSG:4326"`` for a KML ground overlay.

    Returns
    -------
    array, bounds_lonlat
        The reprojected grid (same dtype, ``nodata`` outside) and the (west, south, east,
        north) of its outer edges in degrees (EPSG:4326), for a Leaflet image overlay or a
        KML ground overlay.
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
    """Encode an image as PNG.

    Parameters
    ----------
    rgba
        An RGBA (rows, columns, 4) or grey (rows, columns) image of uint8.

    Returns
    -------
    bytes
        The PNG file.
    """
    buf = io.BytesIO()
    matplotlib.image.imsave(buf, rgba, format="png", cmap="gray" if rgba.ndim == 2 else None)
    return buf.getvalue()


def palette_rgba(
    classes: NDArray[np.integer], colors: tuple[tuple[int, int, int], ...], *, alpha: int = 255
) -> NDArray[np.uint8]:
    """Colour an integer class grid.

    Parameters
    ----------
    classes
        Class per cell; values above the palette take its last colour.
    colors
        ``(r, g, b)`` (0-255) of each class, class 0 first.
    alpha
        Opacity (0-255) of classes 1 and up; class 0 (or below) is transparent.

    Returns
    -------
    numpy.ndarray of uint8
        RGBA image, shape ``classes.shape + (4,)``.
    """
    lut = np.zeros((len(colors), 4), dtype=np.uint8)
    lut[:, :3] = colors
    lut[1:, 3] = alpha
    idx = np.clip(np.asarray(classes, dtype=np.int64), 0, len(colors) - 1)
    return lut[idx]


def demand_cells(plan: Plan, mask: NDArray[np.bool_]) -> NDArray[np.uint8]:
    """Terrain cells holding the selected demand points, widened to the points' spacing.

    Points are dropped into the terrain grid; each is then spread over a square of about
    the median distance to its nearest neighbour (among every population point), so a 90 m
    demand grid reads as a continuous area on a 30 m terrain grid. The map draws thousands
    of population points this way.

    Parameters
    ----------
    plan
        The plan; its terrain grid and ``demand`` points (working CRS).
    mask
        Which rows of ``plan.demand`` to draw.

    Returns
    -------
    numpy.ndarray of uint8
        1 in the cells of the selected points (widened), 0 elsewhere; the terrain's shape.
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
