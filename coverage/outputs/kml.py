"""KML/KMZ for Google Earth: sites with heights and azimuths, existing mobile sites, links,
demand per sub-district by service, veredas, the coverage as a ground overlay, a legend
overlay and a first view framing the territory (:mod:`coverage.outputs.kmlview`).

The document follows OGC KML 2.2 (OGC 07-147r2). Coordinates are reprojected to EPSG:4326
(lon, lat) here only; heights are metres above ground (``altitudeMode`` relativeToGround),
so a site is drawn as a mast of its height and a link runs between antenna tops. The
coverage overlay is the received-power class image reprojected onto a lon/lat grid, as a
``GroundOverlay`` requires. The XML is built with :mod:`xml.etree.ElementTree`, which
escapes every name from an input file, so a name such as ``<script>`` stays text; every text
first loses the control characters that XML 1.0 forbids
(:func:`~coverage.outputs.text.safe_text`, ``"kml"``), which ElementTree would write as
they are, leaving a document that is not well-formed. Descriptions, which Google Earth shows
as HTML (the document's: the plan's warnings, when it has any, and the models; a site's:
its name and role), are HTML-escaped before the XML escaping (``"kml_description"``), so
that they show as the text they are.
"""

from __future__ import annotations

import functools
import io
import logging
import math
import xml.etree.ElementTree as ET
import zipfile
from typing import Any

import numpy as np
from pyproj import Transformer
from shapely.geometry import MultiPolygon, Polygon

from coverage.outputs.kmlview import LookAt, legend_png, look_at
from coverage.outputs.labels import Labeller, azimuths_text, labeller
from coverage.outputs.service import SERVICE_CLASSES, existing_sites, service_classes
from coverage.outputs.styles import (
    EXISTING_SITE_COLOR,
    MARGIN_COLORS,
    ROLE_COLORS,
    RX_CLASS_COLORS,
    SERVICE_COLORS,
    hex_rgb,
    margin_class,
    palette_rgba,
    plan_rx_edges,
    png_bytes,
    rx_classes,
    to_web_mercator,
)
from coverage.outputs.text import safe_text
from coverage.outputs.warningtext import warning_texts
from coverage.outputs.words import blank_name, plan_words
from coverage.plan import Plan

__all__ = ["kml_color", "kml_document", "kmz_bytes"]

log = logging.getLogger(__name__)

KML_NS = "http://www.opengis.net/kml/2.2"
#: Zip entry of the coverage image inside the KMZ.
OVERLAY_HREF = "files/coverage.png"
#: Zip entry of the legend image (:func:`coverage.outputs.kmlview.legend_png`).
LEGEND_HREF = "files/legend.png"


def _sub(parent: ET.Element, tag: str, text: Any = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, {k: safe_text(v, "kml") for k, v in attrib.items()})
    if text is not None:
        el.text = safe_text(text, "kml")
    return el


def _style(
    doc: ET.Element,
    style_id: str,
    *,
    line: str | None = None,
    icon: str | None = None,
    poly: str | None = None,
    width: float = 3.0,
    label_scale: float | None = None,
) -> None:
    st = _sub(doc, "Style", id=style_id)
    if icon:
        ic = _sub(st, "IconStyle")
        _sub(ic, "color", icon)
        _sub(ic, "scale", "1.1")
        _sub(
            _sub(ic, "Icon"),
            "href",
            "http://maps.google.com/mapfiles/kml/shapes/placemark_circle.png",
        )
    if line:
        ls = _sub(st, "LineStyle")
        _sub(ls, "color", line)
        _sub(ls, "width", f"{width:g}")
    if label_scale is not None:  # 0: the name shows in the list and on a click, not on the map
        _sub(_sub(st, "LabelStyle"), "scale", f"{label_scale:g}")
    if poly is not None:
        _sub(_sub(st, "PolyStyle"), "color", poly)


def _extended(pm: ET.Element, items: list[tuple[str, Any]]) -> None:
    ext = _sub(pm, "ExtendedData")
    for name, value in items:
        d = _sub(ext, "Data", name=name)
        _sub(d, "value", _fmt(value))


def _fmt(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "" if not np.isfinite(v) else f"{float(v):.6g}"
    return str(v)


def _coords(points: list[tuple[float, float, float]]) -> str:
    return " ".join(f"{x:.7f},{y:.7f},{z:.1f}" for x, y, z in points)


#: Length (m) of the line drawn from a directional site along each antenna azimuth.
SECTOR_LINE_M = 300.0


def _azimuth_list(value: Any) -> list[float]:
    """Azimuths (degrees) from a list or a ";"-separated text; [] for omni or missing."""
    if isinstance(value, list | tuple | np.ndarray):
        return [float(v) for v in value]
    if isinstance(value, str) and value.strip() and value.strip() != "omni":
        return [float(v) for v in value.replace(",", ";").split(";") if v.strip()]
    return []


def _sectors(doc: ET.Element, plan: Plan, sites_label: str) -> None:
    """A folder of short lines from each directional site along its antenna azimuths.

    Azimuths are degrees clockwise from grid north of the working CRS; each line starts at
    the mast top and runs :data:`SECTOR_LINE_M` metres, drawn in lon/lat.
    """
    if "azimuths_deg" not in plan.sites.columns:
        return
    to_ll = Transformer.from_crs(plan.crs, "EPSG:4326", always_xy=True)
    folder: ET.Element | None = None
    for r in plan.sites.itertuples():
        for az in _azimuth_list(r.azimuths_deg):
            if folder is None:
                folder = _sub(doc, "Folder")
                _sub(folder, "name", f"{sites_label}: azimuths")
            x0, y0 = r.geometry.x, r.geometry.y
            x1 = x0 + SECTOR_LINE_M * math.sin(math.radians(az))
            y1 = y0 + SECTOR_LINE_M * math.cos(math.radians(az))
            (lon0, lon1), (lat0, lat1) = to_ll.transform([x0, x1], [y0, y1])
            pm = _sub(folder, "Placemark")
            _sub(pm, "name", f"{r.site_id} {az:.0f}°")
            _sub(pm, "styleUrl", _site_style(r.role))
            ls = _sub(pm, "LineString")
            _sub(ls, "altitudeMode", "relativeToGround")
            h = float(r.mast_height_m)
            _sub(ls, "coordinates", _coords([(lon0, lat0, h), (lon1, lat1, h)]))


def kml_document(
    plan: Plan,
    *,
    language: str = "es",
    overlay_bounds: tuple[float, float, float, float] | None = None,
) -> ET.Element:
    """Build the KML element tree of a plan (the ``doc.kml`` of :func:`kmz_bytes`).

    Parameters
    ----------
    plan
        The plan; reprojected to EPSG:4326 here.
    language
        "es" or "en": names of the document, folders and descriptions.
    overlay_bounds
        (west, south, east, north) in degrees of the coverage image; computed from the plan
        when not given.

    Returns
    -------
    xml.etree.ElementTree.Element
        The ``kml`` root: the document's name and description (the plan's warnings, when it
        has any, then the models), a ``LookAt`` framing the territory, styles, then folders
        of sites, antenna azimuths (when the sites have them), existing mobile sites (when
        the plan has them), links, demand (one sub-folder per sub-district, each point
        styled by its service class) and veredas, then the coverage ground overlay and the
        legend's ``ScreenOverlay`` (the signal classes with the service threshold marked).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labeller(language, plan_words(plan, language))
    root = ET.Element("kml", xmlns=KML_NS)
    doc = _sub(root, "Document")
    _sub(doc, "name", f"{L('title')}: {plan.heading}")
    _sub(doc, "description", _description(plan, L, language))
    _look_at(doc, look_at(plan))
    _styles(doc)
    _site_folder(doc, plan, L)
    _sectors(doc, plan, L("sites"))
    _existing_site_folder(doc, plan, L)
    _link_folder(doc, plan, L)
    _demand_folder(doc, plan, L)
    _hotspot_folder(doc, plan, L)
    _vereda_folder(doc, plan, L)
    bounds = overlay_bounds if overlay_bounds is not None else _overlay(plan)[1]
    _ground_overlay(doc, bounds, L)
    _legend_overlay(doc, L)
    return root


def _description(plan: Plan, L: Labeller, language: str) -> str:
    """The document's description in KML's HTML subset: the warnings in a list, the models.

    Every text is HTML-escaped; ElementTree then escapes the whole again for XML.
    """
    e = functools.partial(safe_text, sink="kml_description")
    models = e("; ".join(f"{k}: {v}" for k, v in plan.models.items()))
    if not plan.warnings:
        return models
    items = "".join(f"<li>{e(w)}</li>" for w in warning_texts(plan.warnings, language))
    return f"<b>⚠ {e(L('warnings_heading'))}</b><ul>{items}</ul>{models}"


def kml_color(color: str, alpha: int = 255) -> str:
    """A ``"#rrggbb"`` colour as KML's ``aabbggrr`` hex text.

    Parameters
    ----------
    color
        Colour as ``"#rrggbb"``.
    alpha
        Opacity, 0 (transparent) to 255.

    Returns
    -------
    str
        E.g. ``"ff50981a"`` for ``"#1a9850"``.
    """
    r, g, b = hex_rgb(color)
    return f"{alpha:02x}{b:02x}{g:02x}{r:02x}"


def _styles(doc: ET.Element) -> None:
    """The shared styles: one per site role, link margin class, demand state, and the sub-districts."""
    for role, color in ROLE_COLORS.items():
        _style(doc, f"site_{role}", icon=kml_color(color), line=kml_color(color), width=2)
    for margin, color in MARGIN_COLORS.items():
        _style(doc, f"link_{margin}", line=kml_color(color), width=4)
    for service in SERVICE_CLASSES:  # demand points by service class, served and unserved
        _style(doc, f"demand_{service}", icon=kml_color(SERVICE_COLORS[service]), label_scale=0)
    _style(doc, "hotspot", icon=kml_color(SERVICE_COLORS["served_hotspot"]))
    _style(doc, "subdivision", line="ff222222", poly="00ffffff", width=2)
    _style(doc, "existing_site", icon=kml_color(EXISTING_SITE_COLOR), line=kml_color("#000000"))


def _site_style(role: str) -> str:
    return f"#site_{role}" if role in ROLE_COLORS else "#site_access"


def _site_folder(doc: ET.Element, plan: Plan, L: Labeller) -> None:
    """One placemark per site: a mast of its height, with heights, equipment and cost."""
    sites = plan.sites.to_crs("EPSG:4326")
    folder = _sub(doc, "Folder")
    _sub(folder, "name", L("sites"))
    tech = plan.scenario.technology.preset  # for a plan whose sites have no equipment column
    for r, orig in zip(sites.itertuples(), plan.sites.itertuples(), strict=True):
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", r.site_id)
        _sub(pm, "description", safe_text(f"{r.name} · {L(str(r.role))}", "kml_description"))
        _sub(pm, "styleUrl", _site_style(r.role))
        az = azimuths_text(getattr(orig, "azimuths_deg", None))
        _extended(
            pm,
            [
                ("name", r.name),
                ("role", r.role),
                ("mast_height_m", float(r.mast_height_m)),
                ("ground_elevation_m", float(r.ground_elevation_m)),
                ("antenna_elevation_m", float(r.ground_elevation_m) + float(r.mast_height_m)),
                ("equipment", str(getattr(orig, "equipment", tech))),
                ("azimuths_deg", az),
                ("cost_usd", float(r.cost_usd)),
                ("people_covered", float(r.people_covered)),
            ],
        )
        pt = _sub(pm, "Point")
        _sub(pt, "extrude", "1")
        _sub(pt, "altitudeMode", "relativeToGround")
        _sub(pt, "coordinates", _coords([(r.geometry.x, r.geometry.y, float(r.mast_height_m))]))


def _existing_site_folder(doc: ET.Element, plan: Plan, L: Labeller) -> None:
    """One placemark per existing mobile site, a mast of its height; none without them.

    The description says the operator and technology, whether the position is an
    OpenCelliD estimate, and whether its coverage was predicted (inside the terrain).
    """
    sites = existing_sites(plan)
    if sites is None:
        return
    folder = _sub(doc, "Folder")
    _sub(folder, "name", L("existing_sites"))
    for r in sites.to_crs("EPSG:4326").itertuples():
        estimated = bool(getattr(r, "estimated", False))
        predicted = bool(getattr(r, "predicted", False))
        position = L("position_estimated" if estimated else "position_reported")
        prediction = L("predicted_yes" if predicted else "predicted_no")
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", r.site_id)
        text = (
            f"{r.operator} · {r.technology} · {L('position')}: {position} · "
            f"{L('predicted')}: {prediction}"
        )
        _sub(pm, "description", safe_text(text, "kml_description"))
        _sub(pm, "styleUrl", "#existing_site")
        _extended(
            pm,
            [
                ("operator", r.operator),
                ("technology", r.technology),
                ("height_m", float(r.height_m)),
                ("tx_power_dbm", float(r.tx_power_dbm)),
                ("f_mhz", float(r.f_mhz)),
                ("estimated", estimated),
                ("predicted", predicted),
            ],
        )
        pt = _sub(pm, "Point")
        _sub(pt, "extrude", "1")
        _sub(pt, "altitudeMode", "relativeToGround")
        _sub(pt, "coordinates", _coords([(r.geometry.x, r.geometry.y, float(r.height_m))]))


def _link_folder(doc: ET.Element, plan: Plan, L: Labeller) -> None:
    """One line per backhaul link between the antenna tops, styled by its margin."""
    sites = plan.sites.to_crs("EPSG:4326")
    heights = dict(zip(plan.sites["site_id"].astype(str), plan.sites["mast_height_m"], strict=True))
    lonlat = {str(r.site_id): (r.geometry.x, r.geometry.y) for r in sites.itertuples()}
    folder = _sub(doc, "Folder")
    _sub(folder, "name", L("links"))
    for r in plan.links.itertuples():
        a, b = str(r.site_a), str(r.site_b)
        m = float(r.margin_db)
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", f"{a} – {b}")
        _sub(pm, "styleUrl", f"#link_{margin_class(m)}")
        _extended(
            pm,
            [
                ("length_m", float(r.length_m)),
                ("margin_db", m),
                ("clearance_ratio", float(r.clearance_ratio)),
                ("capacity_mbps", float(r.capacity_mbps)),
            ],
        )
        ls = _sub(pm, "LineString")
        _sub(ls, "altitudeMode", "relativeToGround")
        ends = [(*lonlat[a], float(heights.get(a, 0.0))), (*lonlat[b], float(heights.get(b, 0.0)))]
        _sub(ls, "coordinates", _coords(ends))


def _demand_folder(doc: ET.Element, plan: Plan, L: Labeller) -> None:
    """The demand points in one folder per sub-district, styled by service class.

    A sub-folder is named by the area's word and the sub-district's name ("Vereda La
    Suiza"; points in none last), its description counts its unserved households; a point
    is named by its own name, or (a dwelling cluster) by its service and whole households.
    """
    demand = plan.demand.to_crs("EPSG:4326").assign(service=service_classes(plan.demand))
    top = _sub(doc, "Folder")
    _sub(top, "name", f"{L('demand')}: {L('service').lower()}")
    hot = "hotspot" in plan.demand.columns  # which hotspot serves each point
    homes = L("households").lower()
    names = demand["vereda"].map(lambda n: "" if blank_name(n) else str(n))
    for sub in sorted(set(names), key=lambda n: (n == "", n)):
        part = demand[(names == sub).to_numpy()]
        folder = _sub(top, "Folder")
        _sub(folder, "name", f"{L('vereda')} {sub}" if sub else L("outside_subdivision"))
        unserved = float(part.loc[part["service"] == "unserved", "households"].sum())
        total = float(part["households"].sum())
        count = f"{L('unserved')}: {unserved:,.0f} / {total:,.0f} {homes}"
        _sub(folder, "description", safe_text(count, "kml_description"))
        for r in part.itertuples():
            pm = _sub(folder, "Placemark")
            own = r.name if isinstance(r.name, str) and r.name.strip() else ""
            _sub(pm, "name", own or f"{L(r.service)} · {float(r.households):,.0f} {homes}")
            _sub(pm, "styleUrl", f"#demand_{r.service}")
            _extended(
                pm,
                [
                    ("kind", r.kind),
                    ("subdivision", r.vereda),
                    ("population", float(r.population)),
                    ("households", float(r.households)),
                    ("covered", bool(r.covered)),
                    ("service", r.service),
                    ("best_site", r.best_site),
                    ("rx_dbm", float(r.rx_dbm)),
                    ("reason", r.reason),
                ]
                + ([("hotspot", str(r.hotspot or ""))] if hot else []),
            )
            pt = _sub(pm, "Point")
            _sub(pt, "coordinates", _coords([(r.geometry.x, r.geometry.y, 0.0)]))


def _hotspot_folder(doc: ET.Element, plan: Plan, L: Labeller) -> None:
    """One placemark per school hotspot the plan builds (none: no folder)."""
    hot = getattr(plan, "hotspots", None)
    if hot is None or not len(hot):
        return
    folder = _sub(doc, "Folder")
    _sub(folder, "name", L("hotspots"))
    for r in hot.to_crs("EPSG:4326").itertuples():
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", r.hotspot_id)
        _sub(pm, "description", safe_text(f"{r.name} · {r.vereda}", "kml_description"))
        _sub(pm, "styleUrl", "#hotspot")
        _extended(
            pm,
            [
                ("host_id", r.host_id),
                ("households_reached", float(r.households_reached)),
                ("people_reached", float(r.people_reached)),
                ("cost_usd", float(r.cost_usd)),
            ],
        )
        pt = _sub(pm, "Point")
        _sub(pt, "coordinates", _coords([(r.geometry.x, r.geometry.y, 0.0)]))


def _vereda_folder(doc: ET.Element, plan: Plan, L: Labeller) -> None:
    """One placemark per vereda, its polygons clamped to the ground."""
    folder = _sub(doc, "Folder")
    _sub(folder, "name", L("veredas"))
    for r in plan.veredas.to_crs("EPSG:4326").itertuples():
        pm = _sub(folder, "Placemark")
        _sub(pm, "name", r.name)
        _sub(pm, "styleUrl", "#subdivision")
        geoms = list(r.geometry.geoms) if isinstance(r.geometry, MultiPolygon) else [r.geometry]
        parent = _sub(pm, "MultiGeometry") if len(geoms) > 1 else pm
        for g in geoms:
            if isinstance(g, Polygon):
                _polygon(parent, g)


def _ground_overlay(
    doc: ET.Element, bounds: tuple[float, float, float, float], L: Labeller
) -> None:
    """The coverage image (:data:`OVERLAY_HREF`) over (west, south, east, north) degrees."""
    w, s, e, n = bounds
    go = _sub(doc, "GroundOverlay")
    _sub(go, "name", L("coverage_best"))
    _sub(go, "color", "b4ffffff")
    _sub(_sub(go, "Icon"), "href", OVERLAY_HREF)
    box = _sub(go, "LatLonBox")
    for tag, v in (("north", n), ("south", s), ("east", e), ("west", w)):
        _sub(box, tag, f"{v:.8f}")


def _look_at(doc: ET.Element, view: LookAt) -> None:
    """The document's first view: straight down on the territory (:func:`kmlview.look_at`)."""
    la = _sub(doc, "LookAt")
    _sub(la, "longitude", f"{view.lon_deg:.7f}")
    _sub(la, "latitude", f"{view.lat_deg:.7f}")
    _sub(la, "altitude", "0")
    _sub(la, "heading", "0")
    _sub(la, "tilt", "0")
    _sub(la, "range", f"{view.range_m:.0f}")
    _sub(la, "altitudeMode", "clampToGround")


def _legend_overlay(doc: ET.Element, L: Labeller) -> None:
    """The legend image (:data:`LEGEND_HREF`) fixed to the screen's lower left corner."""
    so = _sub(doc, "ScreenOverlay")
    _sub(so, "name", L("legend"))
    _sub(_sub(so, "Icon"), "href", LEGEND_HREF)
    fraction = {"xunits": "fraction", "yunits": "fraction"}
    _sub(so, "overlayXY", x="0", y="0", **fraction)
    _sub(so, "screenXY", x="0.01", y="0.06", **fraction)
    _sub(so, "size", x="0", y="0", **fraction)  # 0: the image's own size


def _polygon(parent: ET.Element, g: Polygon) -> None:
    poly = _sub(parent, "Polygon")
    _sub(poly, "tessellate", "1")
    rings = [("outerBoundaryIs", g.exterior)] + [("innerBoundaryIs", i) for i in g.interiors]
    for tag, ring in rings:
        lr = _sub(_sub(poly, tag), "LinearRing")
        _sub(lr, "coordinates", _coords([(x, y, 0.0) for x, y in ring.coords]))


def _overlay(plan: Plan) -> tuple[bytes, tuple[float, float, float, float]]:
    cls = rx_classes(plan.coverage_dbm, plan_rx_edges(plan))
    cls_ll, bounds = to_web_mercator(
        cls, plan.terrain, nodata=0, categorical=True, dst_crs="EPSG:4326"
    )
    return png_bytes(palette_rgba(cls_ll, RX_CLASS_COLORS, alpha=255)), bounds


def kmz_bytes(plan: Plan, *, language: str = "es") -> bytes:
    """The KMZ of a plan as bytes: ``doc.kml`` first, then the coverage image.

    The archive's entries carry a fixed date, so the same plan gives the same bytes.

    Parameters
    ----------
    plan
        The plan; reprojected to EPSG:4326 here.
    language
        "es" or "en", as for :func:`kml_document`.

    Returns
    -------
    bytes
        The zip archive: ``doc.kml`` (:func:`kml_document`), the received-power class
        image (PNG, EPSG:4326) it overlays and its legend image (:data:`LEGEND_HREF`).

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    png, bounds = _overlay(plan)
    tree = kml_document(plan, language=language, overlay_bounds=bounds)
    ET.indent(tree)
    xml = (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(tree, encoding="unicode")
    ).encode()
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", compression=zipfile.ZIP_DEFLATED) as z:
        entries = (("doc.kml", xml), (OVERLAY_HREF, png), (LEGEND_HREF, legend_png(plan, language)))
        for name, data in entries:
            info = zipfile.ZipInfo(name, date_time=(2000, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            z.writestr(info, data)
    return buf.getvalue()
