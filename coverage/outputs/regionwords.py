"""The words of the region's report (region.md), in Spanish and English.

The territory outputs speak their scenario's language through :mod:`coverage.outputs.labels`;
the region's report speaks its base scenario's. The labels it shares with them (people,
households, total ...) come from :func:`coverage.outputs.labels.label`; the region's own
(headings, its column names, what it models) are here, in :data:`REGION_WORDS`, a module of
their own so that labels.py stays within the project's module size.
"""

from __future__ import annotations

from collections.abc import Sequence

from coverage.outputs.labels import check_language, label

__all__ = ["REGION_WORDS", "column_label", "limits", "region_word", "region_words"]

#: The region report's own words; ``{m}`` is a distance (m), ``{sub}`` the sub-districts' word.
REGION_WORDS: dict[str, dict[str, str]] = {
    "es": {
        "title": "Región: {name}",
        "warnings": "Advertencias",
        "territories": "Territorios",
        "explain": (
            "Personas servidas por la red: las sirven los sitios del propio plan (según "
            "[service] del escenario); por cualquier servicio: celdas existentes, la red, "
            "puntos de acceso o terminales satelitales. Estado de salida 3: el plan del "
            "territorio tiene advertencias; revíselas primero."
        ),
        "outputs": "Resultados",
        "border": "Sitios de frontera (a menos de {m} m)",
        "neighbour": "Servidos desde un sitio de un territorio vecino",
        "models": "Qué modela la región",
        "run": "Ejecución",
        "none": "(ninguno)",
        "limit_own": (
            "Cada territorio se planifica por separado, con el escenario base y sus cambios: "
            "el mismo plan que `coverage-plan run` hace con el escenario de ese territorio."
        ),
        "limit_sites": (
            "En las cifras propias de cada territorio, un sitio sirve solo la demanda de su "
            "territorio; las tablas de la región suman, en sus columnas `*_region` y "
            "`*_from_neighbour`, la demanda alcanzada desde un sitio de un territorio vecino "
            "(su propia sección), cada punto una sola vez."
        ),
        "limit_backhaul": (
            "El backhaul no se retransmite entre territorios; cada territorio tiene su propio "
            "punto de presencia y presupuesto."
        ),
        "limit_pairs": (
            "Los sitios de dos territorios a menos de {m} m (SUPUESTO) se listan como pares "
            "de frontera: un sitio podría servir a ambos lados; el conteo de sitios de la "
            "región cuenta cada par una vez. El par no se replanifica como un solo sitio."
        ),
        "neighbour_does": (
            "Tras los planes de los territorios, cada sitio de acceso elegido de un "
            "territorio a menos del alcance de su tecnología de la demanda de otro se predice "
            "en los puntos de ese otro que su propia red deja sin servicio por falta de señal "
            "(bloqueados por el terreno, fuera de alcance, señal débil), con el modelo de "
            "propagación, el terreno (su área más margin_m), el clutter, el terminal y el "
            "umbral de servicio de ese territorio. Un punto alcanzado en o sobre el umbral se "
            "cuenta una vez, por su sitio vecino más fuerte, como servido desde un sitio de "
            "un territorio vecino. Los planes de los territorios no cambian."
        ),
        "neighbour_not": (
            "La carga extra de bajada en la hora pico de esos puntos se suma a la propia del "
            "sitio que los sirve y se compara con su capacidad, a la tasa que le dan los "
            "enlaces de sus propios usuarios (SUPUESTO: no se calcula el SINR de los puntos "
            "añadidos): solo se cuentan los puntos que caben en su capacidad libre, los más "
            "fuertes primero, y un sitio que quedaría sobrecargado es una advertencia (estado "
            "de salida 3). No se modela: la carga de subida, la "
            "interferencia y la parte de SINR de "
            "la definición de servicio (solo el umbral de señal), los azimuts e inclinación "
            "propios del sitio (el modelo del territorio ajusta una inclinación; exacto para "
            "una antena omnidireccional), el backhaul del tráfico extra, ni los puntos sin "
            "servicio por su enlace de subida, interferencia, capacidad o backhaul."
        ),
    },
    "en": {
        "title": "Region: {name}",
        "warnings": "Warnings",
        "territories": "Territories",
        "explain": (
            "People served by the network: the plan's own sites serve them (the scenario's "
            "[service]); by any service: existing cells, the network, hotspots or satellite "
            "terminals. Exit status 3: the territory's plan has warnings, check them first."
        ),
        "outputs": "Outputs",
        "border": "Border sites (within {m} m)",
        "neighbour": "Served from a neighbouring territory's site",
        "models": "What the region models",
        "run": "Run",
        "none": "(none)",
    },
}

#: Spanish column names of the region's tables (English: the CSV's own names).
_COLUMNS_ES = {
    "territory": "territorio",
    "households": label("households", "es").lower(),
    "people": label("people", "es").lower(),
    "people_served_network": "personas_servidas_red",
    "share_served_network": "porcentaje_servido_red",
    "people_served_any": "personas_con_algun_servicio",
    "share_served_any": "porcentaje_con_algun_servicio",
    "access_sites": "sitios_de_acceso",
    "relays": "repetidores",
    "tco_usd": "costo_total_usd",
    "warnings": "advertencias",
    "exit_status": "estado_de_salida",
    "border_pairs": "pares_de_frontera",
    "sites_counted_once": "sitios_contados_una_vez",
    "people_from_neighbour": "personas_desde_vecino",
    "households_from_neighbour": "hogares_desde_vecino",
    "people_served_region": "personas_servidas_region",
    "share_served_region": "porcentaje_servido_region",
    "people_served_any_region": "personas_con_algun_servicio_region",
    "subdivision_id": "codigo",
    "subdivision": "nombre",
    "demand_id": "punto",
    "from_territory": "desde_territorio",
    "site_id": "sitio",
    "rx_dbm": "rx_dbm",
    "downlink_mbps": "bajada_mbps",
    "points": "puntos",
    "extra_downlink_mbps": "bajada_extra_mbps",
    "offered_downlink_mbps": "bajada_ofrecida_mbps",
    "capacity_downlink_mbps": "capacidad_bajada_mbps",
    "points_counted": "puntos_contados",
    "households_counted": "hogares_contados",
    "counted": "contado",
    "overloaded": "sobrecargado",
    "territory_a": "territorio_a",
    "site_a": "sitio_a",
    "role_a": "rol_a",
    "territory_b": "territorio_b",
    "site_b": "sitio_b",
    "role_b": "rol_b",
    "distance_m": "distancia_m",
}


def region_words(language: str) -> dict[str, str]:
    """The region report's words in ``language``, English where Spanish has none.

    Parameters
    ----------
    language
        "es" or "en".

    Returns
    -------
    dict
        Key -> text (:data:`REGION_WORDS`).

    Raises
    ------
    ScenarioError
        Unknown language (:func:`coverage.outputs.labels.check_language`).
    """
    return {**REGION_WORDS["en"], **REGION_WORDS[check_language(language)]}


def region_word(key: str, language: str) -> str:
    """One word of the region's report.

    Parameters
    ----------
    key
        A key of :data:`REGION_WORDS`.
    language
        "es" or "en".

    Returns
    -------
    str
        The text (English when Spanish has none; the key itself when unknown).
    """
    return region_words(language).get(key, key)


def column_label(column: str, language: str) -> str:
    """A region table's column name as the report shows it.

    Parameters
    ----------
    column
        The CSV column name.
    language
        "es" or "en".

    Returns
    -------
    str
        The Spanish name in Spanish; the column itself in English.
    """
    return _COLUMNS_ES.get(column, column) if check_language(language) == "es" else column


def limits(english: Sequence[str], keys: Sequence[str], language: str) -> list[str]:
    """The report's statements of what it models, in ``language``.

    Parameters
    ----------
    english
        The English statements (the source: region.json keeps them).
    keys
        Their keys in :data:`REGION_WORDS`, in the same order.
    language
        "es" or "en".

    Returns
    -------
    list of str
        ``english`` itself in English; else each statement's translation.
    """
    if check_language(language) == "en":
        return list(english)
    words = REGION_WORDS[language]
    return [words.get(k, e) for k, e in zip(keys, english, strict=True)]
