"""Where the reader's pages start, so "下一页" never cuts a line in half. No Kivy: tested on its own.

A page is a window of the viewport's height over the laid-out rows; each page starts at the top of the
first row that did not fit entirely on the page before. Rows are (top, bottom) offsets from the top of
the content, in pixels, top to bottom.
"""

from __future__ import annotations

from bisect import bisect_right


def page_starts(rows: list[tuple[float, float]], viewport: float) -> list[float]:
    """Offsets (from the content's top) at which each page begins; always at least ``[0]``."""
    starts = [0.0]
    if viewport <= 0:
        return starts
    for top, bottom in rows:
        if bottom - starts[-1] > viewport + 0.5 and top > starts[-1]:
            starts.append(top)
        while bottom - starts[-1] > viewport + 0.5:  # a row taller than the screen: page through it
            starts.append(starts[-1] + viewport)
    return starts


def current_page(starts: list[float], offset: float) -> int:
    """The page shown when the content is scrolled down by ``offset`` (0-based)."""
    return max(0, bisect_right(starts, offset + 1.0) - 1)


def scroll_y(offset: float, content: float, viewport: float) -> float:
    """Kivy's ``ScrollView.scroll_y`` (1 = top) for a content offset, clamped to the scrollable range."""
    room = content - viewport
    if room <= 0:
        return 1.0
    return max(0.0, min(1.0, 1.0 - offset / room))


def offset_of(scroll: float, content: float, viewport: float) -> float:
    return max(0.0, (1.0 - scroll) * max(0.0, content - viewport))


def hidden_tail(rows: list[tuple[float, float]], offset: float, viewport: float) -> float:
    """How much of the viewport's bottom to cover so that no row shows cut in half (0: nothing to hide)."""
    end = offset + viewport
    cut = [top for top, bottom in rows if top < end - 0.5 < bottom - 1]
    if not cut or cut[0] <= offset + 0.5:  # no cut row, or a row taller than the screen: show it
        return 0.0
    return end - cut[0]


def slices(count: int, per_page: int) -> list[range]:
    """The board list cut into pages of ``per_page`` entries (one empty page when there are none)."""
    per_page = max(1, per_page)
    return [range(i, min(i + per_page, count)) for i in range(0, count, per_page)] or [range(0)]
