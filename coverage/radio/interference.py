"""Co-channel interference: a frequency plan for the chosen sites, and SINR per point.

* :func:`interference_graph`: how much the sites would interfere with each other if they
  shared a carrier, as a weighted graph (people x interference-to-signal ratio);
* :func:`assign_carriers`: a frequency plan over ``n`` carriers, by a weighted DSATUR
  colouring of that graph (a :class:`FrequencyPlan`);
* :func:`sinr_db`: the signal-to-interference-plus-noise ratio of every site at every point,
  the interferers being the other sites on the same carrier at a given load, plus an external
  interference per point (e.g. existing cells on the same band);
* :func:`best_server_sinr`: per point the best server by SINR, and the runner-up.

Received power is a (sites x points) array in dBm; NaN marks a point outside a site's
prediction range, and such a site neither serves nor interferes there (ASSUMPTION: the
prediction radius is where a site's signal stops mattering; at the planner's radii a signal
beyond it is well below the noise floor). ``-inf`` is "no signal" and behaves the same.
Powers are summed in milliwatts, vectorised over points.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

import numpy as np
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError

__all__ = [
    "FrequencyPlan",
    "ServerSinr",
    "assign_carriers",
    "best_server_sinr",
    "interference_graph",
    "sinr_db",
]

log = logging.getLogger(__name__)

#: The colouring methods a :class:`FrequencyPlan` may name.
_METHODS = ("single", "weighted-dsatur")


@dataclass(frozen=True, eq=False)
class FrequencyPlan:
    """Which carrier each site transmits on.

    Attributes
    ----------
    carrier
        Carrier index of each site (0 .. ``n_carriers - 1``); stored as int64.
    n_carriers
        Carriers available (the reuse factor when every one is used).
    method
        "single" (every site on carrier 0) or "weighted-dsatur" (:func:`assign_carriers`).
    co_channel_weight
        What the plan leaves: the summed :func:`interference_graph` weight of the site pairs
        that share a carrier (people x interference-to-signal ratio); 0 when none do.

    Raises
    ------
    InputError
        ``n_carriers`` below 1, a carrier outside ``0 .. n_carriers - 1``, an unknown method
        or a negative or non-finite weight.
    """

    carrier: NDArray[np.int64]
    n_carriers: int
    method: str
    co_channel_weight: float = 0.0

    def __post_init__(self) -> None:
        """Store ``carrier`` as int64 and refuse the values listed under Raises."""
        carrier = np.asarray(self.carrier, dtype=np.int64).ravel()
        object.__setattr__(self, "carrier", carrier)
        _check_n_carriers(self.n_carriers)
        problems = []
        if carrier.size and (carrier.min() < 0 or carrier.max() >= self.n_carriers):
            problems.append(
                f"carrier must lie in 0..{self.n_carriers - 1}, got {sorted(set(carrier))}"
            )
        if self.method not in _METHODS:
            problems.append(f"method must be one of {_METHODS}, got {self.method!r}")
        if not (np.isfinite(self.co_channel_weight) and self.co_channel_weight >= 0):
            problems.append(f"co_channel_weight must be >= 0, got {self.co_channel_weight}")
        if problems:
            msg = "FrequencyPlan: " + "; ".join(problems) + "."
            raise InputError(msg, problems)


@dataclass(frozen=True, eq=False)
class ServerSinr:
    """The best server of each point by SINR, and the runner-up (see :func:`best_server_sinr`).

    Attributes
    ----------
    server
        Site index of the best server (int64; -1 where no site can serve).
    sinr_db
        Its SINR (dB; NaN where no site can serve).
    second
        Site index of the runner-up (int64; -1 where fewer than two sites can serve).
    second_sinr_db
        Its SINR (dB; NaN where fewer than two sites can serve).
    """

    server: NDArray[np.int64]
    sinr_db: NDArray[np.float64]
    second: NDArray[np.int64]
    second_sinr_db: NDArray[np.float64]


def _check_n_carriers(n_carriers: int) -> None:
    if int(n_carriers) != n_carriers or n_carriers < 1:
        msg = f"n_carriers must be a positive integer (1 for a single carrier), got {n_carriers}."
        raise InputError(msg)


def _power_mw(rx_dbm: ArrayLike) -> NDArray[np.float64]:
    """(sites, points) received power in mW: 0 where NaN or -inf; refuses another shape."""
    rx = np.asarray(rx_dbm, dtype=np.float64)
    if rx.ndim != 2 or rx.shape[0] == 0:
        msg = f"rx_dbm must be (sites, points) received power (dBm), got shape {rx.shape}."
        raise InputError(msg)
    if np.isposinf(rx).any():
        msg = "rx_dbm has +inf values; give finite powers (dBm), NaN out of range."
        raise InputError(msg)
    return np.where(np.isnan(rx), 0.0, 10.0 ** (np.nan_to_num(rx, nan=-np.inf) / 10.0))


def _per_point(values: ArrayLike | None, n_points: int, name: str) -> NDArray[np.float64]:
    """A non-negative finite value per point (0 when None)."""
    if values is None:
        return np.zeros(n_points)
    v = np.broadcast_to(np.asarray(values, dtype=np.float64), (n_points,))
    if not (np.isfinite(v).all() and (v >= 0).all()):
        msg = f"{name} must be finite and >= 0 at every point; fix the bad values."
        raise InputError(msg)
    return v


def interference_graph(rx_dbm: ArrayLike, weights: ArrayLike) -> NDArray[np.float64]:
    """Weighted site interference graph: what each pair would suffer on a shared carrier.

    The weight of the pair (a, b) is, over the points whose strongest site is a, the people
    there times ``P_b / P_a`` (the interference-to-signal ratio b would cause at full load),
    plus the same over the points whose strongest site is b. Each ratio is at most 1, so a
    weight is at most the people the two sites serve. This is the interference matrix of
    the minimum-interference frequency assignment problem (MI-FAP) in Aardal, van Hoesel,
    Koster, Mannino and Sassano, "Models and solution techniques for frequency assignment
    problems", Annals of Operations Research 153 (2007) 79-129, with a point's weight
    (people) times its I/S as the penalty of a co-channel pair. The strongest site is taken
    by received power (ties to the lowest index); points no site reaches count nowhere.

    Parameters
    ----------
    rx_dbm
        (sites, points) received power (dBm); NaN where a site does not reach.
    weights
        People (or any weight >= 0) at each point.

    Returns
    -------
    numpy.ndarray
        (sites, sites) symmetric weights (people), zero on the diagonal.

    Raises
    ------
    InputError
        ``rx_dbm`` not (sites, points), or a weight per point that is negative or missing.
    """
    p = _power_mw(rx_dbm)
    n, m = p.shape
    w = np.asarray(weights, dtype=np.float64).ravel()
    if w.size != m:
        msg = f"weights has {w.size} values for {m} points; give one weight per point."
        raise InputError(msg)
    w = _per_point(w, m, "weights")
    strongest = np.argmax(p, axis=0)
    signal = p[strongest, np.arange(m)]
    reached = signal > 0
    ratio = np.divide(p, signal, out=np.zeros_like(p), where=reached)
    onehot = np.zeros((n, m))
    onehot[strongest[reached], np.flatnonzero(reached)] = 1.0
    directed = onehot @ (ratio * w).T
    graph = directed + directed.T
    np.fill_diagonal(graph, 0.0)
    return np.asarray(graph)


def _next_site(
    cost: NDArray[np.float64], total: NDArray[np.float64], free: NDArray[np.int64]
) -> int:
    """The free site whose cheapest carrier costs most (the most constrained), then the one
    with the most interference weight in all, then the lowest index."""
    least = cost[free].min(axis=1)
    order = np.lexsort((free, -total[free], -least))
    return int(free[order[0]])


def assign_carriers(rx_dbm: ArrayLike, n_carriers: int, weights: ArrayLike) -> FrequencyPlan:
    """A frequency plan for the chosen sites: a weighted DSATUR colouring, deterministic.

    Sites are taken in the order of DSATUR (Brélaz, "New methods to color the vertices of a
    graph", Communications of the ACM 22(4) (1979) 251-256), generalised to weights: next
    the site whose cheapest carrier would cost it the most interference weight from the
    sites already placed (its "saturation"), ties to the site with the most weight in all,
    then the lowest index. Each site takes the carrier that adds the least
    :func:`interference_graph` weight to the plan, ties to the carrier with the fewest sites
    (so with ``n_carriers`` >= sites every site has its own), then the lowest index. A
    greedy heuristic for the minimum-interference frequency assignment problem (Aardal et
    al. 2007, see :func:`interference_graph`), not an optimum: with fewer carriers than
    sites it may leave more co-channel weight than the best plan.

    Parameters
    ----------
    rx_dbm
        (sites, points) received power (dBm) of the chosen sites; NaN where a site does not
        reach.
    n_carriers
        Carriers available; 1 puts every site on carrier 0.
    weights
        People (or any weight >= 0) at each point.

    Returns
    -------
    FrequencyPlan
        The carrier of each site and the co-channel weight left.

    Raises
    ------
    InputError
        ``n_carriers`` below 1, or what :func:`interference_graph` refuses.
    """
    _check_n_carriers(n_carriers)
    graph = interference_graph(rx_dbm, weights)
    n = graph.shape[0]
    if n_carriers == 1:
        return FrequencyPlan(np.zeros(n, np.int64), 1, "single", float(graph.sum() / 2))
    carrier = np.full(n, -1, dtype=np.int64)
    cost = np.zeros((n, n_carriers))
    count = np.zeros(n_carriers, dtype=np.int64)
    total = graph.sum(axis=1)
    for _ in range(n):
        site = _next_site(cost, total, np.flatnonzero(carrier < 0))
        c = int(np.lexsort((np.arange(n_carriers), count, cost[site]))[0])
        carrier[site] = c
        count[c] += 1
        cost[:, c] += graph[:, site]
    same = carrier[:, None] == carrier[None, :]
    left = float(graph[same].sum() / 2)
    log.debug("%d sites on %d carriers: co-channel weight %.1f", n, n_carriers, left)
    return FrequencyPlan(carrier, int(n_carriers), "weighted-dsatur", left)


def _check_carrier(carrier: ArrayLike, n_sites: int) -> NDArray[np.int64]:
    c = np.asarray(carrier, dtype=np.int64).ravel()
    if c.size != n_sites or (c < 0).any():
        msg = (
            f"carrier has {c.size} entries for {n_sites} sites or a negative index; give a "
            "carrier index >= 0 per site (FrequencyPlan.carrier)."
        )
        raise InputError(msg)
    return c


def _check_load(load: float | ArrayLike, n_sites: int) -> NDArray[np.float64]:
    lo = np.broadcast_to(np.asarray(load, dtype=np.float64), (n_sites,))
    if not (np.isfinite(lo).all() and ((lo >= 0) & (lo <= 1)).all()):
        msg = (
            f"load must lie in [0, 1] (the share of its resources each site transmits on), "
            f"got {np.unique(lo)}; give one value or one per site."
        )
        raise InputError(msg)
    return lo


def sinr_db(
    rx_dbm: ArrayLike,
    carrier: ArrayLike,
    noise_floor_dbm: float,
    *,
    load: float | ArrayLike = 1.0,
    external_mw: ArrayLike | None = None,
) -> NDArray[np.float64]:
    """SINR (dB) of every site at every point, with co-channel interference.

    ``SINR_i = P_i / (N + sum_k load_k P_k + E)`` over the other sites ``k`` on the carrier
    of site ``i``, with ``N`` the noise floor, ``E`` the external interference at the point
    and all powers in mW: the wanted power over noise plus the sum of co-channel
    interferers, the SINR that the attenuated Shannon mapping of 3GPP TR 36.942 Annex A.2
    (:func:`coverage.radio.linkbudget.throughput_mbps`) takes as input. ``load`` is the share of time-frequency resources each
    interferer transmits on, a mean (fluid) activity factor: a simplification of a
    scheduler's resource occupancy that ignores its correlation between cells. Without
    interferers and ``E = 0`` it is the SNR of :func:`coverage.radio.linkbudget.snr_db`.

    Parameters
    ----------
    rx_dbm
        (sites, points) received power (dBm); NaN where a site does not reach (it neither
        serves nor interferes there).
    carrier
        Carrier index of each site (e.g. :attr:`FrequencyPlan.carrier`).
    noise_floor_dbm
        Thermal noise plus noise figure over the carrier (dBm), e.g.
        :attr:`coverage.radio.technology.Technology.noise_floor_dbm`.
    load
        Activity of each interferer (0-1), one value or one per site; 1 is full load.
    external_mw
        Extra interference (mW) per point, e.g. existing cells on the same band; None: 0.

    Returns
    -------
    numpy.ndarray
        (sites, points) SINR (dB); NaN where the site does not reach, -inf where its signal
        is -inf.

    Raises
    ------
    InputError
        ``rx_dbm`` not (sites, points), a carrier per site missing or negative, a load
        outside [0, 1], a non-finite noise floor, or an external interference that is
        negative, not finite or not one per point.
    """
    p = _power_mw(rx_dbm)
    n, m = p.shape
    c = _check_carrier(carrier, n)
    lo = _check_load(load, n)
    ext = _per_point(external_mw, m, "external_mw")
    if not np.isfinite(noise_floor_dbm):
        msg = f"noise_floor_dbm must be finite, got {noise_floor_dbm}."
        raise InputError(msg)
    base = 10.0 ** (noise_floor_dbm / 10.0) + ext
    interference = np.empty_like(p)
    active = p * lo[:, None]
    for k in np.unique(c):
        on = c == k
        co = active[on].sum(axis=0)
        interference[on] = np.maximum(co[None, :] - active[on], 0.0)
    with np.errstate(divide="ignore"):
        out = 10.0 * np.log10(p / (base[None, :] + interference))
    return np.asarray(np.where(np.isnan(np.asarray(rx_dbm, dtype=np.float64)), np.nan, out))


def best_server_sinr(
    rx_dbm: ArrayLike,
    carrier: ArrayLike,
    noise_floor_dbm: float,
    *,
    load: float | ArrayLike = 1.0,
    external_mw: ArrayLike | None = None,
    min_rx_dbm: float | None = None,
) -> ServerSinr:
    """Per point the best server by SINR (:func:`sinr_db`), its SINR, and the runner-up.

    A site can serve a point where its power is finite and at least ``min_rx_dbm``; every
    site that reaches a point interferes there, whether it can serve or not. Ties go to the
    lowest site index.

    Parameters
    ----------
    rx_dbm
        (sites, points) received power (dBm); NaN where a site does not reach.
    carrier
        Carrier index of each site.
    noise_floor_dbm
        Noise floor over the carrier (dBm).
    load
        Activity of each interferer (0-1), one value or one per site.
    external_mw
        Extra interference (mW) per point; None: 0.
    min_rx_dbm
        Least received power (dBm) a server needs (e.g. the receiver's sensitivity); None:
        any finite power.

    Returns
    -------
    ServerSinr
        Best server and runner-up per point, with their SINR (dB).

    Raises
    ------
    InputError
        What :func:`sinr_db` refuses.
    """
    s = sinr_db(rx_dbm, carrier, noise_floor_dbm, load=load, external_mw=external_mw)
    rx = np.asarray(rx_dbm, dtype=np.float64)
    can = np.isfinite(rx) if min_rx_dbm is None else np.isfinite(rx) & (rx >= min_rx_dbm)
    if s.shape[0] == 1:  # one site: a row that serves nowhere stands for the runner-up
        s, can = np.vstack([s, np.full_like(s, np.nan)]), np.vstack([can, np.zeros_like(can)])
    ranked = np.where(can, s, -np.inf)
    order = np.argsort(-ranked, axis=0, kind="stable")
    cols = np.arange(ranked.shape[1])
    first, second = order[0], order[1]
    has1, has2 = can[first, cols], can[second, cols]
    return ServerSinr(
        server=np.where(has1, first, -1).astype(np.int64),
        sinr_db=np.where(has1, s[first, cols], np.nan),
        second=np.where(has2, second, -1).astype(np.int64),
        second_sinr_db=np.where(has2, s[second, cols], np.nan),
    )
