"""Tests of the plan's warnings in Spanish: each sentence is built by the code that writes it.

A template that no longer matches its source would leave the warning marked "(en inglés)";
these tests fail then, so the translation is mended with the sentence.
"""

from __future__ import annotations

import dataclasses
from types import SimpleNamespace

import matplotlib.pyplot as plt
import pandas as pd
import pytest

from coverage import synthetic
from coverage.inputs.voids import void_warning
from coverage.outputs import export, report, report_pages, warningtext
from coverage.pipeline import linkradio
from coverage.pipeline.hotspots import BuiltHotspots, with_busy_hour_load
from coverage.planning.backhaul import milp
from coverage.planning.busyhour import BusyHour


def _placement_warnings() -> tuple[str, ...]:
    settings = SimpleNamespace(time_limit_s=30.0, max_nodes=10_000, mip_rel_gap=0.10)
    res = SimpleNamespace(gap=0.1434)
    rounds = SimpleNamespace(time_cut=True, complete=False)
    start = SimpleNamespace(kicks_cut=False)
    node_cut = milp._gap_warning(res, settings, "the node budget of 10,000 per solve")
    greedy = milp._gap_warning(SimpleNamespace(gap=float("inf")), settings, "greedy")
    return (*milp._warnings(res, settings, rounds, start), *node_cut, *greedy)


def _link_warnings() -> list[str]:
    links = pd.DataFrame(
        {
            "site_a": ["PoP", "T1"],
            "site_b": ["T036", "T2"],
            "traffic_mbps": [157.0, 10.0],
            "channel_capacity_mbps": [104.0, 300.0],
            "bandwidth_mhz": [20.0, 80.0],
        }
    )
    return linkradio._warnings(links, [False, True])


def _hotspot_warnings() -> tuple[str, ...]:
    table = pd.DataFrame(
        {"hotspot_id": ["hotspot S7"], "name": ["Sede (La Suiza)"], "households_reached": [400.0]}
    )
    busy = BusyHour(
        take_up_share=0.5, busy_hour_share=0.2, household_downlink_mbps=10.0,
        household_uplink_mbps=2.0, school_downlink_mbps=50.0, school_uplink_mbps=10.0,
    )  # fmt: skip
    return with_busy_hour_load(BuiltHotspots(table, pd.Series([], dtype=str), ()), busy).overloads


def _void_warning() -> str:
    terrain = dataclasses.replace(synthetic.ridge(), filled_voids=12)
    text = void_warning(terrain)
    assert text is not None
    return text


def _all() -> list[str]:
    return [*_placement_warnings(), *_link_warnings(), *_hotspot_warnings(), _void_warning()]


def test_every_template_matches_the_sentence_its_source_writes():
    english = _all()
    assert len(english) == 9
    spanish = warningtext.warning_texts(english, "es")
    assert not [w for w in spanish if w.startswith(warningtext.ENGLISH_MARK)], spanish
    assert warningtext.warning_texts(english, "en") == english


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        (0, "La ubicación no está probada óptima: está a 14.34% del mejor plan posible, no "
            "dentro de la brecha objetivo de 10.00%; el límite de tiempo de 30 s detuvo el "
            "solver. Aumente max_nodes o time_limit_s, o acéptela."),
        (1, "El límite de tiempo (30 s) cortó la búsqueda, así que este plan puede ser otro en "
            "una máquina más rápida o más lenta; aumente time_limit_s para un plan que dependa "
            "solo de los datos de entrada."),
        (3, "La ubicación no está probada óptima: está a 14.34% del mejor plan posible, no "
            "dentro de la brecha objetivo de 10.00%; el límite de 10,000 nodos por resolución "
            "detuvo el solver. Aumente max_nodes o time_limit_s, o acéptela."),
        (4, "La ubicación no está probada óptima: está a una brecha desconocida del mejor plan "
            "posible, no dentro de la brecha objetivo de 10.00%; es el plan de la heurística "
            "voraz (method = 'greedy')."),
        (5, "El enlace de backhaul PoP-T036 lleva 157.0 Mbps en la hora pico, pero su canal de "
            "20 MHz da 104.0 Mbps: añada allí un enlace o una banda."),
        (6, "El enlace de backhaul T1-T2 no tiene canal libre en la banda: sus sitios llevan "
            "más enlaces que canales tiene la banda; cambie la ruta o añada una banda."),
    ],
)  # fmt: skip
def test_the_spanish_sentence_keeps_the_figures_and_names(source, expected):
    assert warningtext.warning_text(_all()[source], "es") == expected


def test_hotspot_and_dem_warnings_keep_their_names_and_counts():
    hotspot, dem = warningtext.warning_texts([*_hotspot_warnings(), _void_warning()], "es")
    assert hotspot.startswith("El punto Wi-Fi hotspot S7 (Sede (La Suiza)) llevaría 40.0 usuarios")
    assert "contrato de acceso rural de 2019" in hotspot
    assert dem.startswith("MDE synthetic: 12 de 3,600 celdas (0.3 %) eran vacíos")


def test_an_unknown_warning_stays_english_and_says_so():
    assert warningtext.warning_text("Something new.", "es") == "(en inglés) Something new."
    assert warningtext.warning_text("Something new.", "en") == "Something new."


def test_a_spanish_summary_and_gap_report_have_no_english_warning(tiny_plan, tmp_path):
    english = _all()
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
    assert "El enlace de backhaul PoP-T036 lleva 157.0 Mbps" in html
    assert "El límite de tiempo (30 s) cortó la búsqueda" in page
    # the machine-readable summary keeps the sentences as the pipeline wrote them
    assert summary["warnings"] == english
