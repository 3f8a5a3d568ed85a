"""One way to say no: :class:`Refusal`, the error every plugin and core service raises for a request that
cannot be done (a wrong field, a full class, a paused counter), said in both languages.

Why one type: each surface shows a refusal the same way whichever plugin raised it, so it is handled once
per surface instead of in every command and route:

- the ``kiosk`` command prints ``error: <English text>`` on stderr and exits with code 2 (:func:`kiosk.cli.main`);
- the web host answers 400 (or the refusal's ``status``) with a page in the request's language, or under
  ``/api/`` with the API's JSON error ``{"error": code, "message_zh": …, "message_en": …}``
  (:mod:`kiosk.web.app`);
- a touch screen shows it as a notice the resident closes with one tap (``shell.refuse(exc)``,
  :class:`kiosk.screens.api.Shell`).

A surface that must keep what was typed (a form) still catches the refusal and re-renders the form with
the message; everything else just lets it rise. A plugin's own error classes (``QueueError``,
``TimetableError``, ``NoticeError``…) are subclasses, so ``except QueueError`` keeps working.
"""

from __future__ import annotations


class Refusal(Exception):
    """A request that cannot be done, with its reason in Chinese and English.

    ``code`` is a short machine code for scripts, tests and JSON errors (``"full"``, ``"bad_phone"``);
    ``field`` names the form field at fault, if one is; ``status`` is the HTTP status the web answers with.
    ``str()`` is the English text (what logs and the CLI show).
    """

    code: str = "refused"
    status: int = 400
    field: str = ""

    def __init__(self, code: str, zh: str, en: str, *, field: str = "", status: int | None = None) -> None:
        super().__init__(en)
        self.code, self.zh, self.en = code, zh, en
        if field:
            self.field = field
        if status is not None:
            self.status = status

    def text(self, lang: str = "zh_CN") -> str:
        """The message in ``lang`` ("en", else Chinese: "zh", "zh_CN")."""
        return self.en if lang == "en" else self.zh
