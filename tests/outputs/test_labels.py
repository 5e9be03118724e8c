"""Tests of coverage.outputs.labels: both languages say everything, formats, the language check."""

from __future__ import annotations

import numpy as np
import pytest

from coverage.errors import ScenarioError
from coverage.outputs import labels
from coverage.plan import REASONS


def test_both_languages_have_every_label_and_every_reason():
    assert set(labels.LABELS["es"]) == set(labels.LABELS["en"])
    for reason in REASONS:
        key = "covered_reason" if reason == "covered" else reason
        assert key in labels.LABELS["en"]
        assert labels.reason_label(reason, "es") == labels.LABELS["es"][key]


def test_unknown_language_is_a_scenario_error_and_a_value_error():
    with pytest.raises(ScenarioError, match=r"Unknown language 'de'.*\['en', 'es'\]"):
        labels.label("title", "de")
    with pytest.raises(ValueError, match="Unknown language"):
        labels.check_language("fr")
    assert labels.check_language("en") == "en"
    assert labels.label("no such key", "en") == "no such key"


def test_number_formats():
    assert labels.fmt_number(6481.0) == "6,481" and labels.fmt_number(2.345, 2) == "2.35"
    assert labels.fmt_number(None) == "–" and labels.fmt_number(7) == "7"
    assert labels.fmt_share(0.42) == "42.0 %" and labels.fmt_share(None) == "–"


def test_azimuths_text():
    assert labels.azimuths_text([0.0, 120.0, 240.0]) == "0;120;240"
    assert labels.azimuths_text(np.array([90.4])) == "90"
    assert labels.azimuths_text([]) == "omni" and labels.azimuths_text(None) == "omni"
    assert (
        labels.azimuths_text(float("nan")) == "omni" and labels.azimuths_text("90;270") == "90;270"
    )


def test_labeller_checks_the_language_once():
    L = labels.labeller("es")
    assert L("schools") == "Escuelas" and L("schools") == labels.label("schools", "es")
    with pytest.raises(ScenarioError, match="Unknown language"):
        labels.labeller("pt")
