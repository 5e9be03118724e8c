"""The Longley-Rice Irregular Terrain Model (ITM), point-to-point and area modes, compiled.

This is this project's own implementation, written with numba, of the ITS Irregular Terrain
Model version 1.2.2 as published by NTIA/ITS:

* G. A. Hufford, "The ITS Irregular Terrain Model, version 1.2.2: The Algorithm", NTIA/ITS
  (1995), and the NTIA/ITS reference code (ITM 1.2.2 FORTRAN ``qkpfl``/``qkarea``; ITM 1.3/1.4,
  https://github.com/NTIA/itm, which NTIA states is functionally identical to 1.2.2).
* A. G. Longley and P. L. Rice, "Prediction of tropospheric radio transmission loss over
  irregular terrain: a computer method", ESSA Tech. Rep. ERL 79-ITS 67 (1968).
* G. A. Hufford, A. G. Longley, W. A. Kissick, "A guide to the use of the ITS Irregular Terrain
  Model in the area prediction mode", NTIA Report 82-100 (1982).

It is tested against NTIA's published examples (``qkpflanx.txt``: Crystal Palace to Mursley at
41.5 and 573.3 MHz; the ITM 1.4 ``cmd_examples`` in point-to-point and area modes) to 0.1 dB.

The modules:

* :mod:`~coverage.radio.itm.settings`: :class:`ItmSettings` (ground, refractivity, climate,
  quantiles: one object for both modes and the propagation model), :class:`ItmResult`,
  ITM's codes and words (:data:`CLIMATES`, :data:`WARNINGS`, ...) and :data:`N0_ANDES`;
* :mod:`~coverage.radio.itm.point_to_point`: :func:`itm_point_to_point` and its compiled core;
* :mod:`~coverage.radio.itm.area`: :func:`itm_area` (area mode) and its compiled core;
* :mod:`~coverage.radio.itm.profile`: the profile's prefix sums, least-squares lines and Δh;
* :mod:`~coverage.radio.itm.horizons`: the radio horizons and the radial tables;
* :mod:`~coverage.radio.itm.terms`: ground impedance, refractivity and input warnings;
* :mod:`~coverage.radio.itm.attenuation`: the reference attenuation A_ref;
* :mod:`~coverage.radio.itm.variability`: time, location and situation variability.

The compiled functions take numba and its options from :mod:`coverage.radio._kernels`.

Notes
-----
Out-of-range flags: ITM raises warning flags rather than errors when a path is outside the
range its authors validated. They are returned as a bit mask (:data:`WARNINGS` names each
bit, with NTIA's bit values) and as words in :class:`ItmResult`; the grid predictions of
:mod:`coverage.radio.grid_prediction` keep one mask per cell. Nothing is dropped or hidden.
ITM computes the surface refractivity as ``N_s = N_0 exp(-h_sys / 9460 m)`` with ``h_sys``
the mean profile elevation (NTIA ITM 1.3); with the temperate default ``N_0 = 301`` every
path above about 1,750 m mean elevation gets ``N_s < 250`` and the "surface refractivity"
flag. For the Colombian Andes this package uses :data:`N0_ANDES` (see there), after ITU-R
P.453, which keeps ``N_s`` above 250 up to 3,400 m.
"""

from __future__ import annotations

from coverage.radio.itm.area import itm_area
from coverage.radio.itm.point_to_point import itm_point_to_point
from coverage.radio.itm.settings import (
    CLIMATES,
    ITM_VERSION,
    MDVAR,
    MODES,
    N0_ANDES,
    PATHS,
    WARNINGS,
    ItmResult,
    ItmSettings,
    refractivity_for_k,
    warning_words,
)

__all__ = [
    "CLIMATES",
    "ITM_VERSION",
    "MDVAR",
    "MODES",
    "N0_ANDES",
    "PATHS",
    "WARNINGS",
    "ItmResult",
    "ItmSettings",
    "itm_area",
    "itm_point_to_point",
    "refractivity_for_k",
    "warning_words",
]
