"""Pictures of a plan: the interactive folium map.

This is the only module that imports folium. :func:`coverage_map` builds a Leaflet map with
layers toggled from a control (terrain hillshade, coverage of the best server, best-server
areas, each site's own footprint (overlapping the others), sites, existing mobile sites when the plan has them, backhaul links
with their margin, demand by service class: already served, newly served, still unserved,
veredas), popups with the figures and, fixed over the map, the panels of
:mod:`coverage.outputs.panels` (the title, a box of the plan's warnings when it has any,
and the legend), in Spanish or English; one function adds each layer. :func:`map_html`
renders it to one self-contained HTML page: no basemap tiles from the internet (terrain is
our own hillshade image), and Leaflet's JavaScript and CSS inlined from the copy that the
``xstatic-leaflet`` wheel installs (a dependency of this package: no system package is
needed), so that the map works offline, as it must in the field; :func:`map_kind` tells from
a page which kind it is (the manifest records it).

Rasters are reprojected from the working CRS to Web Mercator (EPSG:3857) for display only,
with :func:`coverage.outputs.styles.to_web_mercator`, since Leaflet stretches an image
overlay linearly in Mercator. Every name from an input file, and every warning, passes
:func:`~coverage.outputs.text.safe_text` (``"html"``) before it reaches a popup, tooltip, layer
name or panel: folium's popups and tooltips, and Leaflet's layer control, show HTML.
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Callable
from typing import Any

import folium
import numpy as np
from branca.element import Element, Figure, MacroElement
from folium.template import Template
from numpy.typing import NDArray
from pyproj import Transformer

from coverage.inputs.terrain import Terrain
from coverage.outputs.labels import Labeller, labeller
from coverage.outputs.leaflet import (
    LEAFLET_URLS,
    LEAFLET_VERSION,
    data_uri,
    inline_css,
    leaflet_assets,
    map_kind,
)
from coverage.outputs.panels import panels_html
from coverage.outputs.report import summarize
from coverage.outputs.service import (
    existing_service_summary,
    existing_sites,
    service_classes,
    shown_classes,
    shown_counts,
    visible_classes,
)
from coverage.outputs.styles import (
    EXISTING_SITE_COLOR,
    MARGIN_COLORS,
    MARGIN_DASHES,
    MAX_DEMAND_MARKERS,
    ROLE_COLORS,
    RX_CLASS_COLORS,
    SERVICE_COLORS,
    best_server_colors,
    demand_cells,
    hex_rgb,
    hillshade,
    margin_class,
    palette_rgba,
    plan_rx_edges,
    png_bytes,
    rx_classes,
    to_web_mercator,
)
from coverage.outputs.text import safe_text
from coverage.outputs.words import plan_words
from coverage.plan import Plan

__all__ = [
    "LEAFLET_URLS",
    "LEAFLET_VERSION",
    "coverage_map",
    "demand_cells",
    "leaflet_assets",
    "map_html",
    "map_kind",
]

log = logging.getLogger(__name__)

#: (x, y) in the working CRS -> (lat, lon) in degrees.
LatLon = Callable[[Any, Any], tuple[Any, Any]]
#: (west, south, east, north) in degrees.
BoundsLonLat = tuple[float, float, float, float]


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


def _popup(rows: list[tuple[str, Any]], title: str) -> _Bind:
    e = functools.partial(safe_text, sink="html")
    body = "".join(f"<tr><th>{e(k)}</th><td>{e(_text(v))}</td></tr>" for k, v in rows)
    return _Bind("bindPopup", f"<b>{e(title)}</b><table>{body}</table>", {"maxWidth": 320})


def _tooltip(text: str) -> _Bind:
    return _Bind("bindTooltip", safe_text(text, "html"), {"sticky": True})


def _with(layer: Any, *children: MacroElement) -> Any:
    """Add popups/tooltips to a layer and return it."""
    for child in children:
        layer.add_child(child)
    return layer


def _text(v: Any) -> str:
    if isinstance(v, float | np.floating):
        return "–" if not np.isfinite(v) else f"{float(v):,.1f}"
    if isinstance(v, int | np.integer) and not isinstance(v, bool):
        return f"{int(v):,}"
    return str(v)


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
        the title, the plan's warnings (a box under the title, only when it has any) and
        the legend, and only Leaflet itself as a script dependency. Save it with
        :func:`map_html` for an offline page.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labeller(language, plan_words(plan, language))
    m = _blank_map()
    bounds = _add_terrain(m, plan.terrain, L)
    _add_coverage_classes(m, plan, bounds, L)
    _add_best_server(m, plan, bounds, L)
    _add_site_coverage(m, plan, bounds, L)
    ll = _lat_lon(plan.crs)
    _add_veredas(m, plan, L)
    _add_links(m, plan, ll, L)
    _add_sites(m, plan, ll, L)
    _add_existing_sites(m, plan, ll, L)
    _add_demand(m, plan, bounds, ll, L)
    _add_hotspots(m, plan, ll, L)
    _add_title_legend_controls(m, plan, bounds, language)
    return m


def _blank_map() -> folium.Map:
    """A map with no tiles whose only script dependency is Leaflet."""
    m = folium.Map(tiles=None, control_scale=True, prefer_canvas=False)
    # Only Leaflet: no jQuery, Bootstrap or icon fonts from CDNs (see map_html).
    m.default_js = [("leaflet", LEAFLET_URLS["leaflet"])]
    m.default_css = [("leaflet_css", LEAFLET_URLS["leaflet_css"])]
    return m


def _corners(bounds: BoundsLonLat) -> list[list[float]]:
    """Leaflet's [[south, west], [north, east]] of (west, south, east, north) degrees."""
    w, s, e, n = bounds
    return [[s, w], [n, e]]


def _image(rgba: NDArray[np.uint8], bounds: BoundsLonLat, **options: Any) -> Any:
    """A non-interactive image overlay of an RGBA picture over ``bounds``."""
    # `interactive` last: folium writes the options in the order they are given.
    return folium.raster_layers.ImageOverlay(
        data_uri(png_bytes(rgba)), bounds=_corners(bounds), **options, interactive=False
    )


def _lat_lon(crs: str) -> LatLon:
    """A function from (x, y) in ``crs`` to (lat, lon) in degrees."""
    to_ll = Transformer.from_crs(crs, "EPSG:4326", always_xy=True)

    def ll(x: Any, y: Any) -> tuple[Any, Any]:
        lon, lat = to_ll.transform(x, y)
        return lat, lon

    return ll


def _add_terrain(m: folium.Map, terrain: Terrain, L: Labeller) -> BoundsLonLat:
    """Add the hillshade layer; return the (west, south, east, north) of every overlay."""
    shade, bounds = to_web_mercator(
        hillshade(terrain.elevation_m, terrain.cell_size_m), terrain, nodata=0
    )
    rgba = np.dstack([shade] * 3 + [np.where(shade > 0, 255, 0)]).astype(np.uint8)
    _image(rgba, bounds, name=L("terrain"), opacity=1.0).add_to(m)
    return bounds


def _add_coverage_classes(m: folium.Map, plan: Plan, bounds: BoundsLonLat, L: Labeller) -> None:
    """Add the received-power classes of the best server."""
    rx = np.where(np.isfinite(plan.coverage_dbm), plan.coverage_dbm, np.nan).astype(np.float32)
    cls = rx_classes(rx, plan_rx_edges(plan))
    cls_web, _ = to_web_mercator(cls, plan.terrain, nodata=0, categorical=True)
    rgba = palette_rgba(cls_web, RX_CLASS_COLORS, alpha=170)
    _image(rgba, bounds, name=L("coverage_best")).add_to(m)


def _add_best_server(m: folium.Map, plan: Plan, bounds: BoundsLonLat, L: Labeller) -> None:
    """Add the best-server areas, one colour per access site (hidden at first)."""
    server = np.asarray(plan.best_server, dtype=np.int64)
    server_web, _ = to_web_mercator(
        (server + 1).astype(np.int16), plan.terrain, nodata=0, categorical=True
    )
    n_access = len(plan.access_sites)
    if n_access:
        rgba = palette_rgba(server_web, ((0, 0, 0), *best_server_colors(n_access)), alpha=150)
        _image(rgba, bounds, name=L("best_server"), show=False).add_to(m)


def _add_site_coverage(m: folium.Map, plan: Plan, bounds: BoundsLonLat, L: Labeller) -> None:
    """Add one hidden layer per access site: its own footprint, in its best-server colour.

    A footprint is every cell where the site alone reaches the service threshold
    (:meth:`~coverage.plan.Plan.site_footprint`), so footprints overlap and each contains
    the site's best-server area, which the best-server layer shows. A plan without
    footprints (hand-built) gets no such layers, and the log says so.
    """
    if plan.footprints is None:
        log.info("the plan has no per-site footprints: the map shows best server only")
        return
    ids = list(plan.access_sites["site_id"].astype(str))
    for i, (site_id, color) in enumerate(zip(ids, best_server_colors(len(ids)), strict=True)):
        mine = plan.site_footprint(i)
        if mine is None:
            continue
        web, _ = to_web_mercator(mine.astype(np.uint8), plan.terrain, nodata=0, categorical=True)
        rgba = palette_rgba(web, ((0, 0, 0), color), alpha=150)
        name = safe_text(f"{L('coverage_site')} {site_id}", "html")
        _image(rgba, bounds, name=name, show=False).add_to(m)


def _add_veredas(m: folium.Map, plan: Plan, L: Labeller) -> None:
    """Add the vereda outlines, with the people and schools covered in each popup."""
    group = folium.FeatureGroup(name=L("veredas"), show=True)
    summary = summarize(plan)
    show, _ = shown_classes(summary)
    by_id = {str(v["vereda_id"]): v for v in summary["subdivisions"]}
    by_name = {str(v["vereda"]): v for v in summary["subdivisions"]}
    for row in plan.veredas.to_crs("EPSG:4326").itertuples():
        # the summary's texts are cleaned; its rows are by id when the demand has one
        v = by_id.get(safe_text(row.vereda_id)) or by_name.get(safe_text(row.name))
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
            _popup(_vereda_figures(v, L, show) if v else [], f"{L('vereda')}: {row.name}"),
        ).add_to(group)
    group.add_to(m)


def _vereda_figures(v: dict[str, Any], L: Labeller, show: dict[str, bool]) -> list[tuple[str, Any]]:
    """Rows of a vereda's popup: people and schools covered and not covered, and households
    by service class (already served only with existing service, satellite only with
    terminals)."""
    total, parts = shown_counts(v, "households", **show)
    classes = visible_classes(**show)
    return [
        (f"{L('people')} {L('covered').lower()}", round(v["people_covered"])),
        (f"{L('people')} {L('uncovered').lower()}", round(v["people_uncovered"])),
        (f"{L('schools')} {L('covered').lower()}", v["schools_covered"]),
        (f"{L('schools')} {L('uncovered').lower()}", v["schools_uncovered"]),
        (L("households"), total),
        *((f"{L('households')}: {L(c).lower()}", n) for c, n in zip(classes, parts, strict=True)),
    ]


def _add_links(m: folium.Map, plan: Plan, ll: LatLon, L: Labeller) -> None:
    """Add the backhaul links, coloured by margin, with length, margin and capacity."""
    site_xy = {str(r.site_id): (r.geometry.x, r.geometry.y) for r in plan.sites.itertuples()}
    group = folium.FeatureGroup(name=L("links"), show=True)
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
                color=MARGIN_COLORS[margin_class(float(r.margin_db))],
                dash_array=MARGIN_DASHES[margin_class(float(r.margin_db))] or None,
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
        ).add_to(group)
    group.add_to(m)


def _add_sites(m: folium.Map, plan: Plan, ll: LatLon, L: Labeller) -> None:
    """Add the sites, coloured by role, with mast, ground, people, schools and cost."""
    group = folium.FeatureGroup(name=L("sites"), show=True)
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
                fill_color=ROLE_COLORS.get(str(r.role), "#444444"),
                fill_opacity=1.0,
            ),
            _tooltip(title),
            _popup(
                [
                    (L("role"), L(str(r.role))),
                    (L("mast_m"), float(r.mast_height_m)),
                    (L("ground_m"), float(r.ground_elevation_m)),
                    (L("people"), round(float(r.people_covered))),
                    (L("schools"), int(r.schools_covered)),
                    ("USD", float(r.cost_usd)),
                ],
                title,
            ),
        ).add_to(group)
    group.add_to(m)


def _add_demand(m: folium.Map, plan: Plan, bounds: BoundsLonLat, ll: LatLon, L: Labeller) -> None:
    """Add one layer per service class (no "already served" layer without existing service):
    markers, or images when many."""
    demand = plan.demand
    is_school = (demand["kind"] == "school").to_numpy()
    many = int((~is_school).sum()) > MAX_DEMAND_MARKERS
    cls = service_classes(demand)
    present = existing_service_summary(plan)["present"]
    sat, hot = ((cls == c).any() for c in ("served_satellite", "served_hotspot"))
    for c in visible_classes(existing=present, satellite=bool(sat), hotspot=bool(hot)):
        color = SERVICE_COLORS[c]
        group = folium.FeatureGroup(name=safe_text(f"{L('demand')}: {L(c)}", "html"), show=True)
        sel = (cls == c).to_numpy()
        if many:  # thousands of population cells: one image per group, markers for schools
            if (sel & ~is_school).any():
                cells = demand_cells(plan, sel & ~is_school)
                web, _ = to_web_mercator(cells, plan.terrain, nodata=0, categorical=True)
                rgba = palette_rgba(web, ((0, 0, 0), hex_rgb(color)), alpha=220)
                _image(rgba, bounds).add_to(group)
            sel = sel & is_school
        for r, service in zip(demand[sel].itertuples(), cls[sel], strict=True):
            _demand_marker(r, (service, color), ll, L).add_to(group)
        group.add_to(m)


def _add_hotspots(m: folium.Map, plan: Plan, ll: LatLon, L: Labeller) -> None:
    """Add the school and plaza hotspots the plan builds (none: no layer): households reached, cost."""
    hot = getattr(plan, "hotspots", None)
    if hot is None or not len(hot):
        return
    group = folium.FeatureGroup(name=L("hotspots"), show=True)
    style: dict[str, Any] = {"color": "#000000", "weight": 2, "fill": True, "fill_opacity": 0.9}
    style["fill_color"] = SERVICE_COLORS["served_hotspot"]
    for r in hot.itertuples():
        rows = [(L("households"), round(float(r.households_reached))), ("USD", float(r.cost_usd))]
        xy = ll(r.geometry.x, r.geometry.y)
        _with(
            folium.RegularPolygonMarker(xy, number_of_sides=4, radius=11, **style),
            _tooltip(f"{L('hotspots')}: {r.name}"),
            _popup(rows, f"{r.hotspot_id} · {r.name}"),
        ).add_to(group)
    group.add_to(m)


def _demand_marker(r: Any, service: tuple[str, str], ll: LatLon, L: Labeller) -> Any:
    """The marker of one demand point (a row of ``plan.demand``), sized by its people.

    ``service`` is its class and colour; the popup names the existing cell that serves it
    (or reaches it below the threshold) when the demand has that column.
    """
    lat, lon = ll(r.geometry.x, r.geometry.y)
    school = r.kind == "school"
    reason = "covered_reason" if r.reason == "covered" else str(r.reason)
    color = service[1]
    # whole people and households (a point's share of its vereda's households has fractions);
    # a school has neither of its own, so its popup shows none
    people = [] if school else [(L("people"), round(float(r.population)))]
    people += [] if school else [(L("households"), round(float(r.households)))]
    rows = [
        (L("vereda"), str(r.vereda)),
        *people,
        (L("service"), L(service[0])),
        (L("rx_dbm"), float(r.rx_dbm)),
        (L("site"), str(r.best_site) or "–"),
        (L("reason"), L(reason)),
    ]
    if str(getattr(r, "existing_site", "") or ""):
        rows.append((L("existing_sites"), f"{r.existing_site} · {r.existing_operator}"))
        rows.append((L("existing_dbm"), float(r.existing_dbm)))
    return _with(
        folium.CircleMarker(
            (lat, lon),
            radius=7 if school else float(np.clip(3 + np.sqrt(max(r.population, 0)) / 3, 3, 14)),
            color="#000000" if school else "#333333",  # an outline to stand out on coverage
            weight=2 if school else 1,
            fill=True,
            fill_color=color,
            fill_opacity=0.9,
        ),
        _tooltip(str(r.name)),
        _popup(rows, f"{L('school') if school else L('people')}: {r.name}"),
    )


def _add_existing_sites(m: folium.Map, plan: Plan, ll: LatLon, L: Labeller) -> None:
    """Add the existing mobile sites (none without them): rings, dashed where the position
    is an OpenCelliD estimate, with operator, technology, position and prediction."""
    sites = existing_sites(plan)
    if sites is None:
        return
    group = folium.FeatureGroup(name=L("existing_sites"), show=True)
    for r in sites.itertuples():
        lat, lon = ll(r.geometry.x, r.geometry.y)
        estimated = bool(getattr(r, "estimated", False))
        predicted = bool(getattr(r, "predicted", False))
        title = f"{r.site_id} · {r.operator} {r.technology}"
        _with(
            folium.CircleMarker(
                (lat, lon),
                radius=9,
                color=EXISTING_SITE_COLOR,
                weight=3,
                dash_array="4 3" if estimated else None,
                fill=True,
                fill_color="#ffffff",
                fill_opacity=0.9,
            ),
            _tooltip(title),
            _popup(
                [
                    (L("operator"), str(r.operator)),
                    (L("technology"), str(r.technology)),
                    (L("height_m"), float(r.height_m)),
                    (L("tx_power_dbm"), float(r.tx_power_dbm)),
                    (L("f_mhz"), float(r.f_mhz)),
                    (L("position"), L("position_estimated" if estimated else "position_reported")),
                    (L("predicted"), L("predicted_yes" if predicted else "predicted_no")),
                ],
                title,
            ),
        ).add_to(group)
    group.add_to(m)


#: On a phone (a screen under 600 px) the layer list and the legend are made small and
#: scrollable so that they leave the map visible.
_NARROW_SCREEN_CSS = """<style>
@media (max-width: 600px) {
  .leaflet-control-layers-list { max-height: 40vh; overflow-y: auto; font-size: 0.8rem; }
  #coverage-legend { max-height: 30vh !important; max-width: 45vw !important; }
}
</style>"""


def _add_title_legend_controls(
    m: folium.Map, plan: Plan, bounds: BoundsLonLat, language: str
) -> None:
    """Add the layer control, the title, warnings and legend panels, and zoom to the terrain."""
    folium.LayerControl(collapsed=False).add_to(m)
    root = m.get_root()
    assert isinstance(root, Figure)
    # the browser tab's title; branca writes it into <title> as it is, so it is escaped here
    root.title = safe_text(f"{labeller(language)('title')}: {plan.heading}", "html")
    # on a narrow screen the open layer list would cover the map: there it starts folded
    root.header.add_child(Element(_NARROW_SCREEN_CSS))
    root.html.add_child(Element(panels_html(plan, language)))
    m.fit_bounds(_corners(bounds))


_FOLIUM_ID = re.compile(r"_([0-9a-f]{32})(?![0-9a-f])")


def _stable_ids(page: str) -> str:
    """Replace folium's random element ids by counters, so the same map gives the same page."""
    ids: dict[str, str] = {}

    def repl(mt: re.Match[str]) -> str:
        return "_" + ids.setdefault(mt.group(1), f"id{len(ids):05d}")

    return _FOLIUM_ID.sub(repl, page)


def map_html(m: folium.Map, *, offline: bool = True) -> str:
    """Render a map to one HTML page, with Leaflet inlined when ``offline``.

    Offline, the page has no external script or stylesheet: Leaflet's script and stylesheet
    (its images as data URIs) come from the ``xstatic-leaflet`` wheel
    (:func:`leaflet_assets`), and the page works without internet. A folium that renders
    no Leaflet links to replace leaves the CDN links, with a warning in the log
    (:func:`map_kind` then says ``"cdn"``).

    Parameters
    ----------
    m
        The map, e.g. from :func:`coverage_map`.
    offline
        Inline Leaflet's script and stylesheet; False keeps the links to the CDN (a smaller
        page that needs internet).

    Returns
    -------
    str
        The HTML page; folium's random element ids are replaced by counters, so the same
        map gives the same page.
    """
    page = _stable_ids(m.get_root().render())
    if not offline:
        return page
    folder = leaflet_assets()
    js = (folder / "leaflet.js").read_text(encoding="utf-8").replace("</script", "<\\/script")
    css = inline_css(folder).replace("</style", "<\\/style")
    script_tag = f'<script src="{LEAFLET_URLS["leaflet"]}"></script>'
    css_tag = f'<link rel="stylesheet" href="{LEAFLET_URLS["leaflet_css"]}"/>'
    if script_tag not in page or css_tag not in page:
        log.warning(
            "Leaflet links not found in the rendered map (a folium whose page layout this "
            "version does not know): the map loads Leaflet from the internet; the manifest "
            "records it as kind 'cdn'. Install the folium version pyproject.toml names."
        )
        return page
    page = page.replace(script_tag, f"<script>{js}</script>", 1)
    return page.replace(css_tag, f"<style>{css}</style>", 1)
