"""The notices' touch screens: the boards as big tabs, a notice in large text with page buttons, and
「扫码带走」 with the notice's QR.

Why page buttons and no scrolling: elderly residents do not know (or cannot do) a swipe, and a thin
scrollbar is no target for a finger. The reader lays the notice out once and "下一页" jumps to the top
of the first line that did not fit (:mod:`.paging`), so a page never starts with half a line. Swiping
still works for those who try; the page number follows.

Why 「扫码带走」 has a screen of its own: most residents want the notice on their phone, not on paper,
so the QR is shown first and the slip is printed only when they ask ("打印凭条" opens the shell's
receipt screen, which prints). Both show the same receipt, so the paper's QR is the screen's QR.

Imported only inside the screen factories: the rest of the plugin never imports Kivy.
"""

from __future__ import annotations

from functools import lru_cache
from io import BytesIO
from pathlib import Path

from kivy.clock import Clock
from kivy.core.image import Image as CoreImage
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.image import Image
from kivy.uix.label import Label
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.api import KioskContext

from . import boards, entries, markup, paging, takeaway
from .images import image_of
from .service import NoticeError

KV = Path(__file__).with_name("notices.kv")
BOARDS_SCREEN, READER_SCREEN, TAKEAWAY_SCREEN = "notices.boards", "notices.reader", "notices.takeaway"
EXAMPLE_TOKEN = "nT7cQ2wE9rY4uI1oP6aS3d"  # the screenshot's slip: exists only in memory, opens nothing
_loaded = False


def _load_kv() -> None:
    global _loaded
    if not _loaded:
        Builder.load_file(str(KV))
        _loaded = True


@lru_cache(maxsize=2)
def _drawable(regular: str, bold: str) -> frozenset[int]:
    """Code points both faces of the kiosk's font can draw (Kivy has no glyph fallback)."""
    from fontTools.ttLib import TTFont

    chars = None
    for path in {regular, bold}:
        with TTFont(path, lazy=True, fontNumber=0) as font:
            table = frozenset(font.getBestCmap())
        chars = table if chars is None else chars & table
    return chars or frozenset()


def glyph_filter(ctx: KioskContext):
    """``keep(ch)`` for :func:`markup.kivy_rows`: drops what the font would draw as an empty box (emoji)."""
    from kiosk.api import FontMissing, find_faces

    try:
        faces = find_faces(ctx.settings.font_path, ctx.settings.data_dir)
        chars = _drawable(str(faces.regular), str(faces.bold))
    except (FontMissing, OSError, ValueError):
        return None
    return lambda ch: ch in "\n " or ord(ch) in chars


def _visible(text: str, keep) -> str:
    return "".join(ch for ch in text if keep(ch)) if keep else text


def _meta(shell, entry: entries.Entry) -> str:
    board = boards.BY_CODE[entry.board]
    parts = [shell.text(board.name, board.name_en), entries.when_text(entry.date)]
    if entry.urgent:
        parts.append(shell.text("紧急", "Urgent"))
    if entry.pinned:
        parts.append(shell.text("置顶", "Pinned"))
    return "  ·  ".join(parts)


def _page_text(shell, page: int, pages: int) -> str:
    return shell.text(f"第 {page + 1} / {pages} 页", f"Page {page + 1} of {pages}")


class NoticeText(Label):
    """One row of a notice's body (Kivy markup from :func:`markup.kivy_rows`), as tall as its text.

    Its own class, not a KioskLabel: its size depends on ``kind`` in its own kv rule, and two class
    rules bound to the theme would race for ``font_size``."""

    kind = StringProperty("p")  # h1 h2 p li

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.fbind("texture_size", self._fit)
        self._fit()

    def _fit(self, *_args):
        self.height = self.texture_size[1]


class NoticePager(BoxLayout):
    """Page up, the page number, page down: the way through a long list or text (no small scrollbar).

    ``screen`` has ``rebind``: the kv rules read ``root.screen.page_label``, and the screen is set
    after the pager is built."""

    screen = ObjectProperty(None, rebind=True)


# -- the boards --------------------------------------------------------------------------------------
class NoticeRow(ButtonBehavior, BoxLayout):
    """One notice on a board: its title in large type, and the board, date and marks below it."""

    key = StringProperty("")
    title = StringProperty("")
    meta = StringProperty("")
    urgent = BooleanProperty(False)


class NoticeBoardsScreen(Screen):
    """The five boards as tabs; the chosen board's titles a page at a time."""

    shell = ObjectProperty(None)
    board = StringProperty(boards.BOARDS[0].code)
    page = NumericProperty(0)
    pages = NumericProperty(1)
    page_label = StringProperty("")
    empty = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._entries: list[entries.Entry] = []
        self._keep = None
        self._layout = Clock.create_trigger(self._show_page)
        self.ids.rows.bind(height=lambda *_: self._layout())

    def on_pre_enter(self, *_args):
        self.refresh()

    def refresh(self) -> None:
        self._entries = entries.board_entries(self.shell.ctx, self.board, self.shell.lang)
        if self._keep is None:
            self._keep = glyph_filter(self.shell.ctx) or False
        self._paint_tabs()
        self._show_page()

    def spoken_text(self) -> str:
        """朗读: the board, then the titles on this page, newest first, and how to open one."""
        shell = self.shell
        board = next((b for b in boards.BOARDS if b.code == self.board), None)
        name = board.title(shell.lang) if board is not None else ""
        titles = [row.title for row in reversed(self.ids.rows.children) if isinstance(row, NoticeRow)]
        if not titles:
            return shell.text(f"通知公告，{name}。现在没有通知。", f"Notices, {name}. There are no notices now.")
        return shell.text(f"通知公告，{name}。", f"Notices, {name}. ") + "。".join(titles) + shell.text(
            "。点标题可以看全文。", ". Tap a title to read it.")

    def choose_board(self, code: str) -> None:
        self.board, self.page = code, 0
        self.refresh()

    def per_page(self) -> int:
        row, gap = self.shell.theme.px(150), self.shell.theme.gap
        return max(1, int((self.ids.rows.height + gap) // (row + gap)))

    def _paint_tabs(self) -> None:
        for tab in self.ids.tabs.children:
            tab.active = tab.code == self.board

    def _show_page(self, *_args) -> None:
        slices = paging.slices(len(self._entries), self.per_page())
        self.pages = len(slices)
        self.page = min(self.page, self.pages - 1)
        self.page_label = _page_text(self.shell, self.page, self.pages)
        self.empty = not self._entries
        box = self.ids.rows
        box.clear_widgets()
        keep = self._keep or None
        for i in slices[self.page]:
            entry = self._entries[i]
            row = NoticeRow(key=entry.key, title=_visible(entry.title, keep), meta=_meta(self.shell, entry), urgent=entry.urgent)
            row.bind(on_release=lambda r: self.open_entry(r.key))
            box.add_widget(row)
        box.add_widget(Widget())  # rows stay at the top of the area

    def next_page(self) -> None:
        if self.page < self.pages - 1:
            self.page += 1
            self._show_page()

    def prev_page(self) -> None:
        if self.page > 0:
            self.page -= 1
            self._show_page()

    def open_entry(self, key: str) -> None:
        manager = self.manager
        self.shell.open(READER_SCREEN)
        if manager.has_screen(READER_SCREEN):
            manager.get_screen(READER_SCREEN).show(key)

    def reset(self) -> None:
        self.board, self.page = boards.BOARDS[0].code, 0
        self._entries = []
        self.ids.rows.clear_widgets()


# -- one notice --------------------------------------------------------------------------------------
class NoticeReaderScreen(Screen):
    """A notice in large text, a page at a time, with 「扫码带走」."""

    shell = ObjectProperty(None)
    key = StringProperty("")
    title = StringProperty("")
    meta = StringProperty("")
    page = NumericProperty(0)
    pages = NumericProperty(1)
    page_label = StringProperty("")
    mask = NumericProperty(0)  # paper drawn over a line the page cuts at the bottom (it opens the next page)
    found = BooleanProperty(False)
    busy = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self._starts: list[float] = [0.0]
        self._paginate = Clock.create_trigger(self._compute_pages)
        self.ids.body.bind(height=lambda *_: self._paginate())
        self.ids.scroll.bind(height=lambda *_: self._paginate(), scroll_y=lambda *_: self._follow_scroll())

    def on_pre_enter(self, *_args):
        if not self.key:  # opened directly (a screenshot): the first notice on the boards
            first = next(iter(entries.showing_entries(self.shell.ctx, self.shell.lang)), None)
            self.show(first.key if first else "")

    def show(self, key: str) -> None:
        shell = self.shell
        entry = entries.find(shell.ctx, key, shell.lang) if key else None
        self.key, self.found, self.busy = key, entry is not None, False
        body = self.ids.body
        body.clear_widgets()
        self.page, self._starts = 0, [0.0]
        self.ids.scroll.scroll_y = 1
        if entry is None:
            self.title = shell.text("这条通知已下架", "This notice is no longer shown")
            self.meta = ""
            self._compute_pages()
            return
        keep = glyph_filter(shell.ctx)
        self.title = _visible(entry.title, keep)
        self.meta = _meta(shell, entry)
        if entry.image:
            picture = _picture(shell, entry.notice_id)
            if picture is not None:
                body.add_widget(picture)
        for row in markup.kivy_rows(entry.blocks, keep=keep):
            if row.starts_block and body.children:
                body.add_widget(Widget(size_hint_y=None, height=shell.theme.px(20)))
            body.add_widget(NoticeText(text=row.markup, kind=row.kind))
        self._paginate()

    def _rows(self) -> list[tuple[float, float]]:
        body = self.ids.body
        return [(body.height - w.top + body.y, body.height - w.y + body.y) for w in reversed(body.children)]

    def _compute_pages(self, *_args) -> None:
        viewport = self.ids.scroll.height
        self._starts = paging.page_starts(self._rows(), viewport) if self.ids.body.height > viewport else [0.0]
        self.pages = len(self._starts)
        self._follow_scroll()

    def _offset(self) -> float:
        return paging.offset_of(self.ids.scroll.scroll_y, self.ids.body.height, self.ids.scroll.height)

    def _follow_scroll(self) -> None:
        offset = self._offset()
        self.page = paging.current_page(self._starts, offset)
        self.page_label = _page_text(self.shell, self.page, self.pages)
        self.mask = paging.hidden_tail(self._rows(), offset, self.ids.scroll.height)

    def _go(self, page: int) -> None:
        page = max(0, min(page, self.pages - 1))
        self.ids.scroll.scroll_y = paging.scroll_y(self._starts[page], self.ids.body.height, self.ids.scroll.height)
        self.page = page
        self.page_label = _page_text(self.shell, self.page, self.pages)

    def next_page(self) -> None:
        self._go(self.page + 1)

    def prev_page(self) -> None:
        self._go(self.page - 1)

    def take_away(self) -> None:
        """Issue the notice's receipt (one committed row) and show its QR."""
        if self.busy or not self.found:
            return
        self.busy = True
        shell = self.shell
        try:
            issued = takeaway.issue(shell.ctx, self.key, shell.lang)
        except NoticeError as exc:
            self.busy = False
            shell.refuse(exc)
            self.show(self.key)
            return
        manager = self.manager
        shell.open(TAKEAWAY_SCREEN)
        if manager.has_screen(TAKEAWAY_SCREEN):
            manager.get_screen(TAKEAWAY_SCREEN).show(issued)
        self.busy = False

    def back(self) -> None:
        self.shell.open(BOARDS_SCREEN)

    def reset(self) -> None:
        self.key = self.title = self.meta = ""
        self.found = self.busy = False
        self.ids.body.clear_widgets()
        self.ids.scroll.scroll_y = 1


def _picture(shell, notice_id: int):
    row = image_of(shell.ctx, notice_id)
    if row is None:
        return None
    try:
        texture = CoreImage(BytesIO(row.data), ext="png" if row.mime == "image/png" else "jpg").texture
    except Exception:  # a picture the kiosk cannot decode: the text still shows
        return None
    theme = shell.theme
    height = min(theme.px(380), theme.px(1400) * texture.height / max(1, texture.width))  # room for text below it
    return Image(texture=texture, size_hint_y=None, height=height, fit_mode="contain")


# -- 扫码带走 -----------------------------------------------------------------------------------------
class NoticeTakeawayScreen(Screen):
    """The notice's QR, large, and the choice to print it on a slip."""

    shell = ObjectProperty(None)
    title = StringProperty("")
    url = StringProperty("")
    example = BooleanProperty(False)

    def __init__(self, **kwargs):
        super().__init__(**kwargs)
        self.issued = None

    def on_pre_enter(self, *_args):
        if self.issued is None:  # opened directly (a screenshot): an example that writes nothing
            self.show(_example(self.shell.ctx), example=True)

    def show(self, issued, example: bool = False) -> None:
        self.issued, self.example = issued, example
        self.title = issued.layout.title
        self.url = issued.url
        self.ids.qr.data = issued.url

    def print_slip(self) -> None:
        if self.issued is not None and not self.example:
            self.shell.show_receipt(self.issued)

    def back(self) -> None:
        self.shell.open(READER_SCREEN)

    def reset(self) -> None:
        self.issued, self.example = None, False
        self.title = self.url = ""
        self.ids.qr.data = ""


def _example(ctx: KioskContext):
    from datetime import timezone

    from kiosk.api import Receipt, IssuedReceipt, layout_for

    receipt = Receipt(id=0, plugin="notices", kind="notice", subject="0", number="N1", title="老年人防诈骗五要点",
                      lines=["栏目：科普宣传"], created_at=ctx.now().astimezone(timezone.utc))
    url = ctx.tracking_url(EXAMPLE_TOKEN)
    return IssuedReceipt(receipt=receipt, token=EXAMPLE_TOKEN, url=url, layout=layout_for(receipt, url, ctx.settings))


# -- factories -----------------------------------------------------------------------------------------
def build_boards_screen(shell):
    _load_kv()
    return NoticeBoardsScreen(shell=shell)


def build_reader_screen(shell):
    _load_kv()
    return NoticeReaderScreen(shell=shell)


def build_takeaway_screen(shell):
    _load_kv()
    return NoticeTakeawayScreen(shell=shell)
