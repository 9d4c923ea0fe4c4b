"""The e2e harness's pieces that tests import: a running server, how to start one, TOTP codes.

The fixtures that use them live in conftest.py beside this file.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pyotp
import pytest

REPO = Path(__file__).resolve().parents[2]
#: Browser contexts' sizes: a phone (390×844, touch, mobile) and a desk.
PHONE: dict[str, object] = {
    "viewport": {"width": 390, "height": 844},
    "device_scale_factor": 3,
    "is_mobile": True,
    "has_touch": True,
}
DESK: dict[str, object] = {"viewport": {"width": 1280, "height": 900}}
#: The browser's own locale for each language of the service (Playwright's ``locale``): its
#: Accept-Language and the look of its built-in controls (``<input type="time">`` shows 20:00,
#: not 08:00 PM, in Russian).
BROWSER_LOCALES = {
    "ru": "ru-RU",
    "uz": "uz-UZ",
    "tg": "tg-TJ",
    "ky": "ky-KG",
    "hy": "hy-AM",
    "kk": "kk-KZ",
    "ka": "ka-GE",
    "az": "az-AZ",
    "ro": "ro-MD",
    "uk": "uk-UA",
    "en": "en-GB",
}
#: How long a server may take to load the demo data and answer /readyz.
STARTUP_SECONDS = 90


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclass
class AminaServer:
    """A running `amina serve` process."""

    url: str
    database_url: str
    log_path: Path
    process: subprocess.Popen[bytes]
    _log_file: object = field(repr=False, default=None)
    ready_offset: int = 0
    """Size of the log when /readyz first answered 200: what follows is the serving process."""

    def log_text(self, *, since_ready: bool = False) -> str:
        """Everything the process printed so far (stdout and stderr); with ``since_ready``,
        only what it printed after it became ready (no start-up and demo-loading output)."""
        data = self.log_path.read_bytes()
        if since_ready:
            data = data[self.ready_offset :]
        return data.decode("utf-8", errors="replace")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=15)
        close = getattr(self._log_file, "close", None)
        if close is not None:
            close()


def launch(
    folder: Path,
    *,
    demo: bool = True,
    clock: str | None = None,
    env: str = "development",
    extra_env: dict[str, str] | None = None,
    port: int | None = None,
) -> AminaServer:
    """Start `python -m amina serve` on a free port with a fresh SQLite file in ``folder``.

    `amina serve` alone is production (docs/operations.md): the server asks for ``env``,
    development mode unless the test says otherwise (production also needs a secret key in
    ``extra_env``). ``port``: one the test chose (``free_port()``), e.g. to name the server's
    public address in ``extra_env`` before it starts."""
    folder.mkdir(parents=True, exist_ok=True)
    port = port or free_port()
    database_url = f"sqlite:///{folder / 'amina.sqlite3'}"
    environment = {
        **os.environ,
        "AMINA_ENV": env,
        "DATABASE_URL": database_url,
        "AMINA_DATA_DIR": str(folder / "var"),
        "AMINA_LOG_JSON": "true",
        "PYTHONUNBUFFERED": "1",
        "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")])),
        **(extra_env or {}),
    }
    environment.pop("AMINA_CLOCK", None)
    command = [sys.executable, "-m", "amina", "serve", "--host", "127.0.0.1", "--port", str(port)]
    if demo:
        command.append("--demo")
    if clock:
        command += ["--clock", clock]
    log_path = folder / "server.log"
    log_file = log_path.open("wb")
    process = subprocess.Popen(
        command, cwd=folder, env=environment, stdout=log_file, stderr=subprocess.STDOUT
    )
    server = AminaServer(f"http://127.0.0.1:{port}", database_url, log_path, process, log_file)
    deadline = time.monotonic() + STARTUP_SECONDS
    while True:
        if process.poll() is not None:
            server.stop()
            pytest.fail(f"amina serve exited with {process.returncode}:\n{server.log_text()}")
        try:
            if httpx.get(server.url + "/readyz", timeout=2).status_code == 200:
                server.ready_offset = log_path.stat().st_size
                return server
        except httpx.HTTPError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            pytest.fail(f"amina serve was not ready in {STARTUP_SECONDS} s:\n{server.log_text()}")
        time.sleep(0.2)


ServerFactory = Callable[..., AminaServer]


class TotpCodes:
    """Current TOTP codes for demo accounts. The server accepts each code once per account,
    so a second sign-in with the same account waits for the next 30-second step."""

    def __init__(self) -> None:
        self._used: dict[str, int] = {}

    def code(self, secret: str) -> str:
        totp = pyotp.TOTP(secret)
        while int(time.time()) // totp.interval <= self._used.get(secret, -1):
            time.sleep(0.5)
        step = int(time.time()) // totp.interval
        self._used[secret] = step
        return totp.at(step * totp.interval)
