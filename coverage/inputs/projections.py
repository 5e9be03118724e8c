"""Projections: how many households each vereda has, and how many people, in a chosen year.

An area file may name two tables (CSV, one column per year: ``"2018"``, ``"2019"``, ...) of a
statistics office's projections:

``households`` (area layer)
    One row per vereda; the layer's ``id_field`` column holds the veredas' ids. ``rows``
    keeps the rows of one indicator and area type when the table holds several (Medellín's
    DAP table: ``{ indicador = "hogares", area_geografica = "Total" }``).
``population`` (area layer, optional)
    The people of the whole area, one row per edition ("vintage") of the projection, named
    in the layer's ``vintage_field`` column; ``rows`` picks the area's rows.

:func:`read_projection` picks the year (the scenario's ``[demand] year``; 0 is the current
calendar year, stated in the outputs) and the vintage (``[demand] vintage``; "" is the newest
by the publication years the area's ``[population.vintages]`` gives). The households per
vereda drive the demand; the people of the vintage give the people per household (people /
all households of the table). Without a population table the area's typed ``[population]
total_people`` does. Each figure is checked against the others: another vintage, or the
typed ``[population]`` figures, that differ by more than ``[demand] max_disagreement_share``
are logged and stated in the outputs. A year or vintage the tables lack is an
:class:`~coverage.errors.InputError` listing those they have.
"""

from __future__ import annotations

import datetime
import logging
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from coverage.errors import InputError
from coverage.scenario import AreaSpec, DemandParams, LayerSpec, PopulationFacts

__all__ = ["HOUSEHOLDS", "POPULATION", "Projection", "check_projection", "read_projection"]

log = logging.getLogger(__name__)

#: Area layer key of the households table (per vereda and year).
HOUSEHOLDS = "households"
#: Area layer key of the population table (per vintage and year).
POPULATION = "population"


@dataclass(frozen=True)
class Projection:
    """The households and people of one year, read from the area's tables.

    Attributes
    ----------
    year
        The projection year.
    households
        Households by vereda id (every row of the table, as its ``id_field`` writes it).
    people
        People of the whole area in ``year`` (the vintage's figure, or the area's typed total
        without a population table).
    vintage
        The population table's vintage used ("" without one).
    sentences
        Where each figure comes from, for the outputs.
    disagreements
        Where the figures disagree by more than ``[demand] max_disagreement_share``, one
        sentence each, for the outputs (the caller logs them once).
    """

    year: int
    households: dict[str, float]
    people: float
    vintage: str
    sentences: tuple[str, ...] = ()
    disagreements: tuple[str, ...] = ()

    @property
    def total_households(self) -> float:
        """Households of every row of the table.

        Returns
        -------
        float
            Their sum (households).
        """
        return float(sum(self.households.values()))

    @property
    def people_per_household(self) -> float:
        """People per household in ``year``.

        Returns
        -------
        float
            :attr:`people` / :attr:`total_households` (people per household; 0 with no
            household).
        """
        total = self.total_households
        return self.people / total if total > 0 else 0.0


def projection_year(params: DemandParams) -> int:
    """The year the scenario asks for: ``[demand] year``, or the current calendar year for 0.

    Parameters
    ----------
    params
        The scenario's demand settings.

    Returns
    -------
    int
        The year.
    """
    return params.year or datetime.datetime.now(tz=datetime.UTC).year


def _read_table(path: Path, spec: LayerSpec, what: str) -> pd.DataFrame:
    """The rows of a CSV table that ``spec.rows`` keeps, every cell as stripped text."""
    try:
        table = pd.read_csv(path, dtype=str, keep_default_na=False)
    except (OSError, ValueError, UnicodeDecodeError) as err:
        msg = f"{what} {path}: cannot be read as a CSV table ({err})."
        raise InputError(msg) from err
    table.columns = [str(c).strip() for c in table.columns]
    table = table.apply(lambda col: col.str.strip())
    unknown = [k for k in spec.rows if k not in table.columns]
    if unknown:
        msg = (
            f"{what} {path}: the area file's rows filter names column(s) {unknown} the table "
            f"lacks; its columns: {list(table.columns)}. Fix `rows` in the area file."
        )
        raise InputError(msg)
    keep = np.ones(len(table), dtype=bool)
    for key, value in spec.rows.items():
        keep &= (table[key] == value).to_numpy()
    if not keep.any():
        found = {k: sorted(set(table[k]))[:8] for k in spec.rows}
        msg = (
            f"{what} {path}: no row has {dict(spec.rows)}; the table has {found}. Fix `rows` "
            "in the area file."
        )
        raise InputError(msg)
    return table[keep]


def _year_values(table: pd.DataFrame, key: str, year: int, path: Path, what: str) -> pd.Series:
    """The ``year`` column as numbers indexed by column ``key`` (each key once, none negative)."""
    if key not in table.columns:
        msg = f"{what} {path}: no column {key!r}; its columns: {list(table.columns)}."
        raise InputError(msg)
    years = [c for c in table.columns if c.isdigit() and len(c) == 4]
    if str(year) not in years:
        msg = (
            f"{what} {path}: no figures for {year}; it has the years {', '.join(years) or 'none'}. "
            "Set [demand] year in the scenario to one of them."
        )
        raise InputError(msg)
    repeated = sorted(set(table[key][table[key].duplicated()]))
    if repeated:
        msg = (
            f"{what} {path}: {key} {repeated} appear in several rows; narrow them to one row "
            'each with `rows = {{ column = "value" }}` in the area file.'
        )
        raise InputError(msg)
    values = pd.to_numeric(table[str(year)], errors="coerce")
    bad = values.isna() | (values < 0)
    if bad.any():
        lines = [int(i) + 2 for i in table.index[bad.to_numpy()][:5]]  # header is line 1
        msg = (
            f"{what} {path}: column {year} holds no count (empty, text or negative) on "
            f"line(s) {lines}; give a number of zero or more."
        )
        raise InputError(msg)
    return pd.Series(values.to_numpy(dtype=float), index=table[key].to_numpy())


def _choose_vintage(
    people: pd.Series, params: DemandParams, facts: PopulationFacts, path: Path
) -> tuple[str, str]:
    """The vintage to use and why, from the scenario's ``vintage`` or the newest dated one."""
    available = [str(v) for v in people.index]
    undated = [v for v in facts.vintages if v not in available]
    if undated:
        msg = (
            f"population table {path}: the area file's [population.vintages] name {undated}, "
            f"which the table lacks; it has {available}. Fix the names in the area file."
        )
        raise InputError(msg)
    if params.vintage:
        if params.vintage not in available:
            msg = (
                f"population table {path}: no vintage {params.vintage!r}; it has {available}. "
                'Set [demand] vintage in the scenario to one of them, or "" for the newest.'
            )
            raise InputError(msg)
        return params.vintage, "as [demand] vintage asks"
    if len(available) == 1:
        return available[0], "the table's only vintage"
    dated = {v: facts.vintages[v].published for v in available if v in facts.vintages}
    newest = max(dated.values(), default=None)
    top = [v for v, year in dated.items() if year == newest]
    if len(top) != 1:
        why = "dates none of them" if not top else f"dates {top} all {newest}"
        msg = (
            f"population table {path} has the vintages {available} and the area file {why}, "
            "so none is the newest: date each in [population.vintages] (NAME = { published = "
            'YEAR, source = "..." }) or set [demand] vintage in the scenario.'
        )
        raise InputError(msg)
    return top[0], f"the newest of {', '.join(available)}"


def _apart(value: float, chosen: float, share: float, what: str) -> str:
    """How far ``value`` lies from ``chosen`` in words, or "" within ``share`` of it."""
    diff = abs(value - chosen) / chosen if chosen > 0 else float("inf")
    if diff <= share:
        return ""
    side = "more" if value > chosen else "fewer"
    return f"{value:,.0f} {what}, {diff:.0%} {side} than the {chosen:,.0f} used"


def read_projection(paths: dict[str, Path], area: AreaSpec, params: DemandParams) -> Projection:
    """The households per vereda and the people of the scenario's year, from the area's tables.

    Parameters
    ----------
    paths
        The file of each area layer; ``households`` must be among them, ``population`` may.
    area
        The area description: the two layers' specs (``id_field``, ``vintage_field``,
        ``rows``), the vintages' publication years and the typed ``[population]`` figures.
    params
        The scenario's ``[demand] year``, ``vintage`` and ``max_disagreement_share``.

    Returns
    -------
    Projection
        The year's households by vereda id, the people, the vintage and the sentences that
        say where they come from and where they disagree (each also logged as a warning).

    Raises
    ------
    InputError
        A table that cannot be read, lacks the year, the id or vintage column, holds a
        count that is not a number, repeats a vereda or vintage, or lacks the vintage asked
        for; more households than people.
    """
    year = projection_year(params)
    hh_spec = area.layers[HOUSEHOLDS]
    hh_path = paths[HOUSEHOLDS]
    table = _read_table(hh_path, hh_spec, "households table")
    households = _year_values(table, hh_spec.id_field, year, hh_path, "households table")
    total_hh = float(households.sum())
    when = " (the current calendar year, as [demand] year = 0 asks)" if params.year == 0 else ""
    sentences = [
        f"Households per sub-district: {total_hh:,.0f} in {year}{when} over {len(households)} "
        "sub-districts "
        f"({hh_path.name}: {hh_spec.source or 'no source given'})."
    ]
    facts = area.population
    share = params.max_disagreement_share
    limit = f"(more than the {share:.0%} of [demand] max_disagreement_share)"
    warnings: list[str] = []
    if POPULATION in paths:
        people, vintage, people_sentence, others = _vintage_people(paths, area, params, year)
        sentences.append(people_sentence)
        for name, value in others.items():
            apart = _apart(value, people, share, "people")
            if apart:
                warnings.append(
                    f"Population vintages disagree for {year} {limit}: {name} gives {apart}."
                )
    else:
        people, vintage = facts.total_people, ""
        sentences.append(
            f"People: no population table, so the area file's {facts.total_people:,.0f} people "
            f"({facts.source or 'no source given'}) are shared over the table's households."
        )
    if people < total_hh:
        msg = (
            f"{people:,.0f} people for {total_hh:,.0f} households in {year} ({hh_path.name}): a "
            "household has at least one person; check the tables' rows and the year."
        )
        raise InputError(msg)
    typed = {"people": (facts.total_people, people)} if POPULATION in paths else {}
    if facts.households > 0:
        typed["households"] = (facts.households, total_hh)
    phrases = [_apart(v, c, share, what) for what, (v, c) in typed.items()]
    phrases = [p for p in phrases if p]
    if phrases:
        warnings.append(
            f"The area file's typed [population] figures ({facts.source or 'no source given'}) "
            f"disagree with the tables {limit}, and the tables are used: {'; '.join(phrases)}."
        )
    sentences.append(
        f"People per household in {year}: {people / total_hh if total_hh else 0.0:.2f} "
        f"({people:,.0f} people / {total_hh:,.0f} households)."
    )
    return Projection(
        year, dict(households), float(people), vintage, tuple(sentences), tuple(warnings)
    )


def _vintage_people(
    paths: dict[str, Path], area: AreaSpec, params: DemandParams, year: int
) -> tuple[float, str, str, dict[str, float]]:
    """The chosen vintage's people in ``year``, its name, the sentence, the other vintages'."""
    spec = area.layers[POPULATION]
    path = paths[POPULATION]
    table = _read_table(path, spec, "population table")
    people = _year_values(table, spec.vintage_field, year, path, "population table")
    vintage, why = _choose_vintage(people, params, area.population, path)
    dated = area.population.vintages.get(vintage)
    origin = f"published {dated.published}; {dated.source}" if dated and dated.source else ""
    origin = origin or (f"published {dated.published}" if dated else spec.source)
    sentence = (
        f"People: {people[vintage]:,.0f} in {year}, vintage {vintage} ({why}; "
        f"{origin or 'no source given'}; {path.name})."
    )
    others = {f"vintage {v}": float(n) for v, n in people.items() if v != vintage}
    return float(people[vintage]), vintage, sentence, others


def check_projection(paths: dict[str, Path], area: AreaSpec, params: DemandParams) -> list[str]:
    """The problems of the area's projection tables for the scenario's year and vintage.

    Parameters
    ----------
    paths
        The file of each area layer.
    area
        The area description.
    params
        The scenario's demand settings.

    Returns
    -------
    list of str
        The problem that :func:`read_projection` would raise, as one sentence; empty when the
        tables are usable or the area has no households table.
    """
    if HOUSEHOLDS not in paths:
        return []
    try:
        read_projection(paths, area, params)
    except InputError as err:
        return err.problems
    return []
