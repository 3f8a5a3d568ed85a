"""The reader's page breaks fall between rows, and the board list is cut into pages."""

from __future__ import annotations

from kiosk.plugins.notices.paging import current_page, offset_of, page_starts, scroll_y, slices


def test_pages_start_at_the_first_row_that_did_not_fit():
    rows = [(0, 100), (100, 250), (250, 400), (400, 450), (450, 900)]
    assert page_starts(rows, 300) == [0, 250, 450, 750]  # the last row is taller than a page
    assert page_starts(rows, 1000) == [0]
    assert page_starts([], 300) == [0] and page_starts(rows, 0) == [0]


def test_current_page_and_scroll_positions():
    starts = [0, 250, 450]
    assert [current_page(starts, o) for o in (0, 248, 250, 449.5, 451, 2000)] == [0, 0, 1, 2, 2, 2]
    assert scroll_y(0, 1000, 300) == 1.0 and scroll_y(700, 1000, 300) == 0.0 and scroll_y(900, 1000, 300) == 0.0
    assert scroll_y(350, 1000, 300) == 0.5 and scroll_y(10, 200, 300) == 1.0
    assert offset_of(0.5, 1000, 300) == 350


def test_list_slices():
    assert slices(0, 5) == [range(0)]
    assert slices(7, 3) == [range(0, 3), range(3, 6), range(6, 7)]


def test_a_line_cut_at_the_bottom_is_covered():
    from kiosk.plugins.notices.paging import hidden_tail

    rows = [(0, 100), (100, 250), (250, 400)]
    assert hidden_tail(rows, 0, 300) == 50  # the third row would show 50 px of itself
    assert hidden_tail(rows, 0, 250) == 0  # the page ends between rows
    assert hidden_tail(rows, 250, 300) == 0  # the last row fits
    assert hidden_tail([(0, 900)], 0, 300) == 0  # taller than the screen: shown, not hidden
