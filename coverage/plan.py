"""The :class:`Plan` value object: everything one planning run produced.

A plan is plain data: GeoDataFrames in the working CRS, a networkx graph, two rasters on the
terrain grid, a few dictionaries and the :class:`~coverage.scenario.Scenario` it was made
from. The pipeline (:mod:`coverage.pipeline`) builds it; the writers
(:mod:`coverage.outputs`) only read it.

Notes
-----
The columns of the plan's four GeoDataFrames:

``demand`` (one row per demand point, Point geometry)
    ``demand_id`` (str), ``kind`` ("population" or "school"), ``name`` (str),
    ``vereda`` (str), ``population`` (float, people), ``households`` (float),
    ``covered`` (bool), ``best_site`` (str, "" when uncovered), ``rx_dbm`` (float, best
    received power, NaN when no site reaches it), ``n_servers`` (int), ``reason`` (one of
    :data:`REASONS`); the service people already have: ``existing_dbm`` (float, strongest
    received power from an existing site, NaN when none reaches), ``existing_site`` and
    ``existing_operator`` (str, "" when none), ``served_existing`` (bool: ``existing_dbm``
    reaches the access technology's threshold); ``hotspot`` (str, optional: the
    ``hotspot_id`` of the school or plaza hotspot serving the point, "" for none);
    ``satellite_terminals`` (int, optional: the satellite terminals the plan gives the
    point); and ``service`` (str): "served_existing" where ``served_existing``, else
    "served_new" where ``covered``, else "served_hotspot" where a hotspot serves it, else
    "served_satellite" where it got terminals, else "unserved".
    Optional (the pipeline writes them): ``covered`` is then served under the scenario's
    ``[service]`` definition and ``signal_covered`` (bool) the signal-only test; ``sinr_db``
    and ``uplink_snr_db`` (dB, at the stated reliability), ``link_downlink_mbps`` and
    ``link_uplink_mbps`` (Mbps with the whole carrier), ``downlink_busy_hour_mbps`` and
    ``uplink_busy_hour_mbps`` (Mbps an active user gets at the busy hour; 0 when not served).
``sites`` (one row per chosen site or point of presence, Point geometry)
    ``site_id`` (str), ``role`` ("access", "relay" or "pop"), ``name`` (str),
    ``mast_height_m``, ``ground_elevation_m``, ``cost_usd`` (float: total cost of ownership
    over the cost table's life, USD; with ``capex_usd`` and ``opex_usd_per_year`` when the
    pipeline priced it), ``people_covered``
    (float), ``schools_covered`` (int), ``reaches_pop`` (bool), ``hops_to_pop`` (int, -1 when
    unreachable); optional (the pipeline writes them): ``equipment`` (str) and
    ``azimuths_deg`` (antenna azimuths, degrees clockwise from grid north, ";"-separated
    text or a list; "omni" for none); for access sites, ``carrier``, ``households_served``,
    the offered and carried busy-hour load and the capacity (``*_downlink_mbps``,
    ``*_uplink_mbps``), the shares of the site's resources used (``downlink_share``,
    ``uplink_share``, 0-1), ``households_over_capacity`` and ``median_sinr_db``.
``links`` (one row per backhaul link, LineString geometry)
    ``site_a``, ``site_b`` (str), ``length_m``, ``clearance_ratio`` (worst first-Fresnel-zone
    clearance divided by the zone radius; >= 0.6 is the usual planning criterion),
    ``margin_db`` (float), ``capacity_mbps`` (float, on the widest channel); optional (the
    pipeline writes them): ``cost_usd`` (float), ``traffic_mbps`` (busy-hour traffic),
    ``channel``, ``centre_mhz``, ``bandwidth_mhz`` (the channel plan; -1 and NaN for none),
    ``channel_capacity_mbps``, ``fade_margin_db`` and ``rain_availability_pct``
    (:mod:`coverage.pipeline.linkradio`).
``veredas`` (one row per administrative unit, Polygon geometry)
    ``vereda_id`` (str), ``name`` (str).
``existing_sites`` (one row per existing mobile site, Point geometry; None when the area has
no ``existing_sites`` layer)
    ``site_id``, ``operator``, ``technology`` (str), ``height_m`` (m), ``tx_power_dbm``
    (dBm), ``f_mhz`` (MHz), ``estimated`` (bool: the position is an estimate, e.g.
    OpenCelliD's, not a surveyed mast; say so wherever it is shown), ``predicted`` (bool:
    inside the terrain and predicted; sites outside are not); also ``antenna_gain_dbi``
    (dBi) and ``people_served`` (float, people whose strongest existing site it is, where
    it serves them).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from typing import Any

import geopandas as gpd
import networkx as nx
import numpy as np
import pandas as pd
from numpy.typing import NDArray

from coverage.inputs.terrain import Terrain
from coverage.scenario import Scenario

__all__ = ["REASONS", "Plan"]

#: Why a demand point is or is not served, in the order the pipeline checks them.
REASONS = (
    "covered",
    "blocked_by_terrain",  # a site is within range but terrain blocks every path
    "out_of_range",  # no chosen site within the technology's maximum range
    "weak_signal",  # visible or diffracted, but received power below sensitivity
    "weak_uplink",  # the downlink meets its rate, the terminal's uplink does not
    "low_sinr",  # the signal is there, but interference leaves too little SINR for the rate
    "over_capacity",  # its site cannot carry its busy-hour traffic (the excess of a full site)
    "no_backhaul",  # served by a site that has no path to the point of presence
)


@dataclass(frozen=True, eq=False)
class Plan:
    """Results of one coverage planning run, in the working CRS.

    Attributes
    ----------
    name
        Scenario name.
    crs
        The working CRS, as a string such as ``"EPSG:9377"``.
    terrain
        The terrain the plan was computed on.
    veredas, demand, sites, links
        GeoDataFrames; see the module docstring for their columns.
    existing_sites
        The existing mobile sites (see the module docstring), or None without the layer.
    backhaul
        Graph of chosen sites and the point of presence; node keys are ``site_id``; edge
        attributes as the ``links`` columns; ``graph["crs"]`` holds the CRS.
    coverage_dbm
        Best received power (dBm) per terrain cell at the user-terminal height; NaN where
        no chosen site gives a signal above the model's floor.
    best_server
        Index into the access sites (rows of ``sites`` with role "access") of the strongest
        server per cell; -1 where none.
    scenario
        The scenario the plan was made from; the summary and the manifest record its
        :meth:`~coverage.scenario.Scenario.to_dict`.
    models
        Which model made each stage, e.g. ``{"propagation": "ITM 1.2.2 point-to-point ..."}``;
        ``"existing_service"`` says how the existing sites were predicted (or that none were
        given).
    assumptions
        Statements the outputs must show (demand model, data versions, simplifications).
    metrics
        Solver figures and timings: objective, bound, gap, seconds per stage.
    warnings
        What the run cannot stand behind, one sentence each (a solver stopped before its
        target gap, a fallback plan, DEM voids filled with invented elevations); every output
        shows them, and ``coverage-plan run`` then exits with code 3
        (:data:`coverage.cli.EXIT_UNPROVEN`).
    costs
        The cost lines (:data:`coverage.pipeline.costing.COST_COLUMNS`: one row per item of
        each site, link, plan-wide element and satellite household, with capex, opex a year,
        total cost of ownership (USD), source and whether it is an assumption), or None for
        a hand-built plan priced by ``cost_usd`` columns only.
    threshold_dbm
        The service threshold: the received power (dBm) at which a terminal decodes at the
        stated reliability (:attr:`coverage.pipeline.resolve.ResolvedScenario.threshold_dbm`);
        a cell of :attr:`coverage_dbm` at or above it has signal (see :meth:`signal_cells`).
        None for a hand-built plan that does not state it.
    hotspots
        The school and plaza Wi-Fi hotspots the plan builds, one row each (Point geometry
        where it stands): ``hotspot_id`` ("hotspot <host demand_id>", the ``hotspot`` of the
        demand points it serves), ``kind`` (school or plaza), ``host_id``, ``name``, ``vereda``, ``households_reached``,
        ``people_reached``, ``capex_usd``, ``opex_usd_per_year``, ``cost_usd`` (USD, TCO);
        None when the plan did not weigh hotspots (``[hotspots]``).
    footprints
        Where each access site on its own reaches the service threshold, overlaps
        included, bit-packed along the sites as
        :attr:`coverage.radio.composite.Composite.footprints` (uint8, shape
        ``(ceil(N / 8), rows, cols)`` for N access sites, in :attr:`best_server`'s order);
        read one with :meth:`site_footprint`. None for a plan made without them (a
        hand-built plan): the outputs then have no per-site footprint layer.
    """

    name: str
    crs: str
    terrain: Terrain
    veredas: gpd.GeoDataFrame
    demand: gpd.GeoDataFrame
    sites: gpd.GeoDataFrame
    links: gpd.GeoDataFrame
    backhaul: nx.Graph
    coverage_dbm: NDArray[np.float32]
    best_server: NDArray[np.int16]
    scenario: Scenario
    models: dict[str, str] = field(default_factory=dict)
    assumptions: list[str] = field(default_factory=list)
    metrics: dict[str, Any] = field(default_factory=dict)
    warnings: tuple[str, ...] = ()
    existing_sites: gpd.GeoDataFrame | None = None
    costs: pd.DataFrame | None = None
    threshold_dbm: float | None = None
    hotspots: gpd.GeoDataFrame | None = None
    footprints: NDArray[np.uint8] | None = None

    @property
    def territory(self) -> str:
        """The territory's name.

        Returns
        -------
        str
            The area file's ``name`` ("San Sebastián de Palmitas").
        """
        return self.scenario.area.name

    @property
    def subdivision(self) -> str:
        """What the territory's sub-districts are called.

        Returns
        -------
        str
            The area file's ``subdivision`` (vereda, barrio, sector ...).
        """
        return self.scenario.area.subdivision

    @property
    def heading(self) -> str:
        """The territory and the scenario, as the outputs' titles show them.

        Returns
        -------
        str
            ``"<territory> (<scenario name>)"``.
        """
        return f"{self.territory} ({self.name})"

    @property
    def access_sites(self) -> gpd.GeoDataFrame:
        """The rows of :attr:`sites` whose role is "access".

        Returns
        -------
        geopandas.GeoDataFrame
            The access sites, in the order of :attr:`best_server`'s indices.
        """
        return self.sites[self.sites["role"] == "access"]

    @property
    def people_total(self) -> float:
        """People in the demand layer.

        Returns
        -------
        float
            The sum of ``demand["population"]`` (people).
        """
        return float(self.demand["population"].sum())

    @property
    def people_covered(self) -> float:
        """People at covered demand points.

        Returns
        -------
        float
            The sum of ``demand["population"]`` where ``covered`` (people).
        """
        return float(self.demand.loc[self.demand["covered"], "population"].sum())

    def signal_cells(self) -> NDArray[np.bool_]:
        """The terrain cells where the plan's best server reaches the service threshold.

        Returns
        -------
        numpy.ndarray of bool
            On the terrain grid: ``coverage_dbm >= threshold_dbm``; where the plan states
            no :attr:`threshold_dbm`, every cell with a finite signal (a hand-built plan).
        """
        rx = np.asarray(self.coverage_dbm, dtype=np.float64)
        if self.threshold_dbm is None:
            return np.isfinite(rx)
        return np.nan_to_num(rx, nan=-np.inf) >= self.threshold_dbm

    def site_footprint(self, index: int) -> NDArray[np.bool_] | None:
        """The cells where one access site on its own reaches the service threshold.

        Parameters
        ----------
        index
            The site's index into :attr:`access_sites` (as in :attr:`best_server`).

        Returns
        -------
        numpy.ndarray of bool or None
            On the terrain grid; it contains the site's best-server cells (``best_server ==
            index``) and may overlap other sites' footprints. None when the plan has no
            :attr:`footprints`.
        """
        if self.footprints is None:
            return None
        byte = np.asarray(self.footprints[index // 8])
        return ((byte >> np.uint8(7 - index % 8)) & np.uint8(1)).astype(bool)

    def total_cost_usd(self) -> float:
        """The plan's total cost of ownership.

        Returns
        -------
        float
            The sum of :attr:`costs`' ``tco_usd`` where the plan has cost lines, else of the
            sites' and links' ``cost_usd`` columns (USD, over the scenario's ``[costs]``
            years).
        """
        if self.costs is not None and len(self.costs) and "tco_usd" in self.costs.columns:
            return float(self.costs["tco_usd"].sum())
        total = float(self.sites["cost_usd"].sum()) if "cost_usd" in self.sites.columns else 0.0
        if "cost_usd" in self.links.columns:
            total += float(self.links["cost_usd"].sum())
        return total

    def _facts(self) -> list[tuple[str, str]]:
        """(name, value) lines of the short description: scenario, sites, served, cost."""
        roles = self.sites["role"].astype(str).value_counts()
        mix = ", ".join(f"{int(roles[r])} {r}" for r in ("access", "relay", "pop") if r in roles)
        total, served = self.people_total, self.people_covered
        share = f"{100.0 * served / total:.1f} %" if total > 0 else "n/a"
        years = self.scenario.costs.years
        return [
            ("scenario", f"{self.name} ({self.crs})"),
            ("sites", f"{len(self.sites)} ({mix}); {len(self.links)} backhaul links"),
            ("served", f"{served:,.0f} of {total:,.0f} people ({share})"),
            ("cost", f"{self.total_cost_usd():,.0f} USD total cost of ownership, {years} years"),
            ("warnings", f"{len(self.warnings)}" + (" (see .warnings)" if self.warnings else "")),
        ]

    def __repr__(self) -> str:
        """A few lines: scenario, sites, served share, cost and the number of warnings.

        Returns
        -------
        str
            ``Plan`` and one indented ``name: value`` line per fact.
        """
        return "Plan\n" + "\n".join(f"  {k}: {v}" for k, v in self._facts())

    def _repr_html_(self) -> str:
        """The facts of :meth:`__repr__` as a small HTML table, for notebooks.

        Returns
        -------
        str
            A ``<table>`` of one row per fact, every text HTML-escaped.
        """
        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self._facts()
        )
        return f"<table><caption>Plan</caption>{rows}</table>"
