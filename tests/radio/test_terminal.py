"""User terminals, their losses, the reliability margin, and the presets' rules."""

from __future__ import annotations

import dataclasses
import math

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coverage.errors import InputError
from coverage.radio.propagation import get_model
from coverage.radio.reliability import ITM_ROUGH_SIGMA_DB, reliability
from coverage.radio.technology import PRESETS, get_technology
from coverage.radio.terminal import Terminal, building_entry_loss_db, handset


def _o2i_by_hand(f_ghz: float) -> float:
    # TR 38.901 Table 7.4.3-1/-2, low-loss: 30 % glass (2 + 0.2 f), 70 % concrete (5 + 4 f)
    glass, concrete = 2 + 0.2 * f_ghz, 5 + 4 * f_ghz
    wall = 5 - 10 * math.log10(0.3 * 10 ** (-glass / 10) + 0.7 * 10 ** (-concrete / 10))
    return wall + 0.5 * 10 / 3  # rural indoor distance: E[min of two U(0, 10 m)] = 10/3 m


@pytest.mark.parametrize("f_mhz", [780.5, 2000.0, 3500.0, 28_000.0])
def test_building_entry_loss_is_tr_38_901_low_loss(f_mhz: float) -> None:
    assert building_entry_loss_db(f_mhz) == pytest.approx(_o2i_by_hand(f_mhz / 1000.0))


def test_building_entry_loss_at_band_28_and_its_range() -> None:
    assert building_entry_loss_db(780.5) == pytest.approx(12.04, abs=0.01)
    with pytest.raises(InputError, match="500-100,000 MHz"):
        building_entry_loss_db(470.0)


@given(st.floats(500.0, 99_000.0))
def test_building_entry_loss_grows_with_frequency(f_mhz: float) -> None:
    assert building_entry_loss_db(f_mhz + 1000.0) > building_entry_loss_db(f_mhz)


def test_an_indoor_handset_loses_body_and_building_and_spreads() -> None:
    outdoor, indoor = handset(indoor=False), handset(indoor=True)
    assert outdoor.loss_db(780.5) == 3.0 and outdoor.loss_sigma_db == 0.0
    assert indoor.loss_db(780.5) == pytest.approx(3.0 + 12.04, abs=0.01)
    assert indoor.loss_sigma_db == 4.4
    assert "indoors" in indoor.describe(780.5) and "outdoors" in outdoor.describe(780.5)


def test_a_terminal_refuses_a_bad_kind_height_or_loss() -> None:
    good = handset(indoor=False)
    for change in ({"kind": "phone"}, {"height_m": 0.0}, {"body_loss_db": -1.0}):
        with pytest.raises(InputError):
            dataclasses.replace(good, **change)
    with pytest.raises(InputError, match="finite"):
        dataclasses.replace(good, tx_power_dbm=math.nan)


def test_reliability_margins_by_hand() -> None:
    z90 = 1.2815516
    assert reliability(50, 50, model_varies=False).margin_db == pytest.approx(0.0, abs=1e-9)
    assert reliability(90, 50, model_varies=False).margin_db == pytest.approx(8.0 * z90)
    assert reliability(90, 50, model_varies=True).margin_db == pytest.approx(0.0, abs=1e-9)
    indoor = reliability(90, 50, model_varies=True, terminal_sigma_db=4.4)
    assert indoor.margin_db == pytest.approx(z90 * (math.hypot(10.0, 4.4) - 10.0))
    assert reliability(95, 50, model_varies=False, terminal_sigma_db=4.4).margin_db == (
        pytest.approx(1.6448536 * math.hypot(8.0, 4.4))
    )
    with pytest.raises(InputError, match="strictly"):
        reliability(100, 50, model_varies=True)


def test_itm_at_90_percent_of_locations_loses_about_z_sigma_more_on_rough_terrain() -> None:
    # the margin the ITM branch leaves out is the one ITM puts in its own loss
    d = np.arange(0.0, 8000.0, 30.0)
    z = 1500.0 + 300.0 * np.sin(d / 700.0) + 0.05 * d  # Andes-like: dh of hundreds of metres
    kw = {"tx_height_m": 30.0, "rx_height_m": 1.5, "f_mhz": 780.5}
    median = get_model("itm", climate=1, mdvar=3, location_pct=50.0).loss_db(d, z, **kw)
    p90 = get_model("itm", climate=1, mdvar=3, location_pct=90.0).loss_db(d, z, **kw)
    assert p90 - median == pytest.approx(1.2815516 * ITM_ROUGH_SIGMA_DB, abs=0.3)


def test_every_preset_names_its_terminals_and_keeps_its_eirp_limit() -> None:
    for t in PRESETS.values():
        if t.kind == "access":
            assert t.terminals, t.name
            default = t.terminal()
            assert default.height_m == t.terminal_height_m
            assert default.antenna_gain_dbi == t.rx_antenna_gain_dbi
        if t.max_eirp_dbm is not None:
            assert t.eirp_dbm <= t.max_eirp_dbm
            for term in t.terminals:
                assert term.tx_power_dbm + term.antenna_gain_dbi <= t.max_eirp_dbm, term.name


def test_an_eirp_above_the_rule_is_refused() -> None:
    wifi = get_technology("wifi-5ghz-ptmp")
    with pytest.raises(InputError, match="site EIRP 43 dBm exceeds the rule's 36 dBm"):
        dataclasses.replace(wifi, tx_power_dbm=28.0)
    loud = dataclasses.replace(wifi.terminals[0], tx_power_dbm=20.0)
    with pytest.raises(InputError, match="rooftop-cpe EIRP 43 dBm"):
        dataclasses.replace(wifi, terminals=(loud,))


def test_a_terminal_by_name_and_an_unknown_one() -> None:
    lte = get_technology("lte-b28-small-cell")
    assert lte.terminal().name == "handset-outdoor"
    assert lte.terminal("rooftop-cpe").height_m == 6.0
    with pytest.raises(InputError, match="handset-outdoor, handset-indoor, rooftop-cpe"):
        lte.terminal("satellite")
    bare = dataclasses.replace(lte, terminals=())
    assert isinstance(bare.terminal(), Terminal) and bare.terminal().tx_power_dbm == 23.0
