"""QGIS styles for the plan's rasters and GeoPackage layers, in the colours of the other outputs.

QGIS reads a layer's style from a ``.qml`` file of the same name beside a raster
(``coverage_rx_class.qml`` beside ``coverage_rx_class.tif``), and a GeoPackage layer's
default style from the GeoPackage's ``layer_styles`` table; both hold QML, QGIS's own XML
style format (QGIS Documentation, "Working with Layers: Styles", and the GeoPackage style
table of ``QgsOgrProviderUtils``). This module writes both:

- :func:`raster_styles` and :func:`write_raster_styles`: the signal-class raster as a
  paletted renderer with the class names, the best-server raster as a paletted renderer with
  one entry and colour per access site (its id), and received power as a discrete
  pseudocolour ramp whose breaks are the signal classes' edges, built on the service
  threshold (:func:`coverage.outputs.styles.rx_class_edges`);
- :func:`layer_styles_table` and :func:`write_layer_styles`: the ``layer_styles`` rows of
  the GeoPackage's layers: demand points by service class (served, unserved, by which
  technology), sites by role, backhaul links by fade-margin class, veredas as outlines only
  (no fill over the rasters), signal-class and best-server polygons.

The colours and class edges are those of :mod:`coverage.outputs.styles`, the words those of
:mod:`coverage.outputs.labels`; every label passes :func:`~coverage.outputs.text.safe_text`.
The QML is plain XML built with :mod:`xml.etree.ElementTree`, the same bytes for the same
plan.
"""

from __future__ import annotations

import os
import sqlite3
import xml.etree.ElementTree as ET
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import pandas as pd
import pyogrio

from coverage.outputs import _qml as qml
from coverage.outputs import styles
from coverage.outputs.files import safe_path, write_text
from coverage.outputs.labels import Labeller, labeller
from coverage.outputs.service import SERVICE_CLASSES
from coverage.outputs.text import safe_text
from coverage.outputs.words import plan_words
from coverage.plan import Plan

__all__ = [
    "LAYER_STYLES_COLUMNS",
    "QGIS_VERSION",
    "best_server_qml",
    "layer_styles_table",
    "raster_styles",
    "rx_class_qml",
    "rx_dbm_qml",
    "vector_qml",
    "write_layer_styles",
    "write_raster_styles",
]

#: The QGIS version the styles are written for.
QGIS_VERSION = qml.QGIS_VERSION
#: The columns of the ``layer_styles`` table QGIS reads from a GeoPackage, in its order.
LAYER_STYLES_COLUMNS = (
    "f_table_catalog",
    "f_table_schema",
    "f_table_name",
    "f_geometry_column",
    "styleName",
    "styleQML",
    "styleSLD",
    "useAsDefault",
    "description",
    "owner",
    "ui",
    "update_time",
)
#: Shape of each site role's marker in QGIS (names of ``QgsSimpleMarkerSymbolLayer``).
_ROLE_SHAPES = {"pop": "square", "access": "triangle", "relay": "diamond"}
#: QGIS line style of each fade-margin class (solid, dashed, dotted, as the other maps).
_MARGIN_LINES = {"good": "solid", "fair": "dash", "bad": "dot"}


# --- rasters ------------------------------------------------------------------------------
def _class_texts(plan: Plan, L: Labeller) -> list[str]:
    """The class labels, the first class at or above the threshold marked with it."""
    texts = styles.rx_class_labels(styles.plan_rx_edges(plan))
    mark = styles.threshold_text(plan.threshold_dbm, L("service_threshold"))
    if mark:
        i = styles.THRESHOLD_CLASS - 1
        texts[i] = f"{texts[i]} ({mark})"
    return [safe_text(t) for t in texts]


def rx_class_qml(plan: Plan, language: str = "es") -> str:
    """QML of the signal-class raster: paletted, one entry per class with its name.

    Parameters
    ----------
    plan
        The plan: its service threshold gives the class edges.
    language
        "es" or "en" for the class names.

    Returns
    -------
    str
        The ``.qml`` text: a ``paletted`` renderer with entries 1-5 in
        :data:`coverage.outputs.styles.RX_CLASS_COLORS`, labelled with the edges in dBm.
    """
    texts = _class_texts(plan, labeller(language))
    colors = styles.RX_CLASS_COLORS[1:]
    return qml.paletted([(i + 1, c, t) for i, (c, t) in enumerate(zip(colors, texts, strict=True))])


def _access_labels(plan: Plan) -> list[str]:
    access = plan.access_sites
    out = []
    for sid, name in zip(access["site_id"].astype(str), access["name"].astype(str), strict=True):
        out.append(safe_text(sid if name in ("", sid) else f"{sid} ({name})"))
    return out


def best_server_qml(plan: Plan) -> str:
    """QML of the best-server raster: paletted, one entry per access site, each its colour.

    Parameters
    ----------
    plan
        The plan; its access sites, in order (raster value ``i`` is the ``i``-th).

    Returns
    -------
    str
        The ``.qml`` text: entries 0..n-1 labelled with the site id (and name when it
        differs), coloured by :func:`coverage.outputs.styles.best_server_colors`.
    """
    labels = _access_labels(plan)
    colors = styles.best_server_colors(len(labels))
    return qml.paletted([(i, c, t) for i, (c, t) in enumerate(zip(colors, labels, strict=True))])


def rx_dbm_qml(plan: Plan, language: str = "es") -> str:
    """QML of the received-power raster: a discrete pseudocolour ramp on the class edges.

    Parameters
    ----------
    plan
        The plan: its service threshold gives the breaks.
    language
        "es" or "en" for the class names.

    Returns
    -------
    str
        The ``.qml`` text: a ``singlebandpseudocolor`` renderer, ``DISCRETE`` ramp, one item
        per signal class whose value is its upper edge (dBm; ``inf`` for the last), so the
        service threshold is a break. QGIS gives a value equal to a break the lower class
        and :func:`coverage.outputs.styles.rx_classes` the upper, so each break is written
        as the next float32 below the edge: the raster is float32, and no value of it lies
        between, so QGIS draws every cell in the class of the other outputs.
    """
    edges = styles.plan_rx_edges(plan)
    texts = _class_texts(plan, labeller(language))
    lo, hi = edges[0] - styles.RX_CLASS_STEP_DB, edges[-1] + styles.RX_CLASS_STEP_DB
    root, ren = qml.raster_root(
        {
            "type": "singlebandpseudocolor",
            "classificationMin": f"{lo:g}",
            "classificationMax": f"{hi:g}",
        }
    )
    shader = ET.SubElement(ET.SubElement(ren, "rastershader"), "colorrampshader")
    shader.attrib.update(
        {
            "colorRampType": "DISCRETE",
            "classificationMode": "3",
            "clip": "0",
            "minimumValue": f"{lo:g}",
            "maximumValue": f"{hi:g}",
        }
    )
    below = [np.nextafter(np.float32(e), np.float32(-np.inf)) for e in edges]
    uppers = [repr(float(b)) for b in below] + ["inf"]
    for value, color, text in zip(uppers, styles.RX_CLASS_COLORS[1:], texts, strict=True):
        ET.SubElement(
            shader,
            "item",
            {"value": value, "color": qml.hex_color(color), "alpha": "255", "label": text},
        )
    return qml.raster_tail(root, ren)


def raster_styles(plan: Plan, language: str = "es") -> dict[str, str]:
    """The QML of each raster the plan writes, by the raster's file stem.

    Parameters
    ----------
    plan
        The plan.
    language
        "es" or "en".

    Returns
    -------
    dict
        ``coverage_rx_dbm``, ``coverage_rx_class`` and ``coverage_best_server`` -> QML text.
    """
    return {
        "coverage_rx_dbm": rx_dbm_qml(plan, language),
        "coverage_rx_class": rx_class_qml(plan, language),
        "coverage_best_server": best_server_qml(plan),
    }


def write_raster_styles(plan: Plan, out_dir: Path, language: str = "es") -> dict[str, Path]:
    """Write a ``.qml`` beside each raster, where QGIS picks it up as the raster's style.

    Parameters
    ----------
    plan
        The plan.
    out_dir
        The output folder of the rasters.
    language
        "es" or "en".

    Returns
    -------
    dict
        ``rx_dbm_qml``, ``rx_class_qml`` and ``best_server_qml`` -> path.
    """
    return {
        f"{stem.removeprefix('coverage_')}_qml": write_text(safe_path(out_dir, f"{stem}.qml"), qml)
        for stem, qml in raster_styles(plan, language).items()
    }


# --- vector layers --------------------------------------------------------------------------
def _demand_qml(L: Labeller) -> str:
    root = qml.qgis_root("Symbology")
    entries = [
        (
            c,
            safe_text(L(c)),
            qml.symbol("marker", "", "SimpleMarker", _point(styles.SERVICE_COLORS[c])),
        )
        for c in SERVICE_CLASSES
    ]
    qml.categorized(root, "service", entries)
    qml.layer_tail(root)
    return qml.serialise(root)


def _point(color: str) -> dict[str, str]:
    """A small demand dot without outline, so thousands of points do not carpet the view."""
    return {**qml.marker(color, "circle", 1.4), "outline_style": "no"}


def _sites_qml(L: Labeller) -> str:
    root = qml.qgis_root("Symbology|Labeling")
    entries = [
        (
            role,
            safe_text(L(role)),
            qml.symbol("marker", "", "SimpleMarker", qml.marker(c, _ROLE_SHAPES[role], 4.0)),
        )
        for role, c in styles.ROLE_COLORS.items()
    ]
    qml.categorized(root, "role", entries)
    qml.labels_of(root, "site_id")
    qml.layer_tail(root)
    return qml.serialise(root)


def _links_qml(margin_col: str) -> str:
    """Links by fade-margin class (rules on ``margin_col``, as :func:`styles.margin_class`)."""
    root = qml.qgis_root("Symbology")
    ren = ET.SubElement(
        root, "renderer-v2", {"type": "RuleRenderer", "symbollevels": "0", "forceraster": "0"}
    )
    rules = ET.SubElement(ren, "rules", {"key": "root"})
    syms = ET.SubElement(ren, "symbols")
    good = f"{styles.GOOD_MARGIN_DB:g}"
    f = f'"{margin_col}"'
    filters = {
        "good": (f"{f} >= {good}", f"≥ {good} dB"),
        "fair": (f"{f} >= 0 AND {f} < {good}", f"0 … {good} dB"),
        "bad": ("ELSE", "< 0 dB"),
    }
    for i, (cls, (expr, text)) in enumerate(filters.items()):
        ET.SubElement(
            rules, "rule", {"key": f"margin_{cls}", "symbol": str(i), "label": text, "filter": expr}
        )
        sym = qml.symbol(
            "line",
            str(i),
            "SimpleLine",
            {
                "line_color": qml.rgba(styles.MARGIN_COLORS[cls]),
                "line_style": _MARGIN_LINES[cls],
                "line_width": "0.8",
                "line_width_unit": "MM",
                "capstyle": "round",
            },
        )
        syms.append(sym)
    qml.layer_tail(root)
    return qml.serialise(root)


def _veredas_qml() -> str:
    """Outlines only: no fill hides the rasters under the veredas."""
    root = qml.qgis_root("Symbology|Labeling")
    qml.single(root, qml.symbol("fill", "0", "SimpleFill", qml.fill(None, "#3c3c3c", 0.5)))
    qml.labels_of(root, "name")
    qml.layer_tail(root)
    return qml.serialise(root)


def _classes_qml(plan: Plan, L: Labeller) -> str:
    root = qml.qgis_root("Symbology")
    texts = _class_texts(plan, L)
    entries = [
        (str(i + 1), t, qml.symbol("fill", "", "SimpleFill", qml.fill(c, "#000000", 0.0)))
        for i, (c, t) in enumerate(zip(styles.RX_CLASS_COLORS[1:], texts, strict=True))
    ]
    qml.categorized(root, "rx_class", entries)
    qml.layer_tail(root)
    return qml.serialise(root)


def _servers_qml(plan: Plan, *, outlines: bool = False) -> str:
    """Polygons by ``site_id`` in the best-server colours: filled, or (``outlines``, for
    footprints that overlap) as 0.6 mm outlines of the site's colour without fill."""
    root = qml.qgis_root("Symbology")
    ids = [safe_text(s) for s in plan.access_sites["site_id"].astype(str)]
    colors = styles.best_server_colors(len(ids))
    entries = [
        (
            sid,
            sid,
            qml.symbol(
                "fill",
                "",
                "SimpleFill",
                qml.fill(None, qml.hex_color(c), 0.6) if outlines else qml.fill(c, "#ffffff", 0.2),
            ),
        )
        for sid, c in zip(ids, colors, strict=True)
    ]
    qml.categorized(root, "site_id", entries)
    qml.layer_tail(root)
    return qml.serialise(root)


def _existing_qml() -> str:
    root = qml.qgis_root("Symbology")
    ring = {**qml.marker("#ffffff", "circle", 3.5), "color": "0,0,0,0"}
    ring.update(outline_color=qml.rgba(styles.EXISTING_SITE_COLOR), outline_width="0.8")
    qml.single(root, qml.symbol("marker", "0", "SimpleMarker", ring))
    qml.layer_tail(root)
    return qml.serialise(root)


def vector_qml(plan: Plan, layer: str, language: str = "es") -> str | None:
    """QML of one GeoPackage layer of the plan, or None for a layer without a style.

    Parameters
    ----------
    plan
        The plan.
    layer
        A layer name of :func:`coverage.outputs.export.write_geopackage`: ``demand``,
        ``sites``, ``links``, ``link_table``, the sub-districts' layer (``veredas`` for
        Palmitas, the area's plural, or ``subdivisions``), ``coverage``, ``best_server``,
        ``site_footprints`` or ``existing_sites``.
    language
        "es" or "en" for the category names.

    Returns
    -------
    str or None
        Demand by ``service`` (categorised, the service colours), sites by ``role``
        (categorised, shapes and colours of the roles, labelled by id), links and the link
        table by fade-margin class (rules on ``margin_db`` and ``fade_margin_db``), veredas
        as labelled outlines without fill, signal classes by ``rx_class``, best-server
        areas by ``site_id``, footprints by ``site_id`` as outlines of the same colours (they
        overlap), existing sites as rings; None for another layer.
    """
    L = labeller(language)
    makers = {
        "demand": lambda: _demand_qml(L),
        "sites": lambda: _sites_qml(L),
        "links": lambda: _links_qml("margin_db"),
        "link_table": lambda: _links_qml("fade_margin_db"),
        "veredas": _veredas_qml,
        # the sub-district layer is named by the area's plural (export.subdivision_layer)
        plan_words(plan, "es").file_word: _veredas_qml,
        "subdivisions": _veredas_qml,
        "coverage": lambda: _classes_qml(plan, L),
        "best_server": lambda: _servers_qml(plan),
        "site_footprints": lambda: _servers_qml(plan, outlines=True),
        "existing_sites": _existing_qml,
    }
    make = makers.get(layer)
    return make() if make is not None else None


def layer_styles_table(
    plan: Plan, geometry_columns: Mapping[str, str], language: str = "es"
) -> pd.DataFrame:
    """The ``layer_styles`` rows of a GeoPackage: one default style per styled layer.

    Parameters
    ----------
    plan
        The plan.
    geometry_columns
        Layer name -> its geometry column, as the GeoPackage's ``gpkg_geometry_columns``
        has them.
    language
        "es" or "en".

    Returns
    -------
    pandas.DataFrame
        Columns :data:`LAYER_STYLES_COLUMNS`: catalog and schema "", the layer and its
        geometry column, style name "coverage-planner", the QML, no SLD, ``useAsDefault``
        True, a description, owner and ui "", no update time (NULL, so the file is the
        same for the same plan); one row per layer that :func:`vector_qml` styles, in
        layer-name order.
    """
    rows = []
    for layer in sorted(geometry_columns):
        qml = vector_qml(plan, layer, language)
        if qml is None:
            continue
        rows.append(
            {
                "f_table_catalog": "",
                "f_table_schema": "",
                "f_table_name": layer,
                "f_geometry_column": geometry_columns[layer],
                "styleName": "coverage-planner",
                "styleQML": qml,
                "styleSLD": "",
                "useAsDefault": True,
                "description": f"coverage-planner default style of {layer}",
                "owner": "",
                "ui": "",
                "update_time": None,
            }
        )
    table = pd.DataFrame(rows, columns=list(LAYER_STYLES_COLUMNS))
    table["useAsDefault"] = table["useAsDefault"].astype(bool)
    table["update_time"] = pd.Series([None] * len(table), dtype=object)
    return table


def write_layer_styles(plan: Plan, gpkg: str | os.PathLike[str], language: str = "es") -> int:
    """Add the ``layer_styles`` table to a written GeoPackage (GDAL writes it, as QGIS does).

    Parameters
    ----------
    plan
        The plan whose layers the GeoPackage holds.
    gpkg
        The GeoPackage (being written: the caller's temporary file).
    language
        "es" or "en".

    Returns
    -------
    int
        The number of styles written.
    """
    with sqlite3.connect(gpkg) as db:
        geometry_columns = dict(
            db.execute("SELECT table_name, column_name FROM gpkg_geometry_columns").fetchall()
        )
    db.close()
    table = layer_styles_table(plan, geometry_columns, language)
    pyogrio.write_dataframe(
        table.astype({c: object for c in table.columns if c != "useAsDefault"}),
        gpkg,
        layer="layer_styles",
        driver="GPKG",
    )
    return len(table)
