"""Text from input files made safe for every output it reaches: one function, one sink each.

Names in a plan come from user data (veredas, schools, sites, the scenario, the point of
presence) and so do its warnings and models; they reach HTML, Markdown, KML, matplotlib,
CSV, JSON and file names. :func:`safe_text` turns any value into text that shows, in the
sink it is meant for, as the text it is: never markup, never a formula, never mathtext, and
never a character that makes the file invalid. Every writer of :mod:`coverage.outputs`
passes names through it, so every output shows the same text.

In every sink, control characters are removed first (:func:`safe_text` with ``"plain"``):
C0 controls but tab and newline, DEL, C1 controls, lone surrogates (UTF-8 cannot encode
them) and U+FFFE / U+FFFF; a carriage return (alone or before a newline) becomes a newline.
XML 1.0 forbids most of these (§2.2, ``Char``), and a name such as ``"a\\x0bb"`` would
otherwise make ``doc.kml`` not well-formed. Like :mod:`~coverage.outputs.labels`, this module
only makes text: it imports no plotting or GIS library (matplotlib's types, for the type
checker only).
"""

from __future__ import annotations

import html
import re
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from matplotlib.typing import RcKeyType

__all__ = ["MATPLOTLIB_TEXT_RC", "SINKS", "Sink", "csv_table", "safe_text"]

#: Where a text goes: see :func:`safe_text` for what each sink does.
Sink = Literal[
    "plain", "html", "markdown", "kml", "kml_description", "matplotlib", "csv", "file_name"
]
#: Every :data:`Sink`, in the order :func:`safe_text` documents them.
SINKS: tuple[Sink, ...] = (
    "plain",
    "html",
    "markdown",
    "kml",
    "kml_description",
    "matplotlib",
    "csv",
    "file_name",
)

#: matplotlib settings under which every figure of the outputs is built: text is drawn as it
#: is (no mathtext, so a ``$`` stays a ``$``; no LaTeX). A ``Text`` keeps them from its
#: creation, so figures built inside ``plt.rc_context(MATPLOTLIB_TEXT_RC)`` may be saved later.
MATPLOTLIB_TEXT_RC: dict[RcKeyType, Any] = {"text.parse_math": False, "text.usetex": False}

# C0 but tab, newline and carriage return; DEL and C1; surrogates; the two non-characters.
_CONTROL = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff\ufffe\uffff]")
_CR = re.compile("\r\n?")
# CommonMark's inline punctuation, and "$" for GitHub's math.
_MD_SPECIAL = re.compile(r"([\\`*_\[\]|#~$])")
# A "<" that could open raw HTML or an autolink (a tag name, "/", "!" or "?" after it), and an
# "&" that could start a named character reference ("&amp;"; a numeric one has lost its "#"
# to _MD_SPECIAL already): these get a backslash; any other "<" and "&" are plain text.
_MD_TAG_START = re.compile(r"<(?=[A-Za-z/!?])")
_MD_ENTITY = re.compile(r"&(?=[A-Za-z0-9]+;)")
# A spreadsheet runs a cell starting with one of these as a formula (OWASP CSV injection).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_FILE_UNSAFE = re.compile(r"[^A-Za-z0-9_.-]+")
#: Longest file-name part :func:`safe_text` returns (characters), far below 255 bytes.
FILE_NAME_MAX = 100


def safe_text(value: Any, sink: Sink = "plain") -> str:
    """Text of ``value`` that shows as itself in ``sink``, without control characters.

    Parameters
    ----------
    value
        Any value; taken as ``str(value)``.
    sink
        Where the text goes:

        * ``"plain"``: control characters removed (see the module), nothing else; for JSON
          (``json.dumps`` escapes the rest), GeoTIFF tags and GeoPackage text;
        * ``"html"``: then HTML-escaped, quotes included (:func:`html.escape`), for element
          text and quoted attribute values alike; folium popups and tooltips and Leaflet's
          layer names are HTML;
        * ``"markdown"``: then Markdown punctuation backslash-escaped (``$`` too, for
          GitHub's math), and a ``<`` that could open a tag or an ``&`` that could start a
          character reference, so that no HTML is made and the file reads as plain text in
          an editor too (``<=`` and ``'`` stay as they are); tabs and newlines made spaces,
          for a table cell or a one-line list item;
        * ``"kml"``: control characters removed; for KML element text and attributes, which
          :mod:`xml.etree.ElementTree` escapes for XML;
        * ``"kml_description"``: as ``"html"``: Google Earth renders a ``<description>``
          as HTML, so the text is escaped for HTML here and for XML by ElementTree;
        * ``"matplotlib"``: tabs made spaces; draw it with :data:`MATPLOTLIB_TEXT_RC` in
          force, so that ``$`` is not mathtext;
        * ``"csv"``: a cell that a spreadsheet would run as a formula (starting with
          ``=``, ``+``, ``-``, ``@`` or a tab) gets a leading ``'``; the :mod:`csv` module
          quotes the rest;
        * ``"file_name"``: letters, digits and ``_ . -`` only (any other run becomes one
          ``_``), no leading or trailing ``.`` or ``_``, at most :data:`FILE_NAME_MAX`
          characters, ``"x"`` when nothing is left; a part of a name, never a path.

    Returns
    -------
    str
        The safe text.

    Raises
    ------
    ValueError
        An unknown sink (the message lists :data:`SINKS`).

    Examples
    --------
    >>> safe_text("<b>Peñas</b>\\x0b", "html")
    '&lt;b&gt;Peñas&lt;/b&gt;'
    >>> safe_text("=1+1", "csv")
    "'=1+1"
    >>> safe_text("O'Brien | 5 $ <= <b>", "markdown")
    "O'Brien \\\\| 5 \\\\$ <= \\\\<b>"
    >>> safe_text("../S2 <a>", "file_name")
    'S2_a'
    """
    text = _CR.sub("\n", _CONTROL.sub("", str(value)))
    if sink in ("plain", "kml"):
        return text
    if sink in ("html", "kml_description"):
        return html.escape(text, quote=True)
    if sink == "markdown":
        md = _MD_SPECIAL.sub(r"\\\1", text)
        md = _MD_ENTITY.sub(r"\\&", _MD_TAG_START.sub(r"\\<", md))
        return md.replace("\t", " ").replace("\n", " ")
    if sink == "matplotlib":
        return text.replace("\t", " ")
    if sink == "csv":
        return "'" + text if text.startswith(_FORMULA_START) else text
    if sink == "file_name":
        return _FILE_UNSAFE.sub("_", text)[:FILE_NAME_MAX].strip("._") or "x"
    msg = f"Unknown text sink {sink!r}; use one of {list(SINKS)}."
    raise ValueError(msg)


def csv_table(df: Any) -> str:
    """A table as CSV text, every text cell made safe for a spreadsheet (the ``csv`` sink).

    Parameters
    ----------
    df
        A pandas DataFrame.

    Returns
    -------
    str
        The CSV, no index, ``\\n`` line ends.
    """
    import pandas as pd

    safe = df.copy()
    for col in safe.columns:
        if safe[col].dtype == object or pd.api.types.is_string_dtype(safe[col]):
            safe[col] = [safe_text(v, "csv") if isinstance(v, str) else v for v in safe[col]]
    return str(safe.to_csv(index=False, lineterminator="\n"))
