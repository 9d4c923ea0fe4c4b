"""Telling the person: the in-app inbox, and SMS and web push through the outbox (SPEC §7).

:func:`tell_many` is the one way a notice, reminder, case or decision reaches the person. In
the caller's transaction it writes

- the **inbox** message (always; rendered when read, in the person's language then),
- an **SMS** outbox row to the phone on file, for the kinds that go by SMS,
- one **web push** outbox row per active push subscription of the person,

so the message leaves if and only if what it announces commits. The outbox worker
(:mod:`amina.services.delivery.outbox`) sends the rows afterwards, with retries.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy import Table, insert, select, update

from amina.adapters.db.bulk import insert_rows
from amina.adapters.db.delivery.tables import InboxMessageRow, OutboxRow, PushSubscriptionRow
from amina.adapters.db.identity.tables import CardRow, PersonRow
from amina.adapters.db.uow import UnitOfWork, UnitOfWorkFactory
from amina.domain.delivery import Channel, idempotency_key
from amina.i18n import Translator
from amina.services.clock import Clock
from amina.services.compliance.messages import render, sms_text

#: Where a push notification opens the app.
INBOX_URL = "/app/inbox"


@dataclass(frozen=True)
class PersonMessage:
    person_id: str
    kind: str
    params: Mapping[str, Any] = field(default_factory=dict)
    subject_id: str | None = None


@dataclass(frozen=True)
class InboxItem:
    id: str
    kind: str
    title: str
    text: str
    subject_id: str | None
    created_at: datetime
    read_at: datetime | None


class _Translators(dict[str, Translator]):
    def __missing__(self, language: str) -> Translator:
        translator = Translator(language)
        self[language] = translator
        return translator


def _recipients(uow: UnitOfWork, person_ids: Iterable[str]) -> dict[str, tuple[str, str]]:
    """person id → (language, phone on file)."""
    ids = list(set(person_ids))
    found: dict[str, tuple[str, str]] = {}
    for start in range(0, len(ids), 1000):
        rows = uow.session.execute(
            select(PersonRow.id, PersonRow.language, CardRow.phone)
            .join(CardRow, CardRow.card_number == PersonRow.card_number)
            .where(PersonRow.id.in_(ids[start : start + 1000]))
        )
        found.update({row.id: (row.language, row.phone) for row in rows})
    return found


def _subscriptions(uow: UnitOfWork, person_ids: Iterable[str]) -> dict[str, list[str]]:
    """person id → ids of their active push subscriptions."""
    ids = list(set(person_ids))
    found: dict[str, list[str]] = {}
    for start in range(0, len(ids), 1000):
        rows = uow.session.execute(
            select(PushSubscriptionRow.person_id, PushSubscriptionRow.id).where(
                PushSubscriptionRow.person_id.in_(ids[start : start + 1000]),
                PushSubscriptionRow.revoked_at.is_(None),
            )
        )
        for row in rows:
            found.setdefault(row.person_id, []).append(row.id)
    return found


def tell_many(
    uow: UnitOfWork,
    clock: Clock,
    messages: Sequence[PersonMessage],
    recipients: Mapping[str, tuple[str, str]] | None = None,
) -> list[str]:
    """Write the inbox messages and their outbox rows (bulk); returns the inbox message ids.

    The system calls it from use cases (sweep, answers, decisions), inside their transaction.
    ``recipients`` (person id → language, phone on file) spares reading them again when the
    caller has them (the sweep reads them with the facts); anyone missing is read here. The
    same message in the same language is written once and reused (a day's sweep sends
    thousands of identical texts).
    """
    if not messages:
        return []
    now = clock.now()
    known = recipients or {}
    people = dict(known)
    people.update(_recipients(uow, (m.person_id for m in messages if m.person_id not in known)))
    subscriptions = _subscriptions(uow, (m.person_id for m in messages))
    translators = _Translators()
    texts: dict[tuple[str, str, str, tuple[tuple[str, Any], ...]], Any] = {}

    def once(what: str, language: str, kind: str, params: Mapping[str, Any]) -> Any:
        key: tuple[str, str, str, tuple[tuple[str, Any], ...]] | None = (
            what,
            language,
            kind,
            tuple(sorted(params.items())),
        )
        try:
            return texts[key]  # type: ignore[index]
        except KeyError:
            pass
        except TypeError:  # a parameter that cannot be a key (a list): written each time
            key = None
        t = translators[language]
        text = sms_text(kind, params, t) if what == "sms" else render(kind, params, t)
        if key is not None:
            texts[key] = text
        return text

    inbox: list[dict[str, Any]] = []
    outbox: list[dict[str, Any]] = []
    ids: list[str] = []
    for message in messages:
        message_id = str(uuid.uuid4())
        ids.append(message_id)
        params = dict(message.params)
        inbox.append(
            {
                "person_id": message.person_id,
                "id": message_id,
                "kind": message.kind,
                "params": params,
                "subject_id": message.subject_id,
                "created_at": now,
                "read_at": None,
            }
        )
        if message.person_id not in people:
            continue
        language, phone = people[message.person_id]
        sms = once("sms", language, message.kind, params)
        if sms is not None:
            outbox.append(
                _outbox_row(
                    message.person_id,
                    Channel.sms,
                    idempotency_key(message_id, Channel.sms),
                    {"to": phone, "text": sms},
                    now,
                )
            )
        subscription_ids = subscriptions.get(message.person_id, [])
        if subscription_ids:
            shown = once("push", language, message.kind, params)
            for subscription_id in subscription_ids:
                key = idempotency_key(message_id, Channel.push, subscription_id)
                outbox.append(
                    _outbox_row(
                        message.person_id,
                        Channel.push,
                        key,
                        {
                            "subscription_id": subscription_id,
                            "title": shown.title,
                            "body": shown.text,
                            "url": INBOX_URL,
                            "tag": key,
                        },
                        now,
                    )
                )
    insert_rows(uow, _table(InboxMessageRow), inbox)
    insert_rows(uow, _table(OutboxRow), outbox)
    return ids


def _table(row_class: Any) -> Table:
    table: Table = row_class.__table__
    return table


def tell(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    kind: str,
    params: Mapping[str, Any],
    subject_id: str | None = None,
) -> str:
    """One message to one person (see :func:`tell_many`)."""
    return tell_many(uow, clock, [PersonMessage(person_id, kind, params, subject_id)])[0]


def _outbox_row(
    person_id: str, channel: Channel, key: str, payload: dict[str, Any], now: datetime
) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "id": str(uuid.uuid4()),
        "channel": channel.value,
        "idempotency_key": key,
        "payload": payload,
        "attempts": 0,
        "next_attempt_at": now,
        "created_at": now,
        "sent_at": None,
        "gave_up_at": None,
        "last_error": None,
    }


def enqueue(
    uow: UnitOfWork,
    clock: Clock,
    person_id: str,
    channel: Channel,
    key: str,
    payload: dict[str, Any],
) -> None:
    """Put one message for an outside system in the outbox (e.g. a referral to the registry)."""
    uow.session.execute(
        insert(OutboxRow), [_outbox_row(person_id, channel, key, payload, clock.now())]
    )


# --- the person reads ------------------------------------------------------------------------


def inbox_of(uow: UnitOfWork, person_id: str, t: Translator, limit: int = 200) -> list[InboxItem]:
    """The person's inbox, newest first, in the translator's language (the person only)."""
    rows = uow.session.scalars(
        select(InboxMessageRow)
        .where(InboxMessageRow.person_id == person_id)
        .order_by(InboxMessageRow.created_at.desc(), InboxMessageRow.id)
        .limit(limit)
    ).all()
    items: list[InboxItem] = []
    for row in rows:
        shown = render(row.kind, row.params, t)
        items.append(
            InboxItem(
                row.id,
                row.kind,
                shown.title,
                shown.text,
                row.subject_id,
                row.created_at,
                row.read_at,
            )
        )
    return items


def mark_read(uow: UnitOfWorkFactory, clock: Clock, person_id: str, message_id: str) -> bool:
    """Mark one of the person's messages read; False if there is no such message."""
    with uow() as work:
        exists = work.session.get(InboxMessageRow, (person_id, message_id))
        if exists is None:
            return False
        work.session.execute(
            update(InboxMessageRow)
            .where(
                InboxMessageRow.person_id == person_id,
                InboxMessageRow.id == message_id,
                InboxMessageRow.read_at.is_(None),
            )
            .values(read_at=clock.now())
            .execution_options(synchronize_session=False)
        )
        work.commit()
    return True
