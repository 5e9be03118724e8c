"""Stage 1c: the service people already have, predicted from the existing mobile sites.

:func:`existing_service` reads the area's optional ``existing_sites`` layer
(:mod:`coverage.inputs.existing`) and predicts each site's received power at every demand
point with the *same* physics as the candidates (:func:`~coverage.pipeline.stages.coverage_matrix`):
the scenario's propagation model, terminal height, clutter and the access technology's
largest range, each site at its own frequency, mast height and EIRP (``[existing]``). A point
is served by an existing site where that power reaches the access technology's threshold
(:attr:`~coverage.pipeline.resolve.ResolvedScenario.threshold_dbm`), the same criterion a
planned site must meet.

Sites outside the terrain grid (the area plus its margin) cannot be predicted: they are
kept in the table with ``predicted`` False, counted in the log and in the plan's
assumptions, and their service into the area is not counted (a conservative choice; moving
them onto the grid's edge would invent positions).

The other functions are what :func:`~coverage.pipeline.assemble.assemble_plan` uses: the
demand's ``service`` class (:func:`with_service`), the plan's existing-sites table
(:func:`existing_sites_table`), the sentence stating the placement's target
(:func:`target_assumption`) and the model line (:func:`existing_model`).
"""

from __future__ import annotations

import dataclasses
import logging

import geopandas as gpd
import numpy as np
from numpy.typing import NDArray

from coverage.inputs.existing import (
    EXISTING_LAYER,
    load_existing_sites,
    with_existing_columns,
)
from coverage.pipeline.prepare import Inputs
from coverage.pipeline.resolve import ResolvedScenario
from coverage.pipeline.stages import _xy
from coverage.radio.composite import received_power_dbm
from coverage.radio.prediction import path_loss_options

__all__ = [
    "SERVICE_CLASSES",
    "existing_model",
    "existing_rx_dbm",
    "existing_service",
    "existing_sites_table",
    "target_assumption",
    "with_service",
]

log = logging.getLogger(__name__)

#: The classes of a plan's ``demand["service"]``, in the order they are decided.
SERVICE_CLASSES = (
    "served_existing",
    "served_new",
    "served_hotspot",
    "served_satellite",
    "unserved",
)

_ESTIMATED = (
    "their positions are ESTIMATES (OpenCelliD averages where phones measured each cell, "
    "which pulls them toward where people are), not surveyed mast coordinates"
)


def existing_rx_dbm(
    resolved: ResolvedScenario, inputs: Inputs, sites: gpd.GeoDataFrame
) -> NDArray[np.float32]:
    """Received power (dBm) from each existing site to every demand point.

    The prediction of :func:`~coverage.pipeline.stages.coverage_matrix` for an omni site:
    path loss from :func:`~coverage.radio.prediction.path_loss_options` with the run's
    prediction settings at the site's frequency, EIRP ``tx_power_dbm + antenna_gain_dbi -
    [existing] cable_loss_db``, the terminal's gain and each point's clutter loss.

    Parameters
    ----------
    resolved
        The resolved scenario: technology (terminal, range), propagation settings,
        ``[existing]``.
    inputs
        The run's data (terrain, demand points, clutter).
    sites
        Existing sites (:func:`~coverage.inputs.existing.load_existing_sites`) in the
        terrain's CRS.

    Returns
    -------
    NDArray[np.float32]
        (sites, demand points) received power (dBm); NaN beyond the technology's range and
        for every site outside the terrain.
    """
    technology = resolved.technology
    terrain = inputs.terrain
    targets = _xy(inputs.demand)
    rx = np.full((len(sites), len(targets)), np.nan, dtype=np.float32)
    xy = _xy(sites) if len(sites) else np.zeros((0, 2))
    inside = np.asarray(terrain.contains(xy[:, 0], xy[:, 1]), dtype=bool).reshape(-1)
    cable_db = resolved.scenario.existing.cable_loss_db
    for i in np.flatnonzero(inside):
        site = sites.iloc[i]
        settings = dataclasses.replace(resolved.prediction, f_mhz=float(site["f_mhz"]))
        loss = path_loss_options(
            terrain,
            xy[i : i + 1],
            np.array([float(site["height_m"])]),
            targets,
            max_distance_m=technology.max_range_m,
            settings=settings,
        )
        eirp_dbm = float(site["tx_power_dbm"]) + float(site["antenna_gain_dbi"]) - cable_db
        rx[i] = received_power_dbm(
            eirp_dbm, loss[0], rx_antenna_gain_dbi=resolved.terminal_gain_dbi
        ).astype(np.float32)
    if inputs.clutter_db is not None and len(targets):  # as coverage_matrix subtracts it
        r, c = terrain.rowcol(targets[:, 0], targets[:, 1])
        rx -= inputs.clutter_db[r, c][None, :]
    return rx


def existing_service(resolved: ResolvedScenario, inputs: Inputs) -> Inputs:
    """The inputs with the existing service on every demand point and the existing sites.

    Parameters
    ----------
    resolved
        The resolved scenario (``[existing]``, the technology's threshold, the prediction).
    inputs
        The run's data (:func:`~coverage.pipeline.prepare.prepare_inputs`), whose paths may
        hold the area's ``existing_sites`` layer.

    Returns
    -------
    Inputs
        A copy whose ``demand`` has ``existing_dbm`` (float, dBm, NaN where no existing site
        reaches), ``existing_site`` and ``existing_operator`` (str, "" where none) of the
        strongest existing site, and ``served_existing`` (bool: ``existing_dbm`` >= the
        threshold); whose ``existing_sites`` is the sites' table with ``predicted`` (bool:
        inside the terrain), or None without the layer; and whose assumptions state the
        model, the unknowns' defaults, the dropped sites and the people served. Without the
        layer the columns are NaN, "" and False.

    Raises
    ------
    InputError
        The layer is unusable (every problem, naming the file, feature and field).
    """
    path = inputs.paths.get(EXISTING_LAYER)
    if path is None:
        sentence = (
            "Existing service: none given (the area has no existing_sites layer); no demand "
            "point counts as served by an existing network."
        )
        demand = with_existing_columns(inputs.demand)
        return dataclasses.replace(
            inputs, demand=demand, assumptions=[*inputs.assumptions, sentence]
        )
    s = resolved.scenario
    spec = s.area.layers[EXISTING_LAYER]
    sites = load_existing_sites(path, inputs.terrain.crs, s.existing, id_field=spec.id_field)
    rx = existing_rx_dbm(resolved, inputs, sites)
    xy = _xy(sites)
    sites["predicted"] = np.asarray(inputs.terrain.contains(xy[:, 0], xy[:, 1]), dtype=bool)
    demand = _strongest_existing(inputs.demand, sites, rx, resolved.threshold_dbm)
    assumptions = [*inputs.assumptions, *_assumptions(resolved, inputs, sites, demand)]
    served = demand["served_existing"].to_numpy()
    log.info(
        "existing service: %d of %d sites predicted; %d of %d demand points served (%.0f people)",
        int(sites["predicted"].sum()),
        len(sites),
        int(served.sum()),
        len(demand),
        float(demand.loc[served, "population"].sum()),
    )
    return dataclasses.replace(inputs, demand=demand, assumptions=assumptions, existing_sites=sites)


def _strongest_existing(
    demand: gpd.GeoDataFrame,
    sites: gpd.GeoDataFrame,
    rx_dbm: NDArray[np.float32],
    threshold_dbm: float,
) -> gpd.GeoDataFrame:
    """The demand points with the strongest existing site's power (dBm), id and operator."""
    if len(sites) == 0:
        return with_existing_columns(demand)
    power = np.where(np.isfinite(rx_dbm), rx_dbm, -np.inf).astype(np.float64)
    best = power.argmax(axis=0)
    strongest = power.max(axis=0)
    reached = np.isfinite(strongest)
    out = demand.copy()
    out["existing_dbm"] = np.where(reached, strongest, np.nan)
    out["existing_site"] = np.where(reached, sites["site_id"].to_numpy(dtype=object)[best], "")
    out["existing_operator"] = np.where(reached, sites["operator"].to_numpy(dtype=object)[best], "")
    out["served_existing"] = reached & (strongest >= threshold_dbm)
    return out


def _assumptions(
    resolved: ResolvedScenario,
    inputs: Inputs,
    sites: gpd.GeoDataFrame,
    demand: gpd.GeoDataFrame,
) -> list[str]:
    """The sentences of the existing service: source, estimates, defaults, dropped, served."""
    s = resolved.scenario
    e = s.existing
    spec = s.area.layers[EXISTING_LAYER]
    path = inputs.paths[EXISTING_LAYER]
    operators = sites["operator"].replace("", "unknown operator").value_counts()
    who = ", ".join(f"{n} {op}" for op, n in operators.items())
    where = "; ".join(x for x in (spec.source, spec.licence) if x)
    positions = (
        _ESTIMATED if e.positions_estimated else "their positions are as the layer gives them"
    )
    out = [
        f"Existing service: {len(sites)} mobile site(s) ({who}) from {path.name}"
        + (f" ({where})" if where else "")
        + f"; {positions}."
    ]
    per_tech = "; ".join(
        f"{t} {e.tx_power_dbm[t]:g} dBm, {e.antenna_gain_dbi[t]:g} dBi, {e.f_mhz[t]:g} MHz"
        for t in sorted(set(sites["technology"]))
    )
    height = (
        f"height from field {e.height_field!r}, else {e.height_m:g} m"
        if e.height_field
        else f"mast {e.height_m:g} m"
    )
    out.append(
        "Existing sites are predicted with the candidates' propagation model, terminal "
        f"height, clutter and range ({resolved.technology.max_range_m / 1000:g} km), and a "
        f"point counts as served by one where its power reaches {resolved.threshold_dbm:g} dBm "
        "(the access technology's threshold). Unknowns are ASSUMPTIONS ([existing], sources in "
        f"coverage.sections.ExistingParams): {height}, omni at peak gain, {per_tech}, cable "
        f"loss {e.cable_loss_db:g} dB."
    )
    dropped = sites.loc[~sites["predicted"], "site_id"].tolist()
    if dropped:
        out.append(
            f"{len(dropped)} existing site(s) lie outside the terrain (the area plus "
            f"{s.area.margin_m:,.0f} m) and are not predicted ({', '.join(dropped)}); their "
            "service into the area is not counted."
        )
    served = demand["served_existing"].to_numpy(dtype=bool)
    people = float(demand.loc[served, "population"].sum())
    total = float(demand["population"].sum())
    share = 100 * people / total if total > 0 else 0.0
    households = (
        f", {float(demand.loc[served, 'households'].sum()):,.0f} households"
        if "households" in demand.columns
        else ""
    )
    out.append(
        f"Served by existing sites (predicted): {people:,.0f} people ({share:.1f} %){households} "
        f"at {int(served.sum())} of {len(demand)} demand points."
    )
    return out


def with_service(demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame:
    """The plan's demand points with the existing-service columns and their ``service`` class.

    Parameters
    ----------
    demand
        Demand points with ``covered`` (by the plan) and optionally ``hotspot`` (str, the
        hotspot serving the point, "" for none) and ``satellite_terminals`` (int); the
        existing-service columns are added blank where missing
        (:func:`~coverage.inputs.existing.with_existing_columns`).

    Returns
    -------
    gpd.GeoDataFrame
        A copy with ``service`` (str, :data:`SERVICE_CLASSES`): "served_existing" where an
        existing site serves the point, else "served_new" where the plan's sites cover it,
        else "served_hotspot" where a school or plaza hotspot serves it, else "served_satellite"
        where it got a satellite terminal, else "unserved".
    """
    out = with_existing_columns(demand)
    existing = out["served_existing"].to_numpy(dtype=bool)
    new = out["covered"].to_numpy(dtype=bool)
    sat = (
        out["satellite_terminals"].to_numpy() > 0
        if "satellite_terminals" in out.columns
        else np.zeros(len(out), bool)
    )
    hot = (
        out["hotspot"].fillna("").astype(str).to_numpy() != ""
        if "hotspot" in out.columns
        else np.zeros(len(out), bool)
    )
    out["service"] = np.select(
        [existing, new, hot, sat], list(SERVICE_CLASSES[:4]), default=SERVICE_CLASSES[4]
    )
    return out


def existing_sites_table(inputs: Inputs, demand: gpd.GeoDataFrame) -> gpd.GeoDataFrame | None:
    """The plan's existing sites, with the people each serves.

    Parameters
    ----------
    inputs
        The run's data after :func:`existing_service`.
    demand
        The plan's demand points (``existing_site``, ``served_existing``, ``population``).

    Returns
    -------
    gpd.GeoDataFrame or None
        ``site_id``, ``operator``, ``technology`` (str), ``height_m`` (m), ``tx_power_dbm``
        (dBm), ``antenna_gain_dbi`` (dBi), ``f_mhz`` (MHz), ``estimated`` and ``predicted``
        (bool), ``people_served`` (people whose strongest existing site it is, where served),
        Point geometry in the working CRS; None without an existing-sites layer.
    """
    sites = inputs.existing_sites
    if sites is None:
        return None
    served = demand[demand["served_existing"].to_numpy(dtype=bool)]
    people = served.groupby("existing_site")["population"].sum()
    out = sites.copy()
    out["people_served"] = out["site_id"].map(people).fillna(0.0).astype(float)
    return out


def target_assumption(resolved: ResolvedScenario) -> str:
    """The sentence stating whom the placement plans for (``[existing] target``).

    Parameters
    ----------
    resolved
        The resolved scenario.

    Returns
    -------
    str
        One sentence for the plan's assumptions.
    """
    if resolved.scenario.existing.target == "unserved":
        return (
            "Target: the unserved. The placement counts only demand points no existing site "
            "serves: served points weigh nothing in the objective and the target share, and "
            "a school an existing site serves is not a must-cover school."
        )
    return (
        "Target: everyone. The placement counts every demand point, also those an existing "
        'site serves ([existing] target = "unserved" plans for the rest only).'
    )


def existing_model(resolved: ResolvedScenario, inputs: Inputs) -> str:
    """One line on how the existing service was predicted, for the plan's models.

    Parameters
    ----------
    resolved
        The resolved scenario.
    inputs
        The run's data after :func:`existing_service`.

    Returns
    -------
    str
        The sites predicted and how, or that no existing-sites layer was given.
    """
    sites = inputs.existing_sites
    if sites is None:
        return "none: the area has no existing_sites layer"
    e = resolved.scenario.existing
    estimated = "estimated positions (OpenCelliD)" if e.positions_estimated else "given positions"
    return (
        f"{int(sites['predicted'].sum())} of {len(sites)} existing sites, {estimated}, omni "
        f"at assumed height and EIRP, predicted with {resolved.model.describe()}; served "
        f"where >= {resolved.threshold_dbm:g} dBm"
    )
