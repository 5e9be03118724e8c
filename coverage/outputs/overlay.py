"""One grid as a PNG picture in EPSG:4326 and a KML ground overlay of it, for the raster commands.

``coverage-plan pathloss --kml`` and ``viewshed --kml`` write, beside their GeoTIFF, the
grid's classes coloured with the project's palette (:mod:`coverage.outputs.styles`) and
reprojected onto a lon/lat grid, as a KML ``GroundOverlay`` requires (OGC KML 2.2, OGC
07-147r2), and a KML document that lays the picture at its bounds, with the legend as a
picture fixed in the view's lower left corner (a ``ScreenOverlay``, ``<stem>.legend.png``)
and in the overlay's description (HTML, shown when the overlay is clicked).

Path loss is drawn in :data:`LOSS_CLASS_EDGES_DB` classes, the received-power classes'
greens (:data:`~coverage.outputs.styles.RX_CLASS_COLORS`), darker for less loss, as the
signal is stronger there; a viewshed in one green, visible cells only; a count of sites in
the same greens, darker for more sites.
"""

from __future__ import annotations

import functools
import io
import os
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from pathlib import Path

import matplotlib
import numpy as np
from numpy.typing import NDArray

from coverage.inputs.terrain import Terrain
from coverage.outputs.kml import KML_NS, _sub
from coverage.outputs.styles import RX_CLASS_COLORS, palette_rgba, png_bytes, to_web_mercator
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text

__all__ = [
    "LOSS_CLASS_EDGES_DB",
    "Legend",
    "count_legend",
    "loss_legend",
    "visible_legend",
    "write_overlay",
]

#: Edges (dB) of the path-loss classes: class 5 below 110 dB, class 1 at or above 140 dB, 0
#: no prediction. ASSUMPTION: 10 dB steps (the received-power classes' step,
#: :data:`~coverage.outputs.styles.RX_CLASS_STEP_DB`) over the losses of rural access at
#: 700-2600 MHz out to a few kilometres.
LOSS_CLASS_EDGES_DB = (110.0, 120.0, 130.0, 140.0)


@dataclass(frozen=True)
class Legend:
    """How a grid is coloured: its class per cell and the words of each class.

    Attributes
    ----------
    classes
        Class per cell (uint8), 0 transparent, 1-5 :data:`RX_CLASS_COLORS` lighter to darker.
    labels
        The words of classes 1-5 that occur in the legend, by class number.
    title
        What the grid is, e.g. "path loss (dB)".
    """

    classes: NDArray[np.uint8]
    labels: dict[int, str]
    title: str


def loss_legend(loss_db: NDArray[np.floating]) -> Legend:
    """Path-loss classes: class 5 below 110 dB ... class 1 at or above 140 dB (NaN: 0).

    Parameters
    ----------
    loss_db
        Basic transmission loss per cell (dB); NaN where there is no prediction.

    Returns
    -------
    Legend
        The classes and their words.
    """
    edges = LOSS_CLASS_EDGES_DB
    finite = np.isfinite(loss_db)
    cls = np.zeros(loss_db.shape, dtype=np.uint8)
    cls[finite] = (len(edges) + 1 - np.digitize(loss_db[finite], edges)).astype(np.uint8)
    labels = {5: f"< {edges[0]:g} dB", 1: f">= {edges[-1]:g} dB"}
    for i in range(len(edges) - 1):
        labels[4 - i] = f"{edges[i]:g}-{edges[i + 1]:g} dB"
    return Legend(cls, dict(sorted(labels.items(), reverse=True)), "path loss (dB)")


def visible_legend(visible: NDArray[np.bool_]) -> Legend:
    """A viewshed: visible cells in the threshold class's green, the rest transparent.

    Parameters
    ----------
    visible
        True where visible.

    Returns
    -------
    Legend
        The classes and their words.
    """
    cls = np.where(visible, 4, 0).astype(np.uint8)
    return Legend(cls, {4: "visible"}, "viewshed")


def count_legend(count: NDArray[np.integer]) -> Legend:
    """How many sites see each cell: 1, 2, 3, 4 and 5 or more sites, lighter to darker.

    Parameters
    ----------
    count
        Sites seeing each cell.

    Returns
    -------
    Legend
        The classes and their words.
    """
    cls = np.clip(count, 0, 5).astype(np.uint8)
    labels = {k: f"{k} site{'s' if k > 1 else ''}" for k in (1, 2, 3, 4)}
    labels[5] = "5 or more sites"
    return Legend(cls, dict(sorted(labels.items(), reverse=True)), "sites that see the cell")


def _hex(cls: int) -> str:
    """The ``"#rrggbb"`` colour of class ``cls``."""
    return "#{:02x}{:02x}{:02x}".format(*RX_CLASS_COLORS[cls])


def _legend_html(legend: Legend) -> str:
    e = functools.partial(safe_text, sink="kml_description")
    rows = "".join(
        f'<tr><td style="background:{_hex(k)}">&#160;&#160;&#160;&#160;</td><td>{e(text)}</td></tr>'
        for k, text in legend.labels.items()
    )
    return f"<b>{e(legend.title)}</b><table>{rows}</table>"


def _legend_png(legend: Legend) -> bytes:
    """The legend as a small PNG: a swatch and the words of each class, under the title."""
    from matplotlib.figure import Figure
    from matplotlib.patches import Patch

    with matplotlib.rc_context(MATPLOTLIB_TEXT_RC):
        fig = Figure(figsize=(2.2, 0.35 + 0.22 * len(legend.labels)), dpi=100)
        handles = [
            Patch(
                facecolor=_hex(k),
                edgecolor="#555555",
                label=text,
            )
            for k, text in legend.labels.items()
        ]
        fig.legend(
            handles=handles,
            labels=[safe_text(h.get_label(), "matplotlib") for h in handles],
            title=safe_text(legend.title, "matplotlib"),
            loc="center",
            frameon=True,
            fontsize=8,
            title_fontsize=8,
        )
        buf = io.BytesIO()
        fig.savefig(buf, format="png", bbox_inches="tight", pad_inches=0.02)
    return buf.getvalue()


def write_overlay(
    terrain: Terrain,
    legend: Legend,
    png: str | os.PathLike[str],
    kml: str | os.PathLike[str] | None = None,
    *,
    name: str,
) -> list[Path]:
    """Write the coloured grid as a PNG in EPSG:4326, and a KML ground overlay of it.

    Parameters
    ----------
    terrain
        The grid the classes lie on (its CRS and transform).
    legend
        The classes and their words (:func:`loss_legend`, :func:`visible_legend`,
        :func:`count_legend`).
    png
        The PNG to write: classes 1-5 in :data:`RX_CLASS_COLORS`, class 0 transparent, on a
        lon/lat grid (nearest-neighbour resampling, so classes stay classes).
    kml
        The KML to write beside it, or None for the PNG only; it refers to the PNG and to
        the legend picture it writes beside them (``<png stem>.legend.png``) by their file
        names, so keep the three together.
    name
        The overlay's name in the KML (the site's name).

    Returns
    -------
    list of Path
        The files written.
    """
    cls_ll, (w, s, e, n) = to_web_mercator(
        legend.classes, terrain, nodata=0, categorical=True, dst_crs="EPSG:4326"
    )
    png_path = Path(png)
    png_path.write_bytes(png_bytes(palette_rgba(cls_ll, RX_CLASS_COLORS, alpha=255)))
    if kml is None:
        return [png_path]
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", name)
    go = _sub(doc, "GroundOverlay")
    _sub(go, "name", f"{name}: {legend.title}")
    _sub(go, "description", _legend_html(legend))
    _sub(go, "color", "b4ffffff")  # 70 % opaque over the imagery
    _sub(_sub(go, "Icon"), "href", png_path.name)
    box = _sub(go, "LatLonBox")
    for tag, v in (("north", n), ("south", s), ("east", e), ("west", w)):
        _sub(box, tag, f"{v:.8f}")
    legend_path = png_path.with_suffix(".legend.png")
    legend_path.write_bytes(_legend_png(legend))
    so = _sub(doc, "ScreenOverlay")
    _sub(so, "name", f"{legend.title}: legend")
    _sub(_sub(so, "Icon"), "href", legend_path.name)
    for tag, xy in (("overlayXY", "0"), ("screenXY", "0.02")):  # lower left, a little in
        _sub(so, tag, x=xy, y=xy, xunits="fraction", yunits="fraction")
    _sub(so, "size", x="0", y="0", xunits="pixels", yunits="pixels")  # the image's own size
    ET.indent(root)
    kml_path = Path(kml)
    kml_path.write_text(
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode"),
        encoding="utf-8",
    )
    return [png_path, legend_path, kml_path]
