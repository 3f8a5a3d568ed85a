"""The notices tables hold no resident's data (hook ``kiosk_personal_data``): staff write notices for
the public, and the two-person rule reviews them before they show."""

from __future__ import annotations

from kiosk.api import PersonalColumns

_STAFF = "a staff account name"
_PUBLIC = "public text staff write and a second person approves"


def declarations() -> list:
    return [
        PersonalColumns("notice", "通知", "Notices",
                        keep={"board": "a board code", "title": _PUBLIC, "body": _PUBLIC, "state": "a state", "season": "a season name",
                              "created_by": _STAFF, "updated_by": _STAFF, "content_by": _STAFF, "approved_by": _STAFF,
                              "approved_snapshot": "the public fields of the last approved version"}),
        PersonalColumns("notice_image", "通知图片", "Notice pictures", keep={"mime": "a media type", "digest": "a hash"}),
        PersonalColumns("notice_revision", "通知修改记录", "Notice history",
                        keep={"by": _STAFF, "action": "a code", "changes": "old and new values of a notice's public fields"}),
    ]
