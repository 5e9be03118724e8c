"""Site antenna patterns: omni, a 3GPP sector, or a vendor file; the loss below the peak.

An :class:`AntennaPattern` holds a horizontal and a vertical cut (attenuation in dB below the
peak gain, by angle in degrees), the peak gain (dBi), the azimuth and mechanical downtilt of
the first sector and how many sectors a site carries. Patterns come from :func:`omni`,
:func:`sector` (3GPP TR 36.814 Table A.2.1.1-2 / ITU-R F.1336 parabolic main lobe) or
:func:`read_msi_pattern` (the MSI Planet ``.msi`` / ``.pln`` text format, the usual vendor
format). :func:`pattern_loss_db` and :func:`pattern_loss_grid` give the attenuation towards
points or every terrain cell, with the earth bulge in the elevation angle.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.inputs.terrain import Terrain
from coverage.radio.visibility import earth_bulge_m

__all__ = [
    "AntennaPattern",
    "elevation_angles_deg",
    "f1336_omni",
    "f1336_omni_beamwidth_deg",
    "f1336_omni_vertical_db",
    "omni",
    "pattern_loss_db",
    "pattern_loss_grid",
    "read_msi_pattern",
    "sector",
]


@dataclass(frozen=True)
class AntennaPattern:
    """Antenna gain as a function of direction.

    Attributes
    ----------
    gain_dbi
        Peak gain (dBi).
    horizontal_db, vertical_db
        Attenuation (dB, >= 0) relative to the peak every degree, 360 values each: the
        horizontal cut from the boresight azimuth clockwise, the vertical cut from the
        horizon downwards (MSI convention: 0 horizon, 90 straight down, 270 straight up).
    azimuth_deg
        Boresight azimuth (degrees clockwise from north): of the first sector.
    downtilt_deg
        Mechanical downtilt (degrees, positive down).
    name
        Label for outputs.
    sectors
        Identical antennas on the site, their boresights evenly spaced clockwise from
        ``azimuth_deg`` (3: the usual three-sector site). Each radiates the full EIRP as its
        own cell, and a terminal takes the sector that reaches it best, so the site's gain
        towards a direction is the best sector's.

    Raises
    ------
    InputError
        ``sectors`` not in 1-12, or a cut without 360 finite values.
    """

    gain_dbi: float
    horizontal_db: NDArray[np.float64] = field(default_factory=lambda: np.zeros(360))
    vertical_db: NDArray[np.float64] = field(default_factory=lambda: np.zeros(360))
    azimuth_deg: float = 0.0
    downtilt_deg: float = 0.0
    name: str = ""
    sectors: int = 1

    def __post_init__(self) -> None:
        """Refuse a bad sector count or cut, and store the cuts as float arrays."""
        if not 1 <= self.sectors <= 12:
            msg = f"AntennaPattern {self.name!r}: sectors must be 1-12, got {self.sectors}."
            raise InputError(msg)
        for cut in ("horizontal_db", "vertical_db"):
            arr = np.asarray(getattr(self, cut), dtype=np.float64)
            if arr.shape != (360,) or not np.isfinite(arr).all():
                msg = f"AntennaPattern {self.name!r}: {cut} needs 360 finite values (1° steps)."
                raise InputError(msg)
            object.__setattr__(self, cut, arr)

    def gain_towards_dbi(
        self, azimuth_deg: ArrayLike, elevation_deg: ArrayLike
    ) -> NDArray[np.float64]:
        """Gain (dBi) towards directions given by azimuth and elevation.

        The two cuts combine as ``G - min(A_h + A_v, A_max)``, the usual 2-D pattern
        reconstruction: the attenuations of the horizontal cut (off the boresight azimuth)
        and of the vertical cut (off the downtilted boresight) are summed and capped at
        ``A_max``, the larger of the two cuts' greatest attenuations (for :func:`sector`,
        the front-to-back ratio or the side-lobe level). With several :attr:`sectors`, the
        best sector's gain. The cuts are interpolated linearly between whole degrees.

        Parameters
        ----------
        azimuth_deg
            Direction's azimuth (degrees clockwise from north).
        elevation_deg
            Direction's elevation (degrees above the horizon; negative below it).

        Returns
        -------
        numpy.ndarray
            Gain (dBi), of the broadcast shape of the two angles.
        """
        az = np.asarray(azimuth_deg, dtype=np.float64)
        el = np.asarray(elevation_deg, dtype=np.float64)
        depression = np.mod(-(el) - self.downtilt_deg, 360.0)
        a_v = _interp_cut(self.vertical_db, depression)
        cap = max(float(self.horizontal_db.max()), float(self.vertical_db.max()))
        loss = np.full(np.broadcast_shapes(az.shape, el.shape), np.inf)
        for boresight in self.azimuths_deg:  # the best sector: the least attenuation
            a_h = _interp_cut(self.horizontal_db, np.mod(az - boresight, 360.0))
            loss = np.minimum(loss, np.minimum(a_h + a_v, cap))
        return np.asarray(self.gain_dbi - loss)

    @property
    def azimuths_deg(self) -> tuple[float, ...]:
        """Boresight azimuth of each sector (degrees clockwise from north).

        Returns
        -------
        tuple of float
            ``sectors`` azimuths (deg) in [0, 360), from ``azimuth_deg`` evenly spaced
            clockwise.
        """
        return tuple(
            round((self.azimuth_deg + k * 360.0 / self.sectors) % 360.0, 6)
            for k in range(self.sectors)
        )

    @property
    def is_omni(self) -> bool:
        """True when the gain is the same in every direction (both cuts all zero).

        Returns
        -------
        bool
            Whether every attenuation of both cuts is 0 dB.
        """
        return not (self.horizontal_db.any() or self.vertical_db.any())


def _pattern_loss(
    pattern: AntennaPattern,
    dx_m: NDArray[np.float64],
    dy_m: NDArray[np.float64],
    rise_m: NDArray[np.float64],
    k_factor: float,
) -> NDArray[np.float64]:
    """Peak gain minus gain towards targets ``dx, dy`` (m, east and north) and ``rise`` (m)."""
    d = np.hypot(dx_m, dy_m)
    azimuth = np.degrees(np.arctan2(dx_m, dy_m))
    elevation = np.degrees(np.arctan2(rise_m - earth_bulge_m(d, d, k_factor), d))
    return np.asarray(pattern.gain_dbi - pattern.gain_towards_dbi(azimuth, elevation))


def elevation_angles_deg(
    terrain: Terrain,
    site_xy: ArrayLike,
    antenna_height_m: float,
    targets_xy: ArrayLike,
    target_height_m: float,
    *,
    k_factor: float = 4.0 / 3.0,
) -> tuple[NDArray[np.float64], NDArray[np.float64]]:
    """Azimuth and elevation (degrees) from a site antenna to each target.

    The direction is the straight line from the antenna (ground + ``antenna_height_m``) to
    the target (ground + ``target_height_m``), ground heights bilinear from ``terrain``, its
    elevation lowered by the earth bulge ``d**2 / (2 k R)``.

    Parameters
    ----------
    terrain
        Terrain grid (projected, metres).
    site_xy
        Site position ``(x, y)`` (m) in the terrain's CRS.
    antenna_height_m
        Height of the site antenna above ground (m).
    targets_xy
        (M, 2) receiver positions (m) in the terrain's CRS.
    target_height_m
        Height of the receivers above ground (m).
    k_factor
        Effective earth-radius factor.

    Returns
    -------
    azimuth_deg, elevation_deg
        (M,) azimuth (degrees clockwise from north) and elevation (degrees above the
        horizon, negative below it); NaN elevation for a target off the terrain.
    """
    pts = np.asarray(targets_xy, dtype=np.float64).reshape(-1, 2)
    x, y = (float(v) for v in np.asarray(site_xy, dtype=np.float64).reshape(2))
    z_site = float(terrain.sample(x, y)) + antenna_height_m
    rise = terrain.sample(pts[:, 0], pts[:, 1]) + target_height_m - z_site
    dx, dy = pts[:, 0] - x, pts[:, 1] - y
    d = np.hypot(dx, dy)
    azimuth = np.degrees(np.arctan2(dx, dy))
    elevation = np.degrees(np.arctan2(rise - earth_bulge_m(d, d, k_factor), d))
    return np.asarray(azimuth), np.asarray(elevation)


def pattern_loss_db(
    pattern: AntennaPattern,
    terrain: Terrain,
    site_xy: ArrayLike,
    antenna_height_m: float,
    targets_xy: ArrayLike,
    target_height_m: float,
    *,
    k_factor: float = 4.0 / 3.0,
) -> NDArray[np.float64]:
    """How far (dB, >= 0) the site antenna's gain towards each target falls below its peak.

    The direction is that of :func:`elevation_angles_deg`. Subtract the result from received
    power computed with the peak gain (the technology's EIRP).

    Parameters
    ----------
    pattern
        The site antenna (its azimuth and downtilt included).
    terrain
        Terrain grid (projected, metres).
    site_xy
        Site position ``(x, y)`` (m) in the terrain's CRS.
    antenna_height_m
        Height of the site antenna above ground (m).
    targets_xy
        (M, 2) receiver positions (m) in the terrain's CRS.
    target_height_m
        Height of the receivers above ground (m).
    k_factor
        Effective earth-radius factor.

    Returns
    -------
    numpy.ndarray
        (M,) attenuation below the peak gain (dB); NaN for a target off the terrain.
    """
    azimuth, elevation = elevation_angles_deg(
        terrain, site_xy, antenna_height_m, targets_xy, target_height_m, k_factor=k_factor
    )
    return np.asarray(pattern.gain_dbi - pattern.gain_towards_dbi(azimuth, elevation))


def pattern_loss_grid(
    pattern: AntennaPattern,
    terrain: Terrain,
    x_m: float,
    y_m: float,
    antenna_height_m: float,
    target_height_m: float,
    *,
    k_factor: float = 4.0 / 3.0,
) -> NDArray[np.float32]:
    """:func:`pattern_loss_db` towards every cell centre of ``terrain`` (dB, float32 grid).

    Parameters
    ----------
    pattern, terrain
        As for :func:`pattern_loss_db`.
    x_m, y_m
        Site position (m) in the terrain's CRS.
    antenna_height_m
        Height of the site antenna above ground (m).
    target_height_m
        Height of the receiver above the ground of every cell (m).
    k_factor
        Effective earth-radius factor.

    Returns
    -------
    numpy.ndarray
        Grid of ``terrain.shape`` (float32): attenuation below the peak gain (dB) towards
        each cell.
    """
    xs, ys = terrain.cell_centers()
    z_site = float(terrain.sample(x_m, y_m)) + antenna_height_m
    rise = terrain.elevation_m.astype(np.float64) + target_height_m - z_site
    dx = np.broadcast_to(xs[None, :] - x_m, rise.shape)
    dy = np.broadcast_to(ys[:, None] - y_m, rise.shape)
    return _pattern_loss(pattern, dx, dy, rise, k_factor).astype(np.float32)


def _interp_cut(cut: NDArray[np.float64], angle_deg: NDArray[np.float64]) -> NDArray[np.float64]:
    ext = np.append(cut, cut[0])
    return np.asarray(np.interp(angle_deg, np.arange(361.0), ext))


def omni(gain_dbi: float = 0.0, *, name: str = "omni") -> AntennaPattern:
    """An omnidirectional antenna of ``gain_dbi`` in every direction.

    Parameters
    ----------
    gain_dbi
        Gain (dBi) in every direction.
    name
        Label for outputs.

    Returns
    -------
    AntennaPattern
        A pattern with both cuts all zero (:attr:`AntennaPattern.is_omni`).
    """
    return AntennaPattern(gain_dbi=gain_dbi, name=name)


def f1336_omni_beamwidth_deg(gain_dbi: float) -> float:
    """Vertical half-power beamwidth (degrees) of an omnidirectional antenna of a given gain.

    ITU-R F.1336-5 recommends 2 (omnidirectional antennas), eq. (1b):
    ``theta_3 = 107.6 x 10^(-0.1 G0)`` degrees; 17.1 degrees at 8 dBi, 8.5 at 11 dBi and
    3.4 at 15 dBi.

    Parameters
    ----------
    gain_dbi
        Peak gain (dBi).

    Returns
    -------
    float
        Beamwidth (degrees).
    """
    return float(107.6 * 10.0 ** (-0.1 * gain_dbi))


#: ITU-R F.1336-5 recommends 2.3: ``k`` for omnidirectional antennas of typical side-lobe
#: performance at 1-3 GHz (0 for improved side lobes, recommends 2.4); ASSUMPTION that it
#: holds at 700-900 MHz, where the Recommendation gives no other value.
F1336_K_TYPICAL = 0.7


def f1336_omni_vertical_db(
    elevation_deg: ArrayLike, gain_dbi: float, *, k: float = F1336_K_TYPICAL
) -> NDArray[np.float64]:
    """Attenuation (dB below the peak) of an untilted omni, ITU-R F.1336-5 average side lobes.

    ITU-R F.1336-5 recommends 2.2 (average side-lobe pattern), with ``theta_3`` of eq. (1b)
    and ``theta_5 = theta_3 sqrt(1.25 - log10(k + 1) / 1.2)``::

        12 (theta / theta_3)^2                      |theta| < theta_3
        15 - 10 log10(k + 1)                        theta_3 <= |theta| < theta_5
        15 - 10 log10((|theta| / theta_3)^-1.5 + k) theta_5 <= |theta| <= 90

    so the side lobes lie 12.7-16.5 dB below the peak for ``k = 0.7``.

    Parameters
    ----------
    elevation_deg
        Angle (degrees) off the horizontal plane of the main lobe, in [-90, 90].
    gain_dbi
        Peak gain (dBi); sets ``theta_3``.
    k
        Side-lobe parameter ``k`` of the Recommendation, in [0, 1).

    Returns
    -------
    numpy.ndarray
        Attenuation (dB, >= 0), of the shape of ``elevation_deg``.
    """
    t3 = f1336_omni_beamwidth_deg(gain_dbi)
    t5 = t3 * np.sqrt(1.25 - np.log10(k + 1.0) / 1.2)
    a = np.abs(np.asarray(elevation_deg, dtype=np.float64))
    far = 15.0 - 10.0 * np.log10(np.maximum(a / t3, 1.0) ** -1.5 + k)
    near = np.where(a < t5, 15.0 - 10.0 * np.log10(k + 1.0), far)
    return np.asarray(np.where(a < t3, 12.0 * (a / t3) ** 2, near))


def f1336_omni(
    gain_dbi: float,
    *,
    downtilt_deg: float = 0.0,
    k: float = F1336_K_TYPICAL,
    name: str = "",
) -> AntennaPattern:
    """An omnidirectional antenna with the ITU-R F.1336-5 vertical pattern, tilted down.

    The vertical cut is :func:`f1336_omni_vertical_db` (beamwidth from the gain, average side
    lobes); the horizontal cut is flat. The tilt (electrical, the same in every azimuth)
    shifts the cut by ``downtilt_deg``: F.1336-5 recommends 2.5 eq. (1e) rescales the angles
    instead, ``theta = 90 (theta_h + beta) / (90 +- beta)``, which differs from the shift by
    less than ``beta`` x ``|theta_h + beta|`` / 90 degrees (0.7 deg 10 deg off a 6 deg tilt).

    Parameters
    ----------
    gain_dbi
        Peak gain (dBi).
    downtilt_deg
        Downtilt (degrees, positive down) of the main lobe.
    k
        F.1336-5 side-lobe parameter (0.7: typical side lobes).
    name
        Label for outputs; default ``"omni <gain> dBi, F.1336 <beamwidth> deg"``.

    Returns
    -------
    AntennaPattern
        One sector, flat horizontal cut.
    """
    ang = np.arange(360.0)  # the MSI vertical cut: degrees below the horizon, 270 = up
    below = np.where(ang <= 180.0, ang, ang - 360.0)  # (-180, 180]
    elevation = np.where(np.abs(below) <= 90.0, below, np.sign(below) * 180.0 - below)
    a_v = f1336_omni_vertical_db(elevation, gain_dbi, k=k)
    label = name or f"omni {gain_dbi:g} dBi, F.1336 {f1336_omni_beamwidth_deg(gain_dbi):.1f} deg"
    return AntennaPattern(gain_dbi=gain_dbi, vertical_db=a_v, downtilt_deg=downtilt_deg, name=label)


def sector(
    gain_dbi: float,
    *,
    azimuth_deg: float,
    h_beamwidth_deg: float = 65.0,
    v_beamwidth_deg: float = 10.0,
    downtilt_deg: float = 0.0,
    front_to_back_db: float = 25.0,
    side_lobe_db: float = 20.0,
    sectors: int = 1,
) -> AntennaPattern:
    """A sector antenna after 3GPP TR 36.814 Table A.2.1.1-2 (ITU-R F.1336 main lobe).

    ``A_h(phi) = min(12 (phi / phi_3dB)^2, A_m)`` and
    ``A_v(theta) = min(12 ((theta - tilt) / theta_3dB)^2, SLA_v)`` with ``A_m`` the
    front-to-back ratio and ``SLA_v`` the vertical side-lobe level. The pattern is named
    ``"sector"``; ``dataclasses.replace(pattern, name=...)`` gives it another label.

    Parameters
    ----------
    gain_dbi
        Peak gain (dBi).
    azimuth_deg
        Boresight azimuth of the first sector (degrees clockwise from north).
    h_beamwidth_deg, v_beamwidth_deg
        Half-power beamwidths (degrees), horizontal in (0, 360], vertical in (0, 180].
    downtilt_deg
        Mechanical downtilt (degrees, positive down).
    front_to_back_db
        Front-to-back ratio ``A_m`` (dB), the horizontal cut's cap.
    side_lobe_db
        Vertical side-lobe level ``SLA_v`` (dB), the vertical cut's cap.
    sectors
        Such antennas on the site, evenly spaced clockwise (see :class:`AntennaPattern`).

    Returns
    -------
    AntennaPattern
        The sector pattern, named ``"sector"``.

    Raises
    ------
    InputError
        A beamwidth out of range, or ``sectors`` not in 1-12.
    """
    if not (0 < h_beamwidth_deg <= 360 and 0 < v_beamwidth_deg <= 180):
        msg = "sector: beamwidths must be in (0, 360] and (0, 180] degrees."
        raise InputError(msg)
    ang = np.arange(360.0)
    phi = np.where(ang > 180.0, ang - 360.0, ang)
    a_h = np.minimum(12.0 * (phi / h_beamwidth_deg) ** 2, front_to_back_db)
    a_v = np.minimum(12.0 * (phi / v_beamwidth_deg) ** 2, side_lobe_db)
    return AntennaPattern(
        gain_dbi=gain_dbi,
        horizontal_db=a_h,
        vertical_db=a_v,
        azimuth_deg=azimuth_deg % 360.0,
        downtilt_deg=downtilt_deg,
        name="sector",
        sectors=sectors,
    )


def read_msi_pattern(
    path: str | os.PathLike[str],
    *,
    azimuth_deg: float = 0.0,
    downtilt_deg: float = 0.0,
    sectors: int = 1,
) -> AntennaPattern:
    """Read an antenna pattern in the MSI Planet text format (``.msi`` / ``.pln``).

    The file has ``KEY value`` header lines (``NAME``, ``FREQUENCY``, ``GAIN <g> [dBd|dBi]``,
    ...), then ``HORIZONTAL 360`` and ``VERTICAL 360`` sections of ``angle attenuation_db``
    lines. A gain in dBd is converted to dBi (+2.15 dB). ``sectors`` such antennas share
    the site (see :class:`AntennaPattern`).

    Parameters
    ----------
    path
        The ``.msi`` / ``.pln`` file.
    azimuth_deg
        Boresight azimuth of the first sector (degrees clockwise from north).
    downtilt_deg
        Mechanical downtilt (degrees, positive down).
    sectors
        Such antennas on the site, evenly spaced clockwise; 1-12.

    Returns
    -------
    AntennaPattern
        The file's peak gain (dBi) and cuts (dB), named by its ``NAME`` line (else the file
        name without its suffix).

    Raises
    ------
    InputError
        Unreadable file, missing gain or cut, a cut without 360 entries, or ``sectors``
        not in 1-12.
    """
    p = Path(path)
    try:
        lines = p.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError as err:
        msg = f"Antenna pattern {p}: cannot read it ({err})."
        raise InputError(msg) from err
    gain, name, cuts = _parse_msi(lines, p.stem)
    problems = []
    if gain is None:
        problems.append("no GAIN line")
    problems.extend(
        f"{cut} section has {len(cuts.get(cut, {}))} of 360 angles"
        for cut in ("HORIZONTAL", "VERTICAL")
        if len(cuts.get(cut, {})) != 360
    )
    if problems:
        msg = f"Antenna pattern {p} (MSI format): " + "; ".join(problems) + "."
        raise InputError(msg, problems)
    assert gain is not None
    h = np.array([cuts["HORIZONTAL"][a] for a in range(360)])
    v = np.array([cuts["VERTICAL"][a] for a in range(360)])
    return AntennaPattern(gain, h, v, azimuth_deg % 360.0, downtilt_deg, name, sectors)


def _parse_msi(
    lines: list[str], name: str
) -> tuple[float | None, str, dict[str, dict[int, float]]]:
    """Gain (dBi; None if absent), name (``name`` if absent) and the cuts' attenuation (dB)
    by whole degree, from the lines of an MSI Planet file."""
    gain: float | None = None
    cuts: dict[str, dict[int, float]] = {}
    current: str | None = None
    for raw in lines:
        parts = raw.split()
        if not parts:
            continue
        key = parts[0].upper()
        if key in ("HORIZONTAL", "VERTICAL"):
            current = key
            cuts[current] = {}
            continue
        if current is not None and _is_number(parts[0]) and len(parts) >= 2:
            cuts[current][round(float(parts[0])) % 360] = float(parts[1])
            continue
        current = None
        if key == "NAME" and len(parts) > 1:
            name = " ".join(parts[1:])
        elif key == "GAIN" and len(parts) > 1 and _is_number(parts[1]):
            gain = float(parts[1])
            if len(parts) > 2 and parts[2].lower() == "dbd":
                gain += 2.15
    return gain, name, cuts


def _is_number(text: str) -> bool:
    try:
        float(text)
    except ValueError:
        return False
    return True
