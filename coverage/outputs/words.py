"""What a territory's sub-districts are called in the outputs: singular, plural, per language.

The area file's ``subdivision`` (vereda, barrio, sector ...) is the word every output uses
for the territory's sub-districts: labels and headings, column headers, file, layer and KML
folder names. :func:`subdivision_words` makes its singular and plural for Spanish and
English outputs from the area file's optional ``subdivision_plural``, ``subdivision_en`` and
``subdivision_en_plural``, by the regular plural rules when they are not given
(:func:`spanish_plural`, :func:`english_plural`). :mod:`coverage.outputs.labels` fills its
``{sub}`` placeholders with them. Like the labels, this module only makes text.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from coverage.errors import ScenarioError

if TYPE_CHECKING:
    from coverage.plan import Plan

__all__ = [
    "VEREDA",
    "Subdivision",
    "blank_name",
    "english_plural",
    "plan_words",
    "shown_rows",
    "spanish_plural",
    "subdivision_names",
    "subdivision_words",
]

#: The languages of the outputs (the keys of :data:`coverage.outputs.labels.LABELS`).
LANGUAGES = ("es", "en")


def _check(language: str) -> str:
    if language not in LANGUAGES:
        msg = f"Unknown language {language!r}; use one of {sorted(LANGUAGES)}."
        raise ScenarioError(msg)
    return language


@dataclass(frozen=True)
class Subdivision:
    """What a territory's sub-districts are called in one language, as the outputs write it.

    ``singular`` and ``plural`` are written as the area file gives them (lower case for a
    common noun: "vereda", "barrios"); a label that starts a heading or a column capitalises
    the first letter (:meth:`forms`).
    """

    singular: str
    plural: str

    def forms(self) -> dict[str, str]:
        """The placeholders of :data:`LABELS` and their text.

        Returns
        -------
        dict
            ``{sub}`` (singular), ``{subs}`` (plural), ``{Sub}`` and ``{Subs}`` (the same,
            first letter upper case).
        """
        return {
            "{sub}": self.singular,
            "{subs}": self.plural,
            "{Sub}": _capital(self.singular),
            "{Subs}": _capital(self.plural),
        }

    @property
    def file_word(self) -> str:
        """The plural as a file or layer name part: ASCII letters, digits and ``_``.

        Returns
        -------
        str
            E.g. ``"veredas"``, ``"sectores"``, ``"comunas_rurales"``; ``"subdivisions"``
            when nothing of the word is left (a word of no Latin letter).
        """
        plain = unicodedata.normalize("NFKD", self.plural).encode("ascii", "ignore").decode()
        return re.sub(r"[^a-z0-9]+", "_", plain.lower()).strip("_") or "subdivisions"


def _capital(word: str) -> str:
    return word[:1].upper() + word[1:]


#: The words of a plan made before the area named its sub-districts: Palmitas' veredas.
VEREDA = Subdivision("vereda", "veredas")

_ES_STRESSED_ENDING = str.maketrans("áéíóú", "aeiou")


def spanish_plural(word: str) -> str:
    """The plural of a Spanish noun by the regular rule (RAE, *Nueva gramática*, §3.2).

    Parameters
    ----------
    word
        One noun ("vereda", "barrio", "sector", "sección", "luz"). A phrase ("zona rural")
        is taken as its last word's rule applied to the whole text, which is seldom right:
        give the area file's ``subdivision_plural`` for it.

    Returns
    -------
    str
        A vowel adds "s" (veredas, barrios, comunas); "z" becomes "ces"; an "s" or "x"
        after an unstressed vowel stays (the crisis); any other consonant adds "es", and a
        written accent on the last vowel goes (sector -> sectores, sección -> secciones).
        Irregular words (país -> países) need ``subdivision_plural``.
    """
    w = word.strip()
    if not w:
        return w
    last = w[-1].lower()
    if last in "aeiouáéó":
        return w + "s"
    if last == "z":
        return w[:-1] + "ces"
    accented = re.search(r"[áéíóú][^aeiouáéíóú]*$", w.lower()) is not None
    if last in "sx" and not accented:
        return w
    stem = re.sub(
        r"([áéíóú])([^aeiouáéíóú]*)$", lambda m: m[1].translate(_ES_STRESSED_ENDING) + m[2], w
    )
    return stem + "es"


def english_plural(word: str) -> str:
    """The plural of an English noun by the regular rule.

    Parameters
    ----------
    word
        One noun ("district", "county", "parish").

    Returns
    -------
    str
        A consonant then "y" becomes "ies"; "s", "x", "z", "ch" and "sh" add "es"; any
        other ending adds "s".
    """
    w = word.strip()
    if re.search(r"[^aeiou]y$", w):
        return w[:-1] + "ies"
    if re.search(r"(s|x|z|ch|sh)$", w):
        return w + "es"
    return w + "s" if w else w


def subdivision_words(
    word: str,
    language: str,
    *,
    plural: str = "",
    english: str = "",
    english_plural_word: str = "",
) -> Subdivision:
    """What the sub-districts are called in ``language``, from the area file's keys.

    Parameters
    ----------
    word
        The area file's ``subdivision``: the local word ("vereda", "barrio", "sector").
    language
        "es" or "en".
    plural
        The area file's ``subdivision_plural`` ("" for :func:`spanish_plural` of ``word``).
    english
        The area file's ``subdivision_en``: the word of the English outputs ("" for the local
        word, kept as a proper noun: English text says "vereda" and "veredas").
    english_plural_word
        The area file's ``subdivision_en_plural`` ("" for :func:`english_plural` of
        ``english``, or the local plural when ``english`` is "").

    Returns
    -------
    Subdivision
        The singular and the plural.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    local = Subdivision(word.strip(), plural.strip() or spanish_plural(word))
    if _check(language) == "es" or not (english.strip() or english_plural_word.strip()):
        return local
    singular = english.strip() or local.singular
    return Subdivision(singular, english_plural_word.strip() or english_plural(singular))


def subdivision_names(summary: Mapping[str, Any], language: str) -> Subdivision:
    """The sub-districts' words in ``language`` that a summary records.

    Parameters
    ----------
    summary
        A summary (:func:`coverage.outputs.report.summarize`): its ``subdivision_words``
        (language -> singular and plural), else its ``subdivision`` word with the regular
        plural, else :data:`VEREDA` (a summary made before the area named them).
    language
        "es" or "en".

    Returns
    -------
    Subdivision
        The singular and the plural.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    words = summary.get("subdivision_words", {}).get(_check(language))
    if words:
        return Subdivision(str(words["singular"]), str(words["plural"]))
    if summary.get("subdivision"):
        return subdivision_words(str(summary["subdivision"]), language)
    return VEREDA


def plan_words(plan: Plan, language: str) -> Subdivision:
    """What the plan's area calls its sub-districts in ``language``.

    Parameters
    ----------
    plan
        The plan; its area file's ``subdivision``, ``subdivision_plural``,
        ``subdivision_en`` and ``subdivision_en_plural`` (:func:`subdivision_words`).
    language
        "es" or "en".

    Returns
    -------
    Subdivision
        The singular and the plural.

    Raises
    ------
    ScenarioError
        Unknown language.
    """
    a = plan.scenario.area
    return subdivision_words(
        a.subdivision,
        language,
        plural=a.subdivision_plural,
        english=a.subdivision_en,
        english_plural_word=a.subdivision_en_plural,
    )


def shown_rows(summary: Mapping[str, Any], L: Mapping[str, str]) -> list[dict[str, Any]]:
    """The summary's per-sub-district rows as a table shows them: the row of the demand in
    no sub-district (``outside``) named in the table's language.

    Parameters
    ----------
    summary
        A summary (:func:`coverage.outputs.report.summarize`) with its ``subdivisions``.
    L
        The table's labels (:func:`coverage.outputs.labels.labels`), with the area's words.

    Returns
    -------
    list of dict
        Copies of the rows, in order; the outside row's ``vereda`` is the label.
    """
    outside = L["outside_subdivision"]
    rows = summary["subdivisions"]
    return [{**r, "vereda": outside} if r.get("outside") else dict(r) for r in rows]


def blank_name(name: Any) -> bool:
    """Whether a demand point's sub-district name is missing: it lies in none.

    Parameters
    ----------
    name
        The name as the demand holds it (a string, or a missing value).

    Returns
    -------
    bool
        True for a missing value or a name of only spaces.
    """
    return name is None or (isinstance(name, float) and name != name) or not str(name).strip()
