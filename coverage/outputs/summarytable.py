"""The per-vereda table of a summary as CSV files an official can open as they are.

:func:`summary_csv` writes one row per vereda (id first, then name) and :func:`total_csv`
the plan's totals in a file of their own, so that a column summed in a spreadsheet counts
each person once. Headers are in the report's language (Spanish snake_case for ``"es"``,
English for ``"en"``: the service classes and reasons take their words from
:mod:`coverage.outputs.labels`), the first two by the territory's word for its
sub-districts (``id_vereda, vereda`` for Palmitas, ``id_barrio, barrio`` for barrios; in
English ``vereda_id, vereda``); people and households are whole numbers, each row's parts
adding up to its totals (:func:`coverage.outputs.service.whole_parts`), and the totals are
the sums of the rows shown. The share of people covered is a percentage (one decimal) and
money is whole US dollars.

These files are for reading. The unrounded figures (people and households with their
fractions: a vereda's households are shared over its dwelling points) are in
``summary.json`` (:func:`coverage.outputs.report.summarize`) and in the GeoPackage's
``demand`` layer, for scripts that need them.
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

from coverage.outputs.labels import check_language, label, reason_label
from coverage.outputs.report import GAP_REASONS
from coverage.outputs.service import SERVICE_CLASSES, whole_parts
from coverage.outputs.text import safe_text
from coverage.outputs.words import subdivision_names

__all__ = ["summary_columns", "summary_csv", "summary_rows", "total_csv"]

#: The fixed columns, by their English name, with their Spanish header (the first two name
#: the sub-district by the territory's word: :func:`_header`).
_FIXED_ES = {
    "people_total": "personas_total",
    "people_covered": "personas_cubiertas",
    "people_uncovered": "personas_no_cubiertas",
    "households_total": "hogares_total",
    "households_covered": "hogares_cubiertos",
    "households_uncovered": "hogares_no_cubiertos",
    "schools_total": "escuelas_total",
    "schools_covered": "escuelas_cubiertas",
    "schools_uncovered": "escuelas_no_cubiertas",
    "share_people_covered_pct": "pct_personas_cubiertas",
    "households_connected": "hogares_conectados",
    "cost_usd": "costo_usd",
    "per_household_connected_usd": "costo_por_hogar_conectado_usd",
}
_HEAD = ("vereda_id", "vereda", "people_total", "people_covered", "people_uncovered")
_MIDDLE = (
    "households_total",
    "households_covered",
    "households_uncovered",
    "schools_total",
    "schools_covered",
    "schools_uncovered",
    "share_people_covered_pct",
)
_TAIL = ("households_connected", "cost_usd", "per_household_connected_usd")


def _slug(text: str) -> str:
    """``"Aún sin servicio"`` -> ``"aun_sin_servicio"``: ASCII snake_case."""
    plain = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_")


def summary_columns() -> tuple[str, ...]:
    """The columns of the table, by their English (machine) names, in order.

    Returns
    -------
    tuple of str
        ``vereda_id, vereda``, people (total, covered, not covered), households and
        schools likewise, ``share_people_covered_pct``, ``households_<class>`` and
        ``people_<class>`` for each service class
        (:data:`coverage.outputs.service.SERVICE_CLASSES`), ``uncovered_<reason>_people``
        for each reason (:data:`coverage.outputs.report.GAP_REASONS`),
        ``households_connected``, ``cost_usd``, ``per_household_connected_usd``.
    """
    return (
        *_HEAD,
        *_MIDDLE,
        *(f"households_{c}" for c in SERVICE_CLASSES),
        *(f"people_{c}" for c in SERVICE_CLASSES),
        *(f"uncovered_{r}_people" for r in GAP_REASONS),
        *_TAIL,
    )


def _header(column: str, language: str, word: str) -> str:
    """The header of ``column`` in ``language``: the English name, or its Spanish one; the
    sub-district's columns by ``word`` (its singular as a slug: ``vereda``, ``id_vereda``)."""
    if column in ("vereda", "vereda_id"):
        if column == "vereda":
            return word
        return f"{word}_id" if language == "en" else f"id_{word}"
    if language == "en":
        return column
    if column in _FIXED_ES:
        return _FIXED_ES[column]
    if column.startswith("uncovered_"):
        reason = column[len("uncovered_") : -len("_people")]
        return f"personas_no_cubiertas_{_slug(reason_label(reason, language))}"
    unit, service = column.split("_", 1)
    word = {"households": "hogares", "people": "personas"}[unit]
    return f"{word}_{_slug(label(service, language))}"


def _whole(row: Mapping[str, Any], unit: str, keys: Sequence[str]) -> dict[str, int]:
    """Whole numbers of ``unit`` for ``keys`` of a row, adding up to their rounded sum."""
    values = [float(row.get(k) or 0.0) for k in keys]
    return dict(zip(keys, whole_parts(values), strict=True))


def _row(row: Mapping[str, Any]) -> dict[str, Any]:
    """A vereda's figures as the table shows them: whole people, households, dollars."""
    out: dict[str, Any] = {}
    for unit in ("people", "households"):
        split = _whole(row, unit, [f"{unit}_covered", f"{unit}_uncovered"])
        out |= split | {f"{unit}_total": sum(split.values())}
        out |= _whole(row, unit, [f"{unit}_{c}" for c in SERVICE_CLASSES])
    by_reason = row.get("uncovered_by_reason", {})
    reasons = {
        f"uncovered_{r}_people": by_reason.get(r, {}).get("people", 0.0) for r in GAP_REASONS
    }
    out |= _whole(reasons, "people", list(reasons))
    for kind in ("total", "covered", "uncovered"):
        out[f"schools_{kind}"] = int(row.get(f"schools_{kind}") or 0)
    share = row.get("share_people_covered")
    out["share_people_covered_pct"] = None if share is None else round(100.0 * share, 1)
    connected = row.get("households_connected")
    out["households_connected"] = None if connected is None else round(connected)
    out["cost_usd"] = _usd(row.get("cost_usd"))
    out["per_household_connected_usd"] = _usd(row.get("per_household_connected_usd"))
    return out


def summary_rows(summary: Mapping[str, Any]) -> tuple[list[dict[str, Any]], dict[str, Any]]:
    """The rows of the table and of its totals, as the CSV files show them.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.

    Returns
    -------
    rows, total
        One dict per vereda by the names of :func:`summary_columns` (and ``outside``: true
        for the row of the demand in no sub-district), then the totals: each
        count the sum of the rows' whole numbers (so it may differ by a person or two from
        the unrounded totals of ``summary.json`` rounded), the share from those sums, the
        cost and the cost per household of the whole plan.
    """
    rows = [
        {
            "vereda_id": str(v.get("vereda_id", "")),
            "vereda": str(v["vereda"]),
            **_row(v),
            "outside": bool(v.get("outside", False)),
        }
        for v in summary["subdivisions"]
    ]
    total: dict[str, Any] = {"vereda_id": "", "vereda": ""}
    for col in summary_columns()[2:]:
        values = [r[col] for r in rows if r.get(col) is not None]
        total[col] = sum(values) if values and isinstance(values[0], int) else None
    people = total["people_total"]
    total["share_people_covered_pct"] = (
        round(100.0 * total["people_covered"] / people, 1) if people else None
    )
    cost = summary["cost"]
    total["cost_usd"] = _usd(cost.get("total_usd"))
    total["per_household_connected_usd"] = _usd(cost.get("per_household_connected_usd"))
    return rows, total


def _usd(value: float | None) -> int | None:
    """Whole US dollars, or None."""
    return None if value is None else round(value)


def _csv(rows: Sequence[Mapping[str, Any]], language: str, summary: Mapping[str, Any]) -> str:
    buf = io.StringIO()
    writer = csv.writer(buf, lineterminator="\n")
    columns = summary_columns()
    words = subdivision_names(summary, language)
    word = _slug(words.singular) or "subdivision"
    writer.writerow([_header(c, language, word) for c in columns])
    outside = label("outside_subdivision", language, words)
    for r in rows:
        if r.get("outside"):
            r = {**r, "vereda": outside}
        writer.writerow(
            [
                safe_text(r[c], "csv") if c in ("vereda", "vereda_id") else _cell(r[c])
                for c in columns
            ]
        )
    return buf.getvalue()


def _cell(value: Any) -> Any:
    return "" if value is None else value


def summary_csv(summary: Mapping[str, Any], *, language: str = "es") -> str:
    """The per-vereda table as CSV text: one row per vereda, no totals row.

    Names are written as they are (CSV is data, not markup) but for control characters; the
    ``csv`` module quotes them. Cells that a spreadsheet would run as a formula (starting
    with ``=``, ``+``, ``-``, ``@`` or a tab) are prefixed with a single quote
    (:func:`coverage.outputs.text.safe_text`, ``"csv"``).

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" (Spanish headers) or "en" (the English names of :func:`summary_columns`).

    Returns
    -------
    str
        The CSV text: a header, then one row per vereda (:func:`summary_rows`); missing
        numbers empty.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    rows, _ = summary_rows(summary)
    return _csv(rows, check_language(language), summary)


def total_csv(summary: Mapping[str, Any], *, language: str = "es") -> str:
    """The totals of the per-vereda table as CSV text: the same header, one row.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en", as for :func:`summary_csv`; the row's vereda is "Total".

    Returns
    -------
    str
        The CSV text: the header of :func:`summary_csv` and the totals row
        (:func:`summary_rows`), with no vereda id.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    _, total = summary_rows(summary)
    return _csv([{**total, "vereda": label("total", language)}], check_language(language), summary)
