"""Tests of coverage.outputs.rollout: a Plan's phased rollout, its tables and its maps."""

from __future__ import annotations

import csv
import dataclasses

import matplotlib.pyplot as plt
import networkx as nx
import numpy as np
import pytest
from matplotlib.colors import to_rgb

from coverage.errors import InputError, ScenarioError
from coverage.outputs.rollout import rollout, rollout_map_figure, write_rollout, year_colors
from coverage.planning.rollout import CARRY_OVER_ASSUMPTION
from tests.helpers import without_existing_service

#: The tiny plan's sites cost 33,000 USD (its links have no cost_usd); it newly serves 150
#: people (38 households): El Llano (S1), Quebrada Honda (S2) and a school (S1).
TINY_COST_USD = 33_000.0


def test_three_years_at_a_third_of_the_cost_end_at_the_plans_coverage(tiny_plan):
    r = rollout(tiny_plan, TINY_COST_USD / 3, 3)
    assert r.one_shot_cost_usd == pytest.approx(TINY_COST_USD)
    assert r.unbuilt == []
    last = r.years.iloc[-1]
    new = tiny_plan.demand["service"] == "served_new"
    assert last["people_connected"] == pytest.approx(tiny_plan.demand.loc[new, "population"].sum())
    assert last["people_connected"] == pytest.approx(150.0)
    assert last["households_connected"] == pytest.approx(38.0)
    # with the people existing sites serve, that is the one-shot plan's coverage
    existing = tiny_plan.demand["service"] == "served_existing"
    served = last["people_connected"] + tiny_plan.demand.loc[existing, "population"].sum()
    assert served == pytest.approx(tiny_plan.people_covered + 60.0)  # El Morro: existing only
    assert r.per_vereda_year["year_3"].tolist() == r.per_vereda_year["one_shot"].tolist()
    assert r.per_vereda_year["one_shot"].to_dict() == {"La Suiza": 20.0, "Potrera Miserenga": 18.0}
    assert sorted(r.per_site.values()) == [2, 2, 3, 3]  # S1 waits for year 2's money


def test_link_costs_count_where_the_plan_has_them(tiny_plan):
    links = tiny_plan.links.assign(cost_usd=1000.0)
    plan = dataclasses.replace(tiny_plan, links=links)
    r = rollout(plan, 1e6, 1)
    assert r.one_shot_cost_usd == pytest.approx(TINY_COST_USD + 4000.0)
    assert r.years.loc[0, "spend_usd"] == pytest.approx(TINY_COST_USD + 4000.0)


def test_a_plan_without_service_classes_counts_its_covered_points(tiny_plan):
    plan = without_existing_service(tiny_plan)
    r = rollout(plan, 1e6, 2)
    assert r.years.loc[0, "people_connected"] == pytest.approx(plan.people_covered)


def test_a_plan_without_a_point_of_presence_is_an_input_error(tiny_plan):
    sites = tiny_plan.sites.assign(role=tiny_plan.sites["role"].replace("pop", "relay"))
    with pytest.raises(InputError, match="no site with role 'pop'"):
        rollout(dataclasses.replace(tiny_plan, sites=sites), 1000.0, 3)


def test_a_plan_with_no_sites_gives_a_rollout_that_builds_nothing(tiny_plan, tmp_path):
    demand = tiny_plan.demand.assign(
        service=tiny_plan.demand["service"].replace("served_new", "unserved")
    )
    empty = dataclasses.replace(
        tiny_plan,
        sites=tiny_plan.sites.iloc[:0],
        links=tiny_plan.links.iloc[:0],
        backhaul=nx.Graph(),
        demand=demand,
    )
    r = rollout(empty, 1000.0, 2)
    assert r.per_site == {} and r.unbuilt == [] and r.one_shot_cost_usd == 0.0
    assert r.years["people_connected"].tolist() == [0.0, 0.0]
    assert r.years["share_of_one_shot"].tolist() == [1.0, 1.0]  # nothing to connect
    assert len(write_rollout(empty, r, tmp_path)) == 5


def test_writers_give_the_tables_the_notes_and_one_map_per_year(tiny_plan, tmp_path):
    r = rollout(tiny_plan, 8000.0, 3)  # too little for S2: the notes say so
    paths = write_rollout(tiny_plan, r, tmp_path, language="en")
    assert sorted(paths) == sorted(
        ["rollout_csv", "rollout_subdivisions_csv", "rollout_md"]
        + [f"rollout_year_{y}" for y in (1, 2, 3)]
    )
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        ["rollout.csv", "rollout_veredas.csv", "rollout.md"]
        + [f"rollout_year_{y}.png" for y in (1, 2, 3)]
    )
    with paths["rollout_csv"].open(encoding="utf-8", newline="") as f:
        years = list(csv.DictReader(f))
    assert [int(y["year"]) for y in years] == [1, 2, 3]
    assert years[-1]["built"] == "POP, S1, R1"  # S2 (with its link) never fits
    assert float(years[-1]["cumulative_spend_usd"]) <= 24_000.0
    assert {"spend_usd", "budget_cumulative_usd", "people_connected", "share_of_one_shot"} <= set(
        years[0]
    )
    with paths["rollout_subdivisions_csv"].open(encoding="utf-8", newline="") as f:
        veredas = list(csv.DictReader(f))
    assert [v["subdivision"] for v in veredas] == ["La Suiza", "Potrera Miserenga"]
    assert [v["year_3"] for v in veredas] == ["20.0", "0.0"]
    text = paths["rollout_md"].read_text(encoding="utf-8")
    assert CARRY_OVER_ASSUMPTION in text
    assert "do not fit in 3 years" in text and "S2" in text
    for y in (1, 2, 3):
        assert paths[f"rollout_year_{y}"].read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_names_from_the_inputs_are_made_safe_in_the_csv(tiny_plan, tmp_path):
    demand = tiny_plan.demand.assign(vereda=tiny_plan.demand["vereda"].replace("La Suiza", "=1+1"))
    plan = dataclasses.replace(tiny_plan, demand=demand)
    paths = write_rollout(plan, rollout(plan, 1e6, 1), tmp_path)
    with paths["rollout_subdivisions_csv"].open(encoding="utf-8", newline="") as f:
        cells = [row["subdivision"] for row in csv.DictReader(f)]
    assert "=1+1" not in cells and any(c.endswith("=1+1") for c in cells)


def test_the_map_fills_the_sites_built_by_its_year_with_that_years_colour(tiny_plan):
    r = rollout(tiny_plan, TINY_COST_USD / 3, 3)  # POP and S1 in year 2, R1 and S2 in year 3
    colors = year_colors(3)
    for year, filled in ((1, 0), (2, 2), (3, 4)):
        fig = rollout_map_figure(tiny_plan, r, year, language="es")
        sites = [c for c in fig.axes[0].collections if c.get_zorder() == 5]
        faces = [np.asarray(c.get_facecolor(), dtype=float).reshape(-1, 4) for c in sites]
        assert len(sites) == 4
        assert sum(bool(f[0, 3] > 0) for f in faces) == filled
        if year == 3:
            drawn = {tuple(np.round(f[0, :3], 3).tolist()) for f in faces}
            want = {tuple(np.round(to_rgb(c), 3).tolist()) for c in colors[1:]}
            assert drawn == want
        plt.close(fig)


def test_year_colours_are_distinct_and_the_map_checks_its_year(tiny_plan):
    assert len(set(year_colors(5))) == 5 and len(year_colors(1)) == 1
    r = rollout(tiny_plan, 1e6, 2)
    with pytest.raises(InputError, match="year 3 is not a year of the rollout"):
        rollout_map_figure(tiny_plan, r, 3)
    with pytest.raises(ScenarioError):
        rollout_map_figure(tiny_plan, r, 1, language="fr")
