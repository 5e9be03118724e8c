"""The link table for installers: one row per backhaul link, both ends and the radio figures.

:func:`link_table` gives, per link of ``plan.links``, what a crew needs to raise and aim
the dishes: each end's id, name, coordinates (WGS84 and the working CRS), ground
elevation and mast height; the azimuth (degrees clockwise from true north) and elevation
angle (degrees above the horizontal) from each end to the other; the distance; the
frequency and channel; the EIRP, the received level and the fade margin; and the worst
first-Fresnel-zone clearance with where along the path it lies.

The geometry:

* azimuths are the forward azimuths of the WGS84 geodesic between the two ends
  (:class:`pyproj.Geod`, Karney's algorithm), from **true** north: a compass needs the
  local magnetic declination added, which is not applied here;
* the elevation angle from end A to end B on an earth of effective radius ``k R``
  (``k`` the scenario's ``[propagation] geometry_k_factor``, ``R`` =
  :data:`~coverage.radio.visibility.EARTH_RADIUS_M`) is
  ``atan((z_B - z_A) / d - d / (2 k R))``, with ``z`` the antenna elevation (ground + mast,
  m) and ``d`` the horizontal distance (m): the first-order effective-earth geometry the
  profile charts draw (ITU-R P.526-16 section 4, effective earth radius);
* the clearance is the profile chart's (:func:`coverage.outputs.charts.link_profile_figure`):
  the line of sight between the antenna tops over the terrain raised by the earth bulge,
  divided by the first Fresnel zone radius (ITU-R P.530-18 section 2.2.2), over the
  profile's inner samples at the built masts; 1.0 is the whole zone clear, 0.6 the usual
  planning criterion, below 0 the terrain cuts the line of sight.

The radio figures are the planner's clear-link budget (:class:`coverage.planning.linkgraph.
LinkBudget`): EIRP = conducted power + dish gain - cable loss of the ``[backhaul] preset``
(dBm); received level = EIRP - free-space loss (ITU-R P.525-4) + dish gain - cable loss
(dBm), with no gaseous or rain loss; fade margin = the links' ``fade_margin_db`` (SNR above
the lowest rate on the link's channel, :mod:`coverage.pipeline.linkradio`) where the plan
has it, else ``margin_db`` (the same over the placement's channel width).
"""

from __future__ import annotations

import math
from typing import Any

import geopandas as gpd
import numpy as np
import pandas as pd
from pyproj import Geod
from shapely.geometry import LineString

from coverage.outputs.charts import _profile, _site
from coverage.plan import Plan
from coverage.radio.losses import free_space_loss_db
from coverage.radio.technology import get_technology
from coverage.radio.visibility import EARTH_RADIUS_M

__all__ = [
    "LINK_TABLE_COLUMNS",
    "LINK_TABLE_UNITS",
    "elevation_angle_deg",
    "link_layer",
    "link_table",
]

#: The columns of :func:`link_table`, in order.
LINK_TABLE_COLUMNS = (
    "link",
    "site_a",
    "name_a",
    "site_b",
    "name_b",
    "lon_a_deg",
    "lat_a_deg",
    "lon_b_deg",
    "lat_b_deg",
    "easting_a_m",
    "northing_a_m",
    "easting_b_m",
    "northing_b_m",
    "crs",
    "ground_elevation_a_m",
    "ground_elevation_b_m",
    "mast_height_a_m",
    "mast_height_b_m",
    "azimuth_a_to_b_true_deg",
    "azimuth_b_to_a_true_deg",
    "elevation_angle_a_to_b_deg",
    "elevation_angle_b_to_a_deg",
    "distance_m",
    "f_mhz",
    "channel",
    "bandwidth_mhz",
    "eirp_dbm",
    "rx_level_dbm",
    "fade_margin_db",
    "worst_clearance_fresnel_fraction",
    "worst_clearance_m",
    "worst_clearance_from_a_m",
    "worst_clearance_lon_deg",
    "worst_clearance_lat_deg",
)

#: What the columns' numbers mean, for the manifest (column or group -> unit and reference).
LINK_TABLE_UNITS = {
    "azimuth_*_true_deg": "degrees clockwise from true north (WGS84 geodesic); add the local "
    "magnetic declination for a compass",
    "elevation_angle_*_deg": "degrees above the horizontal, effective earth radius k R",
    "distance_m": "horizontal distance in the working CRS, metres",
    "eirp_dbm": "conducted power + dish gain - cable loss, dBm",
    "rx_level_dbm": "received level of a clear link (free space, ITU-R P.525-4), dBm",
    "fade_margin_db": "SNR above the lowest rate of the link's channel, dB",
    "worst_clearance_fresnel_fraction": "clearance / first Fresnel zone radius (1 = zone "
    "clear, 0.6 = planning criterion, < 0 = line of sight blocked)",
    "worst_clearance_m": "clearance above the terrain plus earth bulge at that point, metres",
    "worst_clearance_from_a_m": "distance from site A of the worst point, metres",
    "channel": "channel number of the 5.8 GHz plan, -1 for none",
}

_GEOD = Geod(ellps="WGS84")


def elevation_angle_deg(z_from_m: float, z_to_m: float, distance_m: float, k: float) -> float:
    """Elevation angle from one antenna to another over an effective earth.

    Parameters
    ----------
    z_from_m, z_to_m
        Antenna elevations (ground + mast, m) at the two ends.
    distance_m
        Horizontal distance (m).
    k
        Effective earth-radius factor (4/3 for the standard atmosphere).

    Returns
    -------
    float
        ``degrees(atan((z_to - z_from) / d - d / (2 k R)))`` (degrees above the horizontal;
        negative is down).
    """
    d = max(float(distance_m), 1e-9)
    slope = (float(z_to_m) - float(z_from_m)) / d - d / (2.0 * k * EARTH_RADIUS_M)
    return math.degrees(math.atan(slope))


def link_table(plan: Plan) -> pd.DataFrame:
    """The installers' link table: one row per link of ``plan.links``, in its order.

    Parameters
    ----------
    plan
        The plan; its sites, links, terrain and scenario (``[backhaul]`` frequency and
        preset, ``[propagation] geometry_k_factor``) are read.

    Returns
    -------
    pandas.DataFrame
        The columns of :data:`LINK_TABLE_COLUMNS` (units in their names and in
        :data:`LINK_TABLE_UNITS`); no rows for a plan without links.

    Raises
    ------
    InputError
        A link naming a site that is not in ``plan.sites``.
    """
    rows = [_row(plan, r) for r in plan.links.itertuples(index=False)]
    return pd.DataFrame(rows, columns=list(LINK_TABLE_COLUMNS))


def link_layer(plan: Plan) -> gpd.GeoDataFrame:
    """The link table as a line layer in the working CRS, for the GeoPackage.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    geopandas.GeoDataFrame
        :func:`link_table`'s columns, each row's geometry the straight line from end A to
        end B (working CRS).
    """
    table = link_table(plan)
    ends = table[["easting_a_m", "northing_a_m", "easting_b_m", "northing_b_m"]]
    geometry = [
        LineString([(xa, ya), (xb, yb)]) for xa, ya, xb, yb in ends.to_numpy(dtype=np.float64)
    ]
    return gpd.GeoDataFrame(table, geometry=geometry, crs=plan.crs)


def _row(plan: Plan, link: Any) -> dict[str, Any]:
    """One row of the table for one row of ``plan.links``."""
    a, b = _site(plan, str(link.site_a)), _site(plan, str(link.site_b))
    backhaul = plan.scenario.backhaul
    k = plan.scenario.propagation.geometry_k_factor
    f_mhz = _number(link, "centre_mhz", backhaul.f_mhz)
    ends = gpd.GeoSeries([a.geometry, b.geometry], crs=plan.crs).to_crs("EPSG:4326")
    lon_a, lat_a, lon_b, lat_b = ends.x[0], ends.y[0], ends.x[1], ends.y[1]
    az_ab, az_ba, _ = _GEOD.inv(lon_a, lat_a, lon_b, lat_b)
    d_m = float(a.geometry.distance(b.geometry))
    za = float(a["ground_elevation_m"]) + float(a["mast_height_m"])
    zb = float(b["ground_elevation_m"]) + float(b["mast_height_m"])
    ptp = get_technology(backhaul.preset)
    eirp = ptp.tx_power_dbm + ptp.tx_antenna_gain_dbi - ptp.cable_loss_db
    fspl = float(free_space_loss_db(max(d_m, 1.0), f_mhz))
    rx = eirp - fspl + ptp.rx_antenna_gain_dbi - ptp.cable_loss_db
    p = _profile(plan, (a, b), f_mhz, k)
    worst = _worst_point(plan, p, (a.geometry, b.geometry))
    return {
        "link": f"{link.site_a}-{link.site_b}",
        "site_a": str(link.site_a),
        "name_a": str(a["name"]),
        "site_b": str(link.site_b),
        "name_b": str(b["name"]),
        "lon_a_deg": round(lon_a, 7),
        "lat_a_deg": round(lat_a, 7),
        "lon_b_deg": round(lon_b, 7),
        "lat_b_deg": round(lat_b, 7),
        "easting_a_m": round(float(a.geometry.x), 2),
        "northing_a_m": round(float(a.geometry.y), 2),
        "easting_b_m": round(float(b.geometry.x), 2),
        "northing_b_m": round(float(b.geometry.y), 2),
        "crs": plan.crs,
        "ground_elevation_a_m": round(float(a["ground_elevation_m"]), 1),
        "ground_elevation_b_m": round(float(b["ground_elevation_m"]), 1),
        "mast_height_a_m": float(a["mast_height_m"]),
        "mast_height_b_m": float(b["mast_height_m"]),
        "azimuth_a_to_b_true_deg": round(az_ab % 360.0, 2),
        "azimuth_b_to_a_true_deg": round(az_ba % 360.0, 2),
        "elevation_angle_a_to_b_deg": round(elevation_angle_deg(za, zb, d_m, k), 3),
        "elevation_angle_b_to_a_deg": round(elevation_angle_deg(zb, za, d_m, k), 3),
        "distance_m": round(d_m, 1),
        "f_mhz": f_mhz,
        "channel": int(_number(link, "channel", -1.0)),
        "bandwidth_mhz": _number(link, "bandwidth_mhz", math.nan),
        "eirp_dbm": round(eirp, 2),
        "rx_level_dbm": round(rx, 2),
        "fade_margin_db": round(_fade_margin_db(link), 2),
        **worst,
    }


def _number(link: Any, column: str, default: float) -> float:
    """``link.column`` as a float where the links table has it and it is a number."""
    value = getattr(link, column, None)
    if value is None or pd.isna(value):
        return float(default)
    return float(value)


def _fade_margin_db(link: Any) -> float:
    """The channel plan's fade margin where the links have one (NaN without a channel), else
    the placement's ``margin_db`` (dB)."""
    if hasattr(link, "fade_margin_db"):
        return float(link.fade_margin_db)
    return float(link.margin_db)


def _worst_point(plan: Plan, p: Any, ends: tuple[Any, Any]) -> dict[str, float]:
    """The worst clearance of a profile: fraction, metres, distance from A, WGS84 position."""
    total = float(p.dist_m[-1])
    if not math.isfinite(p.worst_clearance) or total <= 0:
        return dict.fromkeys(LINK_TABLE_COLUMNS[-5:], math.nan)
    i = int(np.argmin(np.abs(p.dist_m - p.worst_at_m)))
    gap_m = float(p.los_m[i] - p.terrain_eff_m[i])
    t = p.worst_at_m / total
    a, b = ends
    x, y = a.x + (b.x - a.x) * t, a.y + (b.y - a.y) * t
    ll = gpd.GeoSeries(gpd.points_from_xy([x], [y]), crs=plan.crs).to_crs("EPSG:4326")
    return {
        "worst_clearance_fresnel_fraction": round(p.worst_clearance, 3),
        "worst_clearance_m": round(gap_m, 1),
        "worst_clearance_from_a_m": round(p.worst_at_m, 1),
        "worst_clearance_lon_deg": round(float(ll.x[0]), 7),
        "worst_clearance_lat_deg": round(float(ll.y[0]), 7),
    }
