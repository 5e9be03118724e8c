"""One interactive map of a region: every territory's sub-districts, sites and border pairs.

Built from the :class:`~coverage.outputs.regionsummary.TerritoryOutcome` of each territory
with the building blocks of :mod:`coverage.outputs.webmap` (a map without tiles, popups and
tooltips bound in plain Leaflet, every name through
:func:`~coverage.outputs.text.safe_text`) and saved as one offline page by
:func:`~coverage.outputs.webmap.map_html` (Leaflet inlined). Served and unserved are shown
per sub-district: each is filled by the share of its people served by any service (the
colour of the plan's "unserved" class under a half, of "served_new" from a half up) with
its figures in a popup; each territory's own ``map.html`` has the demand points.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import folium
import pandas as pd

from coverage.outputs.regionsummary import TerritoryOutcome
from coverage.outputs.styles import ROLE_COLORS, SERVICE_COLORS
from coverage.outputs.text import safe_text
from coverage.outputs.webmap import _blank_map, _popup, _tooltip, _with

__all__ = ["region_map"]

#: Tolerance (m, working CRS) of the sub-districts' outlines on the map. ASSUMPTION: well
#: below what the map shows at a region's zoom; the territory's own map has them whole.
_SIMPLIFY_M = 10.0
#: The border pairs' line colour (the palette's "relay" purple would read as a link).
_BORDER_COLOR = "#CC6677"


def _fill(share: float) -> str:
    ok = share == share and share >= 0.5  # NaN (no people): unserved colour, not served
    return SERVICE_COLORS["served_new" if ok else "unserved"]


def _add_territory(m: folium.Map, o: TerritoryOutcome) -> None:
    subs = o.subdivisions.copy()
    subs["geometry"] = subs.geometry.simplify(_SIMPLIFY_M, preserve_topology=True)
    subs = subs.to_crs(4326)
    group = folium.FeatureGroup(name=safe_text(o.name, "html"), show=True)
    for r in subs.itertuples():
        if r.geometry is None or r.geometry.is_empty:
            continue
        share = r.people_served_any / r.people if r.people > 0 else float("nan")
        rows: list[tuple[str, Any]] = [
            ("territory", o.name),
            ("people", round(float(r.people))),
            ("households", round(float(r.households))),
            ("served by the network", round(float(r.people_served_network))),
            ("served by any service", round(float(r.people_served_any))),
        ]
        style = {"color": "#222222", "weight": 1, "fillColor": _fill(share), "fillOpacity": 0.45}
        _with(
            folium.GeoJson(r.geometry.__geo_interface__, style_function=lambda _, s=style: s),
            _tooltip(f"{o.name}: {r.subdivision}"),
            _popup(rows, f"{o.subdivision_word}: {r.subdivision}"),
        ).add_to(group)
    outline = subs.geometry.union_all()
    folium.GeoJson(
        outline.__geo_interface__,
        style_function=lambda _: {"color": "#000000", "weight": 3, "fill": False},
    ).add_to(group)
    sites = o.sites.to_crs(4326)
    for r in sites.itertuples():
        role = str(r.role)
        _with(
            folium.CircleMarker(
                (r.geometry.y, r.geometry.x),
                radius=7 if role == "pop" else 5,
                color="#ffffff",
                weight=1,
                fill=True,
                fill_color=ROLE_COLORS.get(role, "#000000"),
                fill_opacity=1.0,
            ),
            _tooltip(f"{o.name}: {r.site_id} ({role})"),
            _popup([("role", role), ("name", str(r.name))], f"{o.name} · {r.site_id}"),
        ).add_to(group)
    group.add_to(m)


def _add_border(m: folium.Map, outcomes: Sequence[TerritoryOutcome], border: pd.DataFrame) -> None:
    if not len(border):
        return
    where = {
        (o.name, str(s.site_id)): (s.geometry.y, s.geometry.x)
        for o in outcomes
        for s in o.sites.to_crs(4326).itertuples()
    }
    group = folium.FeatureGroup(name="border sites", show=True)
    for r in border.itertuples():
        a = where[(str(r.territory_a), str(r.site_a))]
        b = where[(str(r.territory_b), str(r.site_b))]
        text = f"{r.territory_a} {r.site_a} - {r.territory_b} {r.site_b}: {r.distance_m:,.0f} m"
        _with(
            folium.PolyLine([a, b], color=_BORDER_COLOR, weight=6, opacity=0.9),
            _tooltip(text),
        ).add_to(group)
    group.add_to(m)


def region_map(name: str, outcomes: Sequence[TerritoryOutcome], border: pd.DataFrame) -> folium.Map:
    """The region's map: one layer per territory and one of the border pairs.

    Parameters
    ----------
    name
        The region's name (the page title).
    outcomes
        The territories, in the region's order.
    border
        The border pairs (:func:`~coverage.outputs.regionsummary.border_sites`).

    Returns
    -------
    folium.Map
        Without tiles; save it with :func:`~coverage.outputs.webmap.map_html`.
    """
    m = _blank_map()
    for o in outcomes:
        _add_territory(m, o)
    _add_border(m, outcomes, border)
    folium.LayerControl(collapsed=False).add_to(m)
    bounds = [o.subdivisions.to_crs(4326).total_bounds for o in outcomes if len(o.subdivisions)]
    if bounds:
        w = min(b[0] for b in bounds)
        s = min(b[1] for b in bounds)
        e = max(b[2] for b in bounds)
        n = max(b[3] for b in bounds)
        m.fit_bounds([[s, w], [n, e]])
    root = m.get_root()
    root.title = safe_text(f"Region: {name}", "html")  # type: ignore[attr-defined]
    return m
