"""The coverage-gap report as A4 pages of a PDF, drawn with matplotlib.

:func:`gap_report_figures` lays out the summary of :func:`coverage.outputs.report.summarize`
(which also gives the HTML page of the same report) as three portrait pages; the PDF that
:mod:`coverage.outputs.export` writes ends with the static map of
:mod:`coverage.outputs.charts`. Nothing here writes files.
"""

from __future__ import annotations

import textwrap
from typing import Any

import matplotlib.pyplot as plt
from matplotlib.figure import Figure

from coverage.outputs.labels import (
    fmt_number,
    fmt_share,
    labels,
    layer_label,
    reason_label,
)
from coverage.outputs.regulatory import regulation_lines
from coverage.outputs.report import GAP_REASONS, technical_record_note
from coverage.outputs.service import (
    service_notes,
    service_totals_text,
    shown_classes,
    shown_counts,
)
from coverage.outputs.styles import SERVICE_COLORS
from coverage.outputs.text import MATPLOTLIB_TEXT_RC, safe_text
from coverage.outputs.warningtext import warning_texts
from coverage.outputs.words import shown_rows, subdivision_names

__all__ = ["gap_report_figures"]


def gap_report_figures(summary: dict[str, Any], *, language: str = "es") -> list[Figure]:
    """The gap report as A4 portrait matplotlib pages, for a PDF (matplotlib PdfPages).

    Page 1: title, the plan's warnings in a box (only when it has any), totals, cost, table
    per vereda and people not covered by reason. Page 2: the service per vereda (the notes
    of :func:`~coverage.outputs.service.service_notes`, a table of households already
    served, newly served and still unserved, the people not covered per vereda and reason,
    and a chart of stacked bars of the households; the "already served" part only when the
    plan has existing service). Together the tables of pages 1 and 2 hold every column of
    the HTML report's vereda table. Page 3: schools not
    covered, the spectrum regulation (the operator partner a licensed band needs), models and
    assumptions. Text is drawn as text, never interpreted (the pages are built under
    :data:`~coverage.outputs.text.MATPLOTLIB_TEXT_RC`: a ``$`` stays a ``$``), and names
    from input files and warnings lose their control characters
    (:func:`~coverage.outputs.text.safe_text`, ``"matplotlib"``).

    Parameters
    ----------
    summary
        A summary from :func:`coverage.outputs.report.summarize`.
    language
        "es" or "en".

    Returns
    -------
    list of matplotlib.figure.Figure
        The three pages, 8.27 x 11.69 inches; the caller saves and closes them.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    L = labels(language, subdivision_names(summary, language))
    with plt.rc_context(MATPLOTLIB_TEXT_RC):  # each text keeps it when saved later
        return [
            _gap_totals_page(summary, L, language),
            _gap_service_page(summary, L, language),
            _gap_schools_page(summary, L, language),
        ]


def _gap_totals_page(summary: dict[str, Any], L: dict[str, str], language: str) -> Figure:
    """Page 1: title, warnings, totals, cost, table per vereda, people not covered by reason."""
    t = summary["totals"]
    fig = plt.figure(figsize=(8.27, 11.69))
    title = f"{L['gap_title']}: {safe_text(summary['heading'], 'matplotlib')}"
    # 15 pt fits about 58 characters across A4: a longer title shrinks rather than runs off
    fig.text(0.07, 0.95, title, fontsize=min(15.0, 15.0 * 58 / len(title)), weight="bold")
    drop = _warnings_box(fig, warning_texts(summary.get("warnings", []), language), L)
    lines = [
        f"{L['people']}: {fmt_number(t['people_covered'])} / {fmt_number(t['people_total'])} "
        f"({fmt_share(t['share_people_covered'])})",
        f"{L['households']}: {fmt_number(t['households_covered'])} / {fmt_number(t['households_total'])}",
        f"{L['schools']}: {t['schools_covered']} / {t['schools_total']}",
        f"{L['cost']}: {fmt_number(summary['cost']['total_usd'])}",
        f"{L['cost_per_household']}: "
        f"{fmt_number(summary['cost'].get('per_household_connected_usd'))}",
    ]
    fig.text(0.07, 0.80 - drop, "\n".join(lines), fontsize=10, va="bottom", linespacing=1.6)
    cols = [
        L["vereda"],
        f"{L['people']}\n{L['covered'].lower()}",
        f"{L['people']}\n{L['uncovered'].lower()}",
        f"{L['households']}\n{L['covered'].lower()}",
        f"{L['households']}\n{L['uncovered'].lower()}",
        f"{L['schools']}\n{L['covered'].lower()}",
        f"{L['schools']}\n{L['uncovered'].lower()}",
        L["share"].replace(" ", "\n", 1),
    ]
    cells = [
        [
            _wrap(r["vereda"], 20),
            fmt_number(r["people_covered"]),
            fmt_number(r["people_uncovered"]),
            fmt_number(r["households_covered"]),
            fmt_number(r["households_uncovered"]),
            str(r["schools_covered"]),
            str(r["schools_uncovered"]),
            fmt_share(r["share_people_covered"]),
        ]
        for r in [*shown_rows(summary, L), {"vereda": L["total"], **t}]
    ]
    ax = fig.add_axes((0.05, 0.35, 0.9, 0.43 - drop))
    ax.axis("off")
    _table(ax, cells, cols, bold_last=True)
    reason_cells = [
        [
            reason_label(k, language),
            fmt_number(v["people"]),
            fmt_number(v["households"]),
            str(v["schools"]),
        ]
        for k, v in t["uncovered_by_reason"].items()
    ]
    fig.text(0.07, 0.31, L["why_uncovered"], fontsize=12, weight="bold")
    ax2 = fig.add_axes((0.05, 0.08, 0.9, 0.22))
    ax2.axis("off")
    _table(ax2, reason_cells, [L["reason"], L["people"], L["households"], L["schools"]])
    return fig


def _gap_service_page(summary: dict[str, Any], L: dict[str, str], language: str) -> Figure:
    """Page 2: notes, table of the households by service class per vereda, the people not
    covered per vereda and reason, stacked bars of the households."""
    show, classes = shown_classes(summary)
    fig = plt.figure(figsize=(8.27, 11.69))
    fig.text(0.07, 0.95, L["service_per_vereda"], fontsize=13, weight="bold")
    notes = [service_totals_text(summary, language=language)]
    notes += service_notes(summary, language=language)
    fig.text(0.07, 0.93, "\n".join(_wrap(n, 100) for n in notes), fontsize=9, va="top")
    rows = [*shown_rows(summary, L), {"vereda": L["total"], **summary["totals"]}]
    cells = []
    for r in rows:
        total, parts = shown_counts(r, "households", **show)
        cells.append([_wrap(r["vereda"], 30), fmt_number(total), *(fmt_number(p) for p in parts)])
    ax = fig.add_axes((0.05, 0.60, 0.9, 0.24))
    ax.axis("off")
    _table(ax, cells, [L["vereda"], L["households"], *(L[c] for c in classes)], bold_last=True)
    _reasons_per_vereda(fig, rows, L, language)
    veredas = shown_rows(summary, L)
    ax2 = fig.add_axes((0.30, 0.05, 0.62, 0.21))
    y = list(range(len(veredas)))  # positions, not names: two veredas may share a name
    left = [0.0] * len(veredas)
    for c in classes:
        widths = [float(v[f"households_{c}"]) for v in veredas]
        ax2.barh(y, widths, left=left, color=SERVICE_COLORS[c], label=L[c])
        left = [a + b for a, b in zip(left, widths, strict=True)]
    ax2.set_yticks(y, [_wrap(v["vereda"], 28) for v in veredas])
    ax2.invert_yaxis()  # the first vereda on top, as in the table
    ax2.set_xlabel(L["households"])
    ax2.set_title(L["households_by_service"], fontsize=11, pad=24)
    ax2.legend(loc="lower center", bbox_to_anchor=(0.5, 1.0), ncol=3, fontsize=8, frameon=False)
    ax2.tick_params(labelsize=8)
    return fig


def _reasons_per_vereda(
    fig: Figure, rows: list[dict[str, Any]], L: dict[str, str], language: str
) -> None:
    """The people not covered per vereda and reason (the HTML table's reason columns)."""
    fig.text(
        0.07, 0.565, f"{L['why_uncovered']} ({L['people'].lower()})", fontsize=11, weight="bold"
    )
    cols = [L["vereda"], *(_wrap(reason_label(k, language), 13) for k in GAP_REASONS)]
    cells = [
        [
            _wrap(r["vereda"], 22),
            *(fmt_number(r["uncovered_by_reason"][k]["people"]) for k in GAP_REASONS),
        ]
        for r in rows
    ]
    ax = fig.add_axes((0.05, 0.36, 0.9, 0.19))
    ax.axis("off")
    _table(ax, cells, cols, bold_last=True)


def _gap_schools_page(summary: dict[str, Any], L: dict[str, str], language: str) -> Figure:
    """Page 3: schools not covered, spectrum regulation, models, assumptions, data sources."""
    fig2 = plt.figure(figsize=(8.27, 11.69))
    fig2.text(0.07, 0.95, L["uncovered_schools"], fontsize=13, weight="bold")
    gaps = [s for s in summary["schools"] if not s["covered"]]
    ax3 = fig2.add_axes((0.05, 0.62, 0.9, 0.31))
    ax3.axis("off")
    if gaps:
        _table(
            ax3,
            [
                [
                    _wrap(s["name"], 30),
                    _wrap(s["vereda"], 22),
                    reason_label(s["reason"], language),
                    fmt_number(s["rx_dbm"], 1),
                ]
                for s in gaps
            ],
            [L["school"], L["vereda"], L["reason"], L["rx_dbm"]],
        )
    else:
        ax3.text(0.02, 0.9, L["no_school_gaps"], fontsize=10)
    text = [_wrap(line, 95) for line in regulation_lines(summary, language=language)]
    text += ["", f"{L['models']}:"] if text else [f"{L['models']}:"]
    record = technical_record_note(summary, language=language)
    if record is not None:  # one language per report
        text += [_wrap(record, 95)]
    else:
        text += [_wrap(f"• {k}: {v}", 95) for k, v in summary["models"].items()]
        text += ["", f"{L['assumptions']}:"]
        text += [_wrap(f"• {a}", 95) for a in summary["assumptions"]]
    text += ["", f"{L['data_sources']}:"]
    text += [
        _wrap(f"• {layer_label(x['layer'], L)}: {x['source'] or x['file']}", 95)
        for x in summary.get("sources", [])
    ]
    fig2.text(0.07, 0.58, "\n".join(text), fontsize=8.5, va="top", linespacing=1.4)
    return fig2


#: Font size (points) and line spacing of the warnings box on page 1.
_WARNING_FONT_PT, _WARNING_SPACING = 9.5, 1.4


def _warnings_box(fig: Figure, warnings: list[str], L: dict[str, str]) -> float:
    """Draw the warnings in a red-edged box under the title of page 1.

    Returns how far (figure fraction) the totals and the vereda table move down to make
    room: 0 when there are no warnings, and then nothing is drawn.
    """
    if not warnings:
        return 0.0
    text = "\n".join([f"⚠ {L['warnings_heading']}:", *(_wrap(f"• {w}", 100) for w in warnings)])
    fig.text(
        0.07,
        0.925,
        text,
        fontsize=_WARNING_FONT_PT,
        va="top",
        linespacing=_WARNING_SPACING,
        color="#990000",
        bbox={"boxstyle": "round,pad=0.6", "facecolor": "#fff4e5", "edgecolor": "#bb0000"},
    )
    n_lines = text.count("\n") + 1
    return n_lines * _WARNING_FONT_PT * _WARNING_SPACING / 72.0 / 11.69 + 0.012


def _wrap(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(safe_text(text, "matplotlib"), width)) or ""


def _table(ax: Any, cells: list[list[str]], cols: list[str], *, bold_last: bool = False) -> None:
    tab = ax.table(cellText=cells, colLabels=cols, loc="upper center", cellLoc="center")
    tab.auto_set_font_size(False)
    tab.set_fontsize(8)
    tab.scale(1.0, 1.6)
    for (r, _c), cell in tab.get_celld().items():
        if r == 0:
            cell.set_facecolor("#e8e8e8")
            cell.set_height(cell.get_height() * 1.6)
        if bold_last and r == len(cells):
            cell.set_text_props(weight="bold")
