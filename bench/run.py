"""One bench run: Entraide (`entraide run`, fresh SQLite) vs two references side by side.

The references: bare python-socketio (bench/bare_server.py) and Node socket.io 4.x
(bench/node_server.mjs, when node_modules/socket.io is installed), both with the same events,
acks and payload bytes as Entraide. Each target gets a fresh server pinned to core 0
(`taskset -c 0`); the Node load generator (bench/loadgen.mjs) runs pinned to core 1. Prints a
markdown table with all results and the ratios between them. Everything is bounded by
subprocess timeouts; servers are stopped on exit, on failure and on Ctrl-C/SIGTERM.

    .venv/bin/python bench/run.py                       # C=1000 R=50 P=200/s D=10s, all
    .venv/bin/python bench/run.py --clients 200 --rooms 10 --rate 100
    .venv/bin/python bench/run.py --only ours --sweep 25,50,100   # max sustained rate
    .venv/bin/python bench/run.py --only ours --profile            # + py-spy hotspots
    .venv/bin/python bench/run.py --hot-room            # C=1000 in ONE room, rate sweep
    .venv/bin/python bench/run.py --servers entraide,node --hot-room --sweep 5,10,20
    .venv/bin/python bench/run.py --hot-room --client lean   # the lean generator (hot room)

The machine may be shared with other work (test runs of other sessions): before each run the
script waits (bounded) for both cores to be quiet, runs server and generator at raised
priority (nice -10), and reports the CPU that *other* processes took on each core during the
run. Raw JSON results go to bench/results/ (git-ignored).
"""

from __future__ import annotations

import argparse
import atexit
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections import Counter
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
BENCH = ROOT / "bench"
VENV = ROOT / ".venv" / "bin"
RESULTS = BENCH / "results"
SERVER_CORE = "0"
GENERATOR_CORE = "1"
START_TIMEOUT = 30.0
STOP_TIMEOUT = 15.0
SETUP_TIMEOUT = 180.0  # loadgen: visitors + connects + joins
SUSTAINED_P99_MS = 100.0
GENERATOR_BUSY_PCT = 85.0  # of one core: above this the generator may be the bottleneck
HOT_ROOM_SWEEP = "5,10,20,30,50,75,100"  # posts/s; x C=1000 receivers = deliveries/s
NODE_SOCKETIO = ROOT / "node_modules" / "socket.io" / "package.json"

# Targets: Entraide ("ours"), the python-socketio reference ("bare"), the Node one ("node").
TARGETS = ("ours", "bare", "node")
TARGET_ALIASES = {"entraide": "ours", "ours": "ours", "bare": "bare", "node": "node"}
TARGET_NAMES = {"ours": "Entraide", "bare": "bare python-socketio", "node": "Node socket.io"}
TARGET_SHORT = {"ours": "Entraide", "bare": "bare", "node": "Node"}

Result = dict[str, Any]
_live: list[subprocess.Popen[bytes]] = []


def log(msg: str) -> None:
    print(f"[run {datetime.now().strftime('%H:%M:%S')}] {msg}", file=sys.stderr, flush=True)


# processes ------------------------------------------------------------------------------
def stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(STOP_TIMEOUT)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
    if proc in _live:
        _live.remove(proc)


def stop_all() -> None:
    for proc in list(_live):
        with contextlib.suppress(Exception):
            stop(proc)


def _on_signal(signum: int, _frame: Any) -> None:
    stop_all()
    sys.exit(128 + signum)


def pinned(core: str, nice: int, cmd: list[str]) -> list[str]:
    return ["taskset", "-c", core, "nice", "-n", str(nice), *cmd]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def wait_healthy(proc: subprocess.Popen[bytes], port: int, log_path: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT
    url = f"http://127.0.0.1:{port}/healthz"
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            tail = log_path.read_text(errors="replace")[-2000:]
            raise RuntimeError(f"server exited with {proc.returncode}: {tail}")
        with (
            contextlib.suppress(OSError),
            urllib.request.urlopen(url, timeout=2) as resp,
        ):
            if resp.status == 200:
                return
        time.sleep(0.2)  # polling a port with a deadline: the server has no ready signal
    raise RuntimeError(f"server not healthy within {START_TIMEOUT}s")


def snapshot(ref: str, into: Path, patches: list[str]) -> tuple[Path, str]:
    """The code to bench: the live work tree, or a clean export of a commit.

    Others may be editing app/ while a bench runs; exporting a commit (`git archive`) keeps
    every run of one invocation on the same code. Returns (code root, description).
    """
    if ref == "worktree":
        if patches:
            raise SystemExit("--patch needs --ref COMMIT (it is applied to an export)")
        dirty = subprocess.run(
            ["git", "status", "--porcelain", "--", "app"],
            cwd=ROOT, capture_output=True, text=True, timeout=30, check=True,
        ).stdout.strip()  # fmt: skip
        head = _git("rev-parse", "--short=12", "HEAD")
        return ROOT, f"work tree at {head}" + (" (app/ has uncommitted changes)" if dirty else "")
    sha = _git("rev-parse", "--verify", f"{ref}^{{commit}}")
    archive = subprocess.run(
        ["git", "archive", "--format=tar", sha],
        cwd=ROOT, capture_output=True, timeout=60, check=True,
    ).stdout  # fmt: skip
    subprocess.run(["tar", "-x", "-C", str(into)], input=archive, timeout=60, check=True)
    desc = f"commit {sha[:12]}"
    for patch in patches:
        # An experiment: a proposed server change applied to the export only, never to the tree.
        subprocess.run(
            ["git", "apply", "--directory=", str(Path(patch).resolve())],
            cwd=into, timeout=30, check=True,
        )  # fmt: skip
        desc += f" + {Path(patch).name}"
    return into, desc


def _git(*argv: str) -> str:
    return subprocess.run(
        ["git", *argv], cwd=ROOT, capture_output=True, text=True, timeout=30, check=True
    ).stdout.strip()


def start_server(
    target: str, workdir: Path, nice: int, db_dir: Path, code: Path, extra_path: list[str]
) -> tuple[subprocess.Popen[bytes], int, Path]:
    port = free_port()
    env = dict(os.environ)
    if target == "ours":
        env.update(
            ENTRAIDE_DATABASE_URL=f"sqlite:///{db_dir / 'bench.db'}",
            ENTRAIDE_VISITOR_RATE="100000/hour",
            ENTRAIDE_WRITE_RATE="100000/minute",
            ENTRAIDE_ROOM_RATE="100000/hour",  # every generated shopper shares 127.0.0.1
            ENTRAIDE_SECRET_KEY="bench-secret-" + "x" * 40,
        )
        # `python -m app.cli` from the code root (first on sys.path) is `entraide run` of that
        # code, whatever the venv's editable install points at.
        env["PYTHONPATH"] = os.pathsep.join([str(code), *extra_path])
        cmd = [str(VENV / "python"), "-m", "app.cli", "run", "--port", str(port)]
        cmd += ["--log-level", "warning"]
    elif target == "node":
        cmd = ["node", str(BENCH / "node_server.mjs"), "--port", str(port)]
    else:
        cmd = [str(VENV / "python"), str(BENCH / "bare_server.py"), "--port", str(port)]
    log_path = workdir / f"{target}-server.log"
    with log_path.open("wb") as out:
        # taskset and nice exec the server: proc.pid is the server's own pid.
        proc = subprocess.Popen(
            pinned(SERVER_CORE, nice, cmd), cwd=code, env=env, stdout=out, stderr=subprocess.STDOUT
        )
    _live.append(proc)
    try:
        wait_healthy(proc, port, log_path)
    except BaseException:
        stop(proc)
        raise
    return proc, port, log_path


# load generator --------------------------------------------------------------------------
def loadgen_cmd(
    args: argparse.Namespace, target: str, port: int, pid: int, rate: float
) -> list[str]:
    cmd = [
        "node", str(BENCH / "loadgen.mjs"),
        "--url", f"http://127.0.0.1:{port}",
        "--clients", str(args.clients),
        "--rooms", str(args.rooms),
        "--rate", f"{rate:g}",
        "--duration", f"{args.duration:g}",
        "--drain", f"{args.drain:g}",
        "--setup-timeout", f"{SETUP_TIMEOUT:g}",
        "--server-pid", str(pid),
        "--client", args.client,
    ]  # fmt: skip
    if target in ("bare", "node"):
        cmd.append("--bare")  # same protocol for both references: no visitor tokens
    if args.concurrent_first_join:
        cmd.append("--concurrent-first-join")
    if args.zipf:
        cmd += ["--zipf", f"{args.zipf:g}"]
    return pinned(GENERATOR_CORE, args.nice, cmd)


class Loadgen:
    """The generator process; its stderr is read on a thread to see when posting starts."""

    def __init__(self, cmd: list[str]) -> None:
        self.proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        _live.append(self.proc)
        self.posting = threading.Event()
        self.stderr: list[str] = []
        self._reader = threading.Thread(target=self._read_stderr, daemon=True)
        self._reader.start()

    def _read_stderr(self) -> None:
        assert self.proc.stderr is not None
        for raw in self.proc.stderr:
            line = raw.decode(errors="replace")
            self.stderr.append(line)
            if "] posting " in line:
                self.posting.set()

    def result(self, timeout: float) -> Result:
        try:
            stdout, _ = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            stop(self.proc)
            raise RuntimeError(f"loadgen did not finish within {timeout:.0f}s") from None
        finally:
            if self.proc in _live:
                _live.remove(self.proc)
        self._reader.join(5)
        lines = [ln for ln in stdout.decode().splitlines() if ln.startswith("{")]
        if not lines:
            tail = "".join(self.stderr)[-2000:]
            raise RuntimeError(f"loadgen exited {self.proc.returncode} without a result: {tail}")
        result: Result = json.loads(lines[-1])
        result["loadgen_exit"] = self.proc.returncode
        return result


# profiling -------------------------------------------------------------------------------
def profile_start(
    pid: int, out: Path, duration: float, extra: list[str]
) -> subprocess.Popen[bytes] | None:
    pyspy = shutil.which("py-spy") or str(VENV / "py-spy")
    if not Path(pyspy).exists():
        log("py-spy not found (.venv/bin/pip install py-spy): profiling skipped")
        return None
    # Blocking mode (py-spy pauses the server ~100 times/s for a few µs): its idle detection
    # is reliable there. py-spy shares the generator's core.
    proc = subprocess.Popen(
        [
            "taskset",
            "-c",
            GENERATOR_CORE,
            pyspy,
            "record",
            "--pid",
            str(pid),
            "--rate",
            "100",
            "--duration",
            str(max(1, int(duration))),
            "--format",
            "raw",
            "--output",
            str(out),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _live.append(proc)
    return proc


def _frame_name(frame: str) -> str:
    # py-spy raw frames look like "function (path/to/file.py:123)".
    name, _, where = frame.partition(" (")
    path = where.rstrip(")").rpartition(":")[0]
    for marker in ("site-packages/", "/lib/python3.11/", "/lib/python3.12/"):
        if marker in path:
            path = path.split(marker, 1)[1]
    path = re.sub(r"^.*/entraide-bench-code-[^/]+/", "", path.replace(str(ROOT) + "/", ""))
    return f"{name} ({path})"


_PLUMBING = (
    "<module>", "main (", "run (", "_run_once", "run_forever", "run_until_complete",
    "_run (asyncio", "cmd_run", "serve (", "_serve (", "runner", "_bootstrap", "_worker",
    "__call__ (", "wrapper (",
)  # fmt: skip


# Leaves that are a thread parked in C (a queue get), not work: counted apart.
_IDLE_LEAVES = (
    "_connection_worker_thread (aiosqlite",  # aiosqlite's thread waiting on its SimpleQueue
    "_worker (concurrent/futures/thread.py)",  # a to_thread pool thread waiting for work
)


# Where a sample's time goes: the first of these found walking from the leaf to the root.
_BUCKETS = (
    ("search terms: snowball stemming (pure Python)", ("search_terms (",)),
    ("rate limiting (limits MemoryStorage)", ("(limits/",)),
    ("SQLite store (aiosqlite calls, thread hand-offs)", ("(aiosqlite/", "(app/store/")),
    ("HTML rendering and views", ("render_html (", "(app/services/views.py)")),
    ("payload validation (pydantic)", ("(pydantic/", "(app/services/payloads.py)")),
    ("visitor token check", ("(itsdangerous/", "visitor_from_token (")),
    ("Socket.IO emit / websocket send", ("emit (socketio", "_send_packet (", "_send_eio_packet (",
                                         "send (uvicorn", "AsyncSocket.send (")),
    ("Socket.IO / websocket receive and dispatch", ("receive (", "_handle_eio_message (",
                                                    "data_received (", "handle_events (")),
)  # fmt: skip
_UVLOOP = "uvloop C code (epoll, socket reads/writes, callbacks)"


def _bucket(frames: list[str]) -> str:
    for frame in reversed(frames):
        for name, marks in _BUCKETS:
            if any(m in frame for m in marks):
                return name
    if frames[-1].startswith("Runner.run ("):
        return _UVLOOP
    return "other"


def summarize_profile(raw: Path, top: int = 10) -> Result:
    """Self and inclusive sample shares per function from py-spy's collapsed stacks.

    A leaf `Runner.run (asyncio/runners.py)` is uvloop's C code (epoll, socket I/O, callbacks
    bookkeeping): uvicorn runs on uvloop, whose loop has no Python frames.
    """
    self_counts: Counter[str] = Counter()
    incl_counts: Counter[str] = Counter()
    buckets: Counter[str] = Counter()
    total = idle = 0
    for line in raw.read_text().splitlines():
        stack, _, count_s = line.rpartition(" ")
        if not stack or not count_s.isdigit():
            continue
        count = int(count_s)
        frames = [_frame_name(f) for f in stack.split(";")]
        frames = [f for f in frames if not f.startswith(("process ", "thread "))]
        if not frames:
            continue
        if frames[-1].startswith(_IDLE_LEAVES):
            idle += count
            continue
        total += count
        buckets[_bucket(frames)] += count
        self_counts[frames[-1]] += count
        for f in set(frames):
            incl_counts[f] += count

    def pct(c: int) -> float:
        return round(100.0 * c / total, 1) if total else 0.0

    inclusive = [(f, pct(c)) for f, c in incl_counts.most_common(80) if not f.startswith(_PLUMBING)]
    return {
        "samples": total,
        "idle_thread_samples": idle,
        "buckets": [(b, pct(c)) for b, c in buckets.most_common()],
        "self": [(f, pct(c)) for f, c in self_counts.most_common(top)],
        "inclusive": inclusive[: 2 * top],
    }


# shared machine --------------------------------------------------------------------------
def _core_times() -> dict[str, tuple[int, int]]:
    """(busy, total) jiffies per core from /proc/stat (busy excludes idle, iowait, steal)."""
    out = {}
    for line in Path("/proc/stat").read_text().splitlines():
        name, *vals = line.split()
        if name.startswith("cpu") and name != "cpu":
            v = [int(x) for x in vals[:8]]
            out[name] = (sum(v) - v[3] - v[4] - v[7], sum(v))
    return out


def wait_for_quiet(limit_s: float, threshold_pct: float) -> dict[str, float]:
    """Wait (bounded) until both cores are idle; returns busy % of the last 2 s window."""
    deadline = time.monotonic() + limit_s
    while True:
        a = _core_times()
        time.sleep(2.0)  # a measuring window, not a wait for an event
        b = _core_times()
        busy = {
            k: round(100.0 * (b[k][0] - a[k][0]) / max(1, b[k][1] - a[k][1]), 1)
            for k in b
            if k in a
        }
        if all(v < threshold_pct for v in busy.values()):
            return busy
        if time.monotonic() > deadline:
            log(f"machine still busy after {limit_s:.0f}s ({busy}): running anyway")
            return busy
        log(f"waiting for a quiet machine: {busy}")


def rss_kb(pid: int) -> int | None:
    """VmRSS of a process from /proc (as the generator reads it), None if unreadable."""
    with contextlib.suppress(OSError):
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    return None


# one run ---------------------------------------------------------------------------------
def one_run(args: argparse.Namespace, target: str, rate: float, code: Path) -> Result:
    quiet = wait_for_quiet(args.quiet_wait, args.quiet_threshold) if args.quiet_wait > 0 else {}
    with (
        tempfile.TemporaryDirectory(prefix="entraide-bench-") as tmp,
        tempfile.TemporaryDirectory(prefix="entraide-bench-db-", dir=args.db_dir) as db_tmp,
    ):
        workdir = Path(tmp)
        proc, port, log_path = start_server(
            target, workdir, args.nice, Path(db_tmp), code, args.pythonpath
        )
        rss_idle_kb = rss_kb(proc.pid)  # healthy, no Socket.IO connection yet
        log(
            f"{target}: server pid {proc.pid} on port {port}; load C={args.clients} "
            f"R={args.rooms} P={rate:g}/s D={args.duration:g}s"
        )
        spy = None
        raw = workdir / "profile.txt"
        try:
            loadgen = Loadgen(loadgen_cmd(args, target, port, proc.pid, rate))
            timeout = SETUP_TIMEOUT + args.duration + args.drain + 60
            if args.profile and target == "ours" and loadgen.posting.wait(SETUP_TIMEOUT):
                # the load window only
                extra = ["--native"] * args.native + ["--gil"] * args.gil
                spy = profile_start(proc.pid, raw, args.duration, extra)
            result = loadgen.result(timeout)
        finally:
            if spy is not None:
                with contextlib.suppress(subprocess.TimeoutExpired):
                    spy.wait(args.duration + 30)
                stop(spy)
            stop(proc)
            server_log = log_path.read_text(errors="replace")
        if spy is not None and raw.exists():
            result["profile"] = summarize_profile(raw)
            RESULTS.mkdir(exist_ok=True)
            kept = RESULTS / f"{datetime.now(UTC).strftime('%Y%m%dT%H%M%SZ')}-py-spy-raw.txt"
            shutil.copyfile(raw, kept)
            result["profile"]["raw"] = str(kept.relative_to(ROOT))
    errors = [ln for ln in server_log.splitlines() if "Traceback" in ln or "ERROR" in ln]
    result["server_log_errors"] = len(errors)
    if errors or not result.get("ok"):
        result["server_log_tail"] = server_log[-3000:]
    result["target"] = target
    result["busy_before_pct"] = quiet
    result["server_rss_kb_idle"] = rss_idle_kb
    with_clients = result.get("server_rss_kb_before_load")
    if rss_idle_kb and with_clients:
        # RSS with every client connected and joined (before posting) minus RSS idle.
        result["server_rss_kb_per_connection"] = round(
            (with_clients - rss_idle_kb) / args.clients, 1
        )
    cores = result.get("cores") or {}
    for core, own in (("cpu0", "server_cpu_pct"), ("cpu1", "generator_cpu_pct")):
        if core in cores and result.get(own) is not None:
            result[f"other_load_{core}_pct"] = round(max(0.0, cores[core]["busy"] - result[own]), 1)
    return result


def sustained(r: Result, clients: int) -> bool:
    lat = r.get("latency_ms") or {}
    return bool(
        r.get("ok")
        and r.get("undelivered") == 0
        and not r.get("ack_errors")
        and r.get("ack_timeouts") == 0
        and r.get("connections_held") == clients
        and lat.get("p99") is not None
        and lat["p99"] < SUSTAINED_P99_MS
    )


def disturbance(r: Result) -> float:
    return float(r.get("other_load_cpu0_pct") or 0) + float(r.get("other_load_cpu1_pct") or 0)


# tables ----------------------------------------------------------------------------------
def fmt(v: Any, unit: str = "") -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        v = f"{v:,.0f}" if abs(v) >= 1000 else f"{v:,.1f}" if abs(v) >= 10 else f"{v:.2f}"
    elif isinstance(v, int):
        v = f"{v:,}"
    return f"{v}{unit}"


def ratio(a: Any, b: Any) -> str:
    if not isinstance(a, int | float) or not isinstance(b, int | float) or b == 0:
        return "—"
    return f"{a / b:.2f}×"


def _lat(key: str) -> Callable[[Result], Any]:
    return lambda r: (r.get("latency_ms") or {}).get(key)


def _ack(key: str) -> Callable[[Result], Any]:
    return lambda r: (r.get("ack_latency_ms") or {}).get(key)


def _rss_mib(r: Result) -> Any:
    return r["server_rss_kb"] / 1024 if r.get("server_rss_kb") else None


def _per_conn(r: Result) -> Any:
    return r.get("server_rss_kb_per_connection")


def _cpu(r: Result) -> Any:
    return r.get("server_cpu_pct")


def _cpu_per_delivery_us(r: Result) -> Any:
    """Server CPU time per `event` reception: % of a core x 10^4 / deliveries per second."""
    cpu, dps = r.get("server_cpu_pct"), r.get("delivered_per_s")
    return cpu * 1e4 / dps if cpu and dps else None


def _ok(r: Result) -> bool:
    return sustained(r, r["clients"])


def _acks(r: Result) -> str:
    errors = sum((r.get("ack_errors") or {}).values())
    return f"{fmt(r.get('acks_ok'))} / {errors} / {fmt(r.get('ack_timeouts'))}"


def _sent(r: Result) -> str:
    return f"{fmt(r.get('posts_sent'))} ({fmt(r.get('posts_per_s_achieved'))}/s)"


def _psi(r: Result) -> str:
    psi = r.get("psi_some_pct") or {}
    return f"{fmt(psi.get('io'))} / {fmt(psi.get('cpu'))}"


def _others(r: Result) -> str:
    return f"{fmt(r.get('other_load_cpu0_pct'))} / {fmt(r.get('other_load_cpu1_pct'))}"


# (label, value getter for display, numeric getter for the ratio column or None)
ROWS: list[tuple[str, Callable[[Result], Any], Callable[[Result], Any] | None]] = [
    ("posts sent (achieved rate)", _sent, None),
    ("acks ok / errors / timeouts", _acks, None),
    ("deliveries expected", lambda r: fmt(r.get("expected_deliveries")), None),
    ("undelivered", lambda r: fmt(r.get("undelivered")), None),
    ("held by moderation (acked, never broadcast)", lambda r: fmt(r.get("held", 0)), None),
    ("delivered/s", lambda r: fmt(r.get("delivered_per_s")), lambda r: r.get("delivered_per_s")),
    ("latency p50 (ms)", lambda r: fmt(_lat("p50")(r)), _lat("p50")),
    ("latency p95 (ms)", lambda r: fmt(_lat("p95")(r)), _lat("p95")),
    ("latency p99 (ms)", lambda r: fmt(_lat("p99")(r)), _lat("p99")),
    ("latency max (ms)", lambda r: fmt(_lat("max")(r)), _lat("max")),
    ("ack p50 / p99 (ms)", lambda r: f"{fmt(_ack('p50')(r))} / {fmt(_ack('p99')(r))}", None),
    ("connections held", lambda r: fmt(r.get("connections_held")), None),
    ("server RSS at end (MiB)", lambda r: fmt(_rss_mib(r)), _rss_mib),
    ("server RSS per connection (kB, joined − idle)", lambda r: fmt(_per_conn(r)), _per_conn),
    ("server CPU (% of core 0)", lambda r: fmt(_cpu(r)), _cpu),
    ("generator CPU (% of core 1)", lambda r: fmt(r.get("generator_cpu_pct")), None),
    ("other processes, core 0 / 1 (%)", _others, None),
    ("pressure stalls, I/O / CPU (% of time)", _psi, None),
    ("sustained (p99 < 100 ms, 0 lost)", lambda r: "yes" if _ok(r) else "**no**", None),
]  # fmt: skip


def _head(r: Result) -> str:
    return f"{TARGET_NAMES[r['target']]} @ {r['rate']:g}/s"


def _pairs(targets: list[str]) -> list[tuple[int, int]]:
    """Ratio columns: every earlier target over every later one (Entraide, bare, Node)."""
    return [(i, j) for i in range(len(targets)) for j in range(i + 1, len(targets))]


def table(results: list[Result]) -> str:
    """One column per result; with one result per distinct target, ratio columns between them."""
    targets = [r["target"] for r in results]
    compare = len(results) > 1 and len(set(targets)) == len(targets)
    pairs: list[tuple[int, int]] = []
    if compare:
        results = sorted(results, key=lambda r: TARGETS.index(r["target"]))
        pairs = _pairs([r["target"] for r in results])
    heads = [_head(r) for r in results]
    heads += [
        f"{TARGET_SHORT[results[i]['target']]} / {TARGET_SHORT[results[j]['target']]}"
        for i, j in pairs
    ]
    lines = ["| metric | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    failed = [r for r in results if not r.get("ok")]
    for r in failed:
        lines.append(f"| **{_head(r)} failed** | {r.get('error', '?')} |")
    for name, show, num in ROWS:
        cells = [show(r) if r.get("ok") else "failed" for r in results]
        cells += [ratio(num(results[i]), num(results[j])) if num else "" for i, j in pairs]
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


def _gen_load(r: Result) -> float:
    """How busy the generator's core was: the generator (whole run or send window) or, when
    other processes shared it, the whole core."""
    core = ((r.get("cores") or {}).get(f"cpu{GENERATOR_CORE}") or {}).get("busy")
    keys = ("generator_cpu_pct", "generator_cpu_pct_send_window")
    return float(max([r.get(k) or 0 for k in keys] + [core or 0]))


def _gen_busy(r: Result) -> bool:
    """The generator's core was past GENERATOR_BUSY_PCT: the generator may be the limit."""
    return _gen_load(r) > GENERATOR_BUSY_PCT


def _first_fail_above(best: list[Result], target: str, rate: float) -> Result | None:
    fails = [r for r in best if r["target"] == target and r["rate"] > rate and not _ok(r)]
    return min(fails, key=lambda r: r["rate"], default=None)


def highest_sustained(best: list[Result], target: str, rates: list[float]) -> tuple[float, bool]:
    """(highest sustained rate, whether it is only a lower bound of the server's).

    A lower bound: the top of the sweep was sustained, or the next rate failed with the
    generator past GENERATOR_BUSY_PCT of its core (the generator, not the server, may have
    been the limit). 0 when no rate was sustained; a skipped rate counts as not sustained.
    """
    ok = [r["rate"] for r in best if r["target"] == target and _ok(r)]
    top = max(ok, default=0.0)
    fail = _first_fail_above(best, target, top)
    bound = bool(ok) and (top == max(rates) or (fail is not None and _gen_busy(fail)))
    return top, bound


def _limit(best: list[Result], target: str, rates: list[float]) -> str:
    """What stopped the server at the first rate above its highest sustained one."""
    top, _ = highest_sustained(best, target, rates)
    fail = _first_fail_above(best, target, top)
    if fail is None:
        return "top of the sweep" if top else "—"
    where = f"at {fail['rate']:g}/s: "
    if not fail.get("ok"):
        return where + "run failed"
    if _gen_busy(fail):
        gen = f"generator {fmt(fail.get('generator_cpu_pct'))}%"
        gen += f", others {fmt(fail.get('other_load_cpu1_pct'))}%"
        return where + f"server {fmt(_cpu(fail))}%, core 1 full ({gen}): generator-bound?"
    return where + f"server CPU {fmt(_cpu(fail))}%, p99 {fmt(_lat('p99')(fail))} ms"


def _rate_cell(rate: float, bound: bool) -> str:
    if rate == 0:
        return "none"
    return f"≥ {rate:g}" if bound else f"{rate:g}"


def sweep_table(best: list[Result], targets: list[str], rates: list[float]) -> str:
    """Side by side per rate: p50 / p99, undelivered, server CPU and sustained, per target."""
    heads = ["rate (posts/s) → deliveries/s"]
    for t in targets:
        short = TARGET_SHORT[t]
        heads += [f"{short} p50 / p99 (ms)", f"{short} undelivered", f"{short} CPU % server / gen"]
    lines = ["| " + " | ".join(heads) + " |", "|---" * len(heads) + "|"]
    for rate in rates:
        row = [f"{rate:g} → {fmt(rate * best[0]['clients'] / best[0]['rooms'])}"]
        for t in targets:
            r = next((x for x in best if x["target"] == t and x["rate"] == rate), None)
            if r is None:
                row += ["(skipped)", "", ""]
            elif not r.get("ok"):
                row += [f"failed: {str(r.get('error', '?'))[:60]}", "", ""]
            else:
                lat = f"{fmt(_lat('p50')(r))} / {fmt(_lat('p99')(r))}"
                cpu = f"{fmt(_cpu(r))} / {fmt(r.get('generator_cpu_pct'))}"
                cpu += " ⚠" if _gen_busy(r) else ""  # generator's core > GENERATOR_BUSY_PCT
                row += [lat if _ok(r) else f"**{lat}** ✗", fmt(r.get("undelivered")), cpu]
        lines.append("| " + " | ".join(row) + " |")
    return "\n".join(lines)


def sweep_summary(best: list[Result], targets: list[str], rates: list[float]) -> str:
    """Highest sustained rate per target, what stopped it, memory per connection; ratios."""
    tops = {t: highest_sustained(best, t, rates) for t in targets}

    def at_top(get: Callable[[Result], Any]) -> Callable[[str], Any]:
        def value(t: str) -> Any:
            r = next((x for x in best if x["target"] == t and x["rate"] == tops[t][0]), None)
            return get(r) if r is not None else None

        return value

    def first_ok(get: Callable[[Result], Any]) -> Callable[[str], Any]:
        def value(t: str) -> Any:
            r = next((x for x in best if x["target"] == t and x.get("ok")), None)
            return get(r) if r is not None else None

        return value

    def idle_mib(r: Result) -> Any:
        return r["server_rss_kb_idle"] / 1024 if r.get("server_rss_kb_idle") else None

    pairs = _pairs(targets)
    heads = [TARGET_NAMES[t] for t in targets]
    heads += [f"{TARGET_SHORT[targets[i]]} / {TARGET_SHORT[targets[j]]}" for i, j in pairs]
    lines = ["| | " + " | ".join(heads) + " |", "|---" * (len(heads) + 1) + "|"]
    # (label, numeric value per target for the ratios, display per target; None: fmt(value))
    rows: list[tuple[str, Callable[[str], Any] | None, Callable[[str], str] | None]] = [
        (
            "highest sustained rate (posts/s; ≥: a lower bound)",
            lambda t: tops[t][0] or None,
            lambda t: _rate_cell(*tops[t]),
        ),
        ("what stopped it (the next rate)", None, lambda t: _limit(best, t, rates)),
        ("deliveries/s at that rate", at_top(lambda r: r.get("delivered_per_s")), None),
        ("p99 at that rate (ms)", at_top(_lat("p99")), None),
        ("server CPU at that rate (% of core 0)", at_top(_cpu), None),
        ("server CPU per delivery at that rate (µs)", at_top(_cpu_per_delivery_us), None),
        ("server RSS idle (MiB)", first_ok(idle_mib), None),
        ("server RSS per connection (kB, first run)", first_ok(_per_conn), None),
    ]
    for name, num, show in rows:
        cells = [show(t) if show else fmt(num(t) if num else None) for t in targets]
        for i, j in pairs:
            cell = ratio(num(targets[i]), num(targets[j])) if num else ""
            bound = tops[targets[i]][1] or tops[targets[j]][1]
            if name.startswith("highest") and cell != "—" and bound:
                cell += " (a bound)"
            cells.append(cell)
        lines.append(f"| {name} | " + " | ".join(cells) + " |")
    return "\n".join(lines)


# main ------------------------------------------------------------------------------------
def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--clients", type=int, default=1000)
    parser.add_argument("--rooms", type=int, default=50)
    parser.add_argument("--rate", type=float, default=200, help="posts/s, all clients together")
    parser.add_argument("--duration", type=float, default=10, help="seconds of posting")
    parser.add_argument("--drain", type=float, default=10, help="max seconds to wait after")
    parser.add_argument(
        "--servers",
        default="",
        help="comma-separated among entraide (or ours), bare, node (run in that order); "
        "default all three when node_modules/socket.io is installed, else entraide,bare",
    )
    parser.add_argument(
        "--only",
        choices=["ours", "bare", "node", "both"],
        default=None,
        help="older spelling: one target, or 'both' (entraide,bare); overrides --servers",
    )
    parser.add_argument("--sweep", default="", help="comma-separated rates instead of --rate")
    parser.add_argument(
        "--hot-room",
        action="store_true",
        help=f"every client in ONE room (R=1), rate sweep (default {HOT_ROOM_SWEEP}), each "
        "server stops at its first unsustained rate (see --stop-after-fails)",
    )
    parser.add_argument(
        "--stop-after-fails",
        type=int,
        default=None,
        help="in a sweep, skip a server's higher rates after N consecutive unsustained rates "
        "(0: never; default 1 with --hot-room, else 0)",
    )
    parser.add_argument("--repeat", type=int, default=1, help="runs per target and rate")
    parser.add_argument("--nice", type=int, default=-10, help="niceness of server and generator")
    parser.add_argument(
        "--quiet-wait",
        type=float,
        default=180.0,
        help="max seconds to wait for idle cores before each run (0: don't)",
    )
    parser.add_argument(
        "--quiet-threshold",
        type=float,
        default=15.0,
        help="busy %% per core under which the machine counts as quiet",
    )
    parser.add_argument(
        "--ref",
        default="HEAD",
        help="git commit of Entraide to bench (exported clean), or 'worktree' for the live tree",
    )
    parser.add_argument(
        "--patch",
        action="append",
        default=[],
        help="experiment: apply this diff to the exported commit before running (repeatable)",
    )
    parser.add_argument(
        "--pythonpath",
        action="append",
        default=[],
        help="experiment: extra import dir for the Entraide server (e.g. an optional C package)",
    )
    parser.add_argument(
        "--db-dir",
        default=None,
        help="where the fresh SQLite file goes (default: the system temp dir, /tmp); "
        "/dev/shm takes fsync out of the picture, for diagnosis only",
    )
    parser.add_argument(
        "--concurrent-first-join",
        action="store_true",
        help="let every client join at once, rooms not created yet (reproduces a join race)",
    )
    parser.add_argument(
        "--zipf",
        type=float,
        default=0.0,
        help="room sizes by Zipf's law with this exponent (a shop's few hot products and "
        "long tail; 0: clients spread evenly)",
    )
    parser.add_argument(
        "--client",
        choices=["socket.io-client", "lean"],
        default="socket.io-client",
        help="the generator's clients: socket.io-client 4.8 (as in every run before this "
        "option), or lean (bench/lean_client.mjs: the protocol spoken directly, a cheap scan of "
        "each delivery, so that in a hot room the server saturates before the generator does)",
    )
    parser.add_argument("--profile", action="store_true", help="py-spy the Entraide server")
    parser.add_argument(
        "--native", action="store_true", help="with --profile: C frames too (py-spy --native)"
    )
    parser.add_argument(
        "--gil", action="store_true", help="with --profile: only samples holding the GIL"
    )
    args = parser.parse_args()  # fmt: skip
    if not (0 < args.duration <= 120 and 0 < args.clients <= 5000 and 0 < args.rate <= 5000):
        parser.error("bounded: 0 < --duration <= 120, --clients <= 5000, --rate <= 5000")
    if not 1 <= args.repeat <= 10:
        parser.error("--repeat must be 1..10")
    if args.hot_room:
        args.rooms = 1
        args.sweep = args.sweep or HOT_ROOM_SWEEP
    if args.stop_after_fails is None:
        args.stop_after_fails = 1 if args.hot_room else 0
    if args.only is not None:
        targets = ["ours", "bare"] if args.only == "both" else [args.only]
    else:
        names = args.servers or (
            "entraide,bare,node" if NODE_SOCKETIO.exists() else "entraide,bare"
        )
        try:
            targets = [TARGET_ALIASES[n.strip()] for n in names.split(",") if n.strip()]
        except KeyError as exc:
            parser.error(f"--servers: unknown server {exc} (entraide, bare, node)")
        targets = [t for t in TARGETS if t in targets]  # fixed order, no duplicates
    if not targets:
        parser.error("no server to run")
    if "node" in targets and not NODE_SOCKETIO.exists():
        parser.error("the node reference needs socket.io: npm ci (it is a devDependency)")
    if shutil.which("taskset") is None or shutil.which("node") is None:
        parser.error("needs taskset (util-linux) and node on PATH")
    atexit.register(stop_all)
    signal.signal(signal.SIGTERM, _on_signal)
    signal.signal(signal.SIGINT, _on_signal)

    code_tmp = tempfile.TemporaryDirectory(prefix="entraide-bench-code-")
    atexit.register(code_tmp.cleanup)
    code, code_desc = snapshot(args.ref, Path(code_tmp.name), args.patch)
    if args.pythonpath:
        code_desc += f" with PYTHONPATH+={args.pythonpath}"
    log(f"benching Entraide {code_desc}")
    rates = [float(x) for x in args.sweep.split(",") if x.strip()] or [args.rate]
    if any(not 0 < r <= 5000 for r in rates):
        parser.error("bounded: every rate in 0 < rate <= 5000")
    results: list[Result] = []
    fails: Counter[str] = Counter()  # consecutive unsustained rates per target
    for rate in rates:
        for _ in range(args.repeat):
            for target in targets:
                if args.stop_after_fails and fails[target] >= args.stop_after_fails:
                    continue
                try:
                    r = one_run(args, target, rate, code)
                except Exception as exc:  # reported in the table and the exit status
                    log(f"{target} @ {rate:g}/s failed: {exc}")
                    r = {"ok": False, "target": target, "error": str(exc)[:300]}
                if not r.get("ok"):
                    log(f"{target} @ {rate:g}/s failed: {r.get('error')}")
                    if r.get("server_log_tail"):
                        log("server log tail:\n" + r["server_log_tail"])
                r.update(rate=rate, clients=args.clients, rooms=args.rooms, code=code_desc)
                r.setdefault("client", args.client)  # also when the generator never answered
                results.append(r)
                if (r.get("generator_cpu_pct") or 0) > GENERATOR_BUSY_PCT:
                    log(f"WARNING: generator at {r['generator_cpu_pct']}% of its core")
                log(
                    f"{target} @ {rate:g}/s: delivered/s={r.get('delivered_per_s')} "
                    f"p99={_lat('p99')(r)} undelivered={r.get('undelivered')} "
                    f"cpu={_cpu(r)} others={_others(r)} sustained={sustained(r, args.clients)}"
                )
        for target in targets:
            runs = [r for r in results if r["target"] == target and r["rate"] == rate]
            if runs:  # with --repeat, a rate counts as sustained if any of its repeats was
                fails[target] = 0 if any(_ok(r) for r in runs) else fails[target] + 1
                if args.stop_after_fails and fails[target] == args.stop_after_fails:
                    log(f"{target}: not sustained at {rate:g}/s, its higher rates are skipped")

    RESULTS.mkdir(exist_ok=True)
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    out = RESULTS / f"{stamp}-c{args.clients}-r{args.rooms}.json"
    out.write_text(json.dumps({"args": vars(args), "results": results}, indent=1))

    print(
        f"\n{'Hot room: ' if args.hot_room else ''}"
        f"C={args.clients} clients over R={args.rooms} rooms"
        f"{f' (Zipf, exponent {args.zipf:g})' if args.zipf else ''}, "
        f"{args.duration:g} s of posting, "
        f"{datetime.now(UTC).strftime('%Y-%m-%d %H:%M UTC')}; server on core {SERVER_CORE}, "
        f"generator ({args.client}) on core {GENERATOR_CORE}, nice {args.nice}; "
        f"Entraide {code_desc}\n"
    )
    # Per target and rate, the least disturbed of the repeats goes in the table.
    best: list[Result] = []
    for rate in rates:
        for target in targets:
            runs = [r for r in results if r["target"] == target and r["rate"] == rate]
            if not runs:  # skipped after failures at lower rates
                continue
            ok = [r for r in runs if r.get("ok")] or runs
            best.append(min(ok, key=disturbance))
            if args.repeat > 1:
                p99s = ", ".join(fmt(_lat("p99")(r)) for r in runs)
                print(f"{target} @ {rate:g}/s, p99 of the {len(runs)} repeats (ms): {p99s}")
    if len(rates) == 1:
        print(table(best))
    else:
        for target in targets:
            print(table([r for r in best if r["target"] == target]) + "\n")
            ok_rates = [
                r["rate"] for r in best if r["target"] == target and sustained(r, args.clients)
            ]
            top = f"{max(ok_rates):g} posts/s" if ok_rates else "none"
            print(f"{target}: highest sustained rate tried = {top}\n")
        if len(targets) > 1:
            print(
                "Side by side (✗: not sustained, i.e. not p99 < 100 ms with 0 undelivered, no ack "
                f"error, all connected; ⚠: core {GENERATOR_CORE} > {GENERATOR_BUSY_PCT:g}% busy, "
                "the generator may be the limit):\n"
            )
            print(sweep_table(best, targets, rates) + "\n")
            print(sweep_summary(best, targets, rates) + "\n")
    for r in results:
        prof = r.get("profile")
        if prof:
            print(
                f"\npy-spy, {r['target']} @ {r['rate']:g}/s ({prof['samples']} samples); by area:"
            )
            for name, share in prof["buckets"]:
                print(f"  {share:5.1f}%  {name}")
            print("self (leaf function):")
            for name, share in prof["self"]:
                print(f"  {share:5.1f}%  {name}")
            print("inclusive:")
            for name, share in prof["inclusive"]:
                print(f"  {share:5.1f}%  {name}")
    log(f"raw results: {out.relative_to(ROOT)}")
    return 0 if all(r.get("ok") for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
