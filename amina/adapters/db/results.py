"""What a statement reports back, typed."""

from __future__ import annotations

from sqlalchemy import CursorResult


def rowcount(result: object) -> int:
    """How many rows an UPDATE or DELETE touched.

    ``Session.execute`` is typed as returning a ``Result``, which has no ``rowcount``; for a
    data-changing statement the result is always a ``CursorResult``.
    """
    assert isinstance(result, CursorResult)
    return int(result.rowcount)
