"""The plan's warnings in the output's language: Spanish for the sentences the pipeline emits most.

The pipeline writes each warning as one English sentence (:attr:`coverage.plan.Plan.warnings`;
the machine-readable outputs, ``summary.json``, the manifest, the GeoPackage's ``run_info``
and the GeoTIFF tags, keep them so). The outputs a person reads in Spanish show them through
:func:`warning_text`: a sentence made by one of the templates below is rewritten in Spanish
with the same figures and names; any other keeps its English words behind the mark
:data:`ENGLISH_MARK`, so a reader knows that line was not translated.

The templates are those of, in the order of how often a default run emits them:

- the placement's proven gap above its target, and the wall-clock limit that made the plan
  machine-dependent, and rounds that did not finish (``coverage.planning.backhaul.milp``);
- a backhaul link over its channel's capacity, or without a channel
  (``coverage.pipeline.linkradio``);
- a hotspot over one Wi-Fi zone's size (``coverage.pipeline.hotspots``);
- filled DEM voids (``coverage.inputs.voids``).

A template that stops matching its source sentence leaves that warning marked as English,
never wrong; tests/outputs/test_warningtext.py builds each sentence with the code that
writes it and checks its translation.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable

from coverage.outputs.labels import check_language

__all__ = ["ENGLISH_MARK", "warning_text", "warning_texts"]

#: What a Spanish output puts before a warning it has no template for.
ENGLISH_MARK = "(en inglés)"

_Template = tuple[re.Pattern[str], Callable[[re.Match[str]], str]]


def _why(text: str) -> str:
    """What stopped the solver, in Spanish."""
    limit = re.fullmatch(r"the wall-clock limit of (?P<s>.+) s", text)
    if limit:
        return f"el límite de tiempo de {limit['s']} s"
    nodes = re.fullmatch(r"the node budget of (?P<n>.+) per solve", text)
    if nodes:
        return f"el límite de {nodes['n']} nodos por resolución"
    return text


#: The placement phases a deadline cuts (coverage.planning.deadline), in Spanish.
_PHASES = {
    "greedy bisection": "la bisección voraz",
    "swaps": "los intercambios",
    "lighter starts": "los arranques más ligeros",
    "local search": "la búsqueda local",
    "kicks": "las perturbaciones",
    "solver rounds": "las rondas del solver",
}


def _phases(text: str | None) -> str:
    """The cut phases as " (a, b)" in Spanish; an unknown phase keeps its English name."""
    if not text:
        return ""
    return " (" + ", ".join(_PHASES.get(p, p) for p in text.split(", ")) + ")"


def _gap(text: str) -> str:
    return "una brecha desconocida" if text == "an unknown gap" else text


_HEAD = (
    r"The placement is not proven optimal: it is within (?P<gap>.+?) of the best possible "
    r"plan, not within the target gap of (?P<target>\S+ ?%)"
)


def _head_es(m: re.Match[str]) -> str:
    return (
        f"La ubicación no está probada óptima: está a {_gap(m['gap'])} del mejor plan "
        f"posible, no dentro de la brecha objetivo de {m['target']}"
    )


_TEMPLATES: tuple[_Template, ...] = (
    (
        re.compile(
            _HEAD
            + r"; (?P<why>.+) stopped the solver\. Raise max_nodes or time_limit_s, or accept it\."
        ),
        lambda m: (
            f"{_head_es(m)}; {_why(m['why'])} detuvo el solver. Aumente max_nodes o "
            "time_limit_s, o acéptela."
        ),
    ),
    (
        re.compile(_HEAD + r"; it is the greedy heuristic's plan \(method = 'greedy'\)\."),
        lambda m: f"{_head_es(m)}; es el plan de la heurística voraz (method = 'greedy').",
    ),
    (
        re.compile(
            r"The wall-clock limit \((?P<s>.+?) s\) cut the search short(?: \(the (?P<phases>.+?)\))?, "
            r"so this plan may differ on a faster or slower machine; raise time_limit_s for a plan "
            r"that depends only on the inputs\."
        ),
        lambda m: (
            f"El límite de tiempo ({m['s']} s) cortó la búsqueda{_phases(m['phases'])}, así que "
            "este plan puede "
            "ser otro en una máquina más rápida o más lenta; aumente time_limit_s para un plan que "
            "dependa solo de los datos de entrada."
        ),
    ),
    (
        re.compile(
            r"The solver's rounds of demand rows or two-path cuts did not finish: the plan is the "
            r"best complete plan found, not the solver's last answer\."
        ),
        lambda m: (
            "Las rondas de filas de demanda o de cortes de dos caminos del solver no "
            "terminaron: el plan es el mejor plan completo hallado, no la última respuesta del solver."
        ),
    ),
    (
        re.compile(
            r"Backhaul link (?P<link>.+) carries (?P<mbps>\S+) Mbps at the busy hour but its "
            r"(?P<mhz>\S+) MHz channel gives (?P<cap>\S+) Mbps: add a link or a band there\."
        ),
        lambda m: (
            f"El enlace de backhaul {m['link']} lleva {m['mbps']} Mbps en la hora pico, "
            f"pero su canal de {m['mhz']} MHz da {m['cap']} Mbps: añada allí un enlace o una banda."
        ),
    ),
    (
        re.compile(
            r"Backhaul link (?P<link>.+) has no free channel in the band: its sites carry more "
            r"links than the band has channels; reroute or add a band\."
        ),
        lambda m: (
            f"El enlace de backhaul {m['link']} no tiene canal libre en la banda: sus "
            "sitios llevan más enlaces que canales tiene la banda; cambie la ruta o añada una banda."
        ),
    ),
    (
        re.compile(
            r"Hotspot (?P<h>.+) \((?P<name>.*)\) would carry (?P<u>\S+) users and (?P<r>\S+) Mbps "
            r"at the busy hour, above the (?P<zu>\S+) users and (?P<zm>\S+) Mbps one Wi-Fi zone "
            r"is sized for \(2019 rural access contract\): its households would get less than "
            r"the per-household rate; the placement does not check hotspot capacity\."
        ),
        lambda m: (
            f"El punto Wi-Fi {m['h']} ({m['name']}) llevaría {m['u']} usuarios y "
            f"{m['r']} Mbps en la hora pico, más que los {m['zu']} usuarios y {m['zm']} Mbps para "
            "los que se dimensiona una zona Wi-Fi (contrato de acceso rural de 2019): sus hogares "
            "tendrían menos que la tasa por hogar; la ubicación no verifica la capacidad de los "
            "puntos Wi-Fi."
        ),
    ),
    (
        re.compile(
            r"DEM (?P<src>.+): (?P<n>\S+) of (?P<cells>\S+) cells \((?P<pct>[^)]+)\) were voids "
            r"filled from their nearest valid neighbour; elevations there are invented\."
        ),
        lambda m: (
            f"MDE {m['src']}: {m['n']} de {m['cells']} celdas ({m['pct']}) eran vacíos "
            "rellenados con su vecina válida más cercana; allí las elevaciones son inventadas."
        ),
    ),
)


def warning_text(warning: str, language: str) -> str:
    """One warning as an output in ``language`` shows it.

    Parameters
    ----------
    warning
        A sentence of :attr:`coverage.plan.Plan.warnings` (English).
    language
        "es" or "en".

    Returns
    -------
    str
        In English, the sentence itself. In Spanish, its translation when a template of
        this module made it, else :data:`ENGLISH_MARK` and the English sentence.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    if check_language(language) == "en":
        return warning
    for pattern, spanish in _TEMPLATES:
        m = pattern.fullmatch(warning)
        if m:
            return spanish(m)
    return f"{ENGLISH_MARK} {warning}"


def warning_texts(warnings: Iterable[str], language: str) -> list[str]:
    """Every warning as :func:`warning_text` shows it, in order.

    Parameters
    ----------
    warnings
        The plan's warnings.
    language
        "es" or "en".

    Returns
    -------
    list of str
        One text per warning.
    """
    return [warning_text(str(w), language) for w in warnings]
