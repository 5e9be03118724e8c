"""Propagation models: path loss along one terrain profile, as small swappable objects.

Every model takes the same inputs, a terrain profile (distances from the transmitter and
ground elevations, evenly spaced, transmitter at index 0), the two antenna heights above
ground and the frequency, and returns a basic transmission loss in dB:

* :class:`FreeSpaceModel` -- ITU-R P.525-4 free-space loss.
* :class:`LineOfSightModel` -- a simple, stated model: free space plus a fixed obstruction
  penalty when the first Fresnel zone is less than 60 % clear, "no signal" when terrain cuts
  the line of sight (earth bulge with a k-factor).
* :class:`DiffractionModel` -- ITU-R P.526 knife-edge diffraction: the single principal edge,
  the Deygout construction limited to three edges, or the Bullington construction.
* :class:`ItmModel` -- the Longley-Rice Irregular Terrain Model (:mod:`coverage.radio.itm`).
* :class:`HataModel` -- Okumura-Hata / COST-231 Hata empirical curves (reference only; they
  ignore the profile).

Each model also exposes ``kernel()``: an integer code and a parameter vector that the
compiled predictions of :mod:`coverage.radio.prediction` and
:mod:`coverage.radio.grid_prediction` feed to :func:`profile_loss`, the one numba function
that evaluates any of these models on a profile. The closed-form losses they build on,
:func:`free_space_loss_db` and :func:`knife_edge_loss_db`, are in
:mod:`coverage.radio.losses` (and importable from here).
"""

from __future__ import annotations

import math
from abc import ABC, abstractmethod
from typing import Any, ClassVar

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.radio import itm
from coverage.radio._kernels.propagation import (
    BULLINGTON,
    DEYGOUT,
    EARTH_RADIUS_M,
    FSPL,
    HATA,
    ITM,
    KNIFE,
    LOS,
    los_status,
    profile_loss,
)
from coverage.radio.losses import free_space_loss_db, knife_edge_loss_db
from coverage.radio.visibility import fresnel_radius_m

__all__ = [
    "EARTH_RADIUS_M",
    "MODEL_NAMES",
    "DiffractionModel",
    "FreeSpaceModel",
    "HataModel",
    "ItmModel",
    "LineOfSightModel",
    "PropagationModel",
    "free_space_loss_db",
    "fresnel_radius_m",
    "get_model",
    "knife_edge_loss_db",
    "profile_loss",
]


# ---------------------------------------------------------------------------------------------
# Python API
# ---------------------------------------------------------------------------------------------
def _profile(distance_m: ArrayLike, elevation_m: ArrayLike) -> tuple[NDArray[np.float64], float]:
    d = np.asarray(distance_m, dtype=np.float64)
    z = np.ascontiguousarray(elevation_m, dtype=np.float64)
    if d.ndim != 1 or d.shape != z.shape or d.size < 2:
        msg = (
            f"A profile needs 1-D distance_m and elevation_m of equal length >= 2; got "
            f"{d.shape} and {z.shape}."
        )
        raise InputError(msg)
    if not (np.isfinite(z).all() and np.isfinite(d).all()):
        msg = "The terrain profile holds NaN: it leaves the terrain grid. Shorten the path."
        raise InputError(msg)
    step = float(d[-1] - d[0]) / (d.size - 1)
    if step <= 0 or d[0] != 0 or not np.allclose(np.diff(d), step, rtol=1e-6, atol=1e-6):
        msg = (
            "distance_m must start at 0 (the transmitter) and be evenly spaced and increasing, "
            "as coverage.inputs.terrain.Terrain.profile returns it."
        )
        raise InputError(msg)
    return z, step


class PropagationModel(ABC):
    """One propagation model: basic transmission loss along a terrain profile.

    Attributes
    ----------
    name
        Short name, as :func:`get_model` takes it.
    reference
        The citation this model implements.
    """

    name: str = ""
    reference: str = ""

    def loss_db(
        self,
        distance_m: ArrayLike,
        elevation_m: ArrayLike,
        *,
        tx_height_m: float,
        rx_height_m: float,
        f_mhz: float,
    ) -> float:
        """Basic transmission loss (dB) over one profile.

        Parameters
        ----------
        distance_m
            Distances (m) of the profile points from the transmitter, evenly spaced from 0.
        elevation_m
            Ground elevation (m) at those points; the transmitter stands at index 0.
        tx_height_m, rx_height_m
            Antenna heights above ground (m), >= 0.
        f_mhz
            Frequency (MHz), > 0.

        Returns
        -------
        float
            Loss (dB); NaN where ITM reports an error. A profile of two points gets the
            free-space loss from every model.

        Raises
        ------
        InputError
            A profile that is not 1-D, evenly spaced from 0 and finite, a negative antenna
            height or a frequency that is not positive.
        """
        z, step = _profile(distance_m, elevation_m)
        if tx_height_m < 0 or rx_height_m < 0 or f_mhz <= 0:
            msg = f"Antenna heights must be >= 0 m and f_mhz > 0; got {tx_height_m}, {rx_height_m}, {f_mhz}."
            raise InputError(msg)
        code, params = self.kernel()
        loss, _status, _warn = profile_loss(
            code, params, z, step, float(tx_height_m), float(rx_height_m), float(f_mhz)
        )
        return float(loss)

    @abstractmethod
    def kernel(self) -> tuple[int, NDArray[np.float64]]:
        """The (code, parameters) pair that :func:`profile_loss` evaluates.

        Returns
        -------
        code, params
            The model's integer code and its parameter vector (float64).
        """

    @abstractmethod
    def describe(self) -> str:
        """One line for outputs: model, version, key settings.

        Returns
        -------
        str
            The description, with units.
        """


class FreeSpaceModel(PropagationModel):
    """Free-space loss over the ground distance, ignoring terrain (ITU-R P.525-4)."""

    name = "fspl"
    reference = "ITU-R P.525-4 (2019), eq. (8)"

    def kernel(self) -> tuple[int, NDArray[np.float64]]:
        """``FSPL`` and one unused parameter, for :func:`profile_loss`.

        Returns
        -------
        code, params
        """
        return FSPL, np.zeros(1)

    def describe(self) -> str:
        """One line for outputs: free-space loss, terrain ignored, and the reference.

        Returns
        -------
        str
        """
        return f"free-space loss, terrain ignored ({self.reference})"


class LineOfSightModel(PropagationModel):
    """Free space plus stated fixed penalties: a simplified, honest line-of-sight model.

    Free-space loss (ITU-R P.525-4), plus ``obstruction_penalty_db`` when the first Fresnel
    zone is less than ``clearance_fraction`` (60 %) clear anywhere along the path, plus
    ``blocked_penalty_db`` (default infinite: no signal) when terrain cuts the straight line.
    The earth bulge uses the k-factor (default 4/3). The 60 % criterion is ITU-R P.530's
    planning rule; the penalties are planning assumptions, not a diffraction calculation.

    Parameters
    ----------
    obstruction_penalty_db
        Loss added to free space (dB) when the Fresnel zone is obstructed; >= 0.
    blocked_penalty_db
        Loss added (dB) when terrain cuts the line of sight, at least
        ``obstruction_penalty_db``; infinite (default): no signal.
    clearance_fraction
        Share of the first Fresnel zone's radius that must stay clear, in (0, 1].
    k_factor
        Effective earth-radius factor of the bulge, > 0.

    Attributes
    ----------
    obstruction_penalty_db, blocked_penalty_db, clearance_fraction, k_factor
        The parameters, as floats.

    Raises
    ------
    InputError
        A penalty out of order or negative, a clearance fraction outside (0, 1], or a
        k-factor that is not positive.
    """

    name = "los"
    reference = "ITU-R P.525-4 free space; ITU-R P.530-18 section 2.2.2 Fresnel clearance rule"

    def __init__(
        self,
        *,
        obstruction_penalty_db: float = 20.0,
        blocked_penalty_db: float = math.inf,
        clearance_fraction: float = 0.6,
        k_factor: float = 4.0 / 3.0,
    ) -> None:
        if obstruction_penalty_db < 0 or blocked_penalty_db < obstruction_penalty_db:
            msg = "LineOfSightModel: need 0 <= obstruction_penalty_db <= blocked_penalty_db."
            raise InputError(msg)
        if not 0 < clearance_fraction <= 1 or k_factor <= 0:
            msg = "LineOfSightModel: clearance_fraction must be in (0, 1] and k_factor > 0."
            raise InputError(msg)
        self.obstruction_penalty_db = float(obstruction_penalty_db)
        self.blocked_penalty_db = float(blocked_penalty_db)
        self.clearance_fraction = float(clearance_fraction)
        self.k_factor = float(k_factor)

    def kernel(self) -> tuple[int, NDArray[np.float64]]:
        """``LOS`` and (k, obstruction dB, blocked dB, clearance fraction) for :func:`profile_loss`.

        Returns
        -------
        code, params
        """
        return LOS, np.array(
            [
                self.k_factor,
                self.obstruction_penalty_db,
                self.blocked_penalty_db,
                self.clearance_fraction,
            ]
        )

    def status(
        self,
        distance_m: ArrayLike,
        elevation_m: ArrayLike,
        *,
        tx_height_m: float,
        rx_height_m: float,
        f_mhz: float,
    ) -> str:
        """Whether one profile is clear, Fresnel-obstructed or blocked.

        Parameters
        ----------
        distance_m, elevation_m, tx_height_m, rx_height_m, f_mhz
            The profile (m), antenna heights (m) and frequency (MHz), as
            :meth:`PropagationModel.loss_db` takes them.

        Returns
        -------
        str
            "clear", "fresnel-obstructed" (less than ``clearance_fraction`` of the first
            Fresnel zone clear somewhere) or "blocked" (terrain cuts the line of sight).

        Raises
        ------
        InputError
            A profile that is not 1-D, evenly spaced from 0 and finite.
        """
        z, step = _profile(distance_m, elevation_m)
        st = los_status(
            z, step, tx_height_m, rx_height_m, f_mhz, self.k_factor, self.clearance_fraction
        )
        return ("clear", "fresnel-obstructed", "blocked")[st]

    def describe(self) -> str:
        """One line for outputs: the penalties (dB), the clearance criterion and k.

        Returns
        -------
        str
        """
        blocked = (
            "no signal"
            if math.isinf(self.blocked_penalty_db)
            else f"+{self.blocked_penalty_db:g} dB"
        )
        return (
            f"simplified line-of-sight model: free-space loss, +{self.obstruction_penalty_db:g} dB "
            f"when the first Fresnel zone is less than {self.clearance_fraction:.0%} clear, "
            f"{blocked} when terrain blocks the line of sight (earth bulge k = "
            f"{self.k_factor:.3g}); not a diffraction model"
        )


class DiffractionModel(PropagationModel):
    """ITU-R P.526 terrain diffraction over knife edges, plus free-space loss.

    ``method``: "knife-edge" (the single principal edge, P.526-15 §4.1 J(v) eq. (31)),
    "deygout" (the Deygout construction limited to three edges with P.526's empirical
    correction C = 10 + 0.04 D and T = 1 - exp(-J/6)) or "bullington" (P.526-15 §4.5.1
    Bullington construction, without its spherical-earth part). Heights include the earth
    bulge with the k-factor. Loss is never below free space (J(v) >= 0).

    Parameters
    ----------
    method
        "knife-edge", "deygout" (default) or "bullington"; also the model's ``name``.
    k_factor
        Effective earth-radius factor of the bulge, > 0 (default 4/3).

    Attributes
    ----------
    method, k_factor
        The parameters as given (``k_factor`` as a float).

    Raises
    ------
    InputError
        An unknown method or a k-factor that is not positive.
    """

    reference = "ITU-R P.526-15 (2019): knife-edge J(v) eq. (31); Deygout / Bullington"

    _CODES: ClassVar[dict[str, int]] = {
        "knife-edge": KNIFE,
        "deygout": DEYGOUT,
        "bullington": BULLINGTON,
    }

    def __init__(self, method: str = "deygout", *, k_factor: float = 4.0 / 3.0) -> None:
        if method not in self._CODES:
            msg = f"DiffractionModel: unknown method {method!r}; use one of {list(self._CODES)}."
            raise InputError(msg)
        if k_factor <= 0:
            msg = f"k_factor must be > 0, got {k_factor}."
            raise InputError(msg)
        self.method = method
        self.name = method
        self.k_factor = float(k_factor)

    def kernel(self) -> tuple[int, NDArray[np.float64]]:
        """``KNIFE``, ``DEYGOUT`` or ``BULLINGTON`` and (k,), for :func:`profile_loss`.

        Returns
        -------
        code, params
        """
        return self._CODES[self.method], np.array([self.k_factor])

    def describe(self) -> str:
        """One line for outputs: the construction and k.

        Returns
        -------
        str
        """
        return f"ITU-R P.526-15 {self.method} diffraction + free space (k = {self.k_factor:.3g})"


class HataModel(PropagationModel):
    """Okumura-Hata (150-1500 MHz) and COST-231 Hata (1500-2000 MHz) median path loss.

    Empirical reference curves: M. Hata, IEEE Trans. Veh. Technol. VT-29(3), 1980, with the
    suburban and open-area corrections; COST Action 231 final report (1999) §4.4.1. Valid for
    base heights 30-200 m, mobile 1-10 m and 1-20 km; the profile is ignored. This
    implementation never returns less than free-space loss.

    Parameters
    ----------
    environment
        One of :attr:`ENVIRONMENTS`: "small-city", "large-city", "suburban" or "open"
        (default).

    Attributes
    ----------
    environment
        The environment, as given.

    Raises
    ------
    InputError
        An unknown environment.
    """

    name = "hata"
    reference = "Hata, IEEE T-VT 29(3) 1980; COST 231 final report (1999) section 4.4.1"

    ENVIRONMENTS: ClassVar[dict[str, int]] = {
        "small-city": 0,
        "large-city": 1,
        "suburban": 2,
        "open": 3,
    }

    def __init__(self, environment: str = "open") -> None:
        if environment not in self.ENVIRONMENTS:
            msg = f"HataModel: unknown environment {environment!r}; use {list(self.ENVIRONMENTS)}."
            raise InputError(msg)
        self.environment = environment

    def kernel(self) -> tuple[int, NDArray[np.float64]]:
        """``HATA`` and (environment code,), for :func:`profile_loss`.

        Returns
        -------
        code, params
        """
        return HATA, np.array([float(self.ENVIRONMENTS[self.environment])])

    def describe(self) -> str:
        """One line for outputs: the curves, the environment and their validity.

        Returns
        -------
        str
        """
        return (
            f"Okumura-Hata / COST-231 Hata, {self.environment} (empirical, terrain ignored; "
            "valid 150-2000 MHz, 1-20 km)"
        )


class ItmModel(PropagationModel):
    """Longley-Rice ITM 1.2.2 point-to-point (:mod:`coverage.radio.itm`), this project's numba code.

    ITM's warnings are kept by :meth:`predict` and by the predictions of
    :mod:`coverage.radio.prediction` and :mod:`coverage.radio.grid_prediction`.

    Parameters
    ----------
    settings
        ITM's settings (:class:`~coverage.radio.itm.ItmSettings`): ground, refractivity
        (default :data:`~coverage.radio.itm.N0_ANDES`, after ITU-R P.453), climate (default
        1, equatorial), polarization, mdvar and the time/location/situation quantiles
        (default medians).

    Attributes
    ----------
    settings
        The settings, as given.
    """

    name = "itm"
    reference = (
        "Hufford, The ITS Irregular Terrain Model v1.2.2: The Algorithm (NTIA/ITS 1995); "
        "Longley & Rice, ESSA ERL 79-ITS 67 (1968)"
    )

    def __init__(
        self,
        settings: itm.ItmSettings = itm.ItmSettings(),  # noqa: B008 (frozen, so immutable)
    ) -> None:
        self.settings = settings

    def kernel(self) -> tuple[int, NDArray[np.float64]]:
        """``ITM`` and the settings' :meth:`~coverage.radio.itm.ItmSettings.kernel_params`.

        Returns
        -------
        code, params
        """
        return ITM, self.settings.kernel_params()

    def predict(
        self,
        distance_m: ArrayLike,
        elevation_m: ArrayLike,
        *,
        tx_height_m: float,
        rx_height_m: float,
        f_mhz: float,
    ) -> itm.ItmResult:
        """Full ITM result for one profile.

        Parameters
        ----------
        distance_m, elevation_m, tx_height_m, rx_height_m, f_mhz
            The profile (m), antenna heights (m) and frequency (MHz), as
            :meth:`PropagationModel.loss_db` takes them.

        Returns
        -------
        ItmResult
            Loss, free-space loss and A_ref (dB), mode, path geometry and warnings.

        Raises
        ------
        InputError
            A profile that is not 1-D, evenly spaced from 0 and finite, or inputs outside
            ITM's hard limits (:func:`~coverage.radio.itm.itm_point_to_point`).
        """
        z, step = _profile(distance_m, elevation_m)
        return itm.itm_point_to_point(
            z,
            step,
            tx_height_m=tx_height_m,
            rx_height_m=rx_height_m,
            f_mhz=f_mhz,
            settings=self.settings,
        )

    def describe(self) -> str:
        """One line for outputs: version, N0, climate, ground, polarization, mdvar, quantiles.

        Returns
        -------
        str
        """
        s = self.settings
        return (
            f"{itm.ITM_VERSION} point-to-point (numba), {_refractivity(s)}, "
            f"climate {s.climate} ({itm.CLIMATES[s.climate]}), eps={s.permittivity:g}, "
            f"sigma={s.conductivity_s_m:g} S/m, {s.polarization} pol., mdvar={s.mdvar}, "
            f"time/location/situation {s.time_pct:g}/{s.location_pct:g}/{s.situation_pct:g} %"
        )


def _refractivity(s: itm.ItmSettings) -> str:
    """ITM's refractivity in words: N0 scaled by the path's elevation, or a fixed N_s."""
    source = " (ITU-R P.453)" if s.n0 == itm.N0_ANDES else ""
    if s.system_elevation_m is None:
        return f"N0={s.n0:g} N-units{source} scaled by each path's elevation"
    if s.system_elevation_m == 0.0:
        return f"N_s={s.n0:.0f} N-units (fixed)"
    return f"N0={s.n0:g} N-units{source} at {s.system_elevation_m:g} m"


MODEL_NAMES = ("fspl", "los", "knife-edge", "deygout", "bullington", "itm", "hata")


def get_model(name: str, **params: Any) -> PropagationModel:
    """Build a propagation model by name.

    Parameters
    ----------
    name
        One of :data:`MODEL_NAMES`: "fspl", "los", "knife-edge", "deygout", "bullington",
        "itm", "hata".
    **params
        Keyword arguments of the model's class (``obstruction_penalty_db=20`` for "los",
        ``k_factor`` for the diffraction models); for ITM, the fields of
        :class:`~coverage.radio.itm.ItmSettings` (e.g. ``climate=1, n0=360``).

    Returns
    -------
    PropagationModel
        A new model object.

    Raises
    ------
    InputError
        Unknown name (the message lists the names) or bad parameters.
    """
    try:
        if name == "fspl":
            if params:
                msg = f"fspl takes no parameters, got {sorted(params)}."
                raise InputError(msg)
            return FreeSpaceModel()
        if name == "los":
            return LineOfSightModel(**params)
        if name in ("knife-edge", "deygout", "bullington"):
            return DiffractionModel(name, **params)
        if name == "itm":
            return ItmModel(itm.ItmSettings(**params))
        if name == "hata":
            return HataModel(**params)
    except TypeError as err:
        msg = f"Propagation model {name!r}: bad parameters {sorted(params)} ({err})."
        raise InputError(msg) from err
    msg = f"Unknown propagation model {name!r}; choose one of {', '.join(MODEL_NAMES)}."
    raise InputError(msg)
