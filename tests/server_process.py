"""Start the real `llms --serve` as a subprocess on a free loopback port, for integration tests."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

__all__ = ["ServerProcess", "free_port"]

ROOT = Path(__file__).resolve().parent.parent
START_TIMEOUT_S = 60  # importing llms alone took 4-8 s with both cores busy; a loaded CI machine needs the margin


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class ServerProcess:
    """`python -m llms --serve PORT --config PATH`; its output is shown when it fails."""

    def __init__(self, config_path: Path, *extra_args: str, env: dict | None = None, home: Path | None = None):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self._log = tempfile.NamedTemporaryFile("w+", prefix="llms-server-", suffix=".log", delete=False)
        environ = {k: v for k, v in os.environ.items() if not k.startswith("LLMS_")} | (env or {})
        environ["HOME"] = str(home or Path(tempfile.mkdtemp(prefix="llms-home-")))
        environ["PYTHONPATH"] = str(ROOT)
        self.args = [sys.executable, "-m", "llms", "--serve", str(self.port), "--config", str(config_path), *extra_args]
        self.process = subprocess.Popen(self.args, cwd=ROOT, env=environ, stdout=self._log, stderr=subprocess.STDOUT)
        self._wait_until_healthy()

    def output(self) -> str:
        self._log.flush()
        return Path(self._log.name).read_text()

    def _wait_until_healthy(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"llms exited with {self.process.returncode}:\n{self.output()}")
            try:
                with urllib.request.urlopen(self.url + "/health", timeout=1) as response:
                    if response.status == 200:
                        return
            except OSError:
                time.sleep(0.05)
        self.stop()
        raise RuntimeError(f"llms did not answer /health within {START_TIMEOUT_S}s:\n{self.output()}")

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
