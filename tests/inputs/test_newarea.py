"""new_area on the shared files: Altavista (corregimiento 70) built and loaded with no edits."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import geopandas as gpd
import pytest

from coverage.cli import main
from coverage.errors import InputError, ScenarioError
from coverage.inputs.areafiles import PALMITAS_AREA_KM2, PALMITAS_HOUSEHOLDS, scaled_defaults
from coverage.inputs.arearequest import read_request
from coverage.inputs.newarea import LayerInput, NewAreaRequest, TableInput, new_area
from coverage.scenario import load_scenario
from coverage.sections import Point


def _rural(mirror: Path) -> Path:
    folder = mirror.parent / "medellin_rural"
    if not (folder / "medellin_rural_veredas.geojson").is_file():
        pytest.fail(f"shared data folder {folder} not found beside the Palmitas mirror")
    return folder


def _altavista(mirror: Path, **changes: object) -> NewAreaRequest:
    rural = _rural(mirror)
    outline = gpd.read_file(rural / "medellin_rural_corregimientos.geojson")
    inner = outline[outline["codigo"] == "70"].geometry.iloc[0].representative_point()
    request = NewAreaRequest(
        name="Altavista",
        boundary=LayerInput(rural / "medellin_rural_corregimientos.geojson", {"codigo": "70"}),
        subdivisions=LayerInput(
            rural / "medellin_rural_veredas.geojson", {"corregimiento": "70"}, id_field="codigo"
        ),
        schools=LayerInput(rural / "medellin_rural_schools.geojson", {"corregimiento": "70"}),
        dems=(mirror / "dem" / "medellin_dem_srtm1.tif",),
        # a point inside the boundary stands in for a fibre PoP: assumed, for this test only
        pop=Point("PoP", float(inner.x), float(inner.y), "assumed (test)"),
        households=TableInput(
            rural / "medellin_rural_households_by_vereda_2018_2030.csv",
            {"indicador": "hogares", "area_geografica": "Total"},
            key_field="codigo",
        ),
        population=TableInput(
            rural / "medellin_rural_population_2018_2030.csv",
            {"codigo_corregimiento": "70"},
            key_field="vintage",
        ),
        vintages={"actualizacion_2025": 2025, "post_covid_19": 2021},
    )
    return dataclasses.replace(request, **changes)  # type: ignore[arg-type]


def test_altavista_builds_and_loads(mirror: Path, tmp_path: Path) -> None:
    built = new_area(_altavista(mirror), tmp_path / "altavista")
    # PROVENANCE.md of medellin_rural: 33,109 people and 11,887 households in 2026
    assert round(built.figures.people) == 33_109
    assert round(built.figures.households) == 11_887
    assert built.figures.n_subdivisions == 11
    scenario = load_scenario(built.scenario)
    assert scenario.area.name == "Altavista"
    assert scenario.area.subdivision == "vereda"


def test_selection_matching_nothing_names_the_values(mirror: Path, tmp_path: Path) -> None:
    rural = _rural(mirror)
    bad = LayerInput(rural / "medellin_rural_corregimientos.geojson", {"codigo": "99"})
    with pytest.raises(InputError, match="codigo"):
        new_area(_altavista(mirror, boundary=bad), tmp_path / "bad")
    assert not (tmp_path / "bad" / "area.toml").exists()


_REQUEST = """
name = "{name}"
subdivision_word = "vereda"
dems = ["{mirror}/dem/medellin_dem_srtm1.tif"]
vintages = {{ actualizacion_2025 = 2025, post_covid_19 = 2021 }}

[boundary]
path = "{rural}/medellin_rural_corregimientos.geojson"
where = {{ codigo = "{code}" }}

[subdivisions]
path = "{rural}/medellin_rural_veredas.geojson"
where = {{ corregimiento = "{code}" }}
id_field = "codigo"

[schools]
path = "{rural}/medellin_rural_schools.geojson"
where = {{ corregimiento = "{code}" }}

[pop]
lon_deg = {lon}
lat_deg = {lat}
source = "assumed (test): a point inside the boundary"

[households]
path = "{rural}/medellin_rural_households_by_vereda_2018_2030.csv"
rows = {{ indicador = "hogares", area_geografica = "Total" }}
key_field = "codigo"

[population]
path = "{rural}/medellin_rural_population_2018_2030.csv"
rows = {{ codigo_corregimiento = "{code}" }}
key_field = "vintage"
"""


def _guide_area(mirror: Path, folder: Path, code: str, name: str) -> int:
    """docs/territory.md's first steps: write the request file, run `new-area` into
    ``folder/area``; return the exit status."""
    rural = _rural(mirror)
    outline = gpd.read_file(rural / "medellin_rural_corregimientos.geojson")
    inner = outline[outline["codigo"] == code].geometry.iloc[0].representative_point()
    request = folder / "request.toml"
    request.write_text(
        _REQUEST.format(name=name, code=code, rural=rural, mirror=mirror, lon=inner.x, lat=inner.y),
        encoding="utf-8",
    )
    return main(["new-area", str(request), str(folder / "area")])


@pytest.mark.parametrize(
    ("code", "name", "households"), [("60", "San Cristóbal", 36_933), ("70", "Altavista", 11_887)]
)
def test_guide_steps_new_area_then_validate(
    mirror: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    code: str,
    name: str,
    households: int,
) -> None:
    """docs/territory.md's steps: a request file, `new-area`, then `validate`, no edits."""
    assert _guide_area(mirror, tmp_path, code, name) == 0
    printed = capsys.readouterr().out
    assert f"{households:,} households" in printed
    assert main(["validate", str(tmp_path / "area" / "scenario.toml")]) == 0
    assert "OK" in capsys.readouterr().out
    assert load_scenario(tmp_path / "area" / "scenario.toml").area.name == name


@pytest.mark.slow
def test_guide_plans_altavista_with_no_edits(mirror: Path, tmp_path: Path) -> None:
    """The guide to its end on Altavista: `new-area`, then `run` on the written scenario.

    The outputs name the territory and its veredas, in the scenario's language (Spanish).
    The run may exit 3: its warnings (the placement's time limit, backhaul load) are the
    plan's, stated in every output.
    """
    assert _guide_area(mirror, tmp_path, "70", "Altavista") == 0
    out = tmp_path / "out"
    assert main(["run", str(tmp_path / "area" / "scenario.toml"), "--out", str(out)]) in (0, 3)
    veredas = gpd.read_file(_rural(mirror) / "medellin_rural_veredas.geojson")
    names = set(veredas.loc[veredas["corregimiento"] == "70", "nombre"].astype(str))
    table = (out / "summary_veredas.csv").read_text(encoding="utf-8")
    shown = {n for n in names if n in table}
    assert len(names) == 11 and shown == names, names - shown
    summary = (out / "summary.md").read_text(encoding="utf-8")
    assert "Altavista" in summary.splitlines()[0]
    assert "Vereda" in summary
    assert "Altavista" in (out / "map.html").read_text(encoding="utf-8")


def test_request_with_unknown_key_names_it(tmp_path: Path) -> None:
    request = tmp_path / "request.toml"
    request.write_text('name = "X"\nbudget = 3\n', encoding="utf-8")
    with pytest.raises(ScenarioError, match="budget is not a key"):
        read_request(request)


def test_budget_scales_by_area_or_households_whichever_is_larger() -> None:
    # the Palmitas default: 1,000,000 USD for 57.8 km2 and 1,296 households
    assert scaled_defaults(PALMITAS_AREA_KM2, PALMITAS_HOUSEHOLDS)[0] == 1_000_000.0
    # a territory ten times denser on the same area: ten times the budget
    assert scaled_defaults(PALMITAS_AREA_KM2, 10 * PALMITAS_HOUSEHOLDS)[0] == 10_000_000.0
    # a sparse territory twice as large: the area rules
    assert scaled_defaults(2 * PALMITAS_AREA_KM2, 100.0)[0] == 2_000_000.0
    assert scaled_defaults(2 * PALMITAS_AREA_KM2)[0] == 2_000_000.0  # households unknown
    # candidates and the time limit stay by area
    assert (
        scaled_defaults(PALMITAS_AREA_KM2, 10 * PALMITAS_HOUSEHOLDS)[1:]
        == (scaled_defaults(PALMITAS_AREA_KM2)[1:])
    )


def test_altavista_budget_is_scaled_by_its_households(mirror: Path, tmp_path: Path) -> None:
    built = new_area(_altavista(mirror), tmp_path / "altavista")
    scenario = load_scenario(built.scenario)
    # 11,887 households against Palmitas' 1,296 outweigh 28.6 km2 against 57.8 km2
    assert scenario.placement.budget_usd == round(1_000_000 * 11_887 / 1_296, -3)
    text = built.scenario.read_text(encoding="utf-8")
    assert "the larger of two" in text and "here by households" in text
