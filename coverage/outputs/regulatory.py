"""The plan's spectrum regulation in its summary and documents: bands, licences, partner note.

:func:`regulation_summary` gives the ``regulation`` entry of
:func:`coverage.outputs.report.summarize`: the notes of :mod:`coverage.radio.regulation` for
the scenario's access and backhaul presets, and whether the plan needs an operator partner
(its access band is licensed). :func:`regulation_markdown`, :func:`regulation_html` and
:func:`regulation_lines` show it in the Markdown summary, the HTML gap report and the PDF:
first, on a licensed band, the statement that the plan needs an operator partner, then one
item per band. Nothing here writes files.
"""

from __future__ import annotations

import dataclasses
import functools
from typing import Any

from coverage.errors import InputError
from coverage.outputs.labels import LABELS, check_language
from coverage.outputs.text import safe_text
from coverage.plan import Plan
from coverage.radio.regulation import regulation_for

__all__ = ["regulation_html", "regulation_lines", "regulation_markdown", "regulation_summary"]


def regulation_summary(plan: Plan) -> dict[str, Any]:
    """The regulatory notes of the plan's access and backhaul presets.

    Parameters
    ----------
    plan
        A plan; its scenario names the presets (``[technology] preset``, ``[backhaul]
        preset``).

    Returns
    -------
    dict
        ``access`` and ``backhaul``: the fields of each preset's
        :class:`~coverage.radio.regulation.Regulation` (None for a preset without a note),
        and ``needs_operator_partner``: True when the access band is licensed.
    """
    s = plan.scenario
    notes = {
        role: _note(p)
        for role, p in (("access", s.technology.preset), ("backhaul", s.backhaul.preset))
    }
    access = notes["access"]
    return {**notes, "needs_operator_partner": bool(access and access["needs_operator_partner"])}


def _note(preset: str) -> dict[str, Any] | None:
    """The fields of a preset's note, or None when it has none."""
    try:
        return dataclasses.asdict(regulation_for(preset))
    except InputError:
        return None


def _items(
    summary: dict[str, Any], language: str, *, detail: bool = True
) -> tuple[str, list[tuple[str, str]]]:
    """The partner statement ("" when none is needed) and (role, text) per band, unescaped.

    Without ``detail``, each band says its preset, range, licence and EIRP limit only.
    """
    L = LABELS[check_language(language)]
    reg = summary.get("regulation") or {}
    access = reg.get("access") or {}
    partner = ""
    if reg.get("needs_operator_partner"):
        holders = access.get("permit_holders") or "?"
        partner = L["operator_partner_note"].format(band=access.get("band", ""), holders=holders)
    items = []
    for role in ("access", "backhaul"):
        r = reg.get(role)
        if not r:
            continue
        kind = L["licensed_band"] if r["licensed"] else L["unlicensed_band"]
        text = f"{r['preset']}: {r['band']}, {r['low_mhz']:g}-{r['high_mhz']:g} MHz, {kind}."
        if detail:
            text += (
                f" {L['who_may_operate']}: {r['who_may_operate']}. {L['eirp_rule']}: "
                f"{r['eirp_rule']}. {L['data_sources']}: {'; '.join(r['sources'])}."
            )
        elif r["max_eirp_dbm"] is not None:
            text += f" {L['max_eirp']}: {r['max_eirp_dbm']:g} dBm."
        items.append((L[role], text))
    return partner, items


def regulation_markdown(summary: dict[str, Any], *, language: str = "es") -> list[str]:
    """The regulation section of the Markdown summary, as lines.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    list of str
        A heading, the partner statement in bold (licensed access band only) and one bullet
        per band; no lines for a summary without a ``regulation`` entry.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    partner, items = _items(summary, language)
    if not items:
        return []
    md = functools.partial(safe_text, sink="markdown")
    lines = ["", f"## {LABELS[language]['regulation']}", ""]
    lines += [f"**{md(partner)}**", ""] if partner else []
    return lines + [f"- **{md(role)}**: {md(text)}" for role, text in items]


def regulation_html(summary: dict[str, Any], *, language: str = "es") -> str:
    """The regulation section of the HTML gap report.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    str
        ``<h2>`` and, on a licensed access band, ``<p id="operator-partner">`` with the
        partner statement, then ``<ul id="regulation">`` with one item per band; "" for a
        summary without a ``regulation`` entry.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    partner, items = _items(summary, language)
    if not items:
        return ""
    e = functools.partial(safe_text, sink="html")
    note = f'<p id="operator-partner" class="gap"><b>{e(partner)}</b></p>' if partner else ""
    lis = "".join(f"<li><b>{e(role)}</b>: {e(text)}</li>" for role, text in items)
    return f'<h2>{e(LABELS[language]["regulation"])}</h2>{note}<ul id="regulation">{lis}</ul>\n'


def regulation_lines(summary: dict[str, Any], *, language: str = "es") -> list[str]:
    """The regulation section as plain text lines, for the PDF pages.

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    list of str
        The heading, the partner statement (licensed access band only) and one short bullet
        per band (preset, range, licence, EIRP limit: the assumptions and the other
        documents give who may operate, the rule and the sources), unwrapped and unescaped
        (the caller wraps them); no lines for a summary without a ``regulation`` entry.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    partner, items = _items(summary, language, detail=False)
    if not items:
        return []
    lines = [f"{LABELS[language]['regulation']}:"]
    lines += [f"⚠ {partner}"] if partner else []
    return lines + [f"• {role}: {text}" for role, text in items]
