"""What the plan costs, for officials: every item used, the assumptions, and the cost per vereda
and per household connected.

A pipeline plan carries its cost lines (``plan.costs``, one row per item of each site, link,
plan-wide element and satellite household: :data:`coverage.pipeline.costing.COST_COLUMNS`).
:func:`cost_summary` sums them by item and in total (capex, opex a year, total cost of
ownership), says how much of the total rests on assumptions, and shares the cost among the
veredas: an access site's cost by the households it newly serves in each, a satellite
terminal's to its own vereda, and the shared rest (relays, links, the PoP, the core, IP
transit, and access sites that serve no new household) by each vereda's share of the newly
connected households. A hand-built plan without cost lines is priced by its ``cost_usd``
columns only, and says so.
"""

from __future__ import annotations

import functools
from typing import Any

import numpy as np
import pandas as pd

from coverage.outputs.labels import fmt_number
from coverage.outputs.text import csv_table, safe_text
from coverage.outputs.words import shown_rows
from coverage.plan import Plan

__all__ = [
    "cost_items_html",
    "cost_lead",
    "cost_markdown",
    "cost_summary",
    "costs_csv",
    "vereda_costs",
]

_NEW = ("served_new", "served_hotspot", "served_satellite")
_ASSUMED = ' class="assumed"'


def cost_summary(plan: Plan) -> dict[str, Any]:
    """Totals, items, assumptions and the cost per person and household newly connected.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    dict
        ``total_usd`` (TCO), ``capex_usd``, ``opex_usd_per_year``, ``years``,
        ``discount_rate``, ``case``, ``network_usd`` (sites, links, plan-wide items),
        ``hotspot_usd``, ``hotspots``, ``satellite_usd``, ``satellite_terminals``,
        ``per_person_covered_usd`` and
        ``per_household_connected_usd`` (None when nobody is newly connected), ``items``
        (one row per item: key, label, unit, quantity, capex, opex a year, TCO, source,
        assumption), ``assumption_share`` (share of the TCO whose price is an assumption)
        and ``itemised`` (False for a plan priced by ``cost_usd`` columns only).
    """
    lines = getattr(plan, "costs", None)
    demand = plan.demand
    new = demand["service"].isin(_NEW) if "service" in demand.columns else demand["covered"]
    people = float(demand.loc[new, "population"].sum())
    households = float(demand.loc[new, "households"].sum())
    c = plan.scenario.costs
    out: dict[str, Any] = {"years": c.years, "discount_rate": c.discount_rate, "case": c.case}
    if lines is None or not len(lines):
        total = float(plan.sites["cost_usd"].sum()) if len(plan.sites) else 0.0
        if "cost_usd" in plan.links.columns:
            total += float(plan.links["cost_usd"].sum())
        out.update(total_usd=total, itemised=False, items=[], assumption_share=None)
    else:
        sat = lines["kind"] == "satellite"
        hot = lines["kind"] == "hotspot"
        out.update(
            total_usd=float(lines["tco_usd"].sum()),
            capex_usd=float(lines["capex_usd"].sum()),
            opex_usd_per_year=float(lines["opex_usd_per_year"].sum()),
            network_usd=float(lines.loc[~sat & ~hot, "tco_usd"].sum()),
            hotspot_usd=float(lines.loc[hot, "tco_usd"].sum()),
            hotspots=int(lines.loc[hot, "element"].nunique()),
            satellite_usd=float(lines.loc[sat, "tco_usd"].sum()),
            satellite_terminals=int(lines.loc[lines["item"] == "satellite_kit", "quantity"].sum()),
            items=_items(lines),
            assumption_share=_share(lines),
            itemised=True,
        )
    total = out["total_usd"]
    out["per_person_covered_usd"] = total / people if people > 0 else None
    out["per_household_connected_usd"] = total / households if households > 0 else None
    return out


def _items(lines: pd.DataFrame) -> list[dict[str, Any]]:
    """The lines summed by item, in the order the items first appear."""
    g = lines.groupby("item", sort=False)
    first = g[["label", "unit", "source", "assumption"]].first()
    sums = g[["quantity", "capex_usd", "opex_usd_per_year", "tco_usd"]].sum()
    table = first.join(sums).reset_index()
    return [{str(k): v for k, v in r.items()} for r in table.to_dict("records")]


def _share(lines: pd.DataFrame) -> float | None:
    """Share of the TCO whose price is an assumption (None for a zero total)."""
    total = float(lines["tco_usd"].sum())
    if total <= 0:
        return None
    return float(lines.loc[lines["assumption"].astype(bool), "tco_usd"].sum()) / total


def vereda_costs(plan: Plan, keys: pd.Series) -> dict[str, dict[str, float | None]]:
    """Each vereda's share of the plan's cost (USD) and its cost per household newly connected.

    Parameters
    ----------
    plan
        The plan (its ``costs`` lines; without them the sites' and links' ``cost_usd``).
    keys
        The vereda key of each demand point (aligned to ``plan.demand``).

    Returns
    -------
    dict
        Vereda key -> ``cost_usd``, ``satellite_usd``, ``households_connected`` (newly, by
        the network, a school or plaza hotspot or satellite) and ``per_household_connected_usd``
        (None when none). A hotspot's cost goes to the veredas of the households it serves
        (to its host's vereda when it serves none).
    """
    demand = plan.demand
    service = demand["service"] if "service" in demand.columns else None
    new = service.isin(_NEW) if service is not None else demand["covered"]
    hh = demand["households"].astype(float).where(new, 0.0)
    by_key = hh.groupby(keys).sum()
    cost = pd.Series(0.0, index=by_key.index)
    sat_cost = pd.Series(0.0, index=by_key.index)
    lines = getattr(plan, "costs", None)
    element_usd = _element_usd(plan, lines)
    shared = 0.0
    served_new = demand[(service == "served_new") if service is not None else demand["covered"]]
    key_of = dict(zip(demand["demand_id"].astype(str), keys, strict=True))
    for element, usd in element_usd.items():
        if element.startswith("satellite "):
            key = key_of.get(element[len("satellite ") :])
            if key is not None:
                sat_cost[key] += usd
            continue
        if element.startswith("hotspot ") and "hotspot" in demand.columns:
            mine = demand[(demand["hotspot"] == element) & (service == "served_hotspot")]
            weights = mine["households"].astype(float).groupby(keys.loc[mine.index]).sum()
            host = key_of.get(element[len("hotspot ") :])
            if weights.sum() > 0:
                cost = cost.add(usd * weights / weights.sum(), fill_value=0.0)
            elif host is not None:
                cost[host] = cost.get(host, 0.0) + usd
            else:
                shared += usd
            continue
        mine = served_new[served_new["best_site"].astype(str) == element]
        weights = mine["households"].astype(float).groupby(keys.loc[mine.index]).sum()
        if weights.sum() > 0:
            cost = cost.add(usd * weights / weights.sum(), fill_value=0.0)
        else:
            shared += usd
    if by_key.sum() > 0:
        cost = cost.add(shared * by_key / by_key.sum(), fill_value=0.0)
    cost = cost.add(sat_cost, fill_value=0.0)
    return {
        str(k): {
            "cost_usd": float(cost.get(k, 0.0)),
            "satellite_usd": float(sat_cost.get(k, 0.0)),
            "households_connected": float(by_key[k]),
            "per_household_connected_usd": (
                float(cost.get(k, 0.0)) / float(by_key[k]) if by_key[k] > 0 else None
            ),
        }
        for k in by_key.index
    }


def _element_usd(plan: Plan, lines: pd.DataFrame | None) -> dict[str, float]:
    """TCO (USD) per element: site id, ``link a-b``, ``plan`` or ``satellite <id>``."""
    if lines is not None and len(lines):
        return {
            str(k): float(v)
            for k, v in lines.groupby("element", sort=False)["tco_usd"].sum().items()
        }
    out = {str(r.site_id): float(r.cost_usd) for r in plan.sites.itertuples()}
    if "cost_usd" in plan.links.columns:
        out["links"] = float(np.nansum(plan.links["cost_usd"].to_numpy(dtype=np.float64)))
    return out


def costs_csv(plan: Plan) -> str:
    """The plan's cost lines as CSV (one row per item of each element), or just a header.

    Parameters
    ----------
    plan
        The plan.

    Returns
    -------
    str
        CSV text: the columns of :data:`coverage.pipeline.costing.COST_COLUMNS`.
    """
    lines = getattr(plan, "costs", None)
    if lines is None:
        lines = pd.DataFrame(columns=["element", "kind", "item", "tco_usd"])
    return csv_table(lines.round(2))


def _usd(x: Any) -> str:
    return fmt_number(x) if x is not None else "–"


def cost_lead(summary: dict[str, Any], L: dict[str, str]) -> str:
    """One sentence: TCO, capex, opex a year, life, rate, case, cost per household, and how
    much rests on assumptions.

    Parameters
    ----------
    summary
        A plan summary (:func:`coverage.outputs.report.summarize`).
    L
        The labels of the output language.

    Returns
    -------
    str
        Plain text.
    """
    c = summary["cost"]
    text = (
        f"{L['cost_tco']} ({c['years']} {L['years']}, {L['discount']} "
        f"{100 * c['discount_rate']:g} %, {L['cost_case']} {L.get('case_' + c['case'], c['case'])}): "
        f"{_usd(c['total_usd'])} USD"
    )
    if c.get("itemised"):
        text += (
            f"; {L['capex']} {_usd(c['capex_usd'])} USD, {L['opex']} "
            f"{_usd(c['opex_usd_per_year'])} USD/{L['year']}"
        )
        if c.get("hotspots"):
            text += f"; {c['hotspots']} {L['hotspots'].lower()} ({_usd(c['hotspot_usd'])} USD)"
        if c.get("satellite_terminals"):
            text += (
                f"; {c['satellite_terminals']} {L['satellite_terminals'].lower()} "
                f"({_usd(c['satellite_usd'])} USD)"
            )
    text += f". {L['cost_per_household']}: {_usd(c.get('per_household_connected_usd'))} USD."
    share = c.get("assumption_share")
    if share is not None and share > 0:
        text += " " + L["cost_assumed"].format(share=f"{100 * share:.0f} %")
    elif not c.get("itemised"):
        text += " " + L["cost_not_itemised"]
    return text


def cost_items_html(summary: dict[str, Any], L: dict[str, str]) -> str:
    """The items table (label, quantity, capex, opex a year, TCO, source) and the vereda
    cost table, as HTML; "" for a plan without cost lines.

    Parameters
    ----------
    summary
        A plan summary.
    L
        The labels of the output language.

    Returns
    -------
    str
        HTML fragment.
    """
    e = functools.partial(safe_text, sink="html")
    c = summary["cost"]
    if not c.get("itemised"):
        return ""
    head = "".join(
        f"<th>{e(h)}</th>"
        for h in (L["cost_item"], L["quantity"], L["capex"], L["opex"], L["cost_tco"], L["source"])
    )
    rows = "".join(
        f"<tr{_ASSUMED if i['assumption'] else ''}><td>{e(i['label'])}</td>"
        f'<td class="n">{e(fmt_number(i["quantity"], 1))} {e(i["unit"])}</td>'
        f'<td class="n">{e(_usd(i["capex_usd"]))}</td>'
        f'<td class="n">{e(_usd(i["opex_usd_per_year"]))}</td>'
        f'<td class="n">{e(_usd(i["tco_usd"]))}</td><td>{e(i["source"])}</td></tr>'
        for i in c["items"]
    )
    vhead = "".join(
        f"<th>{e(h)}</th>"
        for h in (L["vereda"], L["households_connected"], L["cost_tco"], L["cost_per_household"])
    )
    vrows = "".join(
        f"<tr><td>{e(v['vereda'])}</td>"
        f'<td class="n">{e(fmt_number(v.get("households_connected")))}</td>'
        f'<td class="n">{e(_usd(v.get("cost_usd")))}</td>'
        f'<td class="n">{e(_usd(v.get("per_household_connected_usd")))}</td></tr>'
        for v in shown_rows(summary, L)
    )
    return (
        f'<table id="cost-items"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>'
        f'<p class="note">{e(L["cost_shared_note"])}</p>'
        f'<table id="cost-subdivisions"><thead><tr>{vhead}</tr></thead><tbody>{vrows}</tbody></table>'
    )


def cost_markdown(summary: dict[str, Any], L: dict[str, str]) -> list[str]:
    """The cost section of ``summary.md``: the lead sentence, the items and the veredas.

    Parameters
    ----------
    summary
        A plan summary.
    L
        The labels of the output language.

    Returns
    -------
    list of str
        Markdown lines.
    """
    md = functools.partial(safe_text, sink="markdown")
    c = summary["cost"]
    lines = [f"## {L['costs']}", "", md(cost_lead(summary, L)), ""]
    if not c.get("itemised"):
        return lines
    lines += [
        f"| {L['cost_item']} | {L['quantity']} | {L['capex']} | {L['opex']} | {L['cost_tco']} "
        f"| {L['source']} |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for i in c["items"]:
        lines.append(
            f"| {md(i['label'])} | {fmt_number(i['quantity'], 1)} {md(i['unit'])} "
            f"| {_usd(i['capex_usd'])} | {_usd(i['opex_usd_per_year'])} | {_usd(i['tco_usd'])} "
            f"| {md(i['source'])} |"
        )
    lines += [
        "",
        f"| {L['vereda']} | {L['households_connected']} | {L['cost_tco']} "
        f"| {L['cost_per_household']} |",
        "|---|---:|---:|---:|",
    ]
    for v in shown_rows(summary, L):
        lines.append(
            f"| {md(v['vereda'])} | {fmt_number(v.get('households_connected'))} "
            f"| {_usd(v.get('cost_usd'))} | {_usd(v.get('per_household_connected_usd'))} |"
        )
    return [*lines, "", md(L["cost_shared_note"]), ""]
