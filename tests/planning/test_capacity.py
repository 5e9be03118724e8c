"""Busy-hour demand, site loads and capacity-limited covers on tiny synthetic layouts
(coverage.planning.busyhour and coverage.planning.capacity)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from coverage.errors import InputError
from coverage.planning.busyhour import BusyHour, busy_hour_demand_mbps
from coverage.planning.capacity import (
    capacity_limited_covers,
    option_traffic_mbps,
    site_loads,
)

# 10 % of households active at the busy hour (half subscribe, a fifth of those active),
# 5 Mbps down and 1 Mbps up each; schools 20 Mbps down, 4 up.
BH = BusyHour(0.5, 0.2, 5.0, 1.0, 20.0, 4.0)


def one_site(households, link_dl, link_ul, is_school=None):
    h = np.asarray(households, dtype=float)
    school = np.zeros(h.size, bool) if is_school is None else np.asarray(is_school)
    demand = busy_hour_demand_mbps(h, school, BH)
    dl = np.broadcast_to(np.asarray(link_dl, dtype=float), h.shape)
    ul = np.broadcast_to(np.asarray(link_ul, dtype=float), h.shape)
    return site_loads(np.zeros(h.size, np.int64), dl, ul, demand, 1)


def test_busy_hour_demand_by_hand():
    d = busy_hour_demand_mbps([100.0, 0.0, 10.0], [False, True, True], BH)
    # 100 households x 0.5 x 0.2 = 10 active x 5 Mbps = 50 down, 10 up
    np.testing.assert_allclose(d.downlink_mbps, [50.0, 20.0, 5.0 + 20.0])
    np.testing.assert_allclose(d.uplink_mbps, [10.0, 4.0, 1.0 + 4.0])
    np.testing.assert_allclose(d.target_downlink_mbps, [5.0, 20.0, 20.0])
    assert BH.active_share == pytest.approx(0.1)


def test_doubling_households_halves_the_rate_until_the_site_is_full():
    # 8 points on one site, 50 Mbps down and 20 up each with the whole carrier
    rates = []
    for h in (5.0, 10.0):  # 0.5 then 1 active household per point: shares 0.05, 0.1
        loads = one_site([h] * 8, 50.0, 20.0)
        assert loads.served.all() and (loads.reason == "served").all()
        rates.append(loads.downlink_rate_mbps[0])
    # share 0.4: 5 / 0.4 = 12.5 Mbps; share 0.8: 6.25 Mbps
    assert rates == pytest.approx([12.5, 6.25])
    full = one_site([20.0] * 8, 50.0, 20.0)  # shares 0.2 each, 1.6 offered
    assert full.served.sum() == 5
    assert full.served[:5].all()  # equal points: the lowest indices first
    assert (full.reason[5:] == "over_capacity").all()
    np.testing.assert_allclose(full.downlink_rate_mbps[:5], 5.0)  # the target, no more
    assert (full.downlink_rate_mbps[5:] == 0).all()
    row = full.sites.loc[0]
    assert row["offered_downlink_mbps"] == pytest.approx(80.0)
    assert row["carried_downlink_mbps"] == pytest.approx(50.0)
    assert row["downlink_share"] == pytest.approx(1.0)
    assert row["offered_downlink_share"] == pytest.approx(1.6)
    assert row["downlink_capacity_mbps"] == pytest.approx(50.0)
    assert row["points_over_capacity"] == 3 and row["households_over_capacity"] == 60.0


def test_capacity_is_the_harmonic_mean_of_the_link_rates():
    # 1 active household (5 Mbps) at 10 and at 40 Mbps: shares 0.5 + 0.125; 10 Mbps carried
    loads = one_site([10.0, 10.0], [10.0, 40.0], 20.0)
    row = loads.sites.loc[0]
    assert row["downlink_share"] == pytest.approx(0.625)
    assert row["downlink_capacity_mbps"] == pytest.approx(2 / (1 / 10 + 1 / 40))  # 16
    # 5 / 0.625 = 8 Mbps each, the 10 Mbps point below its link rate
    np.testing.assert_allclose(loads.downlink_rate_mbps, [8.0, 8.0])


def test_a_light_load_gets_its_link_rate():
    loads = one_site([1.0, 0.0], 30.0, 10.0)
    np.testing.assert_allclose(loads.downlink_rate_mbps, [30.0, 30.0])
    np.testing.assert_allclose(loads.uplink_rate_mbps, [10.0, 10.0])
    assert loads.served.all()


def test_schools_are_admitted_first():
    # a school at 25 Mbps needs 20 / 25 = 0.8; 5 household points at 50 Mbps need 0.1 each
    h = [10.0] * 5 + [0.0]
    school = [False] * 5 + [True]
    loads = one_site(h, [50.0] * 5 + [25.0], 20.0, is_school=school)
    assert loads.served.tolist() == [True, True, False, False, False, True]
    assert loads.downlink_rate_mbps[5] == pytest.approx(20.0)
    assert loads.sites.loc[0, "downlink_share"] == pytest.approx(1.0)


def test_the_best_link_rate_goes_first_and_a_smaller_point_fills_the_rest():
    # shares 5/10 = 0.5 (index 0), 5/8 = 0.625 (index 1, worse link), 2.5/50 = 0.05 (index 2)
    loads = one_site([10.0, 10.0, 5.0], [10.0, 8.0, 50.0], 20.0)
    assert loads.served.tolist() == [True, False, True]
    assert loads.reason.tolist() == ["served", "over_capacity", "served"]


def test_uplink_alone_can_fill_a_site():
    # downlink share 0.1 each, uplink 1 / 2 = 0.5 each: only two of three fit
    loads = one_site([10.0] * 3, 50.0, 2.0)
    assert loads.served.tolist() == [True, True, False]
    np.testing.assert_allclose(loads.uplink_rate_mbps[:2], 1.0)


def test_reasons_no_server_and_low_sinr():
    demand = busy_hour_demand_mbps([10.0, 10.0, 0.0, 10.0], [False] * 4, BH)
    loads = site_loads([0, -1, 1, 1], [20.0, 20.0, 0.0, 0.0], [5.0] * 4, demand, 2)
    # point 2 has no demand: served, at its (zero) link rate; point 3 has demand, no link
    assert loads.reason.tolist() == ["served", "no_server", "served", "low_sinr"]
    assert loads.served.tolist() == [True, False, True, False]
    assert loads.sites["points"].tolist() == [1, 2]
    assert loads.sites.loc[1, "offered_downlink_mbps"] == pytest.approx(5.0)
    assert loads.sites.loc[1, "offered_downlink_share"] == 0.0
    assert np.isnan(loads.sites["downlink_capacity_mbps"].to_numpy()[1])


def test_two_sites_are_dimensioned_apart():
    demand = busy_hour_demand_mbps([20.0] * 8 + [10.0], [False] * 9, BH)
    loads = site_loads([0] * 8 + [1], np.full(9, 50.0), np.full(9, 20.0), demand, 2)
    assert loads.served.tolist() == [True] * 5 + [False] * 3 + [True]
    assert loads.downlink_rate_mbps[8] == pytest.approx(50.0)  # 5 / 0.1 = 50, the link rate


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("take_up_share", 0.0),
        ("busy_hour_share", 1.5),
        ("household_downlink_mbps", -1.0),
        ("school_uplink_mbps", float("nan")),
    ],
)
def test_busy_hour_refuses_bad_values(field, value):
    kwargs = {
        "take_up_share": 0.5,
        "busy_hour_share": 0.2,
        "household_downlink_mbps": 5.0,
        "household_uplink_mbps": 1.0,
        "school_downlink_mbps": 20.0,
        "school_uplink_mbps": 4.0,
    }
    kwargs[field] = value
    with pytest.raises(InputError, match=field):
        BusyHour(**kwargs)


def test_site_loads_refuses_a_bad_server_and_bad_rates():
    demand = busy_hour_demand_mbps([1.0, 2.0], [False, False], BH)
    with pytest.raises(InputError, match="serving_site"):
        site_loads([0, 2], [1.0, 1.0], [1.0, 1.0], demand, 2)
    with pytest.raises(InputError, match="link_dl_mbps"):
        site_loads([0, 1], [1.0, -1.0], [1.0, 1.0], demand, 2)


def test_capacity_limited_covers_by_hand():
    covers = sparse.csr_array(np.array([[1, 1, 1, 1, 0], [0, 1, 1, 1, 1]], dtype=bool))
    link = np.array([[10.0, 10.0, 10.0, 5.0, 10.0], [10.0, 20.0, 10.0, 10.0, 10.0]])
    dl = np.array([2.0, 4.0, 4.0, 4.0, 11.0])
    ul = np.zeros(5)
    w = np.array([0.5, 2.0, 3.0, 3.0, 9.0])
    out = capacity_limited_covers(covers, link, link, dl, ul, w).toarray()
    # row 0: shares 0.2, 0.4, 0.4, 0.8 (point 3 at 5 Mbps); weight per share 2.5, 5, 7.5,
    # 3.75: point 2 (0.4), 1 (0.8), then 3 (1.6) does not fit and the prefix stops there,
    # although point 0 (0.2) would still fit
    assert out[0].tolist() == [False, True, True, False, False]
    # row 1: point 4 needs 1.1 alone (never fits); 1 (0.2, 10/share), 2 (0.4), 3 (0.4): 1.0
    assert out[1].tolist() == [False, True, True, True, False]
    schools_first = capacity_limited_covers(covers, link, link, dl, ul, w, first=[1, 0, 0, 0, 0])
    # point 0 first (0.2), then 2 (0.6), 1 (1.0): full
    assert schools_first.toarray()[0].tolist() == [True, True, True, False, False]


def test_capacity_limited_covers_reads_sparse_and_per_point_rates():
    covers = sparse.random_array((20, 40), density=0.3, rng=np.random.default_rng(3)) > 0
    rng = np.random.default_rng(4)
    dense = rng.uniform(1.0, 30.0, (20, 40))
    dl, ul, w = rng.uniform(0, 3, 40), rng.uniform(0, 1, 40), rng.uniform(0, 5, 40)
    a = capacity_limited_covers(covers, dense, dense / 3, dl, ul, w)
    masked = sparse.csr_array(covers.multiply(dense))
    b = capacity_limited_covers(covers, masked, masked / 3, dl, ul, w)
    assert (a != b).nnz == 0 and 0 < a.nnz < covers.nnz
    per_point = capacity_limited_covers(covers, dense[0], dense[0], dl, ul, w)
    assert per_point.shape == covers.shape
    with pytest.raises(InputError, match="link rates"):
        capacity_limited_covers(covers, dense[:, :3], dense, dl, ul, w)


def _shares(link, demand, rows, cols):
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(demand[cols] > 0, demand[cols] / link[rows, cols], 0.0)


@st.composite
def instances(draw):
    n, m = draw(st.integers(1, 6)), draw(st.integers(1, 12))
    seed = draw(st.integers(0, 2**32 - 1))
    rng = np.random.default_rng(seed)
    covers = rng.random((n, m)) < 0.6
    link_dl = np.where(rng.random((n, m)) < 0.1, 0.0, rng.uniform(0.5, 20.0, (n, m)))
    link_ul = np.where(rng.random((n, m)) < 0.1, 0.0, rng.uniform(0.2, 8.0, (n, m)))
    dl = np.where(rng.random(m) < 0.15, 0.0, rng.uniform(0.0, 8.0, m))
    ul = rng.uniform(0.0, 2.0, m)
    w = rng.integers(0, 10, m).astype(float)
    first = rng.random(m) < 0.2
    chosen = draw(st.lists(st.booleans(), min_size=n, max_size=n))
    return covers, link_dl, link_ul, dl, ul, w, first, np.array(chosen)


@settings(max_examples=200, deadline=None)
@given(instances())
def test_any_plan_under_capacity_limited_covers_fits_every_capacity(inst):
    covers, link_dl, link_ul, dl, ul, w, first, chosen = inst
    limited = capacity_limited_covers(
        sparse.csr_array(covers), link_dl, link_ul, dl, ul, w, first=first
    ).toarray()
    assert not (limited & ~covers).any()
    covered = limited[chosen].any(axis=0)
    # assign each covered point to the lowest chosen option whose limited row holds it
    holder = np.where(limited & chosen[:, None], np.arange(len(chosen))[:, None], 99).min(axis=0)
    for o in np.flatnonzero(chosen):
        pts = np.flatnonzero(covered & (holder == o))
        rows = np.full(pts.size, o)
        assert _shares(link_dl, dl, rows, pts).sum() <= 1 + 1e-9
        assert _shares(link_ul, ul, rows, pts).sum() <= 1 + 1e-9
    # not vacuous: each row keeps the longest prefix, in the stated order, that fits
    for row in range(covers.shape[0]):
        assert limited[row].tolist() == _longest_prefix(
            row, covers, link_dl, link_ul, dl, ul, w, first
        )


def _longest_prefix(o, covers, link_dl, link_ul, dl, ul, w, first):
    """Row ``o`` of the capacity-limited covers, point by point as the docstring says."""
    cols = np.flatnonzero(covers[o])
    s_dl = _shares(link_dl, dl, np.full(cols.size, o), cols)
    s_ul = _shares(link_ul, ul, np.full(cols.size, o), cols)
    big = np.maximum(s_dl, s_ul)
    per = [w[j] / b if b > 0 else np.inf for j, b in zip(cols, big, strict=True)]
    order = sorted(
        (i for i in range(cols.size) if big[i] <= 1),
        key=lambda i: (not first[cols[i]], -per[i], cols[i]),
    )
    keep = [False] * covers.shape[1]
    used_dl = used_ul = 0.0
    for i in order:
        used_dl, used_ul = used_dl + s_dl[i], used_ul + s_ul[i]
        if used_dl > 1 + 1e-9 or used_ul > 1 + 1e-9:
            break
        keep[cols[i]] = True
    return keep


def test_option_traffic_sums_the_demand_both_ways():
    limited = sparse.csr_array(np.array([[1, 0, 1], [0, 0, 0], [1, 1, 1]], dtype=bool))
    dl, ul = np.array([10.0, 2.0, 3.0]), np.array([1.0, 0.5, 0.25])
    np.testing.assert_allclose(option_traffic_mbps(limited, dl, ul), [14.25, 0.0, 16.75])
    with pytest.raises(InputError, match="demand_ul_mbps"):
        option_traffic_mbps(limited, dl, ul[:2])
