"""What Google Earth shows of a plan besides its features: the legend image and the first view.

:func:`legend_png` draws the KMZ's legend, which the KML shows as a ``ScreenOverlay`` fixed
to the screen's lower left corner (OGC KML 2.2, clause 11.7): the signal classes in the
palette of every other output, with the service threshold marked between the last class
below it and the first at or above it, as the web map's legend does
(:func:`coverage.outputs.styles.rx_legend`), then the demand's service classes in their
colours. :func:`look_at` is the document's ``LookAt`` (clause 14.2): the camera straight
above the middle of the territory's sub-districts, far enough to see all of them.

The legend is drawn with matplotlib's Agg canvas, without pyplot, and written with fixed
metadata, so the same plan gives the same bytes.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import matplotlib as mpl
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle
from pyproj import Transformer

from coverage.outputs.files import figure_png
from coverage.outputs.labels import labeller
from coverage.outputs.service import SERVICE_CLASSES, existing_service_summary
from coverage.outputs.styles import SERVICE_COLORS, rx_legend
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text
from coverage.outputs.words import plan_words
from coverage.plan import Plan

__all__ = [
    "LEGEND_DPI",
    "VIEW_FOV_DEG",
    "VIEW_MARGIN",
    "LookAt",
    "legend_png",
    "legend_rows",
    "look_at",
]

#: Resolution of the legend image (dots per inch): 12 pt text is 20 px high on screen.
LEGEND_DPI = 120
#: Google Earth's horizontal field of view (degrees) that :func:`look_at` frames the
#: territory in. ASSUMPTION: 60°, Google Earth's default ("Google Earth User Guide",
#: View > Field of view); a narrower screen shows a little less of the margin.
VIEW_FOV_DEG = 60.0
#: How much wider than the territory the first view is (ASSUMPTION: a 20 % margin, so the
#: sub-districts' edges are not at the screen's edge).
VIEW_MARGIN = 1.2
#: Height (inches) of one legend row and width of the image.
_ROW_IN = 0.22
_WIDTH_IN = 2.6


@dataclass(frozen=True)
class LookAt:
    """A KML ``LookAt``: where the camera looks and from how far.

    Attributes
    ----------
    lon_deg, lat_deg
        The point looked at (WGS84 degrees), on the ground.
    range_m
        Distance (metres) from that point to the camera, straight above it (tilt 0).
    """

    lon_deg: float
    lat_deg: float
    range_m: float


def look_at(plan: Plan) -> LookAt:
    """The first view of the KMZ: the whole territory from straight above.

    Parameters
    ----------
    plan
        The plan: its sub-districts (or, without any, its terrain) in the working CRS.

    Returns
    -------
    LookAt
        The middle of the sub-districts' bounds, and the range at which the larger of their
        width and height, times :data:`VIEW_MARGIN`, fills :data:`VIEW_FOV_DEG`.
    """
    if len(plan.veredas) and not plan.veredas.geometry.is_empty.all():
        xmin, ymin, xmax, ymax = (float(v) for v in plan.veredas.total_bounds)
    else:
        xmin, ymin, xmax, ymax = (float(v) for v in plan.terrain.bounds)
    to_ll = Transformer.from_crs(plan.crs, "EPSG:4326", always_xy=True)
    lon, lat = to_ll.transform((xmin + xmax) / 2.0, (ymin + ymax) / 2.0)
    extent_m = max(xmax - xmin, ymax - ymin, 1.0) * VIEW_MARGIN
    range_m = extent_m / 2.0 / math.tan(math.radians(VIEW_FOV_DEG / 2.0))
    return LookAt(float(lon), float(lat), float(range_m))


def legend_rows(plan: Plan, language: str) -> list[tuple[str, str | None, str]]:
    """The rows of the KMZ legend, top to bottom.

    Parameters
    ----------
    plan
        The plan: its class edges, service threshold and whether it has existing service.
    language
        "es" or "en".

    Returns
    -------
    list of (kind, colour, text)
        ``kind`` is "heading" (colour None), "swatch" (colour ``"#rrggbb"``) or
        "threshold" (colour None: the line that marks the service threshold).
    """
    L = labeller(language, plan_words(plan, language))
    rows: list[tuple[str, str | None, str]] = [("heading", None, L("rx_dbm"))]
    for rgb, text in rx_legend(plan, L("service_threshold")):
        if rgb is None:
            rows.append(("threshold", None, text))
        else:
            rows.append(("swatch", "#{:02x}{:02x}{:02x}".format(*rgb), text))
    rows.append(("heading", None, f"{L('demand')}: {L('service').lower()}"))
    present = existing_service_summary(plan)["present"]
    classes = SERVICE_CLASSES if present else SERVICE_CLASSES[1:]
    rows += [("swatch", SERVICE_COLORS[c], L(c)) for c in classes]
    return [(k, c, safe_text(t, "matplotlib")) for k, c, t in rows]


def legend_png(plan: Plan, language: str = "es") -> bytes:
    """The KMZ's legend image: signal classes with the threshold marked, demand service.

    Parameters
    ----------
    plan
        The plan.
    language
        "es" or "en".

    Returns
    -------
    bytes
        A PNG of :func:`legend_rows` on a white, slightly transparent panel; the same bytes
        for the same plan.
    """
    rows = legend_rows(plan, language)
    height_in = _ROW_IN * (len(rows) + 0.6)
    with mpl.rc_context(MATPLOTLIB_TEXT_RC):  # a "$" in a name is text, not mathtext
        fig = Figure(figsize=(_WIDTH_IN, height_in), dpi=LEGEND_DPI)
        FigureCanvasAgg(fig)
        fig.patch.set_facecolor((1, 1, 1, 0.9))
        ax = fig.add_axes((0, 0, 1, 1))
        ax.set_axis_off()
        ax.set_xlim(0, _WIDTH_IN)
        ax.set_ylim(height_in, 0)
        for i, (kind, color, text) in enumerate(rows):
            y = _ROW_IN * (i + 0.8)
            if kind == "heading":
                ax.text(0.08, y, text, fontsize=8, fontweight="bold", va="center")
                continue
            if kind == "threshold":
                ax.plot([0.1, 0.3], [y, y], color="#000000", linewidth=2)
            else:
                side = _ROW_IN * 0.7
                square = (0.12, y - side / 2)
                ax.add_patch(Rectangle(square, side, side, facecolor=color, edgecolor="#555555"))
            ax.text(0.4, y, text, fontsize=7.5, va="center")
    return figure_png(fig, "KMZ legend", dpi=LEGEND_DPI)
