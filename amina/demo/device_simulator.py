"""`amina simulate device`: a phone (or many) sending location reports to a running server.

It signs in like the app — card number and date of birth, the one-time code read from the local
SMS gateway (``/dev/sms.json``, which exists only outside production, so the simulator cannot be
pointed at a production server) — then sends reports every ``--interval`` seconds along a GPX
track or a random walk around the registered address, ``--batch`` at a time. With
``--offline-minutes`` it queues reports as a phone without network would and sends the queue
when the time is up; a request that fails is sent again later with the same client ids, so the
server answers ``duplicate`` for what it had already stored. ``--devices N`` runs N demo card
holders at once (amina/data/demo_cards.csv) for load.

Used by the demo and by the ingest benchmark (bench/ingest), which imports :class:`RandomWalk`
and :func:`report_body`.
"""

from __future__ import annotations

import asyncio
import csv
import math
import random
import re
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import Path
from typing import Annotated, Any
from xml.etree import ElementTree

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskID, TextColumn, TimeElapsedColumn
from rich.table import Table

from amina.adapters.clock import SystemClock

simulate_app = typer.Typer(help="Simulated phones for demos and load.", no_args_is_help=True)
console = Console()

DEMO_CARDS = Path(__file__).resolve().parents[1] / "data" / "demo_cards.csv"
#: Where a person without a registration walks: Red Square.
MOSCOW_CENTRE = (55.7539, 37.6208)
MAX_BATCH = 1000
_M_PER_DEG_LAT = 111_132.0


class SimulationError(Exception):
    """Something the operator must fix (wrong server, unknown card, retired device)."""


# --- where the phone is --------------------------------------------------------------------


class RandomWalk:
    """Steps of a few tens of metres in random directions, pulled back towards home."""

    def __init__(self, home: tuple[float, float], rng: random.Random, step_m: float = 40.0):
        self.home = home
        self.rng = rng
        self.step_m = step_m
        self.lat, self.lon = home

    def __iter__(self) -> Iterator[tuple[float, float]]:
        return self

    def __next__(self) -> tuple[float, float]:
        m_per_deg_lon = _M_PER_DEG_LAT * math.cos(math.radians(self.lat))
        north = self.rng.gauss(0, self.step_m) + 0.05 * (self.home[0] - self.lat) * _M_PER_DEG_LAT
        east = self.rng.gauss(0, self.step_m) + 0.05 * (self.home[1] - self.lon) * m_per_deg_lon
        self.lat += north / _M_PER_DEG_LAT
        self.lon += east / m_per_deg_lon
        return round(self.lat, 6), round(self.lon, 6)


def gpx_track(path: Path) -> Iterator[tuple[float, float]]:
    """The track points (or route points, or waypoints) of a GPX file, over and over."""
    # the file is the operator's own; no entity expansion is involved in reading lat/lon
    root = ElementTree.parse(path).getroot()  # noqa: S314
    points = [
        (float(node.attrib["lat"]), float(node.attrib["lon"]))
        for tag in ("trkpt", "rtept", "wpt")
        for node in root.iter()
        if node.tag.rsplit("}", 1)[-1] == tag and "lat" in node.attrib
    ]
    if not points:
        raise SimulationError(f"{path}: no track points, route points or waypoints")
    while True:
        yield from points


def report_body(
    where: tuple[float, float], rng: random.Random, at: datetime | None = None
) -> dict[str, Any]:
    """One report as the app sends it (a new client id, the phone's time now)."""
    return {
        "client_id": uuid.uuid4().hex,
        "device_time": (at or SystemClock().now()).isoformat(),
        "lat": where[0],
        "lon": where[1],
        "accuracy_m": round(rng.uniform(4, 35), 1),
        "speed_mps": round(rng.uniform(0, 1.8), 2),
        "altitude_m": round(rng.uniform(130, 190), 1),
        "provider": "gps",
        "mocked": False,
    }


# --- signing in like the app ----------------------------------------------------------------


@dataclass(frozen=True)
class Phone:
    card_number: str
    person_id: str
    access_token: str
    device_credential: str


async def refuse_production(client: httpx.AsyncClient) -> None:
    answer = await client.get("/dev/sms.json")
    if answer.status_code != 200:
        raise SimulationError(
            f"{client.base_url} has no /dev/sms.json (HTTP {answer.status_code}): it runs in "
            "production, or it is not Amina. The simulator signs in through the local SMS "
            "gateway and works only against a development or test server."
        )


def _message_key(message: dict[str, Any]) -> tuple[str, str, str]:
    return str(message.get("to")), str(message.get("text")), str(message.get("sent_at"))


async def sign_in(client: httpx.AsyncClient, card_number: str, born: date) -> Phone:
    """Card number + date of birth, the code from /dev/sms.json, bind this phone."""
    before = {_message_key(m) for m in (await client.get("/dev/sms.json")).json()}
    asked = await client.post(
        "/api/v1/auth/otp",
        json={"method": "card", "card_number": card_number, "date_of_birth": born.isoformat()},
    )
    if asked.status_code != 202:
        raise SimulationError(f"card {card_number}: code refused ({asked.text})")
    code = None
    for _ in range(50):
        fresh = [
            m for m in (await client.get("/dev/sms.json")).json() if _message_key(m) not in before
        ]
        found = re.search(r"\b(\d{6})\b", str(fresh[0]["text"])) if fresh else None
        if found:
            code = found.group(1)
            break
        await asyncio.sleep(0.1)
    if code is None:
        raise SimulationError(
            f"card {card_number}: no code arrived (unknown card, wrong date of birth, or the "
            "card does not open sign-in)"
        )
    verified = await client.post(
        "/api/v1/auth/verify",
        json={
            "challenge_id": asked.json()["challenge_id"],
            "code": code,
            "device": {"name": "Amina simulator", "platform": "android"},
        },
    )
    if verified.status_code != 200:
        raise SimulationError(f"card {card_number}: sign-in failed ({verified.text})")
    body = verified.json()
    return Phone(card_number, body["person"]["id"], body["access_token"], body["device_credential"])


async def home_of(client: httpx.AsyncClient, phone: Phone) -> tuple[float, float] | None:
    answer = await client.get(
        "/api/v1/me/registrations/current",
        headers={"Authorization": f"Bearer {phone.access_token}"},
    )
    if answer.status_code != 200:
        return None
    address = answer.json()["address"]
    if address.get("lat") is None or address.get("lon") is None:
        return None  # registered by the address alone: the building is not located yet
    return float(address["lat"]), float(address["lon"])


# --- sending like the app -------------------------------------------------------------------


@dataclass
class Tally:
    made: int = 0
    accepted: int = 0
    duplicate: int = 0
    rejected: int = 0
    failed_requests: int = 0
    queued: int = 0
    flags: dict[str, int] = field(default_factory=dict)


@dataclass
class SimulatedPhone:
    client: httpx.AsyncClient
    phone: Phone
    track: Iterator[tuple[float, float]]
    rng: random.Random
    interval: float
    batch: int
    offline_minutes: float
    count: int
    tally: Tally = field(default_factory=Tally)
    queue: list[dict[str, Any]] = field(default_factory=list)

    async def run(self) -> Tally:
        started = time.monotonic()
        while self.count <= 0 or self.tally.made < self.count:
            self.queue.append(report_body(next(self.track), self.rng))
            self.tally.made += 1
            offline = time.monotonic() - started < self.offline_minutes * 60
            if not offline and len(self.queue) >= self.batch:
                await self.flush()
            self.tally.queued = len(self.queue)
            if self.count <= 0 or self.tally.made < self.count:
                await asyncio.sleep(self.interval)
        while self.queue:  # the network is back: send everything still queued
            if not await self.flush(everything=True):
                await asyncio.sleep(max(self.interval, 1.0))
        return self.tally

    async def flush(self, *, everything: bool = False) -> bool:
        """Send the queue in requests of up to ``batch`` (at most 1,000) reports; False if a
        request failed (the rest stays queued and goes again later, same client ids)."""
        size = min(max(self.batch, 1), MAX_BATCH)
        while self.queue and (everything or len(self.queue) >= self.batch):
            chunk = self.queue[:size]
            body: Any = chunk[0] if len(chunk) == 1 and self.batch == 1 else {"reports": chunk}
            try:
                answer = await self.client.post(
                    "/api/v1/reports",
                    json=body,
                    headers={"Authorization": f"Device {self.phone.device_credential}"},
                )
            except httpx.HTTPError:
                self.tally.failed_requests += 1
                return False
            if answer.status_code == 401:
                raise SimulationError(
                    f"card {self.phone.card_number}: {answer.json().get('code')} — the device "
                    "was retired (someone signed in on another phone)"
                )
            if answer.status_code != 200:
                self.tally.failed_requests += 1
                return False
            for result in answer.json()["results"]:
                status = result["status"]
                setattr(self.tally, status, getattr(self.tally, status) + 1)
                for flag in result["flags"]:
                    self.tally.flags[flag] = self.tally.flags.get(flag, 0) + 1
            del self.queue[: len(chunk)]
            self.tally.queued = len(self.queue)
        return True


def demo_card_holders(limit: int, today: date) -> list[tuple[str, date]]:
    """Card numbers and dates of birth of demo workers whose card opens sign-in today."""
    with DEMO_CARDS.open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    chosen = []
    for row in rows:
        born = date.fromisoformat(row["date_of_birth"])
        adult = (today.year - born.year) - ((today.month, today.day) < (born.month, born.day))
        if (
            row["status"] == "valid"
            and row.get("category", "none") == "none"
            and date.fromisoformat(row["valid_from"])
            <= today
            <= date.fromisoformat(row["valid_to"])
            and adult >= 18
        ):
            chosen.append((row["card_number"], born))
    return chosen[:limit]


async def simulate(
    url: str,
    cards: list[tuple[str, date]],
    *,
    gpx: Path | None,
    interval: float,
    batch: int,
    offline_minutes: float,
    count: int,
    seed: int | None,
    transport: httpx.AsyncBaseTransport | None = None,
) -> list[tuple[Phone, Tally]]:
    limits = httpx.Limits(max_connections=max(10, len(cards)), max_keepalive_connections=len(cards))
    async with httpx.AsyncClient(
        base_url=url, timeout=30, limits=limits, transport=transport
    ) as client:
        await refuse_production(client)
        phones = []
        for card_number, born in cards:  # one at a time: each reads its own code
            phones.append(await sign_in(client, card_number, born))
        simulated = []
        for index, phone in enumerate(phones):
            rng = random.Random(None if seed is None else seed + index)
            home = await home_of(client, phone)
            if home is None:
                console.print(
                    f"[yellow]{phone.card_number} has no registration with coordinates: "
                    "walking around the centre of Moscow[/]"
                )
            # about walking pace between fixes, so that fast demo intervals raise no flags
            step = min(60.0, max(0.5, 1.2 * interval))
            track = gpx_track(gpx) if gpx else RandomWalk(home or MOSCOW_CENTRE, rng, step)
            simulated.append(
                SimulatedPhone(client, phone, track, rng, interval, batch, offline_minutes, count)
            )
        with Progress(
            TextColumn("{task.description}"),
            BarColumn(),
            TextColumn(
                "made {task.fields[made]}  accepted {task.fields[accepted]}  duplicate "
                "{task.fields[duplicate]}  rejected {task.fields[rejected]}  queued "
                "{task.fields[queued]}  failed requests {task.fields[failed]}"
            ),
            TimeElapsedColumn(),
            console=console,
        ) as progress:
            tasks: dict[str, TaskID] = {
                s.phone.card_number: progress.add_task(
                    s.phone.card_number,
                    total=count if count > 0 else None,
                    made=0,
                    accepted=0,
                    duplicate=0,
                    rejected=0,
                    queued=0,
                    failed=0,
                )
                for s in simulated
            }

            async def show() -> None:
                while True:
                    for s in simulated:
                        t = s.tally
                        progress.update(
                            tasks[s.phone.card_number],
                            completed=t.made,
                            made=t.made,
                            accepted=t.accepted,
                            duplicate=t.duplicate,
                            rejected=t.rejected,
                            queued=t.queued,
                            failed=t.failed_requests,
                        )
                    await asyncio.sleep(0.2)

            shower = asyncio.create_task(show())
            try:
                tallies = await asyncio.gather(*(s.run() for s in simulated))
            finally:
                shower.cancel()
            for s in simulated:
                t = s.tally
                progress.update(
                    tasks[s.phone.card_number],
                    completed=t.made,
                    made=t.made,
                    accepted=t.accepted,
                    duplicate=t.duplicate,
                    rejected=t.rejected,
                    queued=t.queued,
                    failed=t.failed_requests,
                )
        return list(zip(phones, tallies, strict=True))


@simulate_app.command("device")
def device(
    url: Annotated[str, typer.Option(help="The Amina server")] = "http://127.0.0.1:8000",
    card: Annotated[str | None, typer.Option(help="Card number to sign in with")] = None,
    dob: Annotated[str | None, typer.Option(help="Date of birth, YYYY-MM-DD")] = None,
    gpx: Annotated[
        Path | None, typer.Option(help="Follow this GPX track instead of a random walk")
    ] = None,
    interval: Annotated[float, typer.Option(help="Seconds between fixes")] = 15.0,
    batch: Annotated[int, typer.Option(help="Reports per request (1 to 1,000)")] = 1,
    offline_minutes: Annotated[
        float, typer.Option(help="Queue reports this long (no network), then send the queue")
    ] = 0.0,
    count: Annotated[
        int, typer.Option(help="Stop after this many fixes (0: run until Ctrl-C)")
    ] = 0,
    devices: Annotated[
        int, typer.Option(help="Simulate this many demo card holders at once (for load)")
    ] = 0,
    seed: Annotated[int | None, typer.Option(help="Random seed, for repeatable walks")] = None,
) -> None:
    """Sign in like the app and send location reports like a phone."""
    if not 1 <= batch <= MAX_BATCH:
        raise typer.BadParameter("--batch must be between 1 and 1000")
    today = SystemClock().now().date()
    if devices > 0:
        cards = demo_card_holders(devices, today)
        if len(cards) < devices:
            console.print(f"[yellow]Only {len(cards)} demo card holders can sign in today.[/]")
    elif card and dob:
        cards = [(card, date.fromisoformat(dob))]
    else:
        raise typer.BadParameter("give --card and --dob, or --devices N")
    try:
        outcome = asyncio.run(
            simulate(
                url,
                cards,
                gpx=gpx,
                interval=interval,
                batch=batch,
                offline_minutes=offline_minutes,
                count=count,
                seed=seed,
            )
        )
    except SimulationError as error:
        console.print(f"[red]{error}[/]")
        raise typer.Exit(1) from error
    except httpx.HTTPError as error:
        console.print(f"[red]{url}: {error}[/]")
        raise typer.Exit(1) from error
    except KeyboardInterrupt:
        raise typer.Exit(130) from None
    table = Table(title="Reports sent")
    for column in ("card", "made", "accepted", "duplicate", "rejected", "failed requests", "flags"):
        table.add_column(column)
    for phone, tally in outcome:
        table.add_row(
            phone.card_number,
            str(tally.made),
            str(tally.accepted),
            str(tally.duplicate),
            str(tally.rejected),
            str(tally.failed_requests),
            ", ".join(f"{k} {v}" for k, v in sorted(tally.flags.items())) or "-",
        )
    console.print(table)
