"""The ITM range warnings of a plan's coverage grid, in plain words."""

from __future__ import annotations

from coverage.pipeline.assemble import itm_warning_lines


def test_itm_warning_line_gives_counts_of_the_grid_in_plain_words():
    words = {"path distance below 1 km": 1_234, "tx terminal height near its limits": 2}
    (line,) = itm_warning_lines(words, 280_795)
    assert "1,234 of the 280,795 grid cells (0.4 %): path distance below 1 km" in line
    assert "2 of the 280,795 grid cells (under 0.1 %): tx terminal height" in line
    assert line.startswith("Outside the range the ITM (Longley-Rice) model was validated for")
    assert itm_warning_lines({}, 100) == []
