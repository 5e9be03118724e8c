"""Tests of the plan's warnings in Spanish, on the sentences the program writes.

Most sentences come from the code that writes them, through public names: plans of the
synthetic territory (tests/territory.py) made with the greedy method and a wall-clock limit
too short to finish, and the DEM-void and hotspot functions. Five placement and channel
sentences that no small public run emits (a limit that stops the solver above the target
gap, the node budget, unfinished rounds, a link without a channel, a link over its channel's
capacity: the placement now chooses each link's width within its sites' spectrum, so the
budget that used to overload the backhaul no longer does) are copied here from
``coverage.planning.backhaul.milp`` and ``coverage.pipeline.linkradio``; a change there
must be copied here too.
"""

from __future__ import annotations

import dataclasses

import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
import pytest

from coverage import pipeline, synthetic
from coverage.inputs.voids import void_warning
from coverage.outputs import export, report, report_pages, warningtext
from coverage.pipeline.hotspots import BuiltHotspots, with_busy_hour_load
from coverage.planning.busyhour import BusyHour
from coverage.scenario import load_scenario
from tests.territory import write_territory

#: Sentences of ``milp._gap_warning``, ``milp._warnings`` and ``linkradio._warnings``, as
#: those functions write them for a 30 s limit, 10,000 nodes and link T1-T2.
COPIED = (
    "The placement is not proven optimal: it is within 14.34% of the best possible plan, not "
    "within the target gap of 10.00%; the wall-clock limit of 30 s stopped the solver. Raise "
    "max_nodes or time_limit_s, or accept it.",
    "The placement is not proven optimal: it is within 14.34% of the best possible plan, not "
    "within the target gap of 10.00%; the node budget of 10,000 per solve stopped the solver. "
    "Raise max_nodes or time_limit_s, or accept it.",
    "The solver's rounds of demand rows or two-path cuts did not finish: the plan is the best "
    "complete plan found, not the solver's last answer.",
    "Backhaul link T1-T2 has no free channel in the band: its sites carry more links than the "
    "band has channels; reroute or add a band.",
    "Backhaul link T1-T2 carries 157.0 Mbps at the busy hour but its 20 MHz channel gives "
    "104.0 Mbps: add a link or a band there.",
)


@pytest.fixture(scope="module")
def run_warnings(tmp_path_factory: pytest.TempPathFactory) -> dict[str, tuple[str, ...]]:
    """The warnings of three plans of the synthetic territory, by what made them."""
    scenario = load_scenario(write_territory(tmp_path_factory.mktemp("territory")))
    runs = {
        "greedy": {"method": "greedy"},
        "wall_clock": {"time_limit_s": 0.001},
        "overload": {"max_nodes": 1, "mip_gap": 0.0, "budget_sites": 3},
    }
    return {
        k: pipeline.plan_coverage(scenario.replace(placement=v)).warnings for k, v in runs.items()
    }


def _hotspot_warnings() -> tuple[str, ...]:
    table = pd.DataFrame(
        {"hotspot_id": ["hotspot S7"], "name": ["Sede (La Suiza)"], "households_reached": [400.0]}
    )
    busy = BusyHour(
        take_up_share=0.5, busy_hour_share=0.2, household_downlink_mbps=10.0,
        household_uplink_mbps=2.0, school_downlink_mbps=50.0, school_uplink_mbps=10.0,
    )  # fmt: skip
    built = BuiltHotspots(table, np.array([], dtype=object), ())
    return with_busy_hour_load(built, busy).overloads


def _void_warning() -> str:
    terrain = dataclasses.replace(synthetic.ridge(), filled_voids=12)
    text = void_warning(terrain)
    assert text is not None
    return text


def _all(run_warnings: dict[str, tuple[str, ...]]) -> list[str]:
    made = [w for ws in run_warnings.values() for w in ws]
    return [*made, *_hotspot_warnings(), _void_warning(), *COPIED]


def test_every_template_matches_the_sentence_its_source_writes(run_warnings):
    # the budget that overloaded the backhaul before the link widths now builds none
    assert [len(w) for w in run_warnings.values()] == [1, 1, 0], run_warnings
    english = _all(run_warnings)
    spanish = warningtext.warning_texts(english, "es")
    assert not [w for w in spanish if w.startswith(warningtext.ENGLISH_MARK)], spanish
    assert warningtext.warning_texts(english, "en") == english


@pytest.mark.parametrize(
    ("english", "expected"),
    [
        (COPIED[0], "La ubicación no está probada óptima: está a 14.34% del mejor plan posible, "
            "no dentro de la brecha objetivo de 10.00%; el límite de tiempo de 30 s detuvo el "
            "solver. Aumente max_nodes o time_limit_s, o acéptela."),
        (COPIED[1], "La ubicación no está probada óptima: está a 14.34% del mejor plan posible, "
            "no dentro de la brecha objetivo de 10.00%; el límite de 10,000 nodos por "
            "resolución detuvo el solver. Aumente max_nodes o time_limit_s, o acéptela."),
        (COPIED[3], "El enlace de backhaul T1-T2 no tiene canal libre en la banda: sus sitios "
            "llevan más enlaces que canales tiene la banda; cambie la ruta o añada una banda."),
    ],
)  # fmt: skip
def test_the_spanish_sentence_keeps_the_figures_and_names(english, expected):
    assert warningtext.warning_text(english, "es") == expected


def test_the_runs_sentences_in_spanish_keep_their_figures(run_warnings):
    (greedy,) = warningtext.warning_texts(run_warnings["greedy"], "es")
    assert greedy.startswith("La ubicación no está probada óptima: está a ")
    assert greedy.endswith("es el plan de la heurística voraz (method = 'greedy').")
    (clock,) = warningtext.warning_texts(run_warnings["wall_clock"], "es")
    assert clock.startswith("El límite de tiempo (0.001 s) cortó la búsqueda (")
    assert "la búsqueda local" in clock and "local search" not in clock  # the cut phases
    (link,) = warningtext.warning_texts([COPIED[4]], "es")
    assert link.startswith("El enlace de backhaul T1-T2 lleva 157.0 Mbps en la hora pico")


def test_hotspot_and_dem_warnings_keep_their_names_and_counts():
    hotspot, dem = warningtext.warning_texts([*_hotspot_warnings(), _void_warning()], "es")
    assert hotspot.startswith("El punto Wi-Fi hotspot S7 (Sede (La Suiza)) llevaría 40.0 usuarios")
    assert "contrato de acceso rural de 2019" in hotspot
    assert dem.startswith("MDE synthetic: 12 de 3,600 celdas (0.3 %) eran vacíos")


def test_an_unknown_warning_stays_english_and_says_so():
    assert warningtext.warning_text("Something new.", "es") == "(en inglés) Something new."
    assert warningtext.warning_text("Something new.", "en") == "Something new."


def test_a_spanish_summary_and_gap_report_have_no_english_warning(
    tiny_plan, tmp_path, run_warnings
):
    english = _all(run_warnings)
    plan = dataclasses.replace(tiny_plan, warnings=tuple(english))
    paths = export.write_outputs(plan, tmp_path, language="es", formats=["summary", "map", "kmz"])
    md = paths["summary_md"].read_text(encoding="utf-8")
    assert "## ⚠ Advertencias\n" in md and "en inglés" not in md
    page = paths["map"].read_text(encoding="utf-8")
    summary = report.summarize(plan)
    html = report.gap_report_html(summary, language="es")
    figures = report_pages.gap_report_figures(summary, language="es")
    try:
        pdf = "\n".join(t.get_text() for f in figures for t in f.texts)
    finally:
        for f in figures:
            plt.close(f)
    for w in english:  # a long English sentence's opening words appear in no Spanish output
        opening = w[:30]
        for name, text in (("summary.md", md), ("map", page), ("gap html", html), ("pdf", pdf)):
            assert opening not in text, (name, opening)
    assert "La ubicación no está probada óptima" in md
    assert "El enlace de backhaul T1-T2 no tiene canal libre" in html
    assert "El límite de tiempo (0.001 s) cortó la búsqueda" in page
    # the machine-readable summary keeps the sentences as the pipeline wrote them
    assert summary["warnings"] == english
