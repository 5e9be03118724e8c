"""The words of every output: labels in Spanish and English, number formats, the language check.

Every writer (map, static charts, KML, reports, comparisons) says the same things in the same
words, so the words live here, apart from any one writer; :mod:`coverage.outputs.styles`
holds what the outputs look like (colours, classes, raster pictures). A writer imports these
two modules, never another writer's labels or colours. This module only makes text: it
imports no plotting or GIS library.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

import numpy as np

from coverage.errors import ScenarioError
from coverage.outputs.words import VEREDA, Subdivision

__all__ = [
    "LABELS",
    "Labeller",
    "azimuths_text",
    "check_language",
    "fmt_number",
    "fmt_share",
    "label",
    "labeller",
    "labels",
    "layer_label",
    "reason_label",
]

#: A label function of one language: key -> text.
Labeller = Callable[[str], str]


#: Labels of every output, in Spanish and English; ``{sub}``, ``{subs}``, ``{Sub}`` and
#: ``{Subs}`` stand for the sub-districts' word (:meth:`Subdivision.forms`), filled by
#: :func:`labels`, :func:`label` and :func:`labeller`.
LABELS: dict[str, dict[str, str]] = {
    "es": {
        "title": "Cobertura de conectividad rural",
        "gap_title": "Informe de brechas de cobertura",
        "gap_map": "Hogares aún sin servicio por {sub} y motivo",
        "gap_map_note": "Cada punto: hogares sin servicio (el tamaño, cuántos); estrella: escuela.",
        "vereda": "{Sub}",
        "outside_subdivision": "Sin {sub}",
        "people": "Personas",
        "households": "Hogares",
        "schools": "Escuelas",
        "covered": "Con cobertura",
        "uncovered": "Sin cobertura",
        "total": "Total",
        "share": "Porcentaje cubierto",
        "reason": "Motivo",
        "cost": "Costo del plan (USD, costo total de propiedad)",
        "cost_per_person": "Costo por persona conectada (USD)",
        "costs": "Costos",
        "cost_tco": "Costo total de propiedad",
        "years": "años",
        "year": "año",
        "discount": "tasa de descuento",
        "cost_case": "caso de precios",
        "case_low": "bajo",
        "case_central": "central",
        "case_high": "alto",
        "capex": "Inversión (USD)",
        "opex": "Operación (USD/año)",
        "satellite_terminals": "Terminales satelitales",
        "hotspots": "Puntos Wi-Fi públicos (escuelas y plazas)",
        "cost_per_household": "Costo por hogar conectado (USD)",
        "households_connected": "Hogares conectados (nuevos)",
        "cost_item": "Rubro",
        "quantity": "Cantidad",
        "source": "Fuente",
        "cost_assumed": "El {share} del costo se basa en precios SUPUESTOS (sin cotización pública): es una estimación para comparar escenarios, no un presupuesto.",
        "cost_not_itemised": "Plan sin rubros de costo: solo se suman los costos de sitios y enlaces.",
        "cost_shared_note": "Reparto por {sub}: cada sitio de acceso según los hogares nuevos que atiende en cada {sub}; cada terminal satelital a su {sub}; lo compartido (relevos, enlaces, punto de presencia, núcleo, tránsito IP) según la parte de hogares nuevos de cada {sub}.",
        "sites": "Sitios",
        "links": "Enlaces de backhaul",
        "models": "Modelos",
        "assumptions": "Supuestos",
        "warnings": "Advertencias",
        # a warning without a Spanish template says so itself (outputs.warningtext)
        "warnings_heading": "Advertencias",
        "scenario": "Escenario",
        "school": "Escuela",
        "site": "Sitio",
        "rx_dbm": "Potencia recibida (dBm)",
        "service_threshold": "umbral de servicio",
        "terrain": "Terreno (sombreado)",
        "coverage_best": "Cobertura: mejor servidor (dBm)",
        "coverage_site": "Cobertura del sitio",
        "best_server": "Mejor servidor",
        "demand_covered": "Demanda con cobertura",
        "demand_uncovered": "Demanda sin cobertura",
        "veredas": "{Subs}",
        "margin_db": "Margen (dB)",
        "clearance": "Despeje de Fresnel",
        "length_km": "Longitud (km)",
        "capacity_mbps": "Capacidad (Mbps)",
        "mast_m": "Altura de mástil (m)",
        "ground_m": "Elevación del terreno (m)",
        "role": "Función",
        "pop": "Punto de presencia",
        "access": "Acceso",
        "relay": "Repetidor",
        "legend": "Leyenda",
        "data_sources": "Fuentes",
        "no_school_gaps": "ninguna",
        "covered_reason": "con cobertura",
        "blocked_by_terrain": "bloqueado por el terreno",
        "out_of_range": "fuera de alcance",
        "weak_signal": "señal débil",
        "no_backhaul": "sin backhaul",
        "why_uncovered": "Por qué no hay cobertura",
        "uncovered_schools": "Escuelas sin cobertura",
        "distance_m": "Distancia (m)",
        "elevation_m": "Elevación (m)",
        "los": "Línea de vista",
        "fresnel": "1.ª zona de Fresnel",
        "fresnel60": "60 % de la 1.ª zona",
        "earth_bulge": "Terreno + curvatura (k={k})",
        "north": "N",
        "generated": "Generado",
        "demand": "Demanda",
        "service": "Servicio",
        "served_existing": "Ya con servicio",
        "served_new": "Con servicio nuevo",
        "served_hotspot": "Con punto Wi-Fi público",
        "served_satellite": "Con terminal satelital",
        "unserved": "Aún sin servicio",
        "service_per_vereda": "Servicio por {sub}",
        "households_by_service": "Hogares por servicio",
        "existing_sites": "Sitios móviles existentes",
        "existing_summary": "Servicio móvil existente (sitios: {n}; operadores: {operators}).",
        "existing_estimated_note": (
            "Las posiciones de las celdas móviles existentes son estimaciones (OpenCelliD): "
            "el servicio existente mostrado es aproximado."
        ),
        "no_existing_note": (
            "El plan no trae datos de servicio móvil existente: cada hogar que el plan no "
            "cubre cuenta como aún sin servicio."
        ),
        "operator": "Operador",
        "technology": "Tecnología",
        "height_m": "Altura (m)",
        "tx_power_dbm": "Potencia de transmisión (dBm)",
        "f_mhz": "Frecuencia (MHz)",
        "existing_dbm": "Señal existente (dBm)",
        "position": "Posición",
        "position_estimated": "estimada (OpenCelliD)",
        "position_reported": "según la fuente",
        "predicted": "Cobertura predicha",
        "predicted_yes": "sí (dentro del terreno)",
        "predicted_no": "no (fuera del terreno)",
        "dashed_estimated": "borde discontinuo: posición estimada",
        "regulation": "Regulación del espectro (Colombia)",
        "backhaul": "Backhaul",
        "licensed_band": "banda licenciada (permiso del MinTIC)",
        "unlicensed_band": "banda de uso libre (ANE)",
        "who_may_operate": "Quién puede operarla",
        "eirp_rule": "Regla de PIRE",
        "max_eirp": "PIRE máxima",
        "operator_partner_note": (
            "Necesita un operador socio: la banda de acceso, {band}, está licenciada en "
            "Colombia, así que el municipio no puede desplegarla solo; debe operarla uno de "
            "los titulares del permiso ({holders}), mediante compartición de la red de acceso "
            "(RAN sharing), un operador neutro o las obligaciones de cobertura rural del "
            "propio operador."
        ),
        "bb_title": "Banda ancha utilizable en la hora pico",
        "bb_definition": "Con servicio significa que",
        "served_means": (
            "Con servicio: bajada ≥ {dl:g} y subida ≥ {ul:g} Mbps por hogar activo "
            "(escuela {sdl:g}/{sul:g}) en la hora pico, en el {loc:g} % de las ubicaciones; "
            "la señal sola no basta"
        ),
        "bb_served_share": "Personas con servicio",
        "bb_signal_share": "Personas con señal (solo bajada)",
        "bb_sinr": "SINR mediana (dB)",
        "bb_sinr_point": "SINR (dB)",
        "bb_uplink_snr": "SNR de subida mediana (dB)",
        "bb_dl_rate": "Bajada por hogar activo en hora pico (Mbps)",
        "bb_ul_rate": "Subida por hogar activo en hora pico (Mbps)",
        "bb_sites": "Carga y capacidad por sitio en la hora pico",
        "bb_carrier": "Portadora",
        "bb_offered": "Demanda de bajada (Mbps)",
        "bb_capacity": "Capacidad de bajada (Mbps)",
        "bb_dl_load": "Carga de bajada",
        "bb_ul_load": "Carga de subida",
        "bb_over_capacity": "Hogares sobre la capacidad",
        "bb_spread": "SINR: percentil 5 de {p5} dB; personas bajo 0 dB: {below}.",
        "bb_schools": "Escuelas en la hora pico",
        "bb_school_dl": "Bajada en hora pico (Mbps)",
        "bb_school_ul": "Subida en hora pico (Mbps)",
        "bb_signal": "Con señal",
        "bb_served": "Con servicio",
        "weak_uplink": "subida insuficiente",
        "low_sinr": "interferencia (SINR baja)",
        "over_capacity": "sitio sin capacidad en hora pico",
        "yes": "sí",
        "no": "no",
        "budget_tco": "Presupuesto (USD, costo total de propiedad)",
        "share_served": "Personas con algún servicio (%)",
        "prices_central": "Precios centrales",
        "prices_band": "Entre precios bajos y altos",
        "prices_assumed": "Hasta el {share} del costo de cada plan se basa en precios SUPUESTOS (sin cotización pública): curvas para comparar, no un presupuesto.",
        "prices_assumed_items": "Los precios marcados SUPUESTO en los rubros de costo son supuestos: curvas para comparar, no un presupuesto.",
    },
    "en": {
        "title": "Rural connectivity coverage",
        "gap_title": "Coverage gap report",
        "gap_map": "Households still unserved, by {sub} and reason",
        "gap_map_note": "Each dot: unserved households (its size, how many); star: a school.",
        "vereda": "{Sub}",
        "outside_subdivision": "Outside any {sub}",
        "people": "People",
        "households": "Households",
        "schools": "Schools",
        "covered": "Covered",
        "uncovered": "Not covered",
        "total": "Total",
        "share": "Share covered",
        "reason": "Reason",
        "cost": "Plan cost (USD, total cost of ownership)",
        "cost_per_person": "Cost per person connected (USD)",
        "costs": "Costs",
        "cost_tco": "Total cost of ownership",
        "years": "years",
        "year": "year",
        "discount": "discount rate",
        "cost_case": "price case",
        "case_low": "low",
        "case_central": "central",
        "case_high": "high",
        "capex": "Capital (USD)",
        "opex": "Operating (USD/year)",
        "satellite_terminals": "Satellite terminals",
        "hotspots": "Public Wi-Fi hotspots (schools and plazas)",
        "cost_per_household": "Cost per household connected (USD)",
        "households_connected": "Households connected (new)",
        "cost_item": "Item",
        "quantity": "Quantity",
        "source": "Source",
        "cost_assumed": "{share} of the cost rests on ASSUMED prices (no public quote): an estimate to compare scenarios, not a budget.",
        "cost_not_itemised": "A plan without cost items: only the sites' and links' costs are summed.",
        "cost_shared_note": "Per {sub}: each access site by the new households it serves there; each satellite terminal to its {sub}; the shared rest (relays, links, point of presence, core, IP transit) by each {sub}'s share of new households.",
        "sites": "Sites",
        "links": "Backhaul links",
        "models": "Models",
        "assumptions": "Assumptions",
        "warnings": "Warnings",
        "warnings_heading": "Warnings",
        "scenario": "Scenario",
        "school": "School",
        "site": "Site",
        "rx_dbm": "Received power (dBm)",
        "service_threshold": "service threshold",
        "terrain": "Terrain (hillshade)",
        "coverage_best": "Coverage: best server (dBm)",
        "coverage_site": "Coverage of site",
        "best_server": "Best server",
        "demand_covered": "Demand covered",
        "demand_uncovered": "Demand not covered",
        "veredas": "{Subs}",
        "margin_db": "Margin (dB)",
        "clearance": "Fresnel clearance",
        "length_km": "Length (km)",
        "capacity_mbps": "Capacity (Mbps)",
        "mast_m": "Mast height (m)",
        "ground_m": "Ground elevation (m)",
        "role": "Role",
        "pop": "Point of presence",
        "access": "Access",
        "relay": "Relay",
        "legend": "Legend",
        "data_sources": "Sources",
        "no_school_gaps": "none",
        "covered_reason": "covered",
        "blocked_by_terrain": "blocked by terrain",
        "out_of_range": "out of range",
        "weak_signal": "weak signal",
        "no_backhaul": "no backhaul",
        "why_uncovered": "Why not covered",
        "uncovered_schools": "Schools not covered",
        "distance_m": "Distance (m)",
        "elevation_m": "Elevation (m)",
        "los": "Line of sight",
        "fresnel": "1st Fresnel zone",
        "fresnel60": "60 % of 1st zone",
        "earth_bulge": "Terrain + earth bulge (k={k})",
        "north": "N",
        "generated": "Generated",
        "demand": "Demand",
        "service": "Service",
        "served_existing": "Already served",
        "served_new": "Newly served",
        "served_hotspot": "Public Wi-Fi hotspot",
        "served_satellite": "Satellite terminal",
        "unserved": "Still unserved",
        "service_per_vereda": "Service per {sub}",
        "households_by_service": "Households by service",
        "existing_sites": "Existing mobile sites",
        "existing_summary": "Existing mobile service (sites: {n}; operators: {operators}).",
        "existing_estimated_note": (
            "The positions of the existing mobile cells are estimates (OpenCelliD): the "
            "existing service shown is approximate."
        ),
        "no_existing_note": (
            "The plan carries no data on existing mobile service: every household the plan "
            "does not cover counts as still unserved."
        ),
        "operator": "Operator",
        "technology": "Technology",
        "height_m": "Height (m)",
        "tx_power_dbm": "Transmit power (dBm)",
        "f_mhz": "Frequency (MHz)",
        "existing_dbm": "Existing signal (dBm)",
        "position": "Position",
        "position_estimated": "estimated (OpenCelliD)",
        "position_reported": "as reported by the source",
        "predicted": "Coverage predicted",
        "predicted_yes": "yes (inside the terrain)",
        "predicted_no": "no (outside the terrain)",
        "dashed_estimated": "dashed outline: position estimated",
        "regulation": "Spectrum regulation (Colombia)",
        "backhaul": "Backhaul",
        "licensed_band": "licensed band (MinTIC permit)",
        "unlicensed_band": "unlicensed band (uso libre, ANE)",
        "who_may_operate": "Who may operate it",
        "eirp_rule": "EIRP rule",
        "max_eirp": "Maximum EIRP",
        "operator_partner_note": (
            "Needs an operator partner: the access band, {band}, is licensed in Colombia, so "
            "the municipality cannot deploy it alone; one of the permit holders ({holders}) "
            "must operate it, through RAN sharing, a neutral host or the operator's own rural "
            "coverage obligations."
        ),
        "bb_title": "Usable broadband at the busy hour",
        "bb_definition": "Served means that",
        "served_means": (
            "Served: downlink ≥ {dl:g} and uplink ≥ {ul:g} Mbps per active household "
            "(school {sdl:g}/{sul:g}) at the busy hour, at {loc:g} % of locations; signal "
            "alone is not enough"
        ),
        "bb_served_share": "People served",
        "bb_signal_share": "People with signal (downlink only)",
        "bb_sinr": "Median SINR (dB)",
        "bb_sinr_point": "SINR (dB)",
        "bb_uplink_snr": "Median uplink SNR (dB)",
        "bb_dl_rate": "Downlink per active household at the busy hour (Mbps)",
        "bb_ul_rate": "Uplink per active household at the busy hour (Mbps)",
        "bb_sites": "Load and capacity per site at the busy hour",
        "bb_carrier": "Carrier",
        "bb_offered": "Downlink demand (Mbps)",
        "bb_capacity": "Downlink capacity (Mbps)",
        "bb_dl_load": "Downlink load",
        "bb_ul_load": "Uplink load",
        "bb_over_capacity": "Households over capacity",
        "bb_spread": "SINR: 5th percentile {p5} dB; people below 0 dB: {below}.",
        "bb_schools": "Schools at the busy hour",
        "bb_school_dl": "Busy-hour downlink (Mbps)",
        "bb_school_ul": "Busy-hour uplink (Mbps)",
        "bb_signal": "Signal",
        "bb_served": "Served",
        "weak_uplink": "weak uplink",
        "low_sinr": "interference (low SINR)",
        "over_capacity": "site full at the busy hour",
        "yes": "yes",
        "no": "no",
        "budget_tco": "Budget (USD, total cost of ownership)",
        "share_served": "People with any service (%)",
        "prices_central": "Central prices",
        "prices_band": "Between low and high prices",
        "prices_assumed": "Up to {share} of each plan's cost rests on ASSUMED prices (no public quote): curves to compare, not a budget.",
        "prices_assumed_items": "Prices marked ASSUMPTION in the cost items are assumptions: curves to compare, not a budget.",
    },
}


def check_language(language: str) -> str:
    """Return ``language`` if the outputs speak it.

    Parameters
    ----------
    language
        A language code: "es" (Spanish) or "en" (English).

    Returns
    -------
    str
        ``language`` itself.

    Raises
    ------
    ScenarioError
        Unknown language (the message lists the known ones); it is also a ``ValueError``.
    """
    if language not in LABELS:
        msg = f"Unknown language {language!r}; use one of {sorted(LABELS)}."
        raise ScenarioError(msg)
    return language


def labels(language: str, words: Subdivision = VEREDA) -> dict[str, str]:
    """Every label of ``language``, the sub-districts called ``words``.

    Parameters
    ----------
    language
        "es" or "en".
    words
        What the sub-districts are called (:func:`subdivision_words`).

    Returns
    -------
    dict
        Key -> label, as :data:`LABELS` with its placeholders filled.

    Raises
    ------
    ScenarioError
        Unknown language (see :func:`check_language`).
    """
    return _labels(check_language(language), words)


@functools.cache
def _labels(language: str, words: Subdivision) -> dict[str, str]:
    forms = words.forms()
    out = {}
    for key, text in LABELS[language].items():
        for token, value in forms.items():
            text = text.replace(token, value)
        out[key] = text
    return out


def label(key: str, language: str = "es", words: Subdivision = VEREDA) -> str:
    """The label ``key`` in ``language``.

    Parameters
    ----------
    key
        A key of :data:`LABELS`; an unknown key is returned as it is.
    language
        "es" or "en".
    words
        What the sub-districts are called (:func:`subdivision_words`).

    Returns
    -------
    str
        The label.

    Raises
    ------
    ScenarioError
        Unknown language (see :func:`check_language`).
    """
    return labels(language, words).get(key, key)


def labeller(language: str, words: Subdivision = VEREDA) -> Labeller:
    """The label function of one language, checked once.

    Parameters
    ----------
    language
        "es" or "en".
    words
        What the sub-districts are called (:func:`subdivision_words`).

    Returns
    -------
    Labeller
        ``key -> label(key, language, words)``.

    Raises
    ------
    ScenarioError
        Unknown language (see :func:`check_language`).
    """
    return functools.partial(label, language=check_language(language), words=words)


def layer_label(layer: str, L: dict[str, str]) -> str:
    """How the outputs name an input layer of the area file.

    Parameters
    ----------
    layer
        A key of the area file's ``[layers]`` ("dem", "veredas", "schools" ...).
    L
        The labels (:func:`labels`).

    Returns
    -------
    str
        The sub-districts' plural for ``veredas`` (the key every area file uses, whatever
        the territory calls them), else ``layer`` itself.
    """
    return L["veredas"] if layer == "veredas" else layer


def reason_label(reason: str, language: str) -> str:
    """The label of a ``reason`` value of the demand table.

    Parameters
    ----------
    reason
        One of :data:`coverage.plan.REASONS`.
    language
        "es" or "en".

    Returns
    -------
    str
        The label ("covered" has its own key, ``covered_reason``).

    Raises
    ------
    ScenarioError
        Unknown language (see :func:`check_language`).
    """
    return label("covered_reason" if reason == "covered" else reason, language)


def fmt_number(x: Any, digits: int = 0) -> str:
    """A number with thousands separators, for tables and captions.

    Parameters
    ----------
    x
        A float (formatted with ``digits`` decimals), any other value (as ``str``), or None.
    digits
        Decimals of a float.

    Returns
    -------
    str
        E.g. ``"6,481"``; "–" for None.
    """
    if x is None:
        return "–"
    if isinstance(x, float):
        return f"{x:,.{digits}f}"
    return str(x)


def fmt_share(x: Any) -> str:
    """A share as a percentage with one decimal.

    Parameters
    ----------
    x
        A share (1 is everyone), or None.

    Returns
    -------
    str
        E.g. ``"42.0 %"``; "–" for None.
    """
    return "–" if x is None else f"{100.0 * x:.1f} %"


def azimuths_text(value: Any) -> str:
    """A site's antenna azimuths as text, for the site list and the KML.

    Parameters
    ----------
    value
        Azimuths (degrees clockwise from grid north) as a list, tuple or array; a text
        (kept as it is); or None or NaN.

    Returns
    -------
    str
        E.g. ``"0;120;240"``; "omni" for an empty list, None or NaN.
    """
    if isinstance(value, list | tuple | np.ndarray):
        return ";".join(f"{float(v):.0f}" for v in value) or "omni"
    if value is None or (isinstance(value, float) and not np.isfinite(value)):
        return "omni"
    return str(value)
