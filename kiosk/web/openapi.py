"""Describing in the OpenAPI document (``/openapi.json``) the form fields a route reads by hand.

Why: a route that takes ``request.form()`` itself (many fields, a list, names like
``attribute[building]``) is invisible to FastAPI's schema, so fuzzers and integrators would not know
what to send. ``@router.post(path, openapi_extra=form_body("a", "b", arrays=("c",)))`` documents it
without changing how the route reads its input.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Path


def form_body(*fields: str, required: tuple[str, ...] = (), arrays: tuple[str, ...] = (), csrf: bool = True) -> dict[str, Any]:
    """``openapi_extra`` for a urlencoded form of string ``fields`` (and string-list ``arrays``)."""
    properties: dict[str, Any] = {name: {"type": "string"} for name in fields}
    properties.update({name: {"type": "array", "items": {"type": "string"}} for name in arrays})
    if csrf:
        properties["csrf_token"] = {"type": "string"}
    schema: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        schema["required"] = list(required)
    return {"requestBody": {"required": True, "content": {"application/x-www-form-urlencoded": {"schema": schema}}}}


#: The largest id a URL may carry: a signed 32-bit integer (SQLite and PostgreSQL INTEGER both hold it).
MAX_ID = 2**31 - 1

#: A row id or counter number in a URL path. Why bounded: an unbounded int reaches the database, and
#: 9223372036854775808 does not fit SQLite's INTEGER (OverflowError, a 500); out of range is a 400 now.
PathId = Annotated[int, Path(ge=0, le=MAX_ID)]
