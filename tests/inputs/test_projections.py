"""Tests of coverage.inputs.projections: households per vereda, vintages, the year, the checks."""

from __future__ import annotations

import datetime
from pathlib import Path

import pytest

from coverage.errors import InputError, ScenarioError
from coverage.inputs.projections import check_projection, read_projection
from coverage.scenario import (
    AreaSpec,
    DemandParams,
    LayerSpec,
    PopulationFacts,
    PopulationVintage,
    load_area,
)

HOUSEHOLDS_CSV = """codigo,indicador,area_geografica,2025,2026
1,hogares,Total,40,50
1,viviendas,Total,60,70
2,hogares,Total,90,100
2,viviendas,Total,130,140
"""
POPULATION_CSV = """codigo,vintage,2025,2026
9,new,380,405
9,old,600,640
"""
NEW_AND_OLD = {"new": PopulationVintage(published=2025), "old": PopulationVintage(published=2020)}


def _area(
    tmp_path: Path,
    *,
    households: str = HOUSEHOLDS_CSV,
    population: str | None = POPULATION_CSV,
    rows: dict[str, str] | None = None,
    vintages: dict[str, PopulationVintage] | None = None,
    typed: tuple[float, float] = (405.0, 150.0),
) -> tuple[AreaSpec, dict[str, Path]]:
    (tmp_path / "hh.csv").write_text(households, encoding="utf-8")
    layers = {
        "dem": LayerSpec(file="dem.tif"),
        "veredas": LayerSpec(file="v.geojson", id_field="codigo"),
        "schools": LayerSpec(file="s.geojson"),
        "households": LayerSpec(
            file="hh.csv",
            id_field="codigo",
            rows={"indicador": "hogares"} if rows is None else rows,
        ),
    }
    paths = {"households": tmp_path / "hh.csv"}
    if population is not None:
        (tmp_path / "pop.csv").write_text(population, encoding="utf-8")
        layers["population"] = LayerSpec(file="pop.csv", vintage_field="vintage")
        paths["population"] = tmp_path / "pop.csv"
    facts = PopulationFacts(
        total_people=typed[0],
        households=typed[1],
        source="typed by hand",
        vintages=NEW_AND_OLD if vintages is None else vintages,
    )
    return AreaSpec(name="t", crs="EPSG:9377", layers=layers, population=facts), paths


def test_households_of_the_year_and_people_of_the_newest_vintage(tmp_path: Path) -> None:
    area, paths = _area(tmp_path)
    p = read_projection(paths, area, DemandParams(year=2026))
    assert p.year == 2026
    assert p.households == {"1": 50.0, "2": 100.0}
    assert p.vintage == "new" and p.people == 405.0
    assert p.people_per_household == pytest.approx(405.0 / 150.0)
    assert any("vintage new (the newest of new, old" in s for s in p.sentences)
    # the old vintage is 58 % above: stated once; the typed figures agree
    assert len(p.disagreements) == 1
    assert "vintage old gives 640 people, 58% more than the 405 used" in p.disagreements[0]


def test_vintage_asked_for_is_used_and_the_typed_figures_are_checked(tmp_path: Path) -> None:
    area, paths = _area(tmp_path)
    p = read_projection(paths, area, DemandParams(year=2025, vintage="old"))
    assert p.people == 600.0 and p.households == {"1": 40.0, "2": 90.0}
    typed = [d for d in p.disagreements if "typed [population]" in d]
    assert len(typed) == 1
    assert "405 people, 32% fewer than the 600 used" in typed[0]
    assert "150 households, 15% more than the 130 used" in typed[0]
    # a wider tolerance says nothing
    quiet = read_projection(
        paths, area, DemandParams(year=2025, vintage="old", max_disagreement_share=0.5)
    )
    assert quiet.disagreements == ()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        (DemandParams(year=2030), "no figures for 2030; it has the years 2025, 2026"),
        (DemandParams(year=2026, vintage="mid"), "no vintage 'mid'; it has ['new', 'old']"),
    ],
)
def test_year_or_vintage_not_in_the_table_lists_those_it_has(
    tmp_path: Path, params: DemandParams, expected: str
) -> None:
    area, paths = _area(tmp_path)
    with pytest.raises(InputError, match="Set \\[demand\\]") as info:
        read_projection(paths, area, params)
    assert expected in str(info.value)
    assert check_projection(paths, area, params) == [str(info.value)]


def test_current_calendar_year_when_year_is_zero(tmp_path: Path) -> None:
    now = datetime.datetime.now(tz=datetime.UTC).year
    csv = f"codigo,indicador,{now}\n1,hogares,10\n"
    area, paths = _area(tmp_path, households=csv, population=None, typed=(30.0, 0.0))
    p = read_projection(paths, area, DemandParams())
    assert p.year == now and p.people == 30.0 and p.vintage == ""
    assert any("the current calendar year" in s for s in p.sentences)
    assert any("no population table" in s for s in p.sentences)


@pytest.mark.parametrize(
    ("kwargs", "expected"),
    [
        ({"rows": {}}, "codigo ['1', '2'] appear in several rows"),
        ({"rows": {"indicador": "hogar"}}, "no row has {'indicador': 'hogar'}"),
        ({"rows": {"tipo": "x"}}, "names column(s) ['tipo'] the table lacks"),
        ({"households": "codigo,indicador,2026\n1,hogares,many\n"}, "on line(s) [2]"),
        ({"households": "code,indicador,2026\n1,hogares,5\n"}, "no column 'codigo'"),
        ({"vintages": {}}, "the area file dates none of them"),
        (
            {"vintages": {**NEW_AND_OLD, "gone": PopulationVintage(published=2024)}},
            "name ['gone'], which the table lacks",
        ),
        (
            {"population": "codigo,vintage,2026\n9,new,100\n", "vintages": {}},
            "100 people for 150 households",
        ),
    ],
)
def test_unusable_tables_are_named_with_the_fix(
    tmp_path: Path, kwargs: dict, expected: str
) -> None:
    area, paths = _area(tmp_path, **kwargs)
    with pytest.raises(InputError) as info:
        read_projection(paths, area, DemandParams(year=2026))
    assert expected in str(info.value)


@pytest.mark.parametrize(
    ("extra", "expected"),
    [
        ("", ["layers.population needs a households table", "needs vintage_field"]),
        (
            "[population.vintages]\na = { published = 1850 }\n"
            '[layers.households]\nfile = "h.csv"\nid_field = "codigo"\nrows = { x = "" }\n',
            [
                "vintages.a.published: must be a year in 1900-2100",
                "rows: fields ['x'] need a column name and a value",
            ],
        ),
    ],
)
def test_area_file_tables_are_checked_on_loading(
    tmp_path: Path, extra: str, expected: list[str]
) -> None:
    text = f"""name = "t"
crs = "EPSG:9377"
[population]
total_people = 10
{extra}
[layers.dem]
file = "d.tif"
[layers.veredas]
file = "v.geojson"
[layers.schools]
file = "s.geojson"
[layers.population]
file = "p.csv"
"""
    (tmp_path / "area.toml").write_text(text, encoding="utf-8")
    with pytest.raises(ScenarioError) as info:
        load_area(tmp_path / "area.toml")
    for fragment in expected:
        assert fragment in str(info.value)
