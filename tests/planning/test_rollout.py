"""Phased rollout: a one-shot plan's sites, links and satellite kits scheduled year by year."""

from __future__ import annotations

import networkx as nx
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coverage.errors import InputError
from coverage.planning.rollout import (
    BUDGET_TOLERANCE,
    CARRY_OVER_ASSUMPTION,
    LastMile,
    Rollout,
    schedule_rollout,
)

#: site id -> (role, cost in USD): a PoP, a relay R1 feeding A1 and A2, A3 straight off the PoP.
SITES = {
    "POP": ("pop", 1000.0),
    "R1": ("relay", 4000.0),
    "A1": ("access", 3000.0),
    "A2": ("access", 2000.0),
    "A3": ("access", 5000.0),
}
#: (site_a, site_b) -> cost (USD); A1-A2 is a ring link, on no shortest path to the PoP.
LINKS = {
    ("POP", "R1"): 1000.0,
    ("R1", "A1"): 500.0,
    ("R1", "A2"): 500.0,
    ("POP", "A3"): 800.0,
    ("A1", "A2"): 300.0,
}
#: demand_id, vereda, people, households, best site, service
DEMAND = [
    ("D1", "V1", 100.0, 25.0, "A1", "served_new"),
    ("D2", "V1", 60.0, 15.0, "A2", "served_new"),
    ("D3", "V2", 40.0, 10.0, "A3", "served_new"),
    ("D4", "V2", 30.0, 8.0, "", "served_existing"),
    ("D5", "V2", 20.0, 5.0, "", "unserved"),
    ("D6", "V2", 10.0, 2.0, "A1", "served_new"),
    ("D7", "V3", 12.0, 3.0, "", "served_satellite"),
]
#: The satellite kits of D7: households and cost (USD).
KITS = {"D7": (3.0, 1500.0)}
PEOPLE_NEW = 100.0 + 60.0 + 40.0 + 10.0 + 12.0  # served_new and served_satellite


def tables(site_cost=None, link_cost=None, kits=None):
    """sites, links, graph, demand and satellite of the network above, costs overridable."""
    site_cost = {k: c for k, (_, c) in SITES.items()} | (site_cost or {})
    link_cost = LINKS | (link_cost or {})
    kits = KITS if kits is None else kits
    sites = pd.DataFrame(
        {
            "site_id": list(SITES),
            "role": [r for r, _ in SITES.values()],
            "cost_usd": [site_cost[s] for s in SITES],
        }
    )
    links = pd.DataFrame(
        {
            "site_a": [a for a, _ in LINKS],
            "site_b": [b for _, b in LINKS],
            "cost_usd": [link_cost[e] for e in LINKS],
        }
    )
    graph = nx.Graph(list(LINKS))
    columns = ["demand_id", "vereda", "population", "households", "best_site", "service"]
    demand = pd.DataFrame(DEMAND, columns=columns)
    satellite = pd.DataFrame(
        {
            "demand_id": list(kits),
            "households": [h for h, _ in kits.values()],
            "cost_usd": [c for _, c in kits.values()],
        }
    )
    return sites, links, graph, demand, satellite


def one_shot_total_usd(sites, links, satellite) -> float:
    return float(sites["cost_usd"].sum() + links["cost_usd"].sum() + satellite["cost_usd"].sum())


def run(yearly_budget_usd, years, **costs) -> Rollout:
    sites, links, graph, demand, satellite = tables(**costs)
    return schedule_rollout(
        sites, links, graph, "POP", demand, yearly_budget_usd, years, LastMile(satellite)
    )


def built_by(r: Rollout, year: int) -> nx.Graph:
    """The network built by the end of ``year``: sites and links with a year in 1..year."""
    g = nx.Graph()
    g.add_nodes_from(s for s, y in r.per_site.items() if 1 <= y <= year)
    g.add_edges_from(e for e, y in r.per_link.items() if 1 <= y <= year)
    return g


def check_invariants(r: Rollout, sites, links, satellite, yearly_budget_usd) -> None:
    """What holds of every rollout: budget, money, paths, people."""
    t = r.years
    room = t["budget_cumulative_usd"] * (1 + BUDGET_TOLERANCE) + BUDGET_TOLERANCE
    assert (t["cumulative_spend_usd"] <= room).all()
    assert (t["spend_usd"] >= 0).all()
    assert t["budget_cumulative_usd"].tolist() == pytest.approx(
        [yearly_budget_usd * y for y in t["year"]]
    )
    # the money spent is what the built parts cost, each charged once
    cost = dict(zip(sites["site_id"], sites["cost_usd"], strict=True))
    lcost = dict(
        zip(zip(links["site_a"], links["site_b"], strict=True), links["cost_usd"], strict=True)
    )
    kcost = dict(zip(satellite["demand_id"], satellite["cost_usd"], strict=True))
    paid = sum(cost[s] for s, y in r.per_site.items() if y >= 1)
    paid += sum(lcost[e] for e, y in r.per_link.items() if y >= 1)
    paid += sum(kcost[d] for d in kcost if r.per_demand[d] >= 1)
    assert t["cumulative_spend_usd"].iloc[-1] == pytest.approx(paid)
    # a link is never built before its ends; a site only with a built path to the PoP
    for (a, b), y in r.per_link.items():
        if y >= 1:
            assert 1 <= r.per_site[a] <= y and 1 <= r.per_site[b] <= y
    for s, y in r.per_site.items():
        if y >= 1:
            assert nx.has_path(built_by(r, y), "POP", s), (s, y)
    # people connected never fall, and match the per-point years
    people = t["people_connected"].tolist()
    assert people == sorted(people)
    demand = tables()[3]
    year_of = demand["demand_id"].map(r.per_demand)
    for y, p in zip(t["year"], people, strict=True):
        assert p == pytest.approx(demand.loc[(year_of >= 1) & (year_of <= y), "population"].sum())
    assert set(r.unbuilt) == {s for s, y in r.per_site.items() if y < 0} | {
        f"{a}–{b}" for (a, b), y in r.per_link.items() if y < 0
    } | {f"satellite:{d}" for d in kcost if r.per_demand[d] < 0}


def test_three_years_at_a_third_of_the_one_shot_cost_build_the_whole_plan():
    sites, links, _, _, satellite = tables()
    total = one_shot_total_usd(sites, links, satellite)
    r = run(total / 3, 3)
    assert r.one_shot_cost_usd == pytest.approx(total)
    assert r.unbuilt == []
    assert all(y in (1, 2, 3) for y in r.per_site.values())
    assert all(y in (1, 2, 3) for y in r.per_link.values())
    last = r.years.iloc[-1]
    assert last["people_connected"] == pytest.approx(PEOPLE_NEW) == r.one_shot_people
    assert last["households_connected"] == pytest.approx(25 + 15 + 10 + 2 + 3)
    assert last["share_of_one_shot"] == pytest.approx(1.0)
    assert last["cumulative_spend_usd"] == pytest.approx(total)
    # everyone the one-shot plan serves is connected by the end, at the one-shot's coverage
    assert r.per_demand == {"D1": r.per_site["A1"], "D2": r.per_site["A2"], "D3": r.per_site["A3"],
                            "D4": 0, "D5": -1, "D6": r.per_site["A1"], "D7": r.per_demand["D7"]}  # fmt: skip
    assert r.per_demand["D7"] in (1, 2, 3)
    v = r.per_vereda_year
    assert v["year_3"].tolist() == v["one_shot"].tolist() == [40.0, 12.0, 3.0]
    assert list(v.index) == ["V1", "V2", "V3"]
    assert CARRY_OVER_ASSUMPTION in r.notes
    check_invariants(r, sites, links, satellite, total / 3)


def test_the_money_of_a_year_connects_people_while_a_dearer_best_element_waits():
    # A1 with its path (POP, R1, two links) costs 9,500 USD for 110 people, the best ratio,
    # and does not fit in year 1's 7,000 USD: the kits (1,500 USD for 12 people) do, and
    # connect their people now; A1 and A2 come with year 2's money (13,500 USD with what
    # was carried over), A3 and the spare A1-A2 ring link, which connects no one, last
    r = run(7000.0, 3)
    assert r.years["spend_usd"].tolist() == [1500.0, 12_000.0, 6100.0]
    assert r.years["carried_over_usd"].tolist() == [5500.0, 500.0, 1400.0]
    assert r.years["built"].tolist() == ["3 satellite kits", "POP, R1, A1, A2", "A3"]
    assert r.years["links_built"].tolist() == ["", "POP–R1, A1–R1, A2–R1", "A3–POP, A1–A2"]
    assert r.years["people_connected"].tolist() == [12.0, 182.0, PEOPLE_NEW]
    assert r.per_link[("A1", "A2")] == 3 and r.unbuilt == []


def test_sites_and_kits_are_listed_by_year():
    r = run(100_000.0, 2)
    assert r.years.loc[0, "built"] == "POP, R1, A1, A2, A3; 3 satellite kits"
    assert r.years.loc[0, "satellite_kits"] == 3.0
    assert r.years.loc[1, "built"] == "" and r.years.loc[1, "spend_usd"] == 0.0
    assert r.years.loc[1, "carried_over_usd"] == pytest.approx(200_000.0 - r.one_shot_cost_usd)


def test_an_access_site_is_never_built_before_the_relay_and_links_of_its_path():
    sites, links, _, _, satellite = tables()
    for budget in (2000.0, 3000.0, 5000.0, 9500.0):
        r = run(budget, 6)
        for access in ("A1", "A2"):
            if r.per_site[access] >= 1:
                y = r.per_site[access]
                assert 1 <= r.per_site["R1"] <= y
                assert 1 <= r.per_link[("POP", "R1")] <= y
                assert 1 <= r.per_link[("R1", access)] <= y
        check_invariants(r, sites, links, satellite, budget)


def test_paths_of_equal_length_break_ties_by_the_smaller_site_id():
    # A can reach the PoP through R2 or R1 (two links each): the path takes R1
    sites = pd.DataFrame(
        {"site_id": ["POP", "R2", "R1", "A"], "role": ["pop", "relay", "relay", "access"],
         "cost_usd": [0.0, 100.0, 100.0, 100.0]}
    )  # fmt: skip
    pairs = [("POP", "R2"), ("R2", "A"), ("POP", "R1"), ("R1", "A")]
    links = pd.DataFrame({"site_a": [a for a, _ in pairs], "site_b": [b for _, b in pairs]})
    demand = pd.DataFrame(
        {"demand_id": ["D"], "vereda": ["V"], "population": [5.0], "households": [1.0],
         "best_site": ["A"], "service": ["served_new"]}
    )  # fmt: skip
    r = schedule_rollout(sites, links, nx.Graph(pairs), "POP", demand, 200.0, 1)
    assert r.per_site == {"POP": 1, "R2": -1, "R1": 1, "A": 1}
    assert r.per_link == {("POP", "R2"): -1, ("R2", "A"): -1, ("POP", "R1"): 1, ("R1", "A"): 1}
    # links without cost_usd cost nothing; R2 does not fit, nor the spare link R2-A
    assert r.one_shot_cost_usd == 300.0 and r.unbuilt == ["R2", "POP–R2", "R2–A"]
    assert r.years.loc[0, "built"] == "POP, R1, A"


def test_a_budget_too_small_leaves_parts_unbuilt_and_says_so():
    sites, links, _, _, satellite = tables()
    # 3,000 USD in all: the kit (1,500 USD) waits for year 2's money; no access site with
    # its path fits, and the PoP alone (1,000 USD, connecting no one) comes last, in year 3
    r = run(1000.0, 3)
    assert r.per_demand["D7"] == 2
    assert r.per_site == {"POP": 3, "R1": -1, "A1": -1, "A2": -1, "A3": -1}
    assert r.unbuilt == ["R1", "A1", "A2", "A3", "POP–R1", "R1–A1", "R1–A2", "POP–A3", "A1–A2"]
    assert "satellite:D7" not in r.unbuilt
    assert r.years.iloc[-1]["share_of_one_shot"] == pytest.approx(12.0 / PEOPLE_NEW)
    assert any("do not fit in 3 years" in n and "A1" in n for n in r.notes)
    check_invariants(r, sites, links, satellite, 1000.0)


def test_no_budget_builds_nothing():
    r = run(0.0, 2)
    assert all(y == -1 for y in r.per_site.values())
    assert r.per_demand == {"D1": -1, "D2": -1, "D3": -1, "D4": 0, "D5": -1, "D6": -1, "D7": -1}
    assert r.years["people_connected"].tolist() == [0.0, 0.0]
    assert r.per_vereda_year["year_2"].sum() == 0.0


def test_without_satellite_kits_and_with_capex_columns():
    sites, links, graph, demand, _ = tables()
    demand = demand[demand["service"] != "served_satellite"]
    sites["capex_usd"] = sites["cost_usd"] * 0.5
    sites["opex_usd_per_year"] = 10.0
    r = schedule_rollout(sites, links, graph, ["POP"], demand, 20_000.0, 2)
    assert r.one_shot_cost_usd == pytest.approx(15_000.0 + 3100.0)
    assert r.years["site_capex_usd"].tolist() == [7500.0, 0.0]
    assert r.years["site_opex_usd_per_year"].tolist() == [50.0, 50.0]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    site_cost=st.fixed_dictionaries({s: st.floats(0.0, 10_000.0) for s in SITES}),
    link_cost=st.fixed_dictionaries({e: st.floats(0.0, 3000.0) for e in LINKS}),
    kit_cost=st.floats(0.0, 5000.0),
    share=st.floats(0.0, 1.5),
    years=st.integers(1, 5),
)
def test_spend_stays_within_the_budget_and_enough_money_builds_everything(
    site_cost, link_cost, kit_cost, share, years
):
    kits = {"D7": (3.0, kit_cost)}
    sites, links, _, _, satellite = tables(site_cost, link_cost, kits)
    total = one_shot_total_usd(sites, links, satellite)
    yearly = share * total / years
    r = run(yearly, years, site_cost=site_cost, link_cost=link_cost, kits=kits)
    check_invariants(r, sites, links, satellite, yearly)
    if share >= 1.0:
        assert r.unbuilt == []
        assert r.years.iloc[-1]["people_connected"] == pytest.approx(PEOPLE_NEW)


@pytest.mark.parametrize(
    ("table", "change", "words"),
    [
        (0, lambda df: df.drop(columns="cost_usd"), "sites lacks the column(s) cost_usd"),
        (0, lambda df: df.assign(cost_usd=-1.0), "sites.cost_usd is missing or below 0"),
        (0, lambda df: df.assign(role="tower"), "role(s) tower"),
        (0, lambda df: df[df["site_id"] != "A3"], "node(s) A3"),
        (1, lambda df: df.iloc[:-1], "edge(s) A1–A2"),
        (3, lambda df: df.assign(service="served"), "demand.service has served"),
        (3, lambda df: df.assign(best_site="X9"), "best_site(s) X9"),
        (4, lambda df: df.iloc[:0], "served_satellite point(s) D7 have no row"),
        (4, lambda df: df.assign(demand_id="D1"), "satellite lists D1"),
    ],
)
def test_bad_tables_are_input_errors_that_say_what_is_wrong(table, change, words):
    t = list(tables())
    t[table] = change(t[table])
    with pytest.raises(InputError) as err:
        schedule_rollout(t[0], t[1], t[2], "POP", t[3], 1000.0, 3, LastMile(t[4]))
    assert any(words in p for p in err.value.problems), err.value.problems


@pytest.mark.parametrize(
    ("pop", "budget", "years", "words"),
    [
        ("POP", 1000.0, 0, "years is 0"),
        ("POP", 1000.0, 2.5, "years is 2.5"),
        ("POP", -1.0, 3, "yearly_budget_usd is -1.0"),
        ("POP", float("nan"), 3, "yearly_budget_usd is nan"),
        ("P0", 1000.0, 3, "point of presence P0"),
    ],
)
def test_bad_budgets_and_pops_are_input_errors(pop, budget, years, words):
    sites, links, graph, demand, satellite = tables()
    with pytest.raises(InputError, match=words):
        schedule_rollout(sites, links, graph, pop, demand, budget, years, LastMile(satellite))


def _with_hotspot(hotspot_usd: float = 400.0):
    """The tables above plus a hotspot at D3's school, fed by A3, that serves D5."""
    sites, links, graph, demand, satellite = tables()
    demand["hotspot"] = ""
    demand.loc[demand["demand_id"] == "D5", ["service", "hotspot"]] = [
        "served_hotspot",
        "hotspot D3",
    ]
    hot = pd.DataFrame({"hotspot_id": ["hotspot D3"], "host_id": ["D3"], "cost_usd": [hotspot_usd]})
    return sites, links, graph, demand, satellite, hot


def test_a_hotspot_is_built_with_its_hosts_site_and_connects_its_households():
    sites, links, graph, demand, satellite, hot = _with_hotspot()
    total = one_shot_total_usd(sites, links, satellite) + 400.0
    r = schedule_rollout(sites, links, graph, "POP", demand, total / 3, 3, LastMile(satellite, hot))
    assert r.unbuilt == [] and r.one_shot_cost_usd == pytest.approx(total)
    assert r.one_shot_people == pytest.approx(PEOPLE_NEW + 20.0)  # D5 by the hotspot
    year = r.per_demand["D5"]
    assert year >= r.per_site["A3"] >= 1  # never before the site that feeds it
    assert r.years["hotspots"].sum() == 1
    assert "1 hotspots" in r.years.loc[r.years["year"] == year, "built"].iloc[0]
    assert r.years["share_of_one_shot"].iloc[-1] == pytest.approx(1.0)
    assert r.per_vereda_year.loc["V2", "one_shot"] == pytest.approx(10.0 + 5.0 + 2.0)
    assert not any("not scheduled" in n for n in r.notes)


def test_a_hotspot_the_budget_cannot_pay_for_is_unbuilt_and_said():
    sites, links, graph, demand, satellite, hot = _with_hotspot(hotspot_usd=1e9)
    total = one_shot_total_usd(sites, links, satellite)
    r = schedule_rollout(sites, links, graph, "POP", demand, total / 3, 3, LastMile(satellite, hot))
    assert r.unbuilt == ["hotspot D3"] and r.per_demand["D5"] == -1
    assert any("hotspot D3" in n for n in r.notes)


def test_hotspot_tables_that_do_not_match_are_input_errors():
    sites, links, graph, demand, satellite, hot = _with_hotspot()
    with pytest.raises(InputError, match="no row in hotspots"):
        schedule_rollout(sites, links, graph, "POP", demand, 1e6, 3, LastMile(satellite))
    lost = hot.assign(host_id="D5")  # an unserved host: no site feeds it
    with pytest.raises(InputError, match="no best_site in sites"):
        schedule_rollout(sites, links, graph, "POP", demand, 1e6, 3, LastMile(satellite, lost))
    with pytest.raises(InputError, match="no hotspot column"):
        schedule_rollout(
            sites,
            links,
            graph,
            "POP",
            demand.drop(columns="hotspot"),
            1e6,
            3,
            LastMile(satellite, hot),
        )
