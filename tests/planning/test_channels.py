"""Channel plan of the 5.8 GHz backhaul (coverage.planning.channels): the band's channels, the
edge colouring of the link graph, and the rate table carried to narrower channels."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from coverage.errors import InputError
from coverage.planning.channels import (
    BAND_5_8GHZ,
    CHANNEL_COLUMNS,
    Channel,
    ChannelPlan,
    assign_link_channels,
    link_capacity_mbps,
    scaled_rate_table,
)
from coverage.planning.linkgraph import RATE_TABLE_5GHZ, LinkBudget, capacity_mbps


def links(pairs, traffic=None):
    df = pd.DataFrame(pairs, columns=["site_a", "site_b"])
    if traffic is not None:
        df["traffic_mbps"] = traffic
    return df


def channel_of(row):
    return Channel(int(row.channel), float(row.centre_mhz), float(row.bandwidth_mhz))


def overlapping_pairs_at_a_site(out):
    """(row, row) pairs of placed links that share a site and overlap in frequency."""
    bad = []
    placed = out[~out["conflict"]]
    for (i, r), (j, s) in itertools.combinations(placed.iterrows(), 2):
        shared = {r.site_a, r.site_b} & {s.site_a, s.site_b}
        if shared and channel_of(r).overlaps(channel_of(s)):
            bad.append((i, j))
    return bad


def test_the_band_holds_the_ieee_channels_149_to_165():
    assert BAND_5_8GHZ.low_mhz == 5725.0 and BAND_5_8GHZ.high_mhz == 5850.0
    assert [c.number for c in BAND_5_8GHZ.of_width(20)] == [149, 153, 157, 161, 165]
    assert [c.number for c in BAND_5_8GHZ.of_width(40)] == [151, 159]
    assert [c.number for c in BAND_5_8GHZ.of_width(80)] == [155]
    assert [c.centre_mhz for c in BAND_5_8GHZ.of_width(20)] == [5745, 5765, 5785, 5805, 5825]
    c80 = BAND_5_8GHZ.of_width(80)[0]
    assert (c80.low_mhz, c80.high_mhz) == (5735.0, 5815.0)
    assert BAND_5_8GHZ.widths_mhz == (80.0, 40.0, 20.0)
    # 40 MHz 159 (5775-5815) touches 20 MHz 165 (5815-5835) without overlapping it
    assert not BAND_5_8GHZ.of_width(40)[1].overlaps(BAND_5_8GHZ.of_width(20)[4])
    assert c80.overlaps(BAND_5_8GHZ.of_width(20)[0])


def test_a_channel_outside_the_band_is_refused():
    with pytest.raises(InputError, match="outside"):
        ChannelPlan("narrow", 5725.0, 5800.0, (Channel(155, 5775.0, 80.0),))


def test_a_star_of_four_links_gets_four_distinct_20_mhz_channels():
    out = assign_link_channels(links([("hub", f"s{i}") for i in range(4)]))
    assert list(out.columns[-4:]) == list(CHANNEL_COLUMNS)
    assert (out["bandwidth_mhz"] == 20.0).all()
    assert out["channel"].tolist() == [149, 153, 157, 161]
    assert not out["conflict"].any()


def test_a_single_link_gets_80_mhz_and_a_chain_40_mhz_alternating():
    one = assign_link_channels(links([("a", "b")]))
    assert one["channel"].tolist() == [155] and one["bandwidth_mhz"].tolist() == [80.0]
    chain = assign_link_channels(links([("a", "b"), ("b", "c"), ("c", "d")]))
    assert (chain["bandwidth_mhz"] == 40.0).all()
    assert chain["channel"].tolist() == [151, 159, 151]  # in site order a-b, b-c, c-d
    assert not overlapping_pairs_at_a_site(chain)


def test_a_link_takes_the_narrower_width_of_its_two_ends():
    # hub has 3 links (20 MHz); s0 also links on to t (s0 has 2 links: 40 MHz)
    out = assign_link_channels(links([("hub", "s0"), ("hub", "s1"), ("hub", "s2"), ("s0", "t")]))
    assert out["bandwidth_mhz"].tolist() == [20.0, 20.0, 20.0, 40.0]
    assert not overlapping_pairs_at_a_site(out)


def test_a_six_link_site_flags_the_lowest_traffic_link():
    traffic = [10.0, 60.0, 30.0, 50.0, 20.0, 40.0]
    out = assign_link_channels(links([("hub", f"s{i}") for i in range(6)], traffic))
    assert out["conflict"].sum() == 1
    flagged = out[out["conflict"]].iloc[0]
    assert flagged["site_b"] == "s0"  # the 10 Mbps link, served last
    assert flagged["channel"] == -1 and np.isnan(flagged["centre_mhz"])
    placed = out[~out["conflict"]]
    assert sorted(placed["channel"]) == [149, 153, 157, 161, 165]
    # highest traffic first: 60 Mbps takes 149, 50 takes 153, ...
    assert placed.sort_values("traffic_mbps", ascending=False)["channel"].tolist() == [
        149,
        153,
        157,
        161,
        165,
    ]


def test_the_assignment_is_deterministic_whatever_the_row_order():
    pairs = [("a", "b"), ("b", "c"), ("b", "d"), ("d", "e"), ("e", "a"), ("c", "e")]
    first = assign_link_channels(links(pairs))
    again = assign_link_channels(links(pairs))
    pd.testing.assert_frame_equal(first, again)
    shuffled = links(pairs).iloc[[3, 0, 5, 1, 4, 2]]
    out = assign_link_channels(shuffled)
    pd.testing.assert_frame_equal(out.sort_index(), first)


def test_the_index_and_other_columns_are_kept_and_empty_links_work():
    df = links([("a", "b"), ("b", "c")]).set_axis([10, 20]).assign(length_m=[1.0, 2.0])
    out = assign_link_channels(df)
    assert out.index.tolist() == [10, 20] and out["length_m"].tolist() == [1.0, 2.0]
    empty = assign_link_channels(links([]))
    assert empty.empty and set(CHANNEL_COLUMNS) <= set(empty.columns)


@given(
    edges=st.lists(
        st.tuples(st.integers(0, 9), st.integers(0, 9)).filter(lambda e: e[0] != e[1]),
        max_size=25,
    ),
    traffic=st.lists(st.floats(0.0, 500.0), min_size=25, max_size=25),
    widths=st.sampled_from([(80, 40, 20), (40, 20), (20,), (80, 20)]),
)
def test_no_two_links_at_a_site_overlap_on_random_graphs(edges, traffic, widths):
    df = links([(f"n{a}", f"n{b}") for a, b in edges], traffic[: len(edges)])
    out = assign_link_channels(df, widths)
    assert not overlapping_pairs_at_a_site(out)
    placed = out[~out["conflict"]]
    assert placed["bandwidth_mhz"].isin(widths).all()
    degree = pd.concat([df["site_a"], df["site_b"]]).value_counts()
    # a link whose two sites have at most 2 links each always finds a channel
    for _, row in out[out["conflict"]].iterrows():
        assert max(degree[row.site_a], degree[row.site_b]) >= 3
    # more links at a site than 20 MHz channels: at least the excess is flagged
    if len(df):
        assert out["conflict"].sum() >= degree.max() - 5
    pd.testing.assert_frame_equal(out, assign_link_channels(df, widths))


def test_bad_links_are_refused():
    with pytest.raises(InputError, match="site_b"):
        assign_link_channels(pd.DataFrame({"site_a": ["a"]}))
    with pytest.raises(InputError, match="themselves"):
        assign_link_channels(links([("a", "a")]))
    with pytest.raises(InputError, match="traffic_mbps"):
        assign_link_channels(links([("a", "b")], [-1.0]))
    with pytest.raises(InputError, match="widths_mhz"):
        assign_link_channels(links([("a", "b")]), widths_mhz=(160,))


def test_the_rate_table_at_20_mhz_gives_the_802_11ac_rates_and_lower_thresholds():
    t20 = scaled_rate_table(20)
    # IEEE Std 802.11ac-2013 VHT rates, 2 spatial streams, 800 ns guard interval: 20 MHz
    # MCS 0-3 are 13, 26, 39, 52 Mbps; 40 MHz MCS 0 is 27 Mbps
    assert [round(r, 6) for _, r in t20[:4]] == [13.0, 26.0, 39.0, 52.0]
    assert scaled_rate_table(40)[0][1] == pytest.approx(27.0)
    # a quarter of the width: a quarter of the noise, thresholds 6.02 dB lower
    shift = [t - t80 for (t, _), (t80, _) in zip(t20, RATE_TABLE_5GHZ, strict=True)]
    np.testing.assert_allclose(shift, 10 * np.log10(0.25))
    assert scaled_rate_table(80) == RATE_TABLE_5GHZ


def test_link_capacity_by_width():
    # SNR 10 dB over 80 MHz: MCS 1 (8 dB) at 80 MHz; at 20 MHz the SNR is 16 dB: MCS 3
    got = link_capacity_mbps(10.0, [80.0, 40.0, 20.0, np.nan])
    np.testing.assert_allclose(got, [117.0, 175.5 * 108 / 234, 52.0, 0.0])
    # a wide channel never loses to a narrow one at high SNR, and 80 MHz is the linkgraph's
    assert link_capacity_mbps(40.0, 80.0) == capacity_mbps(40.0)
    # with the link budget: a 12 km hop at 80 MHz vs 20 MHz, net throughput
    snr = LinkBudget().snr_db(12_000.0)
    net = link_capacity_mbps(snr, [80.0, 20.0], mac_efficiency=0.6)
    assert net[0] >= net[1] > 0
    with pytest.raises(InputError, match="bandwidth_mhz"):
        link_capacity_mbps(20.0, 30.0)
