"""Channel plan of the 5.8 GHz backhaul: the band's channels, a channel per link, capacity.

* :class:`Channel`, :class:`ChannelPlan` and :data:`BAND_5_8GHZ`: the 5725-5850 MHz band
  and its IEEE 802.11 channels of 20, 40 and 80 MHz;
* :func:`assign_link_channels`: a channel for every backhaul link such that two links that
  share a site never share or overlap a channel (a proper edge colouring of the link graph
  with channels as colours), the widest the site's link count allows;
* :func:`link_capacity_mbps`: the 80 MHz rate table of :mod:`coverage.planning.linkgraph`
  carried over to a narrower channel (:func:`scaled_rate_table`);
* :class:`LinkWidths` and :func:`placement_widths`: the widths the placement MILP chooses
  per link and the spectrum a site's links share there, and :func:`assign_planned_channels`,
  the channel plan of those widths.

The placement's spectrum model. In 5725-5850 MHz the 80 MHz channel 155 (5735-5815 MHz)
holds the two 40 MHz channels 151 and 159 and the four 20 MHz channels 149-161: a binary
hierarchy, like a buddy allocator's blocks (Knowlton 1965, "A fast storage allocator",
CACM 8(10):623-625). The placement gives each link one of 20, 40 or 80 MHz and asks that
the widths of the links at one site sum to at most 80 MHz (one row per site). That row is
exact for one site: a set of power-of-two widths summing to at most 80 MHz always fits in
the block, widest first at the lowest free channel. It is also exact for a tree of links:
:func:`assign_planned_channels` walks the tree from a root, and at each site the parent
link's channel is one aligned block, so the free part is one aligned block of each smaller
width and the site's other links fit there widest first (their widths sum to at most what
is free). Channel 165 (5815-5835 MHz) is left out of the plan: with it the per-site sum is
no longer enough (two links that each need 165 to sit beside an 80 MHz channel can meet
at one site), so the model gives up one 20 MHz channel per site to stay exact. A plan
that is not a tree (two paths per site) can need a colouring the walk does not find; such
a link is flagged ``conflict``.

The band: 5725-5850 MHz is the U-NII-3 band of 47 CFR 15.407 and the digital-modulation
band of 47 CFR 15.247 in the United States. ASSUMPTION: Colombia opens the same
5725-5850 MHz to free use for point-to-point links (the ANE's rules on espectro de uso libre,
cited as Resolución ANE 105 de 2020; its text was not checked here); confirm the band edges
and power limits with the ANE before deployment. Links on different sites may reuse a
channel: interference between hops that share no site is left to antenna directivity
(ASSUMPTION, as for point-to-point dishes).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike, NDArray

from coverage.errors import InputError
from coverage.planning.linkgraph import RATE_TABLE_5GHZ, capacity_mbps

__all__ = [
    "BAND_5_8GHZ",
    "CHANNEL_COLUMNS",
    "DATA_SUBCARRIERS",
    "Channel",
    "ChannelPlan",
    "LinkWidths",
    "assign_link_channels",
    "assign_planned_channels",
    "link_capacity_mbps",
    "placement_widths",
    "scaled_rate_table",
]

#: Columns :func:`assign_link_channels` adds to the links.
CHANNEL_COLUMNS = ("channel", "centre_mhz", "bandwidth_mhz", "conflict")

#: Data subcarriers N_SD of an IEEE 802.11ac VHT channel by width (MHz), IEEE Std
#: 802.11ac-2013 Table 22-5: the PHY rate at one MCS is proportional to them.
DATA_SUBCARRIERS = {20: 52, 40: 108, 80: 234, 160: 468}


@dataclass(frozen=True)
class Channel:
    """One channel of a band.

    Attributes
    ----------
    number
        IEEE 802.11 channel number (centre frequency 5000 + 5 x number MHz).
    centre_mhz
        Centre frequency (MHz).
    bandwidth_mhz
        Width (MHz).
    """

    number: int
    centre_mhz: float
    bandwidth_mhz: float

    @property
    def low_mhz(self) -> float:
        """Lower edge of the channel.

        Returns
        -------
        float
            ``centre_mhz - bandwidth_mhz / 2`` (MHz).
        """
        return self.centre_mhz - self.bandwidth_mhz / 2.0

    @property
    def high_mhz(self) -> float:
        """Upper edge of the channel.

        Returns
        -------
        float
            ``centre_mhz + bandwidth_mhz / 2`` (MHz).
        """
        return self.centre_mhz + self.bandwidth_mhz / 2.0

    def overlaps(self, other: Channel) -> bool:
        """Whether the two channels share spectrum (touching edges do not).

        Parameters
        ----------
        other
            The other channel.

        Returns
        -------
        bool
            True when their frequency ranges overlap.
        """
        return self.low_mhz < other.high_mhz and other.low_mhz < self.high_mhz


@dataclass(frozen=True)
class ChannelPlan:
    """A band and the channels it offers, e.g. :data:`BAND_5_8GHZ`.

    Attributes
    ----------
    name
        What the band is, with its rule.
    low_mhz
        Lower band edge (MHz).
    high_mhz
        Upper band edge (MHz).
    channels
        The channels, every width together.

    Raises
    ------
    InputError
        Band edges out of order, or a channel that is not inside the band.
    """

    name: str
    low_mhz: float
    high_mhz: float
    channels: tuple[Channel, ...]

    def __post_init__(self) -> None:
        """Refuse edges out of order and channels outside the band."""
        if not self.low_mhz < self.high_mhz:
            msg = (
                f"ChannelPlan {self.name!r}: low_mhz {self.low_mhz} must be below {self.high_mhz}."
            )
            raise InputError(msg)
        outside = [
            c.number
            for c in self.channels
            if c.low_mhz < self.low_mhz or c.high_mhz > self.high_mhz
        ]
        if outside:
            msg = (
                f"ChannelPlan {self.name!r}: channels {outside} reach outside "
                f"{self.low_mhz}-{self.high_mhz} MHz; drop them or widen the band."
            )
            raise InputError(msg)

    @property
    def widths_mhz(self) -> tuple[float, ...]:
        """The channel widths the band offers, widest first.

        Returns
        -------
        tuple of float
            Widths (MHz).
        """
        return tuple(sorted({c.bandwidth_mhz for c in self.channels}, reverse=True))

    def of_width(self, bandwidth_mhz: float) -> tuple[Channel, ...]:
        """The channels of one width, by channel number.

        Parameters
        ----------
        bandwidth_mhz
            Channel width (MHz).

        Returns
        -------
        tuple of Channel
            Empty when the band has none of that width.
        """
        same = (c for c in self.channels if c.bandwidth_mhz == bandwidth_mhz)
        return tuple(sorted(same, key=lambda c: c.number))


def _ch(number: int, bandwidth_mhz: float) -> Channel:
    return Channel(number, 5000.0 + 5.0 * number, bandwidth_mhz)


#: 5725-5850 MHz (47 CFR 15.247 / 15.407 U-NII-3; Colombia: see the module docstring) with
#: IEEE 802.11 channels 149-165: five of 20 MHz (149, 153, 157, 161, 165), two of 40 MHz
#: (151, 159) and one of 80 MHz (155) (IEEE Std 802.11-2020 Annex E, global operating classes 125, 126 and 128).
BAND_5_8GHZ = ChannelPlan(
    name="5725-5850 MHz (U-NII-3 / ISM, 47 CFR 15.247 and 15.407)",
    low_mhz=5725.0,
    high_mhz=5850.0,
    channels=(
        *(_ch(n, 20.0) for n in (149, 153, 157, 161, 165)),
        _ch(151, 40.0),
        _ch(159, 40.0),
        _ch(155, 80.0),
    ),
)


def _check_links(links: pd.DataFrame) -> tuple[list[str], list[str], NDArray[np.float64]]:
    """Site ids as strings and traffic (Mbps, 0 without the column), refusing bad rows."""
    missing = [c for c in ("site_a", "site_b") if c not in links.columns]
    if missing:
        msg = f"links needs columns site_a and site_b; missing {missing}."
        raise InputError(msg)
    a = links["site_a"].astype(str).tolist()
    b = links["site_b"].astype(str).tolist()
    loops = [x for x, y in zip(a, b, strict=True) if x == y]
    if loops:
        msg = f"links joins sites {sorted(set(loops))[:5]} to themselves; drop those rows."
        raise InputError(msg)
    if "traffic_mbps" in links.columns:
        traffic = links["traffic_mbps"].to_numpy(dtype=np.float64, na_value=np.nan)
        if not (np.isfinite(traffic) & (traffic >= 0)).all():
            msg = "links.traffic_mbps must be finite and >= 0 Mbps; fill or fix the bad rows."
            raise InputError(msg)
    else:
        traffic = np.zeros(len(links))
    return a, b, traffic


def _site_widths(
    a: list[str], b: list[str], widths: tuple[float, ...], plan: ChannelPlan
) -> dict[str, float]:
    """Per site the widest width with at least as many channels as links (else the narrowest)."""
    degree = pd.Series([*a, *b], dtype=object).value_counts()
    fits = {n: [w for w in widths if len(plan.of_width(w)) >= n] for n in set(degree)}
    return {str(site): (fits[n] or [widths[-1]])[0] for site, n in degree.items()}


def assign_link_channels(
    links: pd.DataFrame,
    widths_mhz: Sequence[float] = (80, 40, 20),
    *,
    plan: ChannelPlan = BAND_5_8GHZ,
) -> pd.DataFrame:
    """A channel for every link; two links at one site never share or overlap a channel.

    Each site takes the widest of ``widths_mhz`` whose channels in ``plan`` are at least as
    many as its links (in the 5.8 GHz band: 1 link 80 MHz, 2 links 40 MHz, 3-5 links 20 MHz;
    more than 5: 20 MHz, and some of them cannot have a channel); a link takes the narrower
    width of its two ends. Then a greedy edge colouring, deterministic: links in order of
    ``traffic_mbps`` (highest first), then ``site_a``, ``site_b`` (as strings), then row
    order; each takes the lowest-numbered channel of its width that overlaps no channel
    already given to a link at either of its sites, or else the same at a narrower width of
    ``widths_mhz``. A link for which no width has such a channel is flagged ``conflict``
    and gets none (channel -1, NaN centre and width) rather than sharing one. Greedy, not
    optimal: on some graphs it flags a link an exact edge colouring would place.

    Parameters
    ----------
    links
        One row per link: ``site_a``, ``site_b`` (site ids) and optionally
        ``traffic_mbps`` (busy-hour traffic, >= 0; 0 for all when absent).
    widths_mhz
        The channel widths allowed (MHz), each one the plan offers; tried widest first.
    plan
        The band (default :data:`BAND_5_8GHZ`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``links`` (same index) with :data:`CHANNEL_COLUMNS`: ``channel`` (IEEE
        channel number, -1 if none), ``centre_mhz``, ``bandwidth_mhz`` (NaN if none) and
        ``conflict`` (True where the link got no channel).

    Raises
    ------
    InputError
        No ``site_a``/``site_b`` column, a link from a site to itself, a negative or missing
        traffic, or a width the plan does not offer.
    """
    a, b, traffic = _check_links(links)
    widths = tuple(sorted({float(w) for w in widths_mhz}, reverse=True))
    unknown = [w for w in widths if not plan.of_width(w)]
    if not widths or unknown:
        msg = (
            f"widths_mhz must be channel widths of {plan.name}, {list(plan.widths_mhz)} MHz; "
            f"got {list(widths_mhz)}."
        )
        raise InputError(msg)
    site_width = _site_widths(a, b, widths, plan)
    order = sorted(range(len(a)), key=lambda i: (-traffic[i], a[i], b[i], i))
    used: dict[str, list[Channel]] = {}
    chosen: list[Channel | None] = [None] * len(a)
    for i in order:
        width = min(site_width[a[i]], site_width[b[i]])
        taken = used.get(a[i], []) + used.get(b[i], [])
        for w in (w for w in widths if w <= width):
            free = [c for c in plan.of_width(w) if not any(c.overlaps(t) for t in taken)]
            if free:
                chosen[i] = free[0]
                used.setdefault(a[i], []).append(free[0])
                used.setdefault(b[i], []).append(free[0])
                break
    return _with_channels(links, chosen)


def scaled_rate_table(
    bandwidth_mhz: float,
    rate_table: Sequence[tuple[float, float]] = RATE_TABLE_5GHZ,
    *,
    table_bandwidth_mhz: float = 80.0,
) -> tuple[tuple[float, float], ...]:
    """A rate table carried from its channel width to another one.

    Each rate scales by the ratio of data subcarriers (:data:`DATA_SUBCARRIERS`, IEEE Std
    802.11ac-2013 Table 22-5: 52, 108, 234 at 20, 40, 80 MHz), which reproduces the
    standard's VHT rates exactly (58.5 Mbps at 80 MHz -> 13 Mbps at 20 MHz). Each SNR
    threshold moves by ``10 log10(B / B_table)`` dB: the thresholds are SNRs over the
    table's channel width, and a channel ``B_table / B`` times narrower collects that much
    less noise, so it reaches each MCS at that much lower a wide-channel SNR.
    ASSUMPTION: every row is kept at every width; IEEE 802.11ac defines no MCS 9 at
    20 MHz for 1-2 spatial streams, so the top 20 MHz row of :data:`RATE_TABLE_5GHZ`
    (173.3 Mbps) is one step optimistic there (156 Mbps, MCS 8).

    Parameters
    ----------
    bandwidth_mhz
        The channel width wanted (MHz), one of :data:`DATA_SUBCARRIERS`.
    rate_table
        (minimum SNR dB, PHY rate Mbps) pairs at ``table_bandwidth_mhz``.
    table_bandwidth_mhz
        The width the table is for (MHz; 80 for :data:`RATE_TABLE_5GHZ`).

    Returns
    -------
    tuple of (float, float)
        (SNR threshold dB over ``table_bandwidth_mhz``, PHY rate Mbps) pairs at
        ``bandwidth_mhz``.

    Raises
    ------
    InputError
        A width that is not 20, 40, 80 or 160 MHz.
    """
    for name, w in (("bandwidth_mhz", bandwidth_mhz), ("table_bandwidth_mhz", table_bandwidth_mhz)):
        if w not in DATA_SUBCARRIERS:
            msg = f"{name} must be one of {sorted(DATA_SUBCARRIERS)} MHz, got {w}."
            raise InputError(msg)
    rate_factor = DATA_SUBCARRIERS[int(bandwidth_mhz)] / DATA_SUBCARRIERS[int(table_bandwidth_mhz)]
    shift_db = 10.0 * math.log10(bandwidth_mhz / table_bandwidth_mhz)
    return tuple((snr + shift_db, rate * rate_factor) for snr, rate in rate_table)


def link_capacity_mbps(
    snr_db: ArrayLike,
    bandwidth_mhz: ArrayLike,
    *,
    rate_table: Sequence[tuple[float, float]] = RATE_TABLE_5GHZ,
    table_bandwidth_mhz: float = 80.0,
    mac_efficiency: float = 1.0,
) -> NDArray[np.float64]:
    """Rate (Mbps) of each link on its channel width, from its SNR over the table's width.

    ``snr_db`` is the SNR with the noise of a ``table_bandwidth_mhz`` channel, as
    :meth:`coverage.planning.linkgraph.LinkBudget.snr_db` gives with its default 80 MHz;
    the rate is that of :func:`~coverage.planning.linkgraph.capacity_mbps` with the table
    carried to the link's width by :func:`scaled_rate_table`. A link with no channel (NaN
    width, a ``conflict`` of :func:`assign_link_channels`) carries 0.

    Parameters
    ----------
    snr_db
        Link SNR (dB) over ``table_bandwidth_mhz``.
    bandwidth_mhz
        Channel width of each link (MHz: 20, 40, 80 or 160; NaN for none); broadcasts
        with ``snr_db``.
    rate_table
        (minimum SNR dB, PHY rate Mbps) pairs at ``table_bandwidth_mhz``.
    table_bandwidth_mhz
        The width of ``rate_table`` and of the SNR's noise (MHz).
    mac_efficiency
        Factor on the PHY rate (1: PHY rate; about 0.6 for net throughput, see
        :class:`~coverage.planning.linkgraph.LinkBudget`).

    Returns
    -------
    numpy.ndarray
        Rate (Mbps), the broadcast shape of the inputs.

    Raises
    ------
    InputError
        A width that is neither NaN nor one of 20, 40, 80 and 160 MHz.
    """
    snr, width = np.broadcast_arrays(
        np.asarray(snr_db, dtype=np.float64), np.asarray(bandwidth_mhz, dtype=np.float64)
    )
    out = np.zeros(snr.shape)
    for w in np.unique(width[np.isfinite(width)]):
        table = scaled_rate_table(float(w), rate_table, table_bandwidth_mhz=table_bandwidth_mhz)
        here = width == w
        out[here] = capacity_mbps(snr[here], table, mac_efficiency=mac_efficiency)
    return out


@dataclass(frozen=True)
class LinkWidths:
    """The channel widths the placement may give a link, and what one site's links share.

    Attributes
    ----------
    widths_mhz
        Channel widths (MHz), narrowest first, each a power-of-two multiple of the first.
    site_mhz
        Spectrum (MHz) the links at one site share: their widths sum to at most this.

    Raises
    ------
    InputError
        No width, widths out of order or not powers of two of the narrowest, or a site
        spectrum narrower than the widest width.
    """

    widths_mhz: tuple[float, ...]
    site_mhz: float

    def __post_init__(self) -> None:
        """Refuse widths that do not nest as a binary hierarchy."""
        w = self.widths_mhz
        ratios = [x / w[0] for x in w] if w else []
        if not w or list(w) != sorted(set(w)) or any(math.log2(r) % 1 for r in ratios):
            msg = f"widths_mhz must be increasing powers of two of the first, got {list(w)}."
            raise InputError(msg)
        if not self.site_mhz >= w[-1]:
            msg = f"site_mhz {self.site_mhz} must be at least the widest width {w[-1]} MHz."
            raise InputError(msg)


def _block(plan: ChannelPlan, widest_mhz: float) -> tuple[Channel, tuple[Channel, ...]]:
    """The plan's lowest channel of ``widest_mhz`` and every channel inside it."""
    top = plan.of_width(widest_mhz)
    if not top:
        msg = f"{plan.name} has no {widest_mhz:g} MHz channel."
        raise InputError(msg)
    inside = tuple(
        c for c in plan.channels if top[0].low_mhz <= c.low_mhz and c.high_mhz <= top[0].high_mhz
    )
    return top[0], inside


def placement_widths(plan: ChannelPlan = BAND_5_8GHZ, widest_mhz: float = 80.0) -> LinkWidths:
    """The widths the placement chooses from and the spectrum a site's links share.

    The block is the plan's widest channel; the widths are those of the channels inside it
    up to ``widest_mhz``, and a site's links share the block (see the module docstring: in
    5725-5850 MHz, 20, 40 and 80 MHz within channel 155, channel 165 left out).

    Parameters
    ----------
    plan
        The band.
    widest_mhz
        The widest channel a link may take (MHz; the scenario's ``placement_channel_mhz``).

    Returns
    -------
    LinkWidths
        The widths (MHz) and the site spectrum (MHz).

    Raises
    ------
    InputError
        No channel of the block is that narrow, or the channels inside it do not nest.
    """
    top, inside = _block(plan, max(plan.widths_mhz))
    widths = tuple(sorted({c.bandwidth_mhz for c in inside if c.bandwidth_mhz <= widest_mhz}))
    if not widths:
        msg = f"{plan.name} has no channel of {widest_mhz:g} MHz or narrower."
        raise InputError(msg)
    return LinkWidths(widths, top.bandwidth_mhz)


def _planned_order(a: list[str], b: list[str], width: NDArray[np.float64]) -> list[int]:
    """Links in the order of a breadth-first walk of each connected part from its busiest
    site (most links, then name): at each site, its links not yet ordered, widest first."""
    at: dict[str, list[int]] = {}
    for i, (x, y) in enumerate(zip(a, b, strict=True)):
        at.setdefault(x, []).append(i)
        at.setdefault(y, []).append(i)
    roots = sorted(at, key=lambda v: (-len(at[v]), v))
    order: list[int] = []
    placed: set[int] = set()
    seen: set[str] = set()
    for root in roots:
        if root in seen:
            continue
        queue, seen = [root], seen | {root}
        while queue:
            v = queue.pop(0)
            mine = sorted((i for i in at[v] if i not in placed), key=lambda i: (-width[i], i))
            for i in mine:
                placed.add(i)
                order.append(i)
                other = b[i] if a[i] == v else a[i]
                if other not in seen:
                    seen.add(other)
                    queue.append(other)
    return order


def assign_planned_channels(
    links: pd.DataFrame, *, plan: ChannelPlan = BAND_5_8GHZ
) -> pd.DataFrame:
    """A channel of each link's planned width; two links at one site never overlap.

    The widths are the placement's (``width_mhz``, :class:`LinkWidths`), whose links at a
    site sum to at most the block of :func:`placement_widths`. Each connected part is
    walked breadth first from its site with most links; at each site its links without a
    channel, widest first, take the lowest-numbered channel of their width inside the block
    that overlaps no channel at either end. On a tree this never fails (module docstring);
    a link that finds no channel (a cycle) is flagged ``conflict`` and gets none.

    Parameters
    ----------
    links
        One row per link: ``site_a``, ``site_b`` (site ids), ``width_mhz`` (a width of the
        block) and optionally ``traffic_mbps``.
    plan
        The band (default :data:`BAND_5_8GHZ`).

    Returns
    -------
    pandas.DataFrame
        A copy of ``links`` with :data:`CHANNEL_COLUMNS`, as :func:`assign_link_channels`.

    Raises
    ------
    InputError
        The errors of :func:`assign_link_channels`, or a width that is not in the block.
    """
    a, b, _ = _check_links(links)
    width = links["width_mhz"].to_numpy(dtype=np.float64) if "width_mhz" in links else None
    if width is None or len(width) == 0:
        return (
            assign_link_channels(links, plan=plan) if width is None else _with_channels(links, [])
        )
    top, inside = _block(plan, max(plan.widths_mhz))
    bad = sorted({float(w) for w in width} - {c.bandwidth_mhz for c in inside})
    if bad:
        msg = f"width_mhz {bad} are not channel widths inside channel {top.number} of {plan.name}."
        raise InputError(msg)
    used: dict[str, list[Channel]] = {}
    chosen: list[Channel | None] = [None] * len(a)
    for i in _planned_order(a, b, width):
        taken = used.get(a[i], []) + used.get(b[i], [])
        free = [
            c for c in sorted(inside, key=lambda c: c.number)
            if c.bandwidth_mhz == width[i] and not any(c.overlaps(t) for t in taken)
        ]  # fmt: skip
        if free:
            chosen[i] = free[0]
            used.setdefault(a[i], []).append(free[0])
            used.setdefault(b[i], []).append(free[0])
    return _with_channels(links, chosen)


def _with_channels(links: pd.DataFrame, chosen: Sequence[Channel | None]) -> pd.DataFrame:
    """``links`` with the :data:`CHANNEL_COLUMNS` of the chosen channels (None: conflict)."""
    out = links.copy()
    # explicit dtypes: an empty table keeps integer, float and boolean columns
    out["channel"] = np.array([c.number if c else -1 for c in chosen], dtype=np.int64)
    out["centre_mhz"] = np.array([c.centre_mhz if c else math.nan for c in chosen], dtype=float)
    out["bandwidth_mhz"] = np.array(
        [c.bandwidth_mhz if c else math.nan for c in chosen], dtype=float
    )
    out["conflict"] = np.array([c is None for c in chosen], dtype=bool)
    return out
