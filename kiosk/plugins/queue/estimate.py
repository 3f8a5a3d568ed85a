"""Wait estimates: recent service times per service, robust to outliers, shown as a range.

estimate = people ahead × typical service minutes ÷ open counters for the service, where the typical
service time is the median of the most recent finished services (at least ``MIN_SAMPLES`` of them),
else the service's configured minutes per person. The range is rounded outward to 5 minutes, so a
resident reads "约 10–20 分钟" rather than a falsely precise number.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass

SAMPLES = 20
MIN_SAMPLES = 5


@dataclass(frozen=True)
class WaitRange:
    low: int
    high: int

    def text(self, lang: str = "zh_CN") -> str:
        if lang == "en":
            return f"about {self.low}–{self.high} min"
        return f"约 {self.low}–{self.high} 分钟"


def typical_minutes(recent_service_minutes: list[float], fallback: float) -> float:
    if len(recent_service_minutes) < MIN_SAMPLES:
        return float(fallback)
    return float(statistics.median(recent_service_minutes[:SAMPLES]))


def wait_range(ahead: int, per_person: float, open_counters: int) -> WaitRange:
    counters = max(1, open_counters)
    expected = ahead * per_person / counters
    low = 5 * math.floor(expected * 0.75 / 5)
    high = 5 * math.ceil(max(expected * 1.25, low + 5) / 5)
    return WaitRange(int(low), int(high))
