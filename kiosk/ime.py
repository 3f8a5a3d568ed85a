"""An offline pinyin input engine for the on-screen keyboard: letters in, ranked Chinese candidates out.

Why this design:

- **Data**: the frequency-scored character and phrase tables of the ``Pinyin2Hanzi`` package (MIT;
  about 43,000 character readings and 142,000 phrases, pure Python, no network). ``pypinyin`` was
  the other choice, but it maps hanzi to pinyin and carries no frequencies, so it cannot rank.
  Pinyin2Hanzi's ``dag`` also composes a whole sentence from several phrases ("loudaodeng").
- **Community words first**: :file:`kiosk/ime_phrases.txt` (楼道, 路灯, 下水道 …) is searched before the
  big dictionary, so the words residents need for a 民生诉求 come first.
- **Typing without separators**: the letters are split into syllables by a small search that prefers
  whole syllables (``xian`` is 先, not 西安; type ``xi'an`` for 西安). A letter that is no syllable on
  its own counts as an initial, so first-letter abbreviations work (``ld`` → 楼道, 路灯, 领导 …), and
  the last syllable may be unfinished while typing (``loudaod`` already offers 楼道灯).
- **Fast keystrokes**: the tables are read once, on first use or ahead of time with :func:`warm_up`
  (the keyboard calls it in a background thread when it is built); afterwards a keystroke is a few
  dictionary look-ups (see ``scripts/bench_ime.py`` for the figures).

A :class:`Candidate` says what it inserts and what pinyin is left: picking 楼道 for ``loudaodeng``
leaves ``deng`` to convert next. No Kivy here.
"""

from __future__ import annotations

import json
import threading
from dataclasses import dataclass
from pathlib import Path

PHRASES_FILE = Path(__file__).with_name("ime_phrases.txt")
INITIALS = ("zh", "ch", "sh", "b", "p", "m", "f", "d", "t", "n", "l", "g", "k", "h", "j", "q", "x", "r", "z", "c",
            "s", "y", "w")
MAX_INPUT = 40  # letters considered; a longer composition is cut (nobody types a paragraph as one word)
SEPARATOR = "'"


@dataclass(frozen=True)
class Candidate:
    """``text`` to insert; ``rest`` is the pinyin still to convert after it ("" when all is used)."""

    text: str
    rest: str


@dataclass(frozen=True)
class _Token:
    """A piece of the typed letters: a whole syllable (``exact``) or the start of one (an initial)."""

    letters: str
    start: int
    end: int
    exact: bool

    def matches(self, syllable: str) -> bool:
        return syllable == self.letters if self.exact else syllable.startswith(self.letters)


class _Tables:
    """The dictionary in memory: characters and phrases by pinyin, phrases by their initials."""

    def __init__(self) -> None:
        import Pinyin2Hanzi

        data = Path(Pinyin2Hanzi.__file__).with_name("data")
        with (data / "dag_char.json").open(encoding="utf-8") as fh:
            chars = json.load(fh)
        with (data / "dag_phrase.json").open(encoding="utf-8") as fh:
            phrases = json.load(fh)
        # The table also files odd characters under bare initials ("d", "zh"); those are no syllables
        # (a bare initial is an abbreviation here), and neither are the interjections m, n, ng, hm.
        # Entries stay the JSON's [word, score] lists, best first: copying them would double the memory.
        self.chars: dict[str, list[list]] = {k: v for k, v in chars.items() if any(vowel in k for vowel in "aeiouv")}
        self.syllables: frozenset[str] = frozenset(self.chars)
        # What people type for the syllables the tables spell with v: jue → jve, lue → lve.
        self.aliases: dict[str, str] = {s.replace("ve", "ue"): s for s in self.syllables if "ve" in s}
        self.prefixes: frozenset[str] = frozenset(s[:i] for s in self.syllables | set(self.aliases)
                                                  for i in range(1, len(s) + 1))
        self.phrases: dict[str, list[list]] = phrases
        # Phrases by the first letters of their syllables ("ld" → 领导, 来到 …), best first, for abbreviations.
        by_initials: dict[str, list[tuple[float, str, str]]] = {}
        for key, words in phrases.items():
            bucket = by_initials.setdefault("".join(s[0] for s in key.split(",")), [])
            bucket.extend((score, word, key) for word, score in words)
        for bucket in by_initials.values():
            bucket.sort(key=lambda item: -item[0])
        self.by_initials = by_initials
        self.domain = _read_domain(PHRASES_FILE, self.aliases)

    def get_phrase(self, pinyin_list, num=6):
        """The interface Pinyin2Hanzi's ``dag`` asks its parameters for."""
        table = self.chars if len(pinyin_list) == 1 else self.phrases
        return table.get(",".join(pinyin_list), [])[:num]


def _read_domain(path: Path, aliases: dict[str, str]) -> list[tuple[str, tuple[str, ...]]]:
    out = []
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#"):
            continue
        phrase, _, pinyin = line.partition("\t")
        syllables = tuple(aliases.get(s, s) for s in pinyin.split())
        out.append((phrase.strip(), syllables))
    return out


_tables: _Tables | None = None
_lock = threading.Lock()


def tables() -> _Tables:
    """The dictionary, read on first use (once per process, whichever thread asks first)."""
    global _tables
    if _tables is None:
        with _lock:
            if _tables is None:
                _tables = _Tables()
    return _tables


def warm_up() -> None:
    """Read the dictionary now (from a background thread), so the first keystroke is fast."""
    tables()


def normalize(pinyin: str) -> str:
    """Lower-case ASCII letters and ``'`` only; ü typed as v (or u after j q x y)."""
    value = (pinyin or "").lower().replace("ü", "v")
    return "".join(ch for ch in value if ("a" <= ch <= "z") or ch == SEPARATOR)[:MAX_INPUT]


def segment(pinyin: str, ways: int = 2) -> list[list[_Token]]:
    """The cheapest splits of ``pinyin`` into syllables and initials, at most ``ways`` ([] when none).

    Costs: a whole syllable 1, an initial standing alone 1.5 (an abbreviation), an unfinished last
    syllable 1.2; the cheapest split wins, so "xian" stays one syllable, and a tie ("fangan": fang an,
    fan gan) offers both.
    """
    t = tables()
    text = normalize(pinyin)
    n = len(text)
    best: list[list[tuple[float, list[_Token]]]] = [[] for _ in range(n + 1)]
    best[0] = [(0.0, [])]
    for i in range(n):
        if not best[i]:
            continue
        if text[i] == SEPARATOR:
            _keep(best[i + 1], best[i], ways)
            continue
        for j in range(i + 1, min(n, i + 6) + 1):
            piece = text[i:j]
            if SEPARATOR in piece:
                break
            options = []
            syllable = piece if piece in t.syllables else t.aliases.get(piece)
            if syllable:
                options.append((1.0, _Token(syllable, i, j, True)))
            elif piece in INITIALS:
                options.append((1.5, _Token(piece, i, j, False)))
            elif j == n and piece in t.prefixes:
                options.append((1.2, _Token(piece, i, j, False)))
            for cost, token in options:
                _keep(best[j], [(c + cost, toks + [token]) for c, toks in best[i]], ways)
    found = [(cost, tokens) for cost, tokens in best[n] if tokens]
    return [tokens for cost, tokens in found if cost <= found[0][0] + 1e-9]  # only splits as good as the best


def _keep(slot: list, offers: list, ways: int) -> None:
    slot.extend(offers)
    slot.sort(key=lambda item: item[0])
    del slot[ways:]


def candidates(pinyin: str, limit: int = 60) -> list[Candidate]:
    """Ranked candidates for ``pinyin``: community words, dictionary phrases and a composed sentence
    for all of it, then phrases for its beginning, then single characters for its first syllable.
    Empty or unusable input gives ``[]``."""
    text = normalize(pinyin)
    if not text.strip(SEPARATOR):
        return []
    t = tables()
    splits = segment(text)
    out: dict[str, Candidate] = {}

    def add(word: str, end: int) -> None:
        if word and word not in out and len(out) < limit:
            out[word] = Candidate(word, text[end:].lstrip(SEPARATOR))

    for tokens in splits:  # all of the input
        for word in _domain_matches(t, tokens):
            add(word, tokens[-1].end)
    for tokens in splits:
        if len(tokens) >= 2:
            for word in _phrase_matches(t, tokens, 20):
                add(word, tokens[-1].end)
    for tokens in splits:
        if len(tokens) >= 2 and all(tok.exact for tok in tokens):
            for word in _sentences(t, tokens, 2):
                add(word, tokens[-1].end)
    for tokens in splits:  # the beginning of the input, longest first
        for k in range(len(tokens) - 1, 1, -1):
            for word in _domain_matches(t, tokens[:k]):
                add(word, tokens[k - 1].end)
            for word in _phrase_matches(t, tokens[:k], 8):
                add(word, tokens[k - 1].end)
    for tokens in splits:  # single characters
        for word in _char_matches(t, tokens[0], 40):
            add(word, tokens[0].end)
    return list(out.values())


def _domain_matches(t: _Tables, tokens: list[_Token]) -> list[str]:
    return [phrase for phrase, syllables in t.domain
            if len(syllables) == len(tokens) and all(tok.matches(s) for tok, s in zip(tokens, syllables))]


def _phrase_matches(t: _Tables, tokens: list[_Token], limit: int) -> list[str]:
    if all(tok.exact for tok in tokens):
        return [w for w, _s in t.phrases.get(",".join(tok.letters for tok in tokens), [])[:limit]]
    found = []
    for _score, word, key in t.by_initials.get("".join(tok.letters[0] for tok in tokens), []):
        if all(tok.matches(s) for tok, s in zip(tokens, key.split(","))):
            found.append(word)
            if len(found) >= limit:
                break
    return found


def _sentences(t: _Tables, tokens: list[_Token], paths: int) -> list[str]:
    from Pinyin2Hanzi import AbstractDagParams, dag

    class Params(AbstractDagParams):  # dag() insists on its own base class
        get_phrase = staticmethod(t.get_phrase)

    return ["".join(item.path) for item in dag(Params(), [tok.letters for tok in tokens], path_num=paths)]


def _char_matches(t: _Tables, token: _Token, limit: int) -> list[str]:
    if token.exact:
        return [w for w, _s in t.chars.get(token.letters, [])[:limit]]
    pool = [pair for syllable in t.syllables if token.matches(syllable) for pair in t.chars[syllable][:limit]]
    pool.sort(key=lambda pair: -pair[1])
    return [w for w, _s in pool[:limit]]
