"""Finding a Simplified Chinese font face, for the touch shell and for slips rendered as PNG.

Kivy's SDL2 text has no font fallback: the default face must cover Chinese. Order of preference:

1. ``[kiosk] font_path`` from config;
2. Noto Sans CJK SC from Debian's ``fonts-noto-cjk``. The .ttc opens its Japanese face by default
   (different glyph shapes for some hanzi), so the SC face is extracted once with fontTools into the
   data dir and that file is used;
3. WenQuanYi Micro Hei (``fonts-wqy-microhei``), then Droid Sans Fallback (``fonts-droid-fallback``).

No face found: :class:`FontMissing`, whose message names the package to install.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

log = logging.getLogger(__name__)

NOTO_TTC_DIRS = (Path("/usr/share/fonts/opentype/noto"), Path("/usr/share/fonts/noto-cjk"))
FALLBACKS = (
    Path("/usr/share/fonts/truetype/wqy/wqy-microhei.ttc"),
    Path("/usr/share/fonts/truetype/droid/DroidSansFallbackFull.ttf"),
)
INSTALL_HINT = "no Chinese font found: install one with `apt-get install fonts-noto-cjk` (or set [kiosk] font_path)"


class FontMissing(RuntimeError):
    pass


@dataclass(frozen=True)
class FontFaces:
    regular: Path
    bold: Path


def _extract_sc(ttc: Path, out: Path) -> Path | None:
    """Write the "Noto Sans CJK SC" face of ``ttc`` to ``out`` (once) and return it."""
    if out.exists() and out.stat().st_size > 0:
        return out
    from fontTools.ttLib import TTCollection

    collection = TTCollection(str(ttc), lazy=True)
    for font in collection.fonts:
        family = font["name"].getDebugName(1) or ""
        if family.strip() == "Noto Sans CJK SC":
            out.parent.mkdir(parents=True, exist_ok=True)
            tmp = out.with_suffix(".tmp")
            font.save(str(tmp))
            tmp.replace(out)  # atomic: two processes extracting at once never see half a file
            return out
    return None


def find_faces(font_path: str = "", data_dir: Path | None = None) -> FontFaces:
    """The regular and bold faces to register (bold falls back to regular)."""
    if font_path:
        path = Path(font_path).expanduser()
        if not path.is_file():
            raise FontMissing(f"[kiosk] font_path {path} does not exist")
        return FontFaces(path, path)
    cache = (data_dir or Path.home() / ".cache" / "kiosk") / "fonts"
    for folder in NOTO_TTC_DIRS:
        regular_ttc = folder / "NotoSansCJK-Regular.ttc"
        if regular_ttc.exists():
            try:
                regular = _extract_sc(regular_ttc, cache / "NotoSansCJKsc-Regular.otf")
                bold_ttc = folder / "NotoSansCJK-Bold.ttc"
                bold = _extract_sc(bold_ttc, cache / "NotoSansCJKsc-Bold.otf") if bold_ttc.exists() else None
            except Exception as exc:  # a damaged cache or font: try the next candidate
                log.warning("could not extract the SC face from %s: %s", regular_ttc, exc)
                continue
            if regular:
                return FontFaces(regular, bold or regular)
    for path in FALLBACKS:
        if path.exists():
            return FontFaces(path, path)
    raise FontMissing(INSTALL_HINT)
