"""The sub-districts' word of the area file in every output: plurals, labels, a barrio plan.

A territory of barrios must never read "vereda": not in a label, heading, column header,
file name, GeoPackage layer or field, KML folder or style, nor in the PDF's text.
"""

from __future__ import annotations

import dataclasses
import json
import re
import subprocess
import zipfile
from pathlib import Path

import pyogrio
import pytest

from coverage.errors import ScenarioError
from coverage.outputs import export
from coverage.outputs.labels import LABELS, label, labels
from coverage.outputs.report import summarize
from coverage.outputs.words import (
    LANGUAGES,
    VEREDA,
    Subdivision,
    english_plural,
    plan_words,
    spanish_plural,
    subdivision_names,
    subdivision_words,
)
from coverage.plan import Plan
from coverage.scenario import LayerSpec, load_area
from tests.helpers import build_tiny_plan

VEREDA_RE = re.compile("vereda", re.IGNORECASE)


@pytest.mark.parametrize(
    ("word", "plural"),
    [
        ("vereda", "veredas"),
        ("barrio", "barrios"),
        ("sector", "sectores"),
        ("comuna", "comunas"),
        ("sección", "secciones"),
        ("localidad", "localidades"),
        ("cantón", "cantones"),
        ("lápiz", "lápices"),
        ("crisis", "crisis"),
    ],
)
def test_spanish_plural_follows_the_regular_rule(word, plural):
    assert spanish_plural(word) == plural


@pytest.mark.parametrize(
    ("word", "plural"),
    [("district", "districts"), ("county", "counties"), ("parish", "parishes"), ("day", "days")],
)
def test_english_plural_follows_the_regular_rule(word, plural):
    assert english_plural(word) == plural


def test_words_per_language_from_the_area_keys():
    assert subdivision_words("vereda", "es") == VEREDA
    # English keeps the local word, a proper noun, and its Spanish plural
    assert subdivision_words("sector", "en") == Subdivision("sector", "sectores")
    assert subdivision_words("barrio", "en", english="neighbourhood") == Subdivision(
        "neighbourhood", "neighbourhoods"
    )
    explicit = subdivision_words("zona rural", "es", plural="zonas rurales")
    assert explicit == Subdivision("zona rural", "zonas rurales")
    assert subdivision_words("distrito", "en", english_plural_word="districts").plural == (
        "districts"
    )
    assert Subdivision("zona rural", "zonas rurales").file_word == "zonas_rurales"
    assert Subdivision("área", "áreas").file_word == "areas"
    with pytest.raises(ScenarioError):
        subdivision_words("vereda", "fr")
    assert set(LANGUAGES) == set(LABELS)


def test_labels_fill_the_word_and_leave_other_placeholders():
    barrio = Subdivision("barrio", "barrios")
    es = labels("es", barrio)
    assert es["vereda"] == "Barrio" and es["veredas"] == "Barrios"
    assert es["service_per_vereda"] == "Servicio por barrio"
    assert "{share}" in es["cost_assumed"]  # filled later by the caller
    assert label("veredas", "en", barrio) == "Barrios"
    assert label("veredas", "es") == "Veredas"  # no words given: Palmitas' veredas
    for language in LABELS:
        text = " ".join(labels(language, barrio).values())
        assert not VEREDA_RE.search(text) and "{sub" not in text.lower()


def barrio_plan(subdivision_plural: str = "", subdivision_en: str = "") -> Plan:
    """The tiny plan of a territory of barrios, its layer files named without "vereda"."""
    plan = build_tiny_plan()
    area = dataclasses.replace(
        plan.scenario.area,
        name="Comuna de prueba",
        subdivision="barrio",
        layers={
            "dem": LayerSpec(file="tiny/dem.tif"),
            "veredas": LayerSpec(file="tiny/barrios.geojson"),
            "schools": LayerSpec(file="tiny/schools.geojson"),
        },
        subdivision_plural=subdivision_plural,
        subdivision_en=subdivision_en,
    )
    return dataclasses.replace(plan, scenario=dataclasses.replace(plan.scenario, area=area))


def test_the_summary_records_the_words_of_each_language():
    s = summarize(barrio_plan(subdivision_en="neighbourhood"))
    assert s["subdivision_words"]["es"] == {"singular": "barrio", "plural": "barrios"}
    assert s["subdivision_words"]["en"] == {
        "singular": "neighbourhood",
        "plural": "neighbourhoods",
    }
    assert subdivision_names(s, "en") == Subdivision("neighbourhood", "neighbourhoods")
    assert subdivision_names({"subdivision": "sector"}, "es").plural == "sectores"
    assert subdivision_names({}, "es") == VEREDA


def _texts(root: Path) -> dict[str, str]:
    """Every text a person reads in an output set: files as text, the KMZ's KML, the PDFs'
    text (pdftotext); JSON is left out (its keys are the planner's, see DESIGN.md)."""
    out: dict[str, str] = {}
    for path in sorted(root.rglob("*")):
        rel = str(path.relative_to(root))
        if path.suffix in (".html", ".md", ".csv"):
            out[rel] = path.read_text(encoding="utf-8")
        elif path.suffix == ".kmz":
            with zipfile.ZipFile(path) as z:
                out[rel] = z.read("doc.kml").decode("utf-8")
        elif path.suffix == ".pdf":
            text = subprocess.run(
                ["pdftotext", str(path), "-"], capture_output=True, check=True, text=True
            ).stdout
            out[rel] = text
    return out


@pytest.mark.parametrize("language", ["es", "en"])
def test_no_output_of_a_barrio_territory_says_vereda(tmp_path, language):
    plan = barrio_plan()
    paths = export.write_outputs(plan, tmp_path, language=language)
    names = [str(p.relative_to(tmp_path)) for p in tmp_path.rglob("*")]
    assert not [n for n in names if VEREDA_RE.search(n)]
    assert "summary_barrios.csv" in names and paths["summary_csv"].name == "summary_barrios.csv"
    texts = _texts(tmp_path)
    assert {"map.html", "gap_report.html", "summary.md", "plan.kmz", "gap_report.pdf"} <= set(texts)
    said = {rel: VEREDA_RE.findall(text) for rel, text in texts.items()}
    assert not {rel: found for rel, found in said.items() if found}
    assert "Barrios" in texts["gap_report.html"] and "Barrios" in texts["map.html"]
    assert "<name>Barrios</name>" in texts["plan.kmz"]
    header = texts["summary_barrios.csv"].splitlines()[0].split(",")
    assert header[:2] == (["barrio_id", "barrio"] if language == "en" else ["id_barrio", "barrio"])
    layers = pyogrio.list_layers(paths["gpkg"])[:, 0]
    assert "barrios" in layers and not [n for n in layers if VEREDA_RE.search(n)]
    for layer in layers:
        fields = pyogrio.read_info(paths["gpkg"], layer=layer)["fields"]
        assert not [f for f in fields if VEREDA_RE.search(f)], layer
    summary = json.loads(paths["summary_json"].read_text(encoding="utf-8"))
    for key in ("subdivisions", "schools"):  # the rows' fields: generic, as the GeoPackage's
        assert not [k for row in summary[key] for k in row if VEREDA_RE.search(k)], key
    assert {"subdivision", "subdivision_id"} <= set(summary["subdivisions"][0])


def test_palmitas_keeps_its_file_and_layer_names(tiny_plan, tmp_path):
    paths = export.write_outputs(tiny_plan, tmp_path, formats=["summary", "gpkg"])
    assert paths["summary_csv"].name == "summary_veredas.csv"
    assert "veredas" in pyogrio.list_layers(paths["gpkg"])[:, 0]
    assert plan_words(tiny_plan, "en") == VEREDA


def test_a_plural_that_names_another_layer_gets_a_layer_of_its_own():
    plan = barrio_plan(subdivision_plural="sites")
    assert export.subdivision_layer(plan) == "subdivisions"
    assert export.subdivision_layer(barrio_plan()) == "barrios"


def test_the_area_file_gives_the_words(tmp_path):
    area = tmp_path / "area.toml"
    layers = "".join(f'[layers.{k}]\nfile = "{k}.x"\n' for k in ("dem", "veredas", "schools"))
    area.write_text(
        'name = "Distrito de prueba"\ncrs = "EPSG:9377"\nsubdivision = "sector"\n'
        'subdivision_en = "district"\n[population]\ntotal_people = 100\n' + layers,
        encoding="utf-8",
    )
    spec = load_area(area)
    plan = dataclasses.replace(
        build_tiny_plan(),
        scenario=dataclasses.replace(build_tiny_plan().scenario, area=spec),
    )
    assert plan_words(plan, "es") == Subdivision("sector", "sectores")
    assert plan_words(plan, "en") == Subdivision("district", "districts")
    assert export.subdivision_layer(plan) == "sectores"  # file and layer names: the area's word
