"""The servers the benches compare, each configured against the same loopback upstream.

- `llms`: this checkout (`python -m llms --serve`), with the interpreter running the bench, or with
  `--llms-venv` from a venv holding only the dependencies in pyproject.toml, like the others.
- `llms.py 2.0.35`, `llms.py 4.0.26` (`--with-llmspy`) and the `LiteLLM 1.102.4` proxy (`--with-litellm`):
  each in its own venv under $LLMS_BENCH_CACHE (default ~/.cache/llms-bench), created with pip on first
  use (a venv whose install finished holds `bench-installed.txt`; delete the venv to set it up anew).
  LiteLLM 1.102.4 is the newest release whose dependencies this machine's package index can satisfy
  (later ones need certifi ≥ 2026.10.19).

Each server gets a fresh $HOME, no provider keys from the environment, and one provider: the upstream's
`mock-model` at 2.5/10 USD per 1M tokens. Figures from /proc cover the server process and its children.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
import tomllib
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

__all__ = ["Contender", "CONTENDERS", "LLMS", "LLMS_IN_VENV", "Server", "Upstream", "add_contender_flags",
           "chosen_contenders", "free_port", "tree_cpu_ms", "tree_rss_kb", "machine_line"]

ROOT = Path(__file__).resolve().parent.parent
CACHE_DIR = Path(os.environ.get("LLMS_BENCH_CACHE") or Path.home() / ".cache" / "llms-bench")
MODEL = "mock-model"
BENCH_KEY = "sk-bench-upstream"
START_TIMEOUT_S = 60
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass(frozen=True)
class Launch:
    argv: list[str]
    env: dict[str, str]


@dataclass(frozen=True)
class Contender:
    name: str
    requirements: tuple[str, ...]  # what pip installs into its venv; none: the bench's own interpreter
    script: str  # the venv's entry point that shows the install is whole
    ready_path: str  # a GET that answers 200 once the server serves
    launch: Callable[["Contender", Path, int, str], Launch]  # (self, home, port, upstream base URL)

    @property
    def venv(self) -> Path:
        return CACHE_DIR / ("venv-" + self.name.replace(" ", "-").replace(".py", "-py").lower())

    def ensure_installed(self) -> None:
        """Create the venv and pip-install the requirements when its marker file is missing."""
        marker = self.venv / "bench-installed.txt"
        if not self.requirements or marker.exists():
            return
        print(f"setting up {self.name}: {self.venv} <- pip install {' '.join(self.requirements)}", flush=True)
        subprocess.run([sys.executable, "-m", "venv", "--clear", str(self.venv)], check=True)
        subprocess.run([str(self.venv / "bin" / "pip"), "install", "--quiet", *self.requirements], check=True)
        if not (self.venv / "bin" / self.script).exists():
            raise RuntimeError(f"{self.venv}/bin/{self.script} is missing after pip install {self.requirements}")
        marker.write_text("\n".join(self.requirements) + "\n")


def _clean_env(home: Path, **extra: str) -> dict[str, str]:
    # No key from the caller's environment reaches a contender: each talks to the loopback upstream only.
    keep = {k: v for k, v in os.environ.items()
            if not (k.endswith(("_API_KEY", "_TOKEN")) or k.startswith(("LLMS_", "OPENAI_", "LITELLM_")))}
    return keep | {"HOME": str(home)} | extra


def _launch_llms(contender: Contender, home: Path, port: int, upstream: str) -> Launch:
    config = {"defaults": {"model": MODEL, "connect_timeout_s": 5, "read_timeout_s": 30},
              "providers": {"bench": {"type": "openai-compatible", "base_url": upstream + "/v1",
                                      "api_key": BENCH_KEY, "models": {MODEL: MODEL},
                                      "pricing": {MODEL: {"input": 2.5, "output": 10}}}}}
    path = home / "llms.json"
    path.write_text(json.dumps(config, indent=2))
    python = contender.venv / "bin" / "python" if contender.requirements else Path(sys.executable)
    return Launch([str(python), "-m", "llms", "--serve", str(port), "--config", str(path)],
                  _clean_env(home, PYTHONPATH=str(ROOT)))


def _llms_dependencies() -> tuple[str, ...]:
    return tuple(tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"])


def _launch_llmspy2(contender: Contender, home: Path, port: int, upstream: str) -> Launch:
    # 2.0.35: the packaged llms.json with our one provider; it needs ~/.llms/ (it writes ui.json there),
    # type "OpenAiProvider", a base_url without /v1, and prices as per-token strings.
    packaged = _site_packages(contender) / "llms" / "llms.json"
    config = json.loads(packaged.read_text())
    config["providers"] = {"bench": {"enabled": True, "type": "OpenAiProvider", "base_url": upstream,
                                     "api_key": BENCH_KEY, "models": {MODEL: MODEL},
                                     "pricing": {MODEL: {"input": "0.0000025", "output": "0.00001"}}}}
    config["defaults"]["text"]["model"] = MODEL
    path = home / ".llms" / "llms.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
    return Launch([str(contender.venv / "bin" / "llms"), "--config", str(path), "--serve", str(port)],
                  _clean_env(home))


def _launch_llmspy4(contender: Contender, home: Path, port: int, upstream: str) -> Launch:
    # 4.0.26: the packaged llms.json with our one provider (models.dev shape, "npm" picks the class) and
    # the packaged providers.json beside it, where it looks for one.
    packaged = _site_packages(contender) / "llms"
    config = json.loads((packaged / "llms.json").read_text())
    config["providers"] = {"bench": {"enabled": True, "npm": "@ai-sdk/openai-compatible", "api": upstream + "/v1",
                                     "api_key": BENCH_KEY,
                                     "models": {MODEL: {"id": MODEL, "name": MODEL,
                                                        "cost": {"input": 2.5, "output": 10}}}}}
    path = home / ".llms" / "llms.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(config, indent=2))
    shutil.copy(packaged / "providers.json", path.parent / "providers.json")
    return Launch([str(contender.venv / "bin" / "llms"), "--config", str(path), "--serve", str(port)],
                  _clean_env(home))


def _launch_litellm(contender: Contender, home: Path, port: int, upstream: str) -> Launch:
    # YAML is a superset of JSON, so the config is written with json.
    config = {"model_list": [{"model_name": MODEL, "litellm_params": {
        "model": f"openai/{MODEL}", "api_base": upstream + "/v1", "api_key": BENCH_KEY}}],
        "litellm_settings": {"telemetry": False}}
    path = home / "litellm.yaml"
    path.write_text(json.dumps(config, indent=2))
    return Launch([str(contender.venv / "bin" / "litellm"), "--config", str(path), "--host", "127.0.0.1",
                   "--port", str(port)],
                  _clean_env(home, LITELLM_LOCAL_MODEL_COST_MAP="True",
                             LITELLM_DANGEROUSLY_PERMIT_WEAK_OR_UNSET_MASTER_KEY="true"))


def _site_packages(contender: Contender) -> Path:
    found = sorted((contender.venv / "lib").glob("python3*/site-packages"))
    if not found:
        raise RuntimeError(f"no site-packages under {contender.venv}/lib: run with its --with-… flag to install it")
    return found[0]


LLMS = Contender("llms", (), "", "/health", _launch_llms)
LLMS_IN_VENV = Contender("llms", _llms_dependencies(), "python", "/health", _launch_llms)
LLMSPY2 = Contender("llms.py 2.0.35", ("llms-py==2.0.35",), "llms", "/status", _launch_llmspy2)
LLMSPY4 = Contender("llms.py 4.0.26", ("llms-py==4.0.26",), "llms", "/status", _launch_llmspy4)
LITELLM = Contender("LiteLLM 1.102.4", ("litellm[proxy]==1.102.4",), "litellm", "/health/liveliness",
                    _launch_litellm)
CONTENDERS = (LLMS, LLMSPY2, LLMSPY4, LITELLM)


def add_contender_flags(parser) -> None:
    parser.add_argument("--llms-venv", action="store_true",
                        help=f"run llms from a venv with only its dependencies (created under {CACHE_DIR}), "
                             "like the others, instead of this interpreter")
    parser.add_argument("--with-llmspy", action="store_true",
                        help=f"also llms.py 2.0.35 and 4.0.26 (venvs created under {CACHE_DIR} when missing)")
    parser.add_argument("--with-litellm", action="store_true",
                        help=f"also the LiteLLM proxy (venv created under {CACHE_DIR} when missing)")


def chosen_contenders(args) -> list[Contender]:
    chosen = [LLMS_IN_VENV if args.llms_venv else LLMS]
    chosen += ([LLMSPY2, LLMSPY4] if args.with_llmspy else []) + ([LITELLM] if args.with_litellm else [])
    for contender in chosen:
        contender.ensure_installed()
    return chosen


def _wait_for(url: str, process: subprocess.Popen, timeout_s: float, what: str, log: Path) -> float:
    started = time.perf_counter()
    while time.perf_counter() - started < timeout_s:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with {process.returncode}:\n{log.read_text()[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=1) as response:
                if response.status == 200:
                    return time.perf_counter()
        except OSError:
            time.sleep(0.002)
    raise RuntimeError(f"{what}: no 200 from {url} within {timeout_s:g} s:\n{log.read_text()[-3000:]}")


class Server:
    """A contender serving on a free loopback port; `ready_ms` is its start to the first 200 on `ready_path`."""

    def __init__(self, contender: Contender, upstream_url: str):
        self.contender = contender
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.home = Path(tempfile.mkdtemp(prefix="llms-bench-home-"))
        self.log = self.home / "server.log"
        launch = contender.launch(contender, self.home, self.port, upstream_url)
        with open(self.log, "wb") as log:
            started = time.perf_counter()
            self.process = subprocess.Popen(launch.argv, cwd=self.home, env=launch.env, stdout=log,
                                            stderr=subprocess.STDOUT)
        try:
            ready = _wait_for(self.url + contender.ready_path, self.process, START_TIMEOUT_S, contender.name, self.log)
        except BaseException:
            self.stop()
            raise
        self.ready_ms = (ready - started) * 1000

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "Server":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


class Upstream:
    """`bench/upstream.py` in its own process, so its work never shares a core's time slice with the client's."""

    def __init__(self, chunk_delay_ms: float = 0.0):
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        self.log = Path(tempfile.mkstemp(prefix="llms-bench-upstream-", suffix=".log")[1])
        with open(self.log, "wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, str(ROOT / "bench" / "upstream.py"), "--port", str(self.port),
                 "--chunk-delay-ms", str(chunk_delay_ms)], stdout=log, stderr=subprocess.STDOUT)
        _wait_for(self.url + "/v1/models", self.process, 10, "bench/upstream.py", self.log)

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)
        self.log.unlink(missing_ok=True)

    def __enter__(self) -> "Upstream":
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


def _tree(pid: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            try:
                stat = (entry / "stat").read_text()
            except OSError:
                continue  # the process ended while we listed /proc
            parent = int(stat.rsplit(")", 1)[1].split()[1])
            children.setdefault(parent, []).append(int(entry.name))
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(children.get(current, ()))
    return found


def tree_cpu_ms(pid: int) -> float:
    """User + system CPU time of a process and its live descendants, from /proc/<pid>/stat (fields 14, 15)."""
    total_ticks = 0
    for member in _tree(pid):
        try:
            fields = Path(f"/proc/{member}/stat").read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue  # ended meanwhile
        total_ticks += int(fields[11]) + int(fields[12])
    return total_ticks * 1000 / CLOCK_TICKS


def tree_rss_kb(pid: int, field: str = "VmRSS") -> int:
    """Resident set (or, with field="VmHWM", its peak) of a process and its live descendants, in KiB."""
    total = 0
    for member in _tree(pid):
        try:
            for line in Path(f"/proc/{member}/status").read_text().splitlines():
                if line.startswith(field + ":"):
                    total += int(line.split()[1])
        except OSError:
            continue  # ended meanwhile
    return total


def machine_line() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), "unknown CPU")
    mem_kb = next(int(line.split()[1]) for line in Path("/proc/meminfo").read_text().splitlines()
                  if line.startswith("MemTotal:"))
    load_1min = Path("/proc/loadavg").read_text().split()[0]
    return (f"{os.cpu_count()} CPUs ({cpu}), {mem_kb / 1024 / 1024:.0f} GiB RAM, Python {sys.version.split()[0]}, "
            f"{time.strftime('%Y-%m-%d %H:%M %Z')}, load average {load_1min} at the start")
