"""Text helpers of the shell that need no Kivy: the Chinese date line, and choosing a language.

Why hand-written names instead of the C library's locale: the kiosk must print "星期一" whatever
locale the operating system was installed with.
"""

from __future__ import annotations

from datetime import datetime

WEEKDAYS_ZH = "一二三四五六日"
WEEKDAYS_EN = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS_EN = ("January", "February", "March", "April", "May", "June", "July", "August", "September",
             "October", "November", "December")


def format_datetime(moment: datetime, lang: str) -> str:
    """``2026年11月30日 星期一 09:15`` in Chinese, ``Monday 30 November 2026 09:15`` in English."""
    hm = f"{moment.hour:02d}:{moment.minute:02d}"
    if lang == "en":
        return f"{WEEKDAYS_EN[moment.weekday()]} {moment.day} {MONTHS_EN[moment.month - 1]} {moment.year} {hm}"
    return f"{moment.year}年{moment.month}月{moment.day}日 星期{WEEKDAYS_ZH[moment.weekday()]} {hm}"


def pick(lang: str, zh: str, en: str = "") -> str:
    """The English text in English when there is one, else the Chinese."""
    return en if lang == "en" and en else zh
