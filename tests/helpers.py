"""Builders that several test modules share, so that each test states only what differs.

* :func:`build_tiny_plan` (with :func:`tiny_scenario`, :func:`tiny_existing_sites` and
  :func:`without_existing_service`): a small hand-built plan for the writers;
  :func:`visible`: the text and the tags a browser finds in an HTML fragment;
  :data:`WARNING`, a plan warning that every writer must show as the text it is;
* :func:`write_geotiff`, :func:`write_terrain`: one-band GeoTIFFs in ``tmp_path``;
* :func:`prediction_settings` (with :data:`PREDICTION_KW`): settings of the prediction tests;
* :func:`grid_placement_problem`, :func:`chain_placement_problem`,
  :func:`random_coverage_problem`: placement problems for the planning tests;
  :func:`heuristic_plans`: every heuristic plan of a backhaul model.
"""

from __future__ import annotations

import dataclasses
from html.parser import HTMLParser
from pathlib import Path
from typing import TYPE_CHECKING, Any

import geopandas as gpd
import networkx as nx
import numpy as np
import rasterio
from affine import Affine
from numpy.typing import NDArray
from shapely.geometry import LineString, Point, box

from coverage import synthetic
from coverage.inputs.terrain import Terrain
from coverage.plan import Plan
from coverage.radio.prediction import PredictionSettings
from coverage.radio.propagation import get_model
from coverage.scenario import AreaSpec, LayerSpec, PlacementParams, PopulationFacts, Scenario

#: Working CRS of the hand-built plan.
TINY_CRS = "EPSG:9377"
#: A plan warning that is markup, an entity and mathtext at once, for
#: ``dataclasses.replace(plan, warnings=(WARNING,))``: every output must show it as this text.
WARNING = "Solver stopped at its time limit <b>&amp; $x$</b>"

if TYPE_CHECKING:
    from coverage.planning.backhaul.model import BackhaulModel, BackhaulPlan
    from coverage.planning.problem import CoverageProblem, PlacementProblem


def build_tiny_plan(name: str = "tiny") -> Plan:
    """Build a small, fully determined :class:`~coverage.plan.Plan` by hand.

    A 60 x 60 ridge grid (30 m cells) split into two veredas (west, east); one point of
    presence, two access sites and one relay; four backhaul links; eight demand points
    (six population clusters, two schools) with every reason of ``REASONS`` used at least
    once; received power decreasing with distance from each access site; two existing
    mobile sites (:func:`tiny_existing_sites`: EX1 inside the terrain, its position an
    OpenCelliD estimate; EX2 outside, reported, not predicted) that already serve two
    clusters, one of them also covered by the plan; the scenario of :func:`tiny_scenario`.
    Totals: 330 people of whom 190 covered; 83 households of which 48 covered; 2 schools of
    which 1 covered. Service (households / people): 25 / 100 already served (La Cuchilla,
    El Morro), 38 / 150 newly served, 20 / 80 still unserved; per vereda, La Suiza 10 / 20
    / 12 of 42 households and Potrera Miserenga 15 / 18 / 8 of 41.
    """
    terrain = synthetic.ridge()
    sites = _tiny_sites(terrain)
    links = _tiny_links(sites)
    coverage_dbm, best_server, footprints = _tiny_coverage(terrain, sites)
    return Plan(
        name=name,
        crs=TINY_CRS,
        terrain=terrain,
        veredas=_tiny_veredas(terrain),
        demand=_tiny_demand(terrain),
        sites=sites,
        links=links,
        backhaul=_tiny_backhaul(sites, links),
        coverage_dbm=coverage_dbm,
        best_server=best_server,
        scenario=tiny_scenario(name),
        models={
            "propagation": "log-distance toy model (test fixture, not physical)",
            "placement": "hand-placed (test fixture)",
        },
        assumptions=[
            "Demand: hand-made test points, not real settlements.",
            "Coverage: synthetic received power, 35 dB/decade, cut at 0.8 km.",
        ],
        metrics={"objective": 190.0, "seconds": {"placement": 0.01}},
        existing_sites=tiny_existing_sites(terrain),
        footprints=footprints,
    )


def without_existing_service(plan: Plan) -> Plan:
    """``plan`` as a plan made before existing service was modelled: no ``existing_sites``,
    and none of the demand's existing-service columns (``existing_dbm``, ``existing_site``,
    ``existing_operator``, ``served_existing``, ``service``)."""
    columns = ["existing_dbm", "existing_site", "existing_operator", "served_existing", "service"]
    demand = plan.demand.drop(columns=[c for c in columns if c in plan.demand.columns])
    return dataclasses.replace(plan, demand=demand, existing_sites=None)


def tiny_scenario(name: str = "tiny") -> Scenario:
    """The scenario of :func:`build_tiny_plan`: defaults, a two-site budget, and an area whose
    layers name files that need not exist (``tiny/dem.tif``...), with no sources cited."""
    area = AreaSpec(
        name="tiny ridge",
        crs=TINY_CRS,
        layers={
            "dem": LayerSpec(file="tiny/dem.tif"),
            "veredas": LayerSpec(file="tiny/veredas.geojson"),
            "schools": LayerSpec(file="tiny/schools.geojson"),
        },
        population=PopulationFacts(total_people=330.0, households=83.0),
    )
    return Scenario(name=name, area=area, placement=PlacementParams(budget_sites=2))


def tiny_existing_sites(terrain: Terrain) -> gpd.GeoDataFrame:
    """The existing mobile sites of :func:`build_tiny_plan`: EX1 (Claro, 4G) in the east
    half, its position an OpenCelliD estimate, predicted; EX2 (Tigo, 3G) 600 m beyond the
    east edge, as reported, not predicted (outside the terrain)."""
    _, _, xmax, ymax = terrain.bounds
    return gpd.GeoDataFrame(
        {
            "site_id": ["EX1", "EX2"],
            "operator": ["Claro", "Tigo"],
            "technology": ["4G", "3G"],
            "height_m": [30.0, 25.0],
            "tx_power_dbm": [46.0, 43.0],
            "f_mhz": [700.0, 850.0],
            "estimated": [True, False],
            "predicted": [True, False],
        },
        geometry=[Point(xmax - 300.0, ymax - 1500.0), Point(xmax + 600.0, ymax - 600.0)],
        crs=TINY_CRS,
    )


def _tiny_veredas(terrain: Terrain) -> gpd.GeoDataFrame:
    """Two veredas, the west and east halves of the grid."""
    xmin, ymin, xmax, ymax = terrain.bounds
    xmid = (xmin + xmax) / 2.0
    return gpd.GeoDataFrame(
        {"vereda_id": ["5001", "5002"], "name": ["La Suiza", "Potrera Miserenga"]},
        geometry=[box(xmin, ymin, xmid, ymax), box(xmid, ymin, xmax, ymax)],
        crs=TINY_CRS,
    )


def _tiny_sites(terrain: Terrain) -> gpd.GeoDataFrame:
    """The point of presence, two access sites and a relay, near the north-west corner."""
    xmin, _, _, ymax = terrain.bounds
    x0, y1 = xmin, ymax
    sites = gpd.GeoDataFrame(
        {
            "site_id": ["POP", "S1", "S2", "R1"],
            "role": ["pop", "access", "access", "relay"],
            "name": ["Cabecera", "Alto Suiza", "Loma Miserenga", "Relevo Cresta"],
            "mast_height_m": [15.0, 18.0, 12.0, 24.0],
            "ground_elevation_m": [0.0, 0.0, 0.0, 0.0],
            "cost_usd": [5000.0, 12000.0, 9000.0, 7000.0],
            "people_covered": [0.0, 120.0, 70.0, 0.0],
            "schools_covered": [0, 1, 0, 0],
            "reaches_pop": [True, True, True, True],
            "hops_to_pop": [0, 1, 2, 1],
        },
        geometry=[
            Point(x0 + 150.0, y1 - 150.0),
            Point(x0 + 450.0, y1 - 900.0),
            Point(x0 + 1350.0, y1 - 900.0),
            Point(x0 + 900.0, y1 - 600.0),
        ],
        crs=TINY_CRS,
    )
    sites["ground_elevation_m"] = terrain.sample(sites.geometry.x, sites.geometry.y)
    return sites


def _tiny_links(sites: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """Four backhaul links, margins from 25 dB down to 4 dB."""
    pts = dict(zip(sites["site_id"], sites.geometry, strict=True))
    pairs = [("POP", "S1"), ("POP", "R1"), ("R1", "S2"), ("S1", "R1")]
    return gpd.GeoDataFrame(
        {
            "site_a": [a for a, _ in pairs],
            "site_b": [b for _, b in pairs],
            "length_m": [pts[a].distance(pts[b]) for a, b in pairs],
            "clearance_ratio": [1.2, 0.9, 0.7, 0.45],
            "margin_db": [25.0, 18.5, 12.0, 4.0],
            "capacity_mbps": [300.0, 250.0, 150.0, 50.0],
        },
        geometry=[LineString([pts[a], pts[b]]) for a, b in pairs],
        crs=TINY_CRS,
    )


def _tiny_backhaul(sites: gpd.GeoDataFrame, links: gpd.GeoDataFrame) -> nx.Graph:
    """The backhaul graph of the sites and links."""
    backhaul = nx.Graph(crs=TINY_CRS)
    for row in sites.itertuples():
        backhaul.add_node(row.site_id, role=row.role)
    for row in links.itertuples():
        backhaul.add_edge(
            row.site_a,
            row.site_b,
            length_m=row.length_m,
            clearance_ratio=row.clearance_ratio,
            margin_db=row.margin_db,
            capacity_mbps=row.capacity_mbps,
        )
    return backhaul


def _tiny_demand(terrain: Terrain) -> gpd.GeoDataFrame:
    """Six population clusters and two schools, every reason of ``REASONS`` used."""
    xmin, _, _, ymax = terrain.bounds
    x0, y1 = xmin, ymax
    return gpd.GeoDataFrame(
        {
            "demand_id": [f"D{i}" for i in range(1, 9)],
            "kind": ["population"] * 6 + ["school", "school"],
            "name": [
                "El Llano",
                "La Cuchilla",
                "Quebrada Honda",
                "El Morro",
                "Filo Alto",
                "Cañada",
                "Sede La Suiza",
                "Sede Miserenga",
            ],
            "vereda": [
                "La Suiza",
                "La Suiza",
                "Potrera Miserenga",
                "Potrera Miserenga",
                "La Suiza",
                "Potrera Miserenga",
                "La Suiza",
                "Potrera Miserenga",
            ],
            "population": [80.0, 40.0, 70.0, 60.0, 50.0, 30.0, 0.0, 0.0],
            "households": [20.0, 10.0, 18.0, 15.0, 12.0, 8.0, 0.0, 0.0],
            "covered": [True, True, True, False, False, False, True, False],
            "best_site": ["S1", "S1", "S2", "", "", "", "S1", ""],
            "rx_dbm": [-60.0, -75.0, -70.0, np.nan, -101.0, -95.0, -65.0, -99.0],
            "n_servers": [2, 1, 1, 0, 1, 0, 1, 0],
            "reason": [
                "covered",
                "covered",
                "covered",
                "out_of_range",
                "weak_signal",
                "blocked_by_terrain",
                "covered",
                "no_backhaul",
            ],
            # existing mobile service: EX1 reaches La Cuchilla (also covered by the plan) and
            # El Morro above the service threshold, Filo Alto below it
            "existing_dbm": [np.nan, -88.0, np.nan, -92.0, -112.0, np.nan, np.nan, np.nan],
            "existing_site": ["", "EX1", "", "EX1", "EX1", "", "", ""],
            "existing_operator": ["", "Claro", "", "Claro", "Claro", "", "", ""],
            "served_existing": [False, True, False, True, False, False, False, False],
            "service": [
                "served_new",
                "served_existing",
                "served_new",
                "served_existing",
                "unserved",
                "unserved",
                "served_new",
                "unserved",
            ],
        },
        geometry=[
            Point(x0 + 420.0, y1 - 1000.0),
            Point(x0 + 600.0, y1 - 700.0),
            Point(x0 + 1400.0, y1 - 1000.0),
            Point(x0 + 1700.0, y1 - 1700.0),
            Point(x0 + 200.0, y1 - 1650.0),
            Point(x0 + 1000.0, y1 - 1500.0),
            Point(x0 + 480.0, y1 - 950.0),
            Point(x0 + 1650.0, y1 - 300.0),
        ],
        crs=TINY_CRS,
    )


def _tiny_coverage(
    terrain: Terrain, sites: gpd.GeoDataFrame
) -> tuple[NDArray[np.float32], NDArray[np.int16], NDArray[np.uint8]]:
    """Received power (dBm, 35 dB/decade, NaN beyond 0.8 km), best server per cell and each
    access site's footprint (its finite signal: the plan states no threshold), bit-packed."""
    xs, ys = terrain.cell_centers()
    gx, gy = np.meshgrid(xs, ys)
    rx = []
    for pt in sites[sites["role"] == "access"].geometry:
        d_km = np.maximum(np.hypot(gx - pt.x, gy - pt.y), 30.0) / 1000.0
        p = -40.0 - 35.0 * np.log10(d_km) - 40.0
        rx.append(np.where(d_km <= 0.8, p, np.nan))
    filled = np.where(np.isnan(np.stack(rx)), -np.inf, np.stack(rx))
    best = filled.max(axis=0)
    coverage_dbm = np.where(np.isfinite(best), best, np.nan).astype(np.float32)
    best_server = np.where(np.isfinite(best), filled.argmax(axis=0), -1).astype(np.int16)
    return coverage_dbm, best_server, np.packbits(np.isfinite(filled), axis=0)


def write_geotiff(
    path: Path,
    data: NDArray[Any],
    *,
    crs: str | None,
    transform: Affine,
    nodata: float | None = None,
) -> Path:
    """Write a one-band GeoTIFF of ``data`` (its dtype) and return its path."""
    profile: dict[str, Any] = {
        "driver": "GTiff",
        "height": data.shape[0],
        "width": data.shape[1],
        "count": 1,
        "dtype": data.dtype,
        "transform": transform,
    }
    if crs is not None:
        profile["crs"] = crs
    if nodata is not None:
        profile["nodata"] = nodata
    with rasterio.open(path, "w", **profile) as dst:
        dst.write(data, 1)
    return path


def write_terrain(path: Path, terrain: Terrain) -> Path:
    """Write a :class:`Terrain` as a float32 GeoTIFF in its own CRS."""
    return write_geotiff(
        path,
        terrain.elevation_m.astype(np.float32),
        crs=terrain.crs.to_string(),
        transform=terrain.transform,
    )


# --- placement problems -------------------------------------------------------------------
#: Mast heights (m) of the grid and chain placement problems.
GRID_HEIGHTS_M = (6.0, 18.0)


#: Antenna heights (m) and frequency (MHz) of the prediction tests, as
#: ``PropagationModel.loss_db`` takes them.
PREDICTION_KW: dict[str, Any] = {"tx_height_m": 30.0, "rx_height_m": 1.5, "f_mhz": 700.0}


def prediction_settings(
    model: str = "itm", method: str = "radial", **params: float
) -> PredictionSettings:
    """:data:`PREDICTION_KW`'s receiver and frequency with a model built by name.

    ``params`` override the model's defaults (:func:`coverage.radio.propagation.get_model`);
    ``method`` is the grid method of area predictions.
    """
    return PredictionSettings(
        f_mhz=PREDICTION_KW["f_mhz"],
        rx_height_m=PREDICTION_KW["rx_height_m"],
        model=get_model(model, **params),
        grid_method=method,
    )


def grid_placement_problem(
    seed: int,
    *,
    side: int = 3,
    n_demand: int = 30,
    capacity_mbps: float = 1e4,
    pops: tuple[str, ...] = ("POP",),
    **fields: Any,
) -> PlacementProblem:
    """A random placement problem on a ``side`` x ``side`` grid of candidates.

    Candidates ``N00``... are the grid's nodes, with links between neighbours; the PoP
    links to the corner ``N00`` (and the last PoP to ``N10``). Every link needs a random
    mast of :data:`GRID_HEIGHTS_M` and carries ``capacity_mbps``; each candidate sees each
    of ``n_demand`` points with probability 0.1 at 6 m and 0.25 at 18 m; 1-29 people per
    point; an access site costs 1,000 USD at 6 m and 3,000 USD at 18 m, a relay 500 USD
    less, a link 400 USD. ``fields`` sets the rest of the
    :class:`~coverage.planning.problem.PlacementProblem` (``budget_usd`` or
    ``target_share`` at least) and may override any of the above.
    """
    import networkx as nx
    from scipy import sparse

    from coverage.planning.problem import PlacementProblem

    rng = np.random.default_rng(seed)
    G = nx.grid_2d_graph(side, side)
    G = nx.relabel_nodes(G, {v: f"N{v[0]}{v[1]}" for v in G})
    for v in list(G):
        G.nodes[v].update(role="candidate", x=float(v[1]), y=float(v[2]))
    for p in pops:
        G.add_node(p, role="pop", x=-1.0, y=0.0)
    G.add_edge(pops[0], "N00")
    G.add_edge(pops[-1], "N10")
    for e in G.edges:
        G.edges[e].update(
            min_height_m=float(rng.choice(GRID_HEIGHTS_M)),
            length_m=1000.0,
            capacity_mbps=capacity_mbps,
            clearance_ratio=1.0,
            margin_db=20.0,
        )
    ids = sorted(v for v in G if v.startswith("N"))
    n, nh = len(ids), len(GRID_HEIGHTS_M)
    base = rng.random((n, n_demand))
    covers = sparse.csr_array(
        np.array([base[i] < 0.1 + 0.15 * h for i in range(n) for h in range(nh)])
    )
    weights = rng.integers(1, 30, n_demand).astype(float)
    access = np.array([1000.0 + 2000.0 * h for _ in range(n) for h in range(nh)])
    values: dict[str, Any] = {
        "covers": covers,
        "weights": weights,
        "graph": G,
        "candidate_ids": ids,
        "heights_m": np.array(GRID_HEIGHTS_M),
        "access_cost_usd": access,
        "relay_cost_usd": access - 500.0,
        "link_cost_usd": 400.0,
        "pop": pops[0] if len(pops) == 1 else list(pops),
    }
    return PlacementProblem(**{**values, **fields})


def chain_placement_problem(**fields: Any) -> PlacementProblem:
    """PoP - A - B, each link clear at 6 m: B serves point 0 (5 people), A point 1 (3).

    Every option costs 1,000 USD as an access site and 900 USD as a relay, a link 10 USD;
    heights :data:`GRID_HEIGHTS_M`, hop limit 2, budget 5,000 USD. ``fields`` overrides
    any :class:`~coverage.planning.problem.PlacementProblem` field.
    """
    import networkx as nx
    from scipy import sparse

    from coverage.planning.problem import PlacementProblem

    G = nx.Graph()
    G.add_edge("POP", "A", min_height_m=6.0, capacity_mbps=100.0)
    G.add_edge("A", "B", min_height_m=6.0, capacity_mbps=100.0)
    access = np.full(4, 1000.0)
    values: dict[str, Any] = {
        "covers": sparse.csr_array(np.array([[0, 1], [0, 1], [1, 0], [1, 0]], dtype=bool)),
        "weights": np.array([5.0, 3.0]),
        "graph": G,
        "candidate_ids": ["A", "B"],
        "heights_m": np.array(GRID_HEIGHTS_M),
        "access_cost_usd": access,
        "relay_cost_usd": access - 100.0,
        "link_cost_usd": 10.0,
        "pop": "POP",
        "budget_usd": 5000.0,
        "hop_limit": 2,
    }
    return PlacementProblem(**{**values, **fields})


def random_coverage_problem(
    seed: int, *, n: int = 10, m: int = 25, density: float = 0.25, **fields: Any
) -> CoverageProblem:
    """``n`` options x ``m`` demand points, each seen with probability ``density``.

    1-49 people per point, options cost 1-9 (USD); ``fields`` sets or overrides any
    :class:`~coverage.planning.problem.CoverageProblem` field.
    """
    from scipy import sparse

    from coverage.planning.problem import CoverageProblem

    rng = np.random.default_rng(seed)
    values: dict[str, Any] = {
        "covers": sparse.csr_array(rng.random((n, m)) < density),
        "weights": rng.integers(1, 50, m).astype(float),
        "costs_usd": rng.integers(1, 10, n).astype(float),
    }
    return CoverageProblem(**{**values, **fields})


def heuristic_plans(model: BackhaulModel) -> list[BackhaulPlan]:
    """Every heuristic plan plan_network draws its warm start from: greedy-then-connect,
    the swapped and lighter greedy plans, the local search from each and from the empty
    plan, and six kicks on the last."""
    from coverage.planning.backhaul.kicks import perturb_search
    from coverage.planning.backhaul.model import BackhaulPlan
    from coverage.planning.backhaul.search import (
        greedy_then_connect,
        improve_plan,
        lighter_starts,
        swap_then_connect,
    )

    greedy = greedy_then_connect(model)
    swapped = swap_then_connect(model, greedy)
    plans = [greedy.plan, swapped, *lighter_starts(model, greedy)]
    plans += [improve_plan(model, p) for p in (*plans, BackhaulPlan({}, {}, []))]
    kicked, _ = perturb_search(model, plans[-1], kicks=6, seed=1)
    return [*plans, kicked]


class Visible(HTMLParser):
    """The text a browser shows of an HTML fragment, and every tag and attribute in it."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.text: list[str] = []
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def visible(fragment: str) -> Visible:
    """Parse an HTML fragment (see :class:`Visible`)."""
    parser = Visible()
    parser.feed(fragment)
    parser.close()
    return parser
