"""Link budget: terminal clutter loss, SNR, throughput class and margins.

Received power is ``EIRP(direction) - path loss + rx gain - rx cable loss - clutter loss``
(:func:`coverage.radio.composite.received_power_dbm` for the plain sum; the direction's
antenna gain from :mod:`coverage.radio.antenna`). This module adds:

* clutter loss per land-cover class (ESA WorldCover v200 codes) from an optional raster;
* SNR against the thermal noise floor, and an estimated throughput with the attenuated
  Shannon bound of 3GPP TR 36.942 Annex A.2, with a class for reports.
"""

from __future__ import annotations

import math
import os

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.rasters import raster_on_grid
from coverage.inputs.terrain import Terrain
from coverage.radio.technology import Technology

__all__ = [
    "THROUGHPUT_CLASSES",
    "WORLDCOVER_CLUTTER_DB",
    "clutter_grid_db",
    "clutter_loss_db",
    "free_space_range_m",
    "link_margin_db",
    "snr_db",
    "throughput_class",
    "throughput_mbps",
]

#: Planning clutter losses (dB) for a terminal inside each ESA WorldCover v200 class
#: (10 tree cover, 20 shrubland, 30 grassland, 40 cropland, 50 built-up, 60 bare/sparse,
#: 70 snow and ice, 80 permanent water, 90 herbaceous wetland, 95 mangroves, 100 moss and
#: lichen). Values are assumptions in the range of ITU-R P.2108-1 §3.2 terminal clutter loss
#: and ITU-R P.833-10 vegetation at UHF; scenarios should set their own.
WORLDCOVER_CLUTTER_DB: dict[int, float] = {
    10: 12.0,
    20: 4.0,
    30: 0.0,
    40: 2.0,
    50: 10.0,
    60: 0.0,
    70: 0.0,
    80: 0.0,
    90: 2.0,
    95: 12.0,
    100: 0.0,
}

#: Throughput classes (name, lower bound in Mbit/s), best first.
THROUGHPUT_CLASSES: tuple[tuple[str, float], ...] = (
    ("high", 25.0),
    ("broadband", 10.0),
    ("basic", 2.0),
    ("low", 0.0),
)


def clutter_loss_db(
    land_cover: ArrayLike, table: dict[int, float] | None = None, *, default_db: float = 0.0
) -> NDArray[np.float32]:
    """Clutter loss (dB) per cell from a land-cover class raster.

    Parameters
    ----------
    land_cover
        Integer class codes on the terrain grid (e.g. ESA WorldCover v200 resampled to it).
    table
        Loss per class (dB); default :data:`WORLDCOVER_CLUTTER_DB`.
    default_db
        Loss (dB) for classes missing from the table (e.g. nodata).

    Returns
    -------
    numpy.ndarray
        Clutter loss (dB, float32), of the shape of ``land_cover``.

    Raises
    ------
    InputError
        A negative loss in the table.
    """
    codes = np.asarray(land_cover)
    lut = WORLDCOVER_CLUTTER_DB if table is None else table
    if any(v < 0 for v in lut.values()):
        msg = "clutter_loss_db: losses must be >= 0 dB."
        raise InputError(msg)
    out = np.full(codes.shape, default_db, dtype=np.float32)
    for code, loss in lut.items():
        out[codes == code] = loss
    return out


def clutter_grid_db(
    land_cover: str | os.PathLike[str],
    terrain: Terrain,
    table: dict[int, float] | None = None,
) -> NDArray[np.float32]:
    """Clutter loss (dB) on the terrain grid from a land-cover GeoTIFF in any CRS.

    Classes are taken by nearest neighbour at each cell centre (ESA WorldCover v200 codes
    unless ``table`` says otherwise; see :func:`clutter_loss_db`); cells the raster does
    not cover, or its nodata, get no clutter loss.

    Parameters
    ----------
    land_cover
        The land-cover GeoTIFF (class codes in band 1).
    terrain
        The grid to put the clutter loss on.
    table
        Loss per class (dB); default :data:`WORLDCOVER_CLUTTER_DB`.

    Returns
    -------
    numpy.ndarray
        Grid of ``terrain.shape`` (float32): clutter loss (dB).

    Raises
    ------
    InputError
        The file cannot be read or has no CRS, or the table has a negative loss.
    """
    from rasterio.enums import Resampling

    codes = raster_on_grid(
        land_cover, terrain, what="land cover", crs_hint="ESA WorldCover is EPSG:4326",
        content="class codes", dtype=np.int32, resampling=Resampling.nearest,
    )  # fmt: skip
    return clutter_loss_db(codes, table)


def snr_db(rx_dbm: ArrayLike, technology: Technology) -> NDArray[np.float64]:
    """Signal-to-noise ratio (dB) against the thermal noise floor of ``technology``.

    Parameters
    ----------
    rx_dbm
        Received power (dBm), any shape.
    technology
        Its bandwidth (MHz) and noise figure (dB) give the noise floor.

    Returns
    -------
    numpy.ndarray
        SNR (dB): ``rx_dbm`` minus :attr:`Technology.noise_floor_dbm`.
    """
    return np.asarray(np.asarray(rx_dbm, dtype=np.float64) - technology.noise_floor_dbm)


def throughput_mbps(snr: ArrayLike, technology: Technology) -> NDArray[np.float64]:
    """Estimated throughput (Mbit/s) by the attenuated Shannon bound, 3GPP TR 36.942 A.2.

    ``0`` below the technology's minimum SNR, ``0.6 B log2(1 + SNR)`` above it, capped at
    ``B x max_spectral_efficiency``. An estimate of link capacity, not of user throughput
    under load.

    Parameters
    ----------
    snr
        Signal-to-noise ratio (dB), any shape (e.g. from :func:`snr_db`); NaN gives 0.
    technology
        Bandwidth ``B`` (MHz), minimum SNR (dB) and maximum spectral efficiency (bit/s/Hz).

    Returns
    -------
    numpy.ndarray
        Throughput (Mbit/s), of the shape of ``snr``.
    """
    s = np.asarray(snr, dtype=np.float64)
    bw = technology.bandwidth_mhz
    shannon = 0.6 * bw * np.log2(1.0 + 10.0 ** (np.nan_to_num(s, nan=-np.inf) / 10.0))
    capped = np.minimum(shannon, bw * technology.max_spectral_efficiency)
    return np.asarray(np.where(s >= technology.min_snr_db, capped, 0.0))


def throughput_class(mbps: ArrayLike, *, covered: ArrayLike | None = None) -> NDArray[np.str_]:
    """Name the throughput class of each value (:data:`THROUGHPUT_CLASSES`).

    A value takes the best class whose lower bound it exceeds; "none" where it is 0 or less,
    NaN, or not covered.

    Parameters
    ----------
    mbps
        Throughput (Mbit/s), any shape (e.g. from :func:`throughput_mbps`).
    covered
        Boolean mask of the shape of ``mbps``: False gives "none"; None: every value counts.

    Returns
    -------
    numpy.ndarray
        Class names ("high", "broadband", "basic", "low" or "none"), of the shape of ``mbps``.
    """
    m = np.asarray(mbps, dtype=np.float64)
    out = np.full(m.shape, "none", dtype="<U9")
    for name, lower in reversed(THROUGHPUT_CLASSES):
        out[m > lower] = name
    if covered is not None:
        out[~np.asarray(covered, dtype=bool)] = "none"
    return out


def link_margin_db(rx_dbm: ArrayLike, technology: Technology) -> NDArray[np.float64]:
    """Margin (dB) of received power over sensitivity + fade margin; >= 0 means covered.

    Parameters
    ----------
    rx_dbm
        Received power (dBm), any shape.
    technology
        Its :attr:`Technology.required_rx_dbm` is the reference.

    Returns
    -------
    numpy.ndarray
        Link margin (dB), of the shape of ``rx_dbm``.
    """
    return np.asarray(np.asarray(rx_dbm, dtype=np.float64) - technology.required_rx_dbm)


def free_space_range_m(technology: Technology) -> float:
    """Distance (m) at which free-space loss uses up the whole budget (an upper bound).

    The budget is EIRP plus terminal gain minus the power coverage needs; free-space loss is
    ``32.45 + 20 log10(f_MHz) + 20 log10(d_km)`` dB (no gaseous or clutter loss).

    Parameters
    ----------
    technology
        EIRP (dBm), terminal gain (dBi), required power (dBm) and frequency (MHz).

    Returns
    -------
    float
        Free-space range (m).
    """
    budget = technology.eirp_dbm + technology.rx_antenna_gain_dbi - technology.required_rx_dbm
    return float(10 ** ((budget - 32.45 - 20 * math.log10(technology.f_mhz)) / 20.0) * 1000.0)
