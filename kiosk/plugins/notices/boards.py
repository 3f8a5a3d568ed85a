"""The boards of the hall, as fixed code: they mirror the paper boards, so staff never create one by mistake.

``approval``: a notice there needs an administrator other than its author before it is public
(党务公开). ``fed``: the board is filled by other plugins through ``kiosk_public_outcomes`` and staff
cannot post to it (公示反馈 shows only what the case-handling plugins published).
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Board:
    code: str
    name: str
    name_en: str
    approval: bool = False
    fed: bool = False

    def title(self, lang: str) -> str:
        return self.name_en if lang == "en" else self.name


BOARDS: tuple[Board, ...] = (
    Board("notice", "通知", "News"),
    Board("party", "党务公开", "Party affairs", approval=True),
    Board("science", "科普宣传", "Popular science"),
    Board("policy", "政策解读", "Policies explained"),
    Board("outcomes", "公示反馈", "Published outcomes", fed=True),
)
BY_CODE = {b.code: b for b in BOARDS}
OUTCOMES = "outcomes"


def board(code: str | None) -> Board | None:
    return BY_CODE.get((code or "").strip().lower())


def postable() -> list[Board]:
    """Boards staff may post to."""
    return [b for b in BOARDS if not b.fed]
