"""Helpers shared by the timetable tests (a module of its own: every test folder has a ``conftest``)."""

from __future__ import annotations


def course_id(ctx, name: str, term: str = "2026 秋季学期") -> int:
    from sqlalchemy import select

    from kiosk.plugins.timetable.models import Course, Term

    with ctx.sessions() as s:
        return s.scalar(select(Course.id).join(Term, Term.id == Course.term_id).where(Course.name == name, Term.name == term))
