"""Phased rollout: which parts of a one-shot plan to build in which year, within a yearly budget.

:func:`schedule_rollout` takes the tables of a finished (one-shot) plan and a budget per year
and says what is built when and who is connected when. It is a greedy schedule, not an
optimisation. Its *elements* are: a site with whatever its path to the point of presence still
lacks (the relays, access sites and links of the path with the fewest links, ties broken by the
smaller site id at each hop, so that the paths form one tree); a link on no such path (a ring, a
spare), with its ends' paths; a satellite kit for the households of one "served_satellite"
demand point; and a public Wi-Fi hotspot with the path of the site serving its host (the
school or building that feeds it). An element connects the people of the "served_new" points
whose ``best_site`` it builds (a kit: its point's people; a hotspot: the people of its
"served_hotspot" points, and those of the sites it builds). The best element, most newly connected people per USD
(ties by key), is built as soon as the cumulative budget pays for it; cheaper ones do not jump
ahead of it, and one the whole rollout cannot pay for is passed over. Sites once built are never
removed, and no site is built before the relays and links of its path.

ASSUMPTION: each year has ``yearly_budget_usd``; money not spent carries over to the next year.
Each site, link, kit and hotspot is charged its whole ``cost_usd`` (total cost of ownership, capex plus
discounted opex, as the placement's budget counts it) in the year it is built.

With ``years * yearly_budget_usd`` at or above the one-shot plan's total cost, the last year's
cumulative budget pays for everything left, so the schedule builds the whole one-shot plan and
ends at its coverage. With less, what never fits is left unbuilt and reported.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass, field

import networkx as nx
import pandas as pd

from coverage.planning.rolloutinputs import (
    ROLLOUT_COLUMNS,
    SERVICES,
    check_rollout_inputs,
    paths_to_pop,
)

__all__ = [
    "BUDGET_TOLERANCE",
    "CARRY_OVER_ASSUMPTION",
    "SERVICES",
    "LastMile",
    "Rollout",
    "schedule_rollout",
]

#: Relative rounding allowed when a spend is compared with a budget (a third of a total, three
#: times over, may fall one unit in the last place short of it).
BUDGET_TOLERANCE = 1e-9

#: The budget rule of every rollout, as the outputs state it.
CARRY_OVER_ASSUMPTION = (
    "Assumption: each year has the yearly budget; money not spent in a year carries over to "
    "the next; each site, link, satellite kit and hotspot is charged its whole cost (total cost of "
    "ownership, capex plus discounted opex) in the year it is built."
)

_Pair = tuple[str, str]


@dataclass(frozen=True, eq=False)
class Rollout:
    """A plan per year: what is built when and who is connected when.

    Attributes
    ----------
    years
        One row per year: ``year`` (1, 2, ...); ``built`` (the site ids built that year, from
        the PoP out, then "N satellite kits" and "N hotspots"); ``links_built`` ("A–B, ...");
        ``satellite_kits`` (one per household); ``hotspots`` (built that year); ``spend_usd``, ``cumulative_spend_usd``, ``budget_cumulative_usd``
        (``year`` x the yearly budget) and ``carried_over_usd`` (unspent, carried to the next
        year); ``people_connected`` and ``households_connected`` (newly connected by the end
        of the year); ``share_of_one_shot`` (``people_connected`` over the one-shot plan's
        newly connected people, 1 when it connects none); where the sites table has them,
        ``site_capex_usd`` (of the sites built that year) and ``site_opex_usd_per_year`` (of
        all sites built so far).
    per_site, per_link
        Year each site and each link (``(site_a, site_b)`` as in the links table) is built;
        -1 where never.
    per_demand
        Year each demand point is connected: 0 where existing sites serve it already, -1
        where never (unserved, or its site or kit is never built).
    per_vereda_year
        Households newly connected by the end of each year, index ``vereda``, columns
        ``year_1`` ... ``year_N`` and ``one_shot`` (the one-shot plan's).
    unbuilt
        What the one-shot plan has and the rollout never builds: site ids, links "A–B",
        kits "satellite:<demand_id>" and hotspot ids; empty when everything is built.
    notes
        Sentences every output must show: the budget assumption, what was left unbuilt.
    one_shot_cost_usd
        Cost of the whole one-shot plan (USD): sites, links, satellite kits and hotspots.
    one_shot_people
        People the one-shot plan newly connects (served_new, served_hotspot and
        served_satellite points).
    yearly_budget_usd
        The budget of each year (USD).
    """

    years: pd.DataFrame
    per_site: dict[str, int]
    per_link: dict[_Pair, int]
    per_demand: dict[str, int]
    per_vereda_year: pd.DataFrame
    unbuilt: list[str]
    notes: tuple[str, ...]
    one_shot_cost_usd: float
    one_shot_people: float
    yearly_budget_usd: float


@dataclass(frozen=True)
class _Element:
    """Something built at once: sites and links (a path to the PoP), or one satellite kit."""

    key: str
    sites: tuple[str, ...] = ()
    links: tuple[frozenset[str], ...] = ()
    kit: str = ""  # demand_id of a satellite kit
    hotspot: str = ""  # hotspot_id of a hotspot (built with its host's site path)
    connects: bool = True  # False: a spare link, built after the sites, connecting no one


@dataclass(frozen=True, eq=False)
class LastMile:
    """What a one-shot plan builds besides its network: satellite kits and hotspots.

    Attributes
    ----------
    satellite
        The satellite kits: ``demand_id``, ``households`` (kits), ``cost_usd`` (USD, all of
        the point's kits); one row per point served "served_satellite"; None when none is.
    hotspots
        The built hotspots: ``hotspot_id``, ``host_id`` (the demand point whose site feeds
        it), ``cost_usd`` (USD); None when the plan has none.
    """

    satellite: pd.DataFrame | None = None
    hotspots: pd.DataFrame | None = None


def schedule_rollout(
    sites: pd.DataFrame,
    links: pd.DataFrame,
    graph: nx.Graph,
    pop_id: str | Sequence[str],
    demand: pd.DataFrame,
    yearly_budget_usd: float,
    years: int,
    last_mile: LastMile | None = None,
) -> Rollout:
    """Schedule the one-shot plan's sites, links, satellite kits and hotspots over ``years``.

    Parameters
    ----------
    sites
        The one-shot plan's sites: ``site_id``, ``role`` ("access", "relay" or "pop"),
        ``cost_usd`` (total cost of ownership, USD); optional ``capex_usd`` and
        ``opex_usd_per_year`` (USD, USD a year), reported per year.
    links
        Its backhaul links: ``site_a``, ``site_b``; ``cost_usd`` (USD), 0 where absent.
    graph
        The built network: nodes are site ids (the PoP included), edges the links.
    pop_id
        The point of presence's site id, or several.
    demand
        Its demand points: ``demand_id``, ``vereda``, ``population`` (people),
        ``households``, ``best_site`` ("" when none) and ``service`` (one of
        :data:`SERVICES`); ``hotspot`` (the hotspot_id serving a "served_hotspot" point) when
        any point is.
    yearly_budget_usd
        The budget of each year (USD); unspent money carries over (see the module docstring).
    years
        Years of the rollout, at least 1.
    last_mile
        The plan's satellite kits and hotspots (None: neither).

    Returns
    -------
    Rollout
        The plan per year. With ``years * yearly_budget_usd`` at or above the one-shot cost it
        builds everything and ends at the one-shot plan's coverage.

    Raises
    ------
    InputError
        A missing column, a negative or missing cost, an unknown site, role or service, a
        graph edge that is not a link, a budget below 0 or fewer than 1 year.
    """
    pops = [pop_id] if isinstance(pop_id, str) else [str(p) for p in pop_id]
    satellite, hotspots = (
        (None, None) if last_mile is None else (last_mile.satellite, last_mile.hotspots)
    )
    tables = {"sites": sites, "links": links, "demand": demand}
    check_rollout_inputs(
        {**tables, "satellite": satellite, "hotspots": hotspots},
        graph,
        pops,
        yearly_budget_usd,
        years,
    )
    site_ids = sites["site_id"].astype(str).tolist()
    ends = [(str(a), str(b)) for a, b in zip(links["site_a"], links["site_b"], strict=True)]
    link_cost = links["cost_usd"] if "cost_usd" in links.columns else [0.0] * len(ends)
    kits = (
        pd.DataFrame(columns=list(ROLLOUT_COLUMNS["satellite"])) if satellite is None else satellite
    )
    new = demand[demand["service"] == "served_new"]
    hot = _hotspot_frame(hotspots)
    reached = demand[demand["service"] == "served_hotspot"]
    greedy = _Greedy(
        site_cost_usd=_by_id(sites, "site_id", "cost_usd"),
        link_cost_usd={frozenset(e): float(c) for e, c in zip(ends, link_cost, strict=True)},
        kit_cost_usd=_by_id(kits, "demand_id", "cost_usd"),
        people_at_site=_by_id(new, "best_site", "population"),
        people_at_point=_by_id(demand, "demand_id", "population"),
        hotspot_cost_usd=_by_id(hot, "hotspot_id", "cost_usd"),
        people_at_hotspot=_by_id(reached, "hotspot", "population") if len(reached) else {},
    )
    paths = paths_to_pop(graph, pops, site_ids)
    elements = _network_elements(paths, ends) + _hotspot_elements(hot, demand, paths)
    log = greedy.run(elements, float(yearly_budget_usd), int(years))
    return _result(sites, demand, kits, ends, greedy, log, float(yearly_budget_usd), int(years))


def _hotspot_frame(hotspots: pd.DataFrame | None) -> pd.DataFrame:
    """The hotspots table, or an empty one with its columns."""
    if hotspots is None:
        return pd.DataFrame(columns=list(ROLLOUT_COLUMNS["hotspots"]))
    return hotspots


def _hotspot_elements(
    hot: pd.DataFrame,
    demand: pd.DataFrame,
    paths: dict[str, tuple[tuple[str, ...], tuple[frozenset[str], ...]]],
) -> list[_Element]:
    """One element per hotspot: it and the path of the site serving its host."""
    best = demand.set_index(demand["demand_id"].astype(str))["best_site"].astype(str)
    out = []
    for h, host in zip(hot["hotspot_id"].astype(str), hot["host_id"].astype(str), strict=True):
        nodes, edges = paths[best[host]]
        out.append(_Element(h, sites=nodes[::-1], links=edges[::-1], hotspot=h))
    return out


def _by_id(table: pd.DataFrame, key: str, value: str) -> dict[str, float]:
    """The sum of ``value`` (as float) by ``key`` (as text) over the rows of ``table``."""
    sums = table[value].astype(float).groupby(table[key].astype(str)).sum()
    return {str(k): float(v) for k, v in sums.items()}


@dataclass
class _Greedy:
    """The schedule's state: costs (USD), people, and what is built (-> year), with its rule."""

    site_cost_usd: dict[str, float]
    link_cost_usd: dict[frozenset[str], float]
    kit_cost_usd: dict[str, float]
    people_at_site: dict[str, float]
    people_at_point: dict[str, float]
    hotspot_cost_usd: dict[str, float] = field(default_factory=dict)
    people_at_hotspot: dict[str, float] = field(default_factory=dict)
    sites: dict[str, int] = field(default_factory=dict)
    links: dict[frozenset[str], int] = field(default_factory=dict)
    kits: dict[str, int] = field(default_factory=dict)
    hotspots: dict[str, int] = field(default_factory=dict)

    def cost_usd(self, el: _Element) -> float:
        """What building ``el`` costs now: its parts not yet built (USD)."""
        kit = self.kit_cost_usd[el.kit] if el.kit and el.kit not in self.kits else 0.0
        if el.hotspot and el.hotspot not in self.hotspots:
            kit += self.hotspot_cost_usd[el.hotspot]
        return (
            kit
            + sum(self.site_cost_usd[s] for s in el.sites if s not in self.sites)
            + sum(self.link_cost_usd[e] for e in el.links if e not in self.links)
        )

    def rank(self, el: _Element) -> tuple[float, str]:
        """Sort key: most newly connected people per USD first, then the key."""
        if el.kit:
            people = self.people_at_point[el.kit]
        else:
            new = [s for s in el.sites if s not in self.sites] if el.connects else []
            people = sum(self.people_at_site.get(s, 0.0) for s in new)
            if el.hotspot and el.hotspot not in self.hotspots:
                people += self.people_at_hotspot.get(el.hotspot, 0.0)
        c = self.cost_usd(el)
        ratio = people / c if c > 0 else (math.inf if people > 0 else 0.0)
        return -ratio, el.key

    def done(self, el: _Element) -> bool:
        """Whether every part of ``el`` is built."""
        if el.kit:
            return el.kit in self.kits
        if el.hotspot and el.hotspot not in self.hotspots:
            return False
        return all(s in self.sites for s in el.sites) and all(e in self.links for e in el.links)

    def run(
        self, network: list[_Element], yearly_budget_usd: float, years: int
    ) -> list[tuple[int, _Element, float]]:
        """Build year by year the best element the year's money can pay for.

        Each year builds, while the cumulative budget allows, the element that connects the
        most people per USD among those that fit (a dearer better one waits for next year's
        money, carried over); an element that connects no one (a spare link) waits until no
        element that connects someone is left. One the rest of the rollout's budget cannot
        pay for is passed over. Every element fits in the last year when the rollout's
        budget covers the one-shot plan, so the whole plan is then built. Returns (year,
        element, cost in USD) of each element built, in build order.
        """
        tol = 1 + BUDGET_TOLERANCE
        horizon = years * yearly_budget_usd * tol + BUDGET_TOLERANCE
        kits = sorted((_Element(f"satellite:{d}", kit=d) for d in self.kit_cost_usd), key=self.rank)
        spent, log = 0.0, []
        for year in range(1, years + 1):
            room = year * yearly_budget_usd * tol + BUDGET_TOLERANCE
            while True:
                network = [el for el in network if not self.done(el)]
                while kits and spent + self.cost_usd(kits[0]) > horizon:
                    kits.pop(0)  # never affordable: the horizon only shrinks as money is spent
                options = [el for el in network if spent + self.cost_usd(el) <= horizon]
                options += kits[:1]
                # people first: an element that connects no one waits until none is left
                useful = [el for el in options if self.rank(el)[0] < 0]
                fits = [el for el in useful or options if spent + self.cost_usd(el) <= room]
                if not fits:
                    break  # wait for next year's money
                best = min(fits, key=self.rank)
                c = self.cost_usd(best)
                spent += c
                log.append((year, best, c))
                if best.kit:
                    self.kits[kits.pop(0).kit] = year
                if best.hotspot:
                    self.hotspots[best.hotspot] = year
                self.sites.update({s: year for s in best.sites if s not in self.sites})
                self.links.update({e: year for e in best.links if e not in self.links})
        return log


def _network_elements(
    paths: dict[str, tuple[tuple[str, ...], tuple[frozenset[str], ...]]], ends: list[_Pair]
) -> list[_Element]:
    """One element per site (with its path), one per link on no path (with its ends' paths)."""
    elements = [_Element(s, sites=n[::-1], links=e[::-1]) for s, (n, e) in paths.items()]
    on_paths = {e for _, edges in paths.values() for e in edges}
    for a, b in ends:
        if frozenset((a, b)) not in on_paths:
            (na, ea), (nb, eb) = paths[a], paths[b]
            nodes = dict.fromkeys(na[::-1] + nb[::-1])  # from the PoP out
            edges = dict.fromkeys((*ea[::-1], *eb[::-1], frozenset((a, b))))
            elements.append(_Element(f"{a}–{b}", tuple(nodes), tuple(edges), connects=False))
    return elements


def _result(
    sites: pd.DataFrame,
    demand: pd.DataFrame,
    kits: pd.DataFrame,
    ends: list[_Pair],
    g: _Greedy,
    log: list[tuple[int, _Element, float]],
    yearly_budget_usd: float,
    years: int,
) -> Rollout:
    """The rollout's tables from the schedule's state and its build log."""
    total_usd = sum(g.site_cost_usd.values()) + sum(g.link_cost_usd.values())
    total_usd += sum(g.kit_cost_usd.values()) + sum(g.hotspot_cost_usd.values())
    ids, service = demand["demand_id"].astype(str), demand["service"]
    site_year, kit_year = demand["best_site"].astype(str).map(g.sites), ids.map(g.kits)
    hotspot = demand["hotspot"] if "hotspot" in demand.columns else pd.Series("", demand.index)
    hot_year = hotspot.astype(str).map(g.hotspots)
    connected = (
        site_year.where(service == "served_new")
        .fillna(kit_year.where(service == "served_satellite"))
        .fillna(hot_year.where(service == "served_hotspot"))
        .mask(service == "served_existing", 0)
        .fillna(-1)
        .astype(int)
    )
    newly = demand["service"].isin(("served_new", "served_hotspot", "served_satellite"))
    kit_households = _by_id(kits, "demand_id", "households")
    has_capex = {"capex_usd", "opex_usd_per_year"} <= set(sites.columns)
    money = sites.set_index(sites["site_id"].astype(str))
    rows, cumulative, one_shot = [], 0.0, float(demand.loc[newly, "population"].sum())
    for y in range(1, years + 1):
        kit_count = float(sum(kit_households[d] for d, yr in g.kits.items() if yr == y))
        hot_count = sum(yr == y for yr in g.hotspots.values())
        built = [s for s, yr in g.sites.items() if yr == y]
        cumulative += sum(c for yr, _, c in log if yr == y)
        upto = newly & (connected >= 1) & (connected <= y)
        people = float(demand.loc[upto, "population"].sum())
        share = people / one_shot if one_shot > 0 else 1.0
        row = {
            "year": y,
            "built": "; ".join(
                [", ".join(built)] * bool(built)
                + [f"{kit_count:.0f} satellite kits"] * bool(kit_count)
                + [f"{hot_count} hotspots"] * bool(hot_count)
            ),
            "links_built": ", ".join("–".join(sorted(e)) for e, yr in g.links.items() if yr == y),
            "satellite_kits": kit_count,
            "hotspots": hot_count,
            "spend_usd": float(sum(c for yr, _, c in log if yr == y)),
            "cumulative_spend_usd": cumulative,
            "budget_cumulative_usd": y * yearly_budget_usd,
            "carried_over_usd": max(y * yearly_budget_usd - cumulative, 0.0),
            "people_connected": people,
            "households_connected": float(demand.loc[upto, "households"].sum()),
            "share_of_one_shot": share,
        }
        if has_capex:
            so_far = [s for s, yr in g.sites.items() if yr <= y]
            row["site_capex_usd"] = float(money.loc[built, "capex_usd"].astype(float).sum())
            row["site_opex_usd_per_year"] = float(
                money.loc[so_far, "opex_usd_per_year"].astype(float).sum()
            )
        rows.append(row)
    per_site = {s: g.sites.get(s, -1) for s in sites["site_id"].astype(str)}
    per_link = {(a, b): g.links.get(frozenset((a, b)), -1) for a, b in ends}
    unbuilt = [s for s, yr in per_site.items() if yr < 0]
    unbuilt += [f"{a}–{b}" for (a, b), yr in per_link.items() if yr < 0]
    unbuilt += [f"satellite:{d}" for d in kit_households if d not in g.kits]
    unbuilt += [h for h in g.hotspot_cost_usd if h not in g.hotspots]
    return Rollout(
        years=pd.DataFrame(rows),
        per_site=per_site,
        per_link=per_link,
        per_demand=dict(zip(ids, connected.tolist(), strict=True)),
        per_vereda_year=_per_vereda(demand, connected, newly, years),
        unbuilt=unbuilt,
        notes=_notes(unbuilt, total_usd, yearly_budget_usd, years, share),
        one_shot_cost_usd=total_usd,
        one_shot_people=one_shot,
        yearly_budget_usd=yearly_budget_usd,
    )


def _per_vereda(
    demand: pd.DataFrame, connected: pd.Series, newly: pd.Series, years: int
) -> pd.DataFrame:
    """Households newly connected per vereda by the end of each year, and the one-shot's."""
    by = demand["vereda"].astype(str)
    households = demand["households"].astype(float).where(newly, 0.0)
    table = {
        f"year_{y}": households.where((connected >= 1) & (connected <= y), 0.0).groupby(by).sum()
        for y in range(1, years + 1)
    }
    out = pd.DataFrame({**table, "one_shot": households.groupby(by).sum()})
    out.index.name = "vereda"
    return out


def _notes(
    unbuilt: list[str], total_usd: float, yearly_budget_usd: float, years: int, share: float
) -> tuple[str, ...]:
    """The budget assumption, the path rule, and what the budget leaves unbuilt."""
    notes = [
        CARRY_OVER_ASSUMPTION,
        "Each site is built with the relays and links its path to the point of presence lacks "
        "(fewest links, ties by site id); other links are built after, connecting no one new.",
    ]
    if unbuilt:
        notes.append(
            f"{len(unbuilt)} parts of the one-shot plan ({', '.join(unbuilt[:8])}"
            f"{', ...' if len(unbuilt) > 8 else ''}) do not fit in {years} years at "
            f"{yearly_budget_usd:,.0f} USD a year (one-shot cost {total_usd:,.0f} USD): the "
            f"rollout ends at {share:.0%} of the one-shot plan's newly connected people."
        )
    else:
        notes.append(f"The whole one-shot plan is built within the {years} years.")
    return tuple(notes)
