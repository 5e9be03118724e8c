"""Tests of coverage.outputs.text: each sink, and properties over arbitrary text."""

from __future__ import annotations

import csv
import dataclasses
import io
import unicodedata
import warnings
import xml.etree.ElementTree as ET

import matplotlib.pyplot as plt
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from coverage.outputs import kml
from coverage.outputs.files import safe_path
from coverage.outputs.text import FILE_NAME_MAX, MATPLOTLIB_TEXT_RC, SINKS, safe_text
from coverage.plan import Plan
from tests.helpers import build_tiny_plan, visible

#: Every character :func:`safe_text` removes, one of each kind.
CONTROLS = "\x00\x01\x08\x0b\x0c\x0e\x1f\x7f\x80\x85\x9f\ud800\udfff\ufffe\uffff"


def _clean(text: str) -> str:
    """What every sink keeps of ``text``: no control characters, CR as LF (by Unicode's own
    categories, not the module's pattern)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return "".join(c for c in text if not _is_control(c))


def _is_control(c: str) -> bool:
    return (unicodedata.category(c) in ("Cc", "Cs") and c not in "\t\n") or c in "\ufffe\uffff"


@pytest.fixture(scope="module")
def plan() -> Plan:
    """The tiny plan, once for the module (Hypothesis refuses function-scoped fixtures)."""
    return build_tiny_plan()


@pytest.mark.parametrize("sink", SINKS)
def test_every_sink_removes_control_characters(sink):
    out = safe_text(f"a{CONTROLS}b", sink)
    assert not any(_is_control(c) for c in out), sink
    assert out.replace("'", "") == "ab", sink


@pytest.mark.parametrize(
    ("sink", "text", "expected"),
    [
        ("plain", "a\r\nb\rc\td", "a\nb\nc\td"),
        ("html", "<img src=x onload=\"alert('1')\">", "&lt;img src=x onload=&quot;alert(&#x27;1&#x27;)&quot;&gt;"),
        ("markdown", "O'Brien | *b* [l](u) `c` # ~s~ $x$ \\", "O'Brien \\| \\*b\\* \\[l\\](u) \\`c\\` \\# \\~s\\~ \\$x\\$ \\\\"),
        ("markdown", "a\nb\tc <i>", "a b c \\<i>"),
        # plain text stays plain: an editor shows it as it is
        ("markdown", "BS <= 38 dBm, path's 5 > 3 & 2 < 4", "BS <= 38 dBm, path's 5 > 3 & 2 < 4"),
        # what could become markup or a character in a renderer is escaped
        ("markdown", "</a> <!-- <?x <http://x> &amp; &#x27;", "\\</a> \\<!-- \\<?x \\<http://x> \\&amp; &\\#x27;"),
        ("kml", "<b>a&b</b>", "<b>a&b</b>"),
        ("kml_description", "<script>a&b</script>", "&lt;script&gt;a&amp;b&lt;/script&gt;"),
        ("matplotlib", "US$ 5\ty $\\frac{1}{$", "US$ 5 y $\\frac{1}{$"),
        ("csv", "=1+2", "'=1+2"),
        ("csv", "+57 300", "'+57 300"),
        ("csv", "-2", "'-2"),
        ("csv", "@SUM(A1)", "'@SUM(A1)"),
        ("csv", "\t=1+2", "'\t=1+2"),
        ("csv", "\r=1+2", "\n=1+2"),  # a carriage return is a newline, and starts no formula
        ("csv", "La Suiza = 2", "La Suiza = 2"),
        ("file_name", "../../S2<script>", "S2_script"),
        ("file_name", "Peñas Blancas", "Pe_as_Blancas"),
        ("file_name", "...", "x"),
        ("file_name", "a" * 300, "a" * FILE_NAME_MAX),
    ],
)  # fmt: skip
def test_each_sink(sink, text, expected):
    assert safe_text(text, sink) == expected


def test_an_unknown_sink_is_refused_with_the_known_ones():
    with pytest.raises(ValueError, match=r"'latex'.*'plain', 'html'"):
        safe_text("x", "latex")  # type: ignore[arg-type]


def test_markdown_cell_renders_as_the_text_in_a_table():
    text = "O'Brien | US$ 5 *y* <b>&amp;</b> `x` [a](b) # _c_"
    page = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(f"| a |\n|---|\n| {safe_text(text, 'markdown')} |\n")
    )
    shown = visible(page)
    assert [t for t, _ in shown.tags] == ["table", "thead", "tr", "th", "tbody", "tr", "td"]
    assert text in "".join(shown.text)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_html_shows_any_text_as_that_text_without_tags(text):
    for fragment in (f"<p>{safe_text(text, 'html')}</p>", f'<p title="{safe_text(text, "html")}">'):
        shown = visible(fragment)
        assert shown.tags[0][0] == "p" and len(shown.tags) == 1
    assert "".join(visible(safe_text(text, "html")).text) == _clean(text)
    assert visible(f'<p title="{safe_text(text, "html")}">').tags[0][1] == [("title", _clean(text))]


@settings(max_examples=100, deadline=None)
@given(st.text())
def test_markdown_table_cell_shows_any_text(text):
    page = (
        MarkdownIt("commonmark")
        .enable("table")
        .render(f"| a |\n|---|\n| {safe_text(text, 'markdown')} |\n")
    )
    shown = visible(page)
    assert [t for t, _ in shown.tags][-1] == "td" and len(shown.tags) == 7
    expected = _clean(text).replace("\t", " ").replace("\n", " ").strip()
    cell = page.split("<td>", 1)[1].split("</td>", 1)[0]
    assert "".join(visible(cell).text) == expected


@settings(max_examples=60, deadline=None)
@given(st.text(min_size=1))
def test_kml_of_any_name_parses_and_shows_the_name_as_text(plan, text):
    """A vereda and a site named ``text``: doc.kml parses, names and descriptions are text."""
    veredas = plan.veredas.copy()
    veredas.loc[0, "name"] = text
    sites = plan.sites.copy()
    sites.loc[0, "name"] = text
    named = dataclasses.replace(plan, veredas=veredas, sites=sites)
    tree = kml.kml_document(named, language="en", overlay_bounds=(0.0, 0.0, 1.0, 1.0))
    root = ET.fromstring(ET.tostring(tree, encoding="unicode"))
    ns = {"k": kml.KML_NS}
    vereda = root.findall("k:Document/k:Folder[k:name='Veredas']/k:Placemark/k:name", ns)[0]
    assert (vereda.text or "") == _clean(text)
    site = root.findall("k:Document/k:Folder/k:Placemark[k:styleUrl='#site_pop']", ns)[0]
    description = visible(site.findtext("k:description", namespaces=ns) or "")
    assert description.tags == []
    assert "".join(description.text) == f"{_clean(text)} · Point of presence"


@settings(max_examples=60, deadline=None)
@given(st.text().map(lambda t: f"${t}$"))
def test_matplotlib_draws_any_text_with_its_dollars(text):
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", "Glyph .* missing from", UserWarning)
        warnings.filterwarnings("ignore", "Matplotlib currently does not support", UserWarning)
        with plt.rc_context(MATPLOTLIB_TEXT_RC):
            fig = plt.figure(figsize=(2, 1), dpi=30)
            drawn = fig.text(0.1, 0.5, safe_text(text, "matplotlib"))
        try:
            fig.canvas.draw()
        finally:
            plt.close(fig)
    assert drawn.get_text() == _clean(text).replace("\t", " ")
    assert not drawn.get_parse_math() and not drawn.get_usetex()


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_csv_cell_of_any_text_round_trips_and_never_starts_a_formula(text):
    cell = safe_text(text, "csv")
    buf = io.StringIO()
    csv.writer(buf).writerow([cell])
    (back,) = csv.reader(io.StringIO(buf.getvalue()))
    assert back == [cell]
    formula = _clean(text).startswith(("=", "+", "-", "@", "\t"))
    assert cell == ("'" if formula else "") + _clean(text)


@settings(max_examples=150, deadline=None)
@given(st.text())
def test_file_name_of_any_text_stays_in_the_output_folder(tmp_path_factory, text):
    name = safe_text(text, "file_name")
    assert 1 <= len(name) <= FILE_NAME_MAX
    assert set(name) <= set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_.-")
    assert not name.startswith((".", "_"))
    folder = tmp_path_factory.getbasetemp()
    assert safe_path(folder, f"profiles/{name}.png").parent == (folder / "profiles").resolve()
