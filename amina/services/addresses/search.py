"""Finding an address as a person types it (issue 13): the domain's rule cuts the words, the
register (a port) finds the streets and houses."""

from __future__ import annotations

from amina.domain.address_register import RegisterEntry, query_words, searchable
from amina.services.ports import AddressRegister

#: Suggestions shown at once: a phone screen's worth.
SUGGESTIONS = 10


def suggest_addresses(
    register: AddressRegister, text: str, limit: int = SUGGESTIONS
) -> list[RegisterEntry]:
    """Streets and houses that begin with what was typed, in reading order; nothing for a
    query too short to look up. Anyone signed in may ask (the register is public data)."""
    words = query_words(text)
    if not searchable(words):
        return []
    return register.search(words, limit)
