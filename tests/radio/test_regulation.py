"""Tests of coverage.radio.regulation: one note per preset, agreeing with the presets' EIRP."""

from __future__ import annotations

import pytest

from coverage.errors import InputError
from coverage.radio.regulation import REGULATIONS, regulation_assumptions, regulation_for
from coverage.radio.technology import PRESETS


def test_every_preset_has_a_note_and_nothing_else_does() -> None:
    assert set(REGULATIONS) == set(PRESETS)
    for name, r in REGULATIONS.items():
        assert r.preset == name and regulation_for(name) is r
        assert r.sources and all(r.sources)


@pytest.mark.parametrize("name", sorted(PRESETS))
def test_the_note_agrees_with_its_preset(name: str) -> None:
    technology, r = PRESETS[name], REGULATIONS[name]
    assert r.max_eirp_dbm == technology.max_eirp_dbm
    assert r.covers(technology.f_mhz), f"{name}: {technology.f_mhz} MHz outside {r.band}"
    if r.max_eirp_dbm is not None:
        assert technology.eirp_dbm <= r.max_eirp_dbm
    # a licensed band has no free-use EIRP limit and needs a permit holder as partner
    assert r.needs_operator_partner == r.licensed
    assert not (r.licensed and r.max_eirp_dbm is not None)


def test_band_28_is_licensed_to_the_2019_auction_winners() -> None:
    r = regulation_for("lte-b28-small-cell")
    assert r.licensed and r.needs_operator_partner
    for holder in ("Claro", "Tigo", "WOM"):
        assert holder in r.who_may_operate and holder in r.permit_holders
    assert any("Resolución 3078 de 2019" in s for s in r.sources)
    assert any("Portafolio" in s for s in r.sources)


def test_free_use_bands_cite_the_ane_and_mark_the_fcc_figure_an_assumption() -> None:
    for name, r in REGULATIONS.items():
        if r.licensed:
            continue
        assert any("ANE Resolución 105 de 2020" in s for s in r.sources), name
        assert "ASSUMPTION" in r.eirp_rule, name


def test_an_unknown_preset_is_an_input_error_naming_the_known_ones() -> None:
    with pytest.raises(InputError, match=r"'wimax'.*lora-915.*lte-b28-small-cell.*wifi-5ghz"):
        regulation_for("wimax")
    with pytest.raises(ValueError, match="No regulatory note"):
        regulation_assumptions("wimax", "ptp-5ghz", access_f_mhz=3500.0, backhaul_f_mhz=5800.0)


def test_assumptions_say_a_licensed_band_needs_an_operator_partner() -> None:
    lte = regulation_assumptions(
        "lte-b28-small-cell", "ptp-5ghz", access_f_mhz=780.5, backhaul_f_mhz=5800.0
    )
    assert lte[0].startswith("Access regulation (Colombia): lte-b28-small-cell")
    assert lte[1].startswith("Backhaul regulation (Colombia): ptp-5ghz") and "uso libre" in lte[1]
    assert len(lte) == 3 and lte[2].startswith("Needs an operator partner")
    wifi = regulation_assumptions(
        "wifi-5ghz-ptmp", "ptp-5ghz", access_f_mhz=5800.0, backhaul_f_mhz=5800.0
    )
    assert len(wifi) == 2 and not any("operator partner" in a for a in wifi)
    assert not any("outside this band" in a for a in [*lte, *wifi])


def test_a_frequency_outside_the_band_is_said_not_to_be_covered() -> None:
    lines = regulation_assumptions(
        "wifi-5ghz-ptmp", "ptp-5ghz", access_f_mhz=5200.0, backhaul_f_mhz=5800.0
    )
    assert "uses 5200 MHz, outside this band" in lines[0]
    assert "outside" not in lines[1]
