"""kepu's benchmark: gunicorn on PostgreSQL and Redis, production settings, wrk as the load.

    make bench                                     # full scale, every scenario
    .venv/bin/python bench/run.py --scale 0.1      # a tenth of the data
    .venv/bin/python bench/run.py --compare-scale  # also search and detail at the other scale

One run measures, against one server with one set of settings: the ceiling (a view inside the
project that returns two bytes through the whole middleware stack), the public activity search
and the activity page (each both as deployed — through the versioned anonymous page cache — and
with every request missing the cache), a sign-up burst on one activity through the API (one
bearer token per person) and staff check-ins through the API (one ticket per request). Each
figure is printed beside the ceiling measured in the same run, with the issue's targets: each
scenario is measured in slices, each between two slices of the ceiling, and its ratio is the
median of its slices' ratios (``alternate``), since the host's speed wanders within a minute.

Needs PostgreSQL (KEPU_BENCH_PG, default postgresql://postgres@127.0.0.1:5432/postgres), Redis
(KEPU_BENCH_REDIS, default redis://127.0.0.1:6379/14 — that database is flushed) and wrk.
Everything is bounded in time; gunicorn is always stopped at the end.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import random
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import asdict, dataclass, field
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402

VENV_BIN = Path(sys.executable).parent
REDIS_URL = os.environ.get("KEPU_BENCH_REDIS", "redis://127.0.0.1:6379/14")
OUT = BENCH / "out"
LUA = BENCH / "lua" / "requests.lua"
HOST = "127.0.0.1"
# What nginx adds in production: the request came in over HTTPS (so the SSL redirect, HSTS and
# secure cookies behave exactly as deployed).
PROXY_HEADERS = {"X-Forwarded-Proto": "https"}

TARGETS = {  # minimum throughput as a share of the ceiling
    "search": 0.5,
    "search-uncached": 0.5,
    "detail": 0.5,
    "detail-uncached": 0.5,
    "signup": 0.2,
    "checkin": 0.2,
}
P99_LIMIT_MS = 100.0
SCALE_TOLERANCE = 0.20
SEARCH_QUERIES = [
    "讲座",
    "防震减灾",
    "節約用水",
    "科普 讲座",
    "phong chong",
    "tap huan",
    "航空航天",
    "沙坡頭",
    "人工智能 直播",
    "量子科技",
    "垃圾分类",
    "Trí tuệ nhân tạo",
    "心肺复苏 培训",
    "không có kết quả",
    "湿地",
]


def say(msg: str) -> None:
    print(f"[bench {time.strftime('%H:%M:%S')}] {msg}", flush=True)


# --- results ----------------------------------------------------------------------------------


@dataclass
class Result:
    scenario: str
    description: str
    requests: int = 0
    rps: float = 0.0
    p50_ms: float | None = None
    p90_ms: float | None = None
    p99_ms: float | None = None
    max_ms: float | None = None
    errors: int = 0  # non-2xx/3xx responses plus socket errors
    skipped: str = ""
    note: str = ""
    ratio: float | None = None
    target: float | None = None
    verdict: str = ""
    extra: dict = field(default_factory=dict)


_UNIT = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _ms(text: str) -> float:
    m = re.match(r"([\d.]+)(us|ms|s|m)$", text.strip())
    if not m:
        raise ValueError(f"unparsable latency {text!r}")
    return float(m.group(1)) * _UNIT[m.group(2)]


def parse_wrk(output: str, result: Result) -> Result:
    if m := re.search(r"Requests/sec:\s+([\d.]+)", output):
        result.rps = float(m.group(1))
    if m := re.search(r"(\d+) requests in", output):
        result.requests = int(m.group(1))
    for pct, attr in (("50", "p50_ms"), ("90", "p90_ms"), ("99", "p99_ms")):
        if m := re.search(rf"^\s+{pct}%\s+(\S+)", output, re.M):
            setattr(result, attr, _ms(m.group(1)))
    if m := re.search(r"Latency\s+\S+\s+\S+\s+(\S+)", output):
        result.max_ms = _ms(m.group(1))
    errors = 0
    if m := re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output):
        errors += int(m.group(1))
    if m := re.search(
        r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output
    ):
        # A read error is how wrk counts the server closing a connection it had finished with;
        # connect, write and timeout errors are failures.
        errors += int(m.group(1)) + int(m.group(3)) + int(m.group(4))
        result.extra["socket_errors"] = m.group(0)
    result.errors = errors
    if m := re.search(r"^latency-percentiles-us (.+)$", output, re.M):
        result.extra["percentiles_ms"] = [
            (float(p), int(us) / 1000) for p, us in (pair.split(":") for pair in m.group(1).split())
        ]
    return result


def joined_quantile(parts: list[Result], q: float) -> float | None:
    """The ``q`` quantile (0–100) of the slices' latencies taken together: each slice's
    distribution is interpolated between its printed percentiles and weighted by its
    requests, and the joined distribution is inverted by bisection."""
    curves = [
        (p.requests, p.extra["percentiles_ms"]) for p in parts if p.extra.get("percentiles_ms")
    ]
    total = sum(n for n, _c in curves)
    if not total:
        return None

    def below(x: float) -> float:  # the joined share of requests faster than x ms, in %
        share = 0.0
        for n, curve in curves:
            pct = 0.0
            for (p0, x0), (p1, x1) in zip([(0.0, 0.0), *curve], curve, strict=False):
                if x >= x1:
                    pct = p1
                elif x > x0:
                    pct = p0 + (p1 - p0) * (x - x0) / (x1 - x0)
                    break
                else:
                    break
            share += n * pct
        return share / total

    low, high = 0.0, max(c[-1][1] for _n, c in curves)
    for _ in range(60):
        mid = (low + high) / 2
        low, high = (mid, high) if below(mid) < q else (low, mid)
    return high


# --- the server -------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind((HOST, 0))
        return s.getsockname()[1]


def server_env(dataset: dict, secret: str) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("KEPU_", "DJANGO_"))}
    env.update(
        {
            "KEPU_PRODUCTION": "1",
            "KEPU_SECRET_KEY": secret,
            "KEPU_ALLOWED_HOSTS": HOST,
            "KEPU_SITE_URL": f"http://{HOST}",
            "DATABASE_URL": dataset["url"],
            "REDIS_URL": REDIS_URL,
            # Tasks are queued in Redis as in production; no worker consumes them during the run
            # (the benchmark measures the web servers), and the database is flushed at the start.
            "KEPU_BROKER_URL": REDIS_URL,
            "KEPU_LOG_LEVEL": "WARNING",
            "DJANGO_SETTINGS_MODULE": "kepu.settings",
        }
    )
    if os.environ.get("KEPU_DB_PREPARED"):  # compare prepared statements with the default
        env["KEPU_DB_PREPARED"] = os.environ["KEPU_DB_PREPARED"]
    return env


def manage(env: dict, *args: str, timeout: int = 300) -> None:
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), *args],
        cwd=ROOT,
        env=env,
        check=True,
        timeout=timeout,
    )


def http(
    port: int,
    method: str,
    path: str,
    *,
    token: str = "",
    body: dict | None = None,
    timeout: float = 10,
) -> tuple[int, bytes, dict]:
    data = json.dumps(body).encode() if body is not None else None
    req = urllib.request.Request(f"http://{HOST}:{port}{path}", data=data, method=method)
    for k, v in PROXY_HEADERS.items():
        req.add_header(k, v)
    if token:
        req.add_header("Authorization", f"Bearer {token}")
    if data is not None:
        req.add_header("Content-Type", "application/json")

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=timeout) as resp:
            return resp.status, resp.read(), dict(resp.headers)
    except urllib.error.HTTPError as exc:
        return exc.code, exc.read(), dict(exc.headers)


class Server:
    """gunicorn with production settings; started and stopped by its own process id."""

    def __init__(
        self, dataset: dict, *, workers: int, secret: str, logdir: Path, env: dict | None = None
    ):
        self.dataset, self.workers, self.secret = dataset, workers, secret
        self.extra_env = env or {}  # added to the production environment of server_env
        self.port = free_port()
        self.log = logdir / f"gunicorn-{dataset['database']}.log"
        self.proc: subprocess.Popen | None = None

    def __enter__(self) -> Server:
        try:
            return self._start()
        except BaseException:
            self.__exit__()  # a server that never answered is stopped all the same
            raise

    def _start(self) -> Server:
        env = {**server_env(self.dataset, self.secret), **self.extra_env}
        cmd = [
            str(VENV_BIN / "gunicorn"),
            "kepu.wsgi:application",
            "--bind",
            f"{HOST}:{self.port}",
            "--workers",
            str(self.workers),
            "--worker-class",
            "sync",
            "--backlog",
            "2048",
            "--timeout",
            "30",
            "--error-logfile",
            str(self.log),
            "--log-level",
            "warning",
        ]
        say(
            f"gunicorn: {self.workers} sync workers on {HOST}:{self.port}, "
            f"database {self.dataset['database']}"
        )
        self.proc = subprocess.Popen(
            cmd,
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.STDOUT,
            start_new_session=True,
        )
        deadline = time.monotonic() + 40
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.proc.returncode}; see {self.log}")
            try:
                status, body, _ = http(self.port, "GET", "/healthz", timeout=2)
                if status == 200:
                    return self
            except OSError:
                pass
            time.sleep(0.3)
        raise RuntimeError(f"gunicorn did not answer /healthz within 40 s; see {self.log}")

    def __exit__(self, *exc) -> None:
        if self.proc is None or self.proc.poll() is not None:
            return
        self.proc.send_signal(signal.SIGTERM)  # the master stops its workers
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)  # its own process group only
            self.proc.wait(timeout=10)
        say("gunicorn stopped")


# --- data for the scenarios -------------------------------------------------------------------


def reset_fixtures(dataset: dict, *, flush: bool = True) -> None:
    """Undo the previous run's (or the warm-up's) sign-ups and check-ins on the two fixture
    activities, and make the sign-up tokens unused again, so that every measured sign-up also
    pays for recording its token's first use (the worst case)."""
    with psycopg.connect(dataset["url"]) as conn:
        first, last = dataset["signup_users"]
        conn.execute(
            "UPDATE accounts_apitoken SET last_used_at = NULL "
            "WHERE user_id BETWEEN %s AND %s AND last_used_at IS NOT NULL",
            (first, last),
        )
        conn.execute(
            "DELETE FROM activities_checkin WHERE activity_id = %s", (dataset["checkin_activity"],)
        )
        conn.execute(
            "DELETE FROM activities_registration WHERE activity_id = %s",
            (dataset["burst_activity"],),
        )
        conn.execute(
            "UPDATE activities_activity SET confirmed_count = 0, waitlist_count = 0 WHERE id = %s",
            (dataset["burst_activity"],),
        )
    if flush:
        import redis

        redis.Redis.from_url(REDIS_URL).flushdb()


def request_files(dataset: dict, workdir: Path) -> tuple[dict[str, Path], dict]:
    rng = random.Random(7)
    files: dict[str, Path] = {}
    with psycopg.connect(dataset["url"]) as conn:
        public_ids = [
            r[0]
            for r in conn.execute(
                "SELECT id FROM activities_activity WHERE status IN ('published', 'finished') "
                "AND id < %s ORDER BY id",
                (dataset["burst_activity"],),
            )
        ]
        provinces = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM organisations_region WHERE depth = 1 ORDER BY path"
            )
        ]
        cities = [
            r[0]
            for r in conn.execute(
                "SELECT code FROM organisations_region WHERE depth = 2 ORDER BY path"
            )
        ]
        tickets = [
            r[0]
            for r in conn.execute(
                "SELECT ticket_code FROM activities_registration WHERE activity_id = %s "
                "AND status = 'confirmed' ORDER BY id",
                (dataset["checkin_activity"],),
            )
        ]
    today = dt.date.today()
    langs = ["zh-hans", "zh-hans", "zh-hant", "vi", "en"]
    kinds = list(generate.CN_KIND_WORDS)
    search = []
    for i in range(400):
        params = []
        if i % 5 != 4:
            params.append(("q", SEARCH_QUERIES[i % len(SEARCH_QUERIES)]))
        filt = i % 8
        if filt == 1:
            params.append(("kind", kinds[i % len(kinds)]))
        elif filt == 2:
            params.append(("region", rng.choice(provinces)))
        elif filt == 3:
            params.append(("region", rng.choice(cities)))
        elif filt == 4:
            params.append(("audience", generate.AUDIENCES[i % len(generate.AUDIENCES)][0]))
        elif filt == 5:
            params.append(("topic", generate.TOPICS[i % len(generate.TOPICS)][0]))
        elif filt == 6:
            params.append(("format", "online" if i % 2 else "onsite"))
            params.append(("date_from", today.isoformat()))
            params.append(("date_to", (today + dt.timedelta(days=30)).isoformat()))
        if i % 13 == 0:
            params.append(("page", "2"))
        lang = langs[i % len(langs)]
        search.append(f"/{lang}/activities/?" + urllib.parse.urlencode(params))
    detail = [
        f"/{langs[k % len(langs)]}/activities/{pk}/"
        for k, pk in enumerate(rng.sample(public_ids, min(2000, len(public_ids))))
    ]
    signup_users = range(dataset["signup_users"][0], dataset["signup_users"][1] + 1)
    staff_token = generate.token_key(dataset["staff_user"])
    signup_body = json.dumps({"consent": True})
    burst, desk = dataset["burst_activity"], dataset["checkin_activity"]

    def write(name: str, lines: list[str]) -> None:
        path = workdir / f"{name}.tsv"
        path.write_text("\n".join(lines) + "\n", encoding="utf-8")
        files[name] = path

    write("ceiling", ["GET\t/bench/ceiling\t\t"])
    write("search", [f"GET\t{p}\t\t" for p in search])
    write("detail", [f"GET\t{p}\t\t" for p in detail])
    # The first token and ticket are kept back for the pre-flight request.
    write(
        "signup",
        [
            f"POST\t/api/v1/activities/{burst}/registrations\t"
            f"{generate.token_key(u)}\t{signup_body}"
            for u in signup_users
        ][1:],
    )
    write(
        "checkin",
        [
            f"POST\t/api/v1/staff/activities/{desk}/checkins\t{staff_token}\t"
            + json.dumps({"code": code})
            for code in tickets
        ][1:],
    )
    pre = {
        "signup_token": generate.token_key(signup_users[0]),
        "ticket": tickets[0],
        "staff_token": staff_token,
        "search": search[:5] + search[-3:],
        "detail": detail[:5],
    }
    return files, pre


# --- scenarios --------------------------------------------------------------------------------


def preflight(port: int, name: str, dataset: dict, pre: dict) -> str:
    """Empty when the scenario can run; otherwise the reason it is skipped."""
    if name == "ceiling":
        status, body, _ = http(port, "GET", "/bench/ceiling")
        return "" if status == 200 else f"GET /bench/ceiling answered {status}"
    if name in ("search", "detail"):
        for path in pre[name]:
            status, body, _ = http(port, "GET", path)
            if status != 200:
                return f"GET {path} answered {status} (view not ready?)"
        return ""
    if name == "signup":
        path = f"/api/v1/activities/{dataset['burst_activity']}/registrations"
        status, body, _ = http(
            port, "POST", path, token=pre["signup_token"], body={"consent": True}
        )
        return "" if status == 201 else f"POST {path} answered {status}: {body[:200]!r}"
    if name == "checkin":
        path = f"/api/v1/staff/activities/{dataset['checkin_activity']}/checkins"
        status, body, _ = http(
            port, "POST", path, token=pre["staff_token"], body={"code": pre["ticket"]}
        )
        return "" if status == 201 else f"POST {path} answered {status}: {body[:200]!r}"
    return ""


def run_wrk(port: int, file: Path, mode: str, args, duration: int) -> str:
    cmd = [
        "wrk",
        "-t",
        str(args.threads),
        "-c",
        str(args.connections),
        "-d",
        f"{duration}s",
        "--latency",
        "--timeout",
        "5s",
        "-s",
        str(LUA),
    ]
    for k, v in PROXY_HEADERS.items():
        cmd += ["-H", f"{k}: {v}"]
    run_id = secrets.token_hex(4)  # bust mode: no request of an earlier run is in the cache
    cmd += [f"http://{HOST}:{port}/", "--", str(file), mode, str(args.threads), run_id]
    proc = subprocess.run(cmd, capture_output=True, text=True, timeout=duration + 60)
    if proc.returncode != 0:
        raise RuntimeError(f"wrk failed ({proc.returncode}): {proc.stderr or proc.stdout}")
    return proc.stdout


# How long a list page stays fresh as deployed (KEPU_PUBLIC_LIST_CACHE_SECONDS's default).
LIST_FRESH_SECONDS = 60


def prime(port: int, file: Path, over: float = 0.0) -> float:
    """Request every URL of a read scenario once, as a site that has been up a while has each
    page in its cache; returns the seconds it took. Timed runs follow.

    With ``over``, the requests are spread evenly over that many seconds, one at a time: on a
    site that has been up a while the pages were rendered at different moments and turn stale
    one by one, so a steady trickle of them is rendered again during the timed run. Primed in
    one go, they would all turn stale within seconds of each other a fresh time later, and
    one slice would carry every render (a wave no running site has)."""
    import concurrent.futures

    paths = [line.split("\t")[1] for line in file.read_text(encoding="utf-8").splitlines() if line]

    def fetch(path: str) -> None:
        request = urllib.request.Request(f"http://{HOST}:{port}{path}", headers=PROXY_HEADERS)
        with urllib.request.urlopen(request, timeout=30) as response:
            response.read()

    started = time.monotonic()
    if over:
        for n, path in enumerate(paths):
            time.sleep(max(0.0, started + over * n / len(paths) - time.monotonic()))
            fetch(path)
        return time.monotonic() - started
    with concurrent.futures.ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(fetch, paths))
    return time.monotonic() - started


SCENARIOS = {
    # name: (request file, wrk mode, description)
    "ceiling": ("ceiling", "rotate", "GET /bench/ceiling (2 bytes, full middleware)"),
    "search": ("search", "rotate", "activity search, 400 URLs, as deployed (page cache)"),
    "search-uncached": ("search", "bust", "activity search, every request a cache miss"),
    "detail": ("detail", "rotate", "activity page, 2,000 activities, as deployed"),
    "detail-uncached": ("detail", "bust", "activity page, every request a cache miss"),
    "signup": ("signup", "unique", "API sign-up burst on one activity, 1 token per person"),
    "checkin": ("checkin", "unique", "API staff check-in, 1 ticket per request"),
    "ceiling-end": ("ceiling", "rotate", "the ceiling again, after the other scenarios"),
}


# Each scenario is measured in ROUNDS slices, each between two slices of the ceiling.
ROUNDS = 6


def run_scenarios(server: Server, names: list[str], files: dict, pre: dict, args) -> list[Result]:
    return [
        measure(
            server, name, files, pre, args, rounds=0 if name.startswith("ceiling") else args.rounds
        )
        for name in names
    ]


def _is_ceiling(result: Result) -> bool:
    return result.scenario.startswith("ceiling")


def measure(server: Server, name: str, files: dict, pre: dict, args, *, rounds: int = 0) -> Result:
    """One scenario: pre-flight, priming (reads as deployed), warm-up, then either one timed
    run or, with ``rounds``, ``alternate`` slices of it and of the ceiling."""
    file, mode, description = SCENARIOS[name]
    result = Result(name, description)
    base = "ceiling" if name.startswith("ceiling") else name.replace("-uncached", "")
    reason = preflight(server.port, base, server.dataset, pre)
    if reason:
        result.skipped = reason
        say(f"{name}: SKIPPED — {reason}")
        return result
    if mode == "rotate" and args.prime:
        # The lists' fresh time is shorter than a scenario: their priming is spread over it.
        over = LIST_FRESH_SECONDS if name == "search" else 0
        took = prime(server.port, files[file], over)
        say(f"{name}: priming {file} (each URL once{', spread out' if over else ''}): {took:.1f} s")
    rows_before = 1  # the pre-flight request's row
    if args.warmup:
        # Writes warm up too (each worker's first requests load code and prepare statements:
        # up to a second each), on the same lines; their rows are then removed again.
        run_wrk(server.port, files[file], mode, args, args.warmup)
        if mode == "unique":
            time.sleep(2)  # the requests still queued when wrk stopped finish first
            reset_fixtures(server.dataset, flush=False)
            rows_before = 0

    if rounds:
        result = alternate(
            name,
            description,
            slices(server.port, name, files[file], mode, args, rounds),
            slices(server.port, "ceiling", files["ceiling"], "rotate", args, rounds + 1),
            args,
            rounds,
        )
    else:
        say(f"{name}: {args.duration} s, {args.connections} connections, {args.threads} threads")
        result = parse_wrk(
            run_wrk(server.port, files[file], mode, args, args.duration), Result(name, description)
        )
    # Requests still in flight when wrk stopped (at the end of each slice) may have rows
    # without a counted answer.
    in_flight = args.connections * max(1, rounds)
    if name == "signup":
        result.extra.update(check_signups(server.dataset, result, in_flight, rows_before))
    elif name == "checkin":
        result.extra.update(check_checkins(server.dataset, result, in_flight, rows_before))
    say(
        f"{name}: {result.rps:,.0f} req/s, p50 {fmt_ms(result.p50_ms)}, "
        f"p99 {fmt_ms(result.p99_ms)}, errors {result.errors}"
        + (f", {result.ratio:.2f} × the ceiling around it" if result.ratio else "")
    )
    return result


def slices(port: int, name: str, file: Path, mode: str, args, count: int):
    """A function that runs the next of ``count`` slices of a scenario for the seconds given
    and returns its Result. In "unique" mode the file's lines are dealt out to the slices
    (line k to slice k mod count), so that no line is sent twice, and a slice that sends
    more requests than it has lines is noted ("lines ran out")."""
    if mode == "unique":
        lines = [line for line in file.read_text(encoding="utf-8").splitlines() if line]
        files = []
        for k in range(count):
            part = file.with_name(f"{file.stem}.{k}{file.suffix}")
            part.write_text("\n".join(lines[k::count]) + "\n", encoding="utf-8")
            files.append((part, len(lines[k::count])))
    else:
        files = [(file, None)] * count
    pending = iter(files)

    def run_slice(seconds: int) -> Result:
        part, available = next(pending)
        result = parse_wrk(run_wrk(port, part, mode, args, seconds), Result(name, ""))
        if available is not None and result.requests > available:
            result.note = f"lines ran out: {result.requests:,} requests over {available:,} lines"
        return result

    return run_slice


def alternate(name: str, description: str, scenario, ceiling, args, rounds: int) -> Result:
    """``rounds`` slices of the scenario, each between two slices of the ceiling (c s c s … c),
    ``args.duration / rounds`` seconds each. The speed of a shared virtual machine wanders by
    a fifth within a minute (the same code gave 2,000 and 3,100 ceiling requests a second a
    minute apart), so a scenario set against a ceiling measured minutes away measures the
    host as much as the code; each slice is set against the ceilings just either side of it,
    and the scenario's ratio is the median of its slices' ratios.

    ``scenario(seconds)`` and ``ceiling(seconds)`` run one slice each and return its Result.
    The Result returned joins the slices: requests and errors summed (the ceiling slices'
    errors too), req/s their mean, p50/p90/p99 of all their requests taken together
    (``joined_quantile``), max the largest; ``extra`` keeps every slice's figures."""
    seconds = max(1, round(args.duration / rounds))
    say(f"{name}: {rounds} slices of {seconds} s between slices of the ceiling, "
        f"{args.connections} connections, {args.threads} threads")  # fmt: skip
    ceilings = [ceiling(seconds)]
    parts: list[Result] = []
    for _ in range(rounds):
        parts.append(scenario(seconds))
        ceilings.append(ceiling(seconds))
    result = Result(name, description)
    result.requests = sum(p.requests for p in parts)
    result.errors = sum(p.errors for p in parts) + sum(c.errors for c in ceilings)
    result.rps = sum(p.rps for p in parts) / len(parts)
    result.p50_ms = joined_quantile(parts, 50)
    result.p90_ms = joined_quantile(parts, 90)
    result.p99_ms = joined_quantile(parts, 99)
    result.max_ms = max((p.max_ms for p in parts if p.max_ms is not None), default=None)
    ratios = [
        p.rps / ((before.rps + after.rps) / 2)
        for p, before, after in zip(parts, ceilings, ceilings[1:], strict=False)
        if before.rps and after.rps
    ]
    result.ratio = statistics.median(ratios) if ratios else None
    notes = [p.note for p in parts if p.note]
    result.note = notes[0] if notes else ""
    result.extra["slices"] = [
        {"req_s": round(p.rps, 1), "p99_ms": p.p99_ms, "ratio": round(r, 3)}
        for p, r in zip(parts, ratios, strict=False)
    ]
    result.extra["ceiling_slices"] = [round(c.rps, 1) for c in ceilings]
    return result


def set_ratios(results: list[Result]) -> float | None:
    """The ratios of results measured without slices of the ceiling (``alternate`` sets its
    own): to the mean of the ceilings measured before and after them. Every result also
    keeps its ratio to the largest ceiling of the run (``extra["to_largest"]``), printed
    beside. Returns the largest ceiling, slices included."""
    ceilings = [(i, r.rps) for i, r in enumerate(results) if _is_ceiling(r) and not r.skipped]
    sliced = [c for r in results for c in r.extra.get("ceiling_slices", [])]
    largest = max([rps for _i, rps in ceilings] + sliced, default=None)
    for i, r in enumerate(results):
        if r.skipped or not largest:
            continue
        if _is_ceiling(r):
            r.ratio = r.rps / largest
            continue
        if "slices" not in r.extra:
            around = [rps for j, rps in ceilings if j < i][-1:] + [
                rps for j, rps in ceilings if j > i
            ][:1]
            r.ratio = r.rps / (sum(around) / len(around)) if around else None
        r.extra["to_largest"] = round(r.rps / largest, 3)
    return largest


def _accounted(rows: int, result: Result, in_flight: int, rows_before: int) -> bool:
    """Every answered success has its row (plus ``rows_before``: the pre-flight request's, when
    no warm-up removed it); at most the requests still in flight when wrk stopped may have
    rows without a counted answer."""
    answered = result.requests - result.errors + rows_before
    return answered <= rows <= answered + in_flight


def check_signups(dataset: dict, result: Result, in_flight: int, rows_before: int) -> dict:
    """The burst left the activity consistent: never one seat over capacity, nothing lost."""
    # One statement, so one snapshot: requests still in flight when wrk stopped may commit
    # while this reads.
    with psycopg.connect(dataset["url"]) as conn:
        cap, confirmed_count, waitlist_count, confirmed, waiting = conn.execute(
            "SELECT a.capacity, a.confirmed_count, a.waitlist_count, "
            "(SELECT count(*) FROM activities_registration r WHERE r.activity_id = a.id "
            "AND r.status = 'confirmed'), "
            "(SELECT count(*) FROM activities_registration r WHERE r.activity_id = a.id "
            "AND r.status = 'waitlisted') "
            "FROM activities_activity a WHERE a.id = %s",
            (dataset["burst_activity"],),
        ).fetchone()
    consistent = (
        confirmed == confirmed_count
        and waiting == waitlist_count
        and confirmed <= cap
        and _accounted(confirmed + waiting, result, in_flight, rows_before)
    )
    if not consistent:
        result.note = "INCONSISTENT sign-up counters"
    return {
        "capacity": cap,
        "confirmed": confirmed,
        "waitlisted": waiting,
        "consistent": consistent,
    }


def check_checkins(dataset: dict, result: Result, in_flight: int, rows_before: int) -> dict:
    with psycopg.connect(dataset["url"]) as conn:
        (count,) = conn.execute(
            "SELECT count(*) FROM activities_checkin WHERE activity_id = %s",
            (dataset["checkin_activity"],),
        ).fetchone()
    consistent = _accounted(count, result, in_flight, rows_before)
    if not consistent:
        result.note = "INCONSISTENT: check-ins in the database differ from the successes"
    return {"checkins": count, "consistent": consistent}


def judge(results: list[Result]) -> float | None:
    ceiling = set_ratios(results)
    for r in results:
        if r.skipped:
            r.verdict = "SKIP"
            continue
        ok = r.errors == 0 and (r.p99_ms is not None and r.p99_ms < P99_LIMIT_MS)
        r.target = TARGETS.get(r.scenario)
        if r.target is not None:
            ok = ok and r.ratio is not None and r.ratio >= r.target
        if r.note.startswith("INCONSISTENT"):
            ok = False
        r.verdict = "PASS" if ok else "FAIL"
    return ceiling


def fmt_ms(v: float | None) -> str:
    return "—" if v is None else (f"{v:.1f} ms" if v < 100 else f"{v:.0f} ms")


def table(results: list[Result], title: str) -> str:
    head = ["scenario", "req/s", "p50", "p99", "errors", "× ceiling", "target", "result"]
    rows = []
    for r in results:
        if r.skipped:
            rows.append([r.scenario, "—", "—", "—", "—", "—", _target(r.scenario), "SKIP"])
            continue
        rows.append(
            [
                r.scenario,
                f"{r.rps:,.0f}",
                fmt_ms(r.p50_ms),
                fmt_ms(r.p99_ms),
                str(r.errors),
                "—" if r.ratio is None else f"{r.ratio:.2f}",
                _target(r.scenario),
                r.verdict,
            ]
        )
    widths = [max(len(str(x)) for x in col) for col in zip(head, *rows, strict=True)]

    def line(cells) -> str:
        return "| " + " | ".join(str(c).ljust(w) for c, w in zip(cells, widths, strict=True)) + " |"

    out = [title, line(head), "|" + "|".join("-" * (w + 2) for w in widths) + "|"]
    out += [line(r) for r in rows]
    out += ratio_note(results)
    for r in results:
        if r.skipped:
            out.append(f"  {r.scenario}: skipped — {r.skipped}")
        elif r.note:
            out.append(f"  {r.scenario}: {r.note}")
        if r.extra.get("confirmed") is not None:
            out.append(
                f"  signup: capacity {r.extra['capacity']}, confirmed "
                f"{r.extra['confirmed']}, waiting list {r.extra['waitlisted']}, "
                f"counters consistent: {r.extra['consistent']}"
            )
        if r.extra.get("checkins") is not None:
            out.append(
                f"  checkin: {r.extra['checkins']} check-ins recorded, consistent: "
                f"{r.extra['consistent']}"
            )
    return "\n".join(out)


def ratio_note(results: list[Result]) -> list[str]:
    """How the ratios were taken, with the ceilings' spread and each ratio to the largest."""
    sliced = [r for r in results if "slices" in r.extra]
    ceilings = [r.rps for r in results if _is_ceiling(r) and not r.skipped]
    ceilings += [c for r in sliced for c in r.extra["ceiling_slices"]]
    if not sliced or not ceilings:
        return []
    return [
        "  × ceiling: the median over a scenario's slices of each slice's req/s divided by the "
        "mean of the ceiling slices just before and after it",
        f"  the ceiling through this run: {min(ceilings):,.0f}–{max(ceilings):,.0f} req/s; "
        "each scenario's slices (× ceiling):",
        *(
            f"    {r.scenario}: "
            + ", ".join(f"{s['ratio']:.2f}" for s in r.extra["slices"])
            + f" (against the run's largest ceiling: {r.extra.get('to_largest', 0):.2f})"
            for r in sliced
        ),
    ]


def _target(name: str) -> str:
    t = TARGETS.get(name)
    limit = f"p99<{P99_LIMIT_MS:.0f}ms, 0 errors"
    return (
        f"≥{t:.2f}×, {limit}" if t is not None else ("—" if name.startswith("ceiling") else limit)
    )


def compare(main: list[Result], other: list[Result], scale: float, other_scale: float) -> str:
    by = {r.scenario: r for r in other}
    head = (
        f"| scenario | req/s @{scale:g} | req/s @{other_scale:g} | × ceiling @{scale:g} "
        f"| × ceiling @{other_scale:g} | p99 @{scale:g} | p99 @{other_scale:g} "
        "| difference | result |"
    )
    out = [
        f"Scale comparison: {scale:g} vs {other_scale:g} (throughput as a share of each run's "
        "own ceiling; within 20 % passes)",
        head,
        "|" + "---|" * 9,
    ]
    for r in main:
        o = by.get(r.scenario)
        if not o or r.scenario.startswith("ceiling"):
            continue
        if r.skipped or o.skipped or not r.ratio or not o.ratio:
            out.append(f"| {r.scenario} | — | — | — | — | — | — | — | SKIP |")
            continue
        diff = abs(r.ratio - o.ratio) / max(r.ratio, o.ratio)
        out.append(
            f"| {r.scenario} | {r.rps:,.0f} | {o.rps:,.0f} | {r.ratio:.2f} | "
            f"{o.ratio:.2f} | {fmt_ms(r.p99_ms)} | {fmt_ms(o.p99_ms)} | {diff:.0%} | "
            f"{'PASS' if diff <= SCALE_TOLERANCE else 'FAIL'} |"
        )
    return "\n".join(out)


# --- main -------------------------------------------------------------------------------------


def check_tools() -> str:
    if not shutil.which("wrk"):
        return (
            "wrk is not installed. On Debian or Ubuntu: sudo apt-get install -y wrk "
            "(https://github.com/wg/wrk for other systems)."
        )
    if not (VENV_BIN / "gunicorn").exists():
        return f"gunicorn is missing from {VENV_BIN}: run `make install`."
    try:
        psycopg.connect(generate.ADMIN_URL, connect_timeout=3).close()
    except psycopg.Error as exc:
        return f"PostgreSQL is not reachable at {generate.ADMIN_URL} (KEPU_BENCH_PG): {exc}"
    try:
        import redis

        redis.Redis.from_url(REDIS_URL, socket_connect_timeout=3).ping()
    except Exception as exc:  # noqa: BLE001
        return f"Redis is not reachable at {REDIS_URL} (KEPU_BENCH_REDIS): {exc}"
    return ""


def prepare(dataset: dict, secret: str) -> None:
    env = server_env(dataset, secret)
    subprocess.run(
        [sys.executable, "-m", "kepu.core.compile_catalogs"],
        cwd=ROOT,
        env=env,
        check=False,
        capture_output=True,
        timeout=120,
    )
    manage(env, "collectstatic", "--noinput", "-v", "0")


def bench_scale(scale: float, names: list[str], args, secret: str, workdir: Path):
    dataset = generate.ensure(scale, force=args.regenerate)
    reset_fixtures(dataset)
    files, pre = request_files(dataset, workdir)
    with Server(dataset, workers=args.workers, secret=secret, logdir=workdir) as server:
        results = run_scenarios(server, names, files, pre, args)
    ceiling = judge(results)
    return dataset, results, ceiling


def main() -> int:
    parser = argparse.ArgumentParser(description="kepu benchmark (see docs/performance.md)")
    parser.add_argument("--scale", type=float, default=1.0, help="data set scale (1.0 = full)")
    parser.add_argument(
        "--compare-scale",
        action="store_true",
        help="also run search and detail on the data set ten times smaller "
        "(or ten times larger when --scale is below 1)",
    )
    parser.add_argument("--duration", type=int, default=30, help="seconds per scenario")
    parser.add_argument(
        "--warmup", type=int, default=3, help="warm-up seconds before each scenario"
    )
    parser.add_argument(
        "--no-prime",
        dest="prime",
        action="store_false",
        help="do not request each URL of the as-deployed read scenarios once before timing",
    )
    # Four per worker: enough to keep every worker busy (the ceiling included); more only
    # lengthens the queue in front of them, which adds to every latency and to no throughput.
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4, help="gunicorn sync workers")
    parser.add_argument(
        "--rounds",
        type=int,
        default=ROUNDS,
        help="slices each scenario is measured in, each between two slices of the ceiling",
    )
    parser.add_argument(
        "--only", default="", help="comma-separated scenarios: " + ", ".join(SCENARIOS)
    )
    parser.add_argument("--regenerate", action="store_true", help="rebuild the data set(s)")
    parser.add_argument(
        "--no-extra",
        dest="extra",
        action="store_false",
        help="skip the statistics-dashboard and XLSX-export benchmarks (bench/dashboard.py, "
        "bench/export.py), which run after the HTTP scenarios",
    )
    args = parser.parse_args()
    names = [n.strip() for n in args.only.split(",") if n.strip()] or list(SCENARIOS)
    if unknown := [n for n in names if n not in SCENARIOS]:
        parser.error(f"unknown scenario(s): {', '.join(unknown)}")
    if problem := check_tools():
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    if args.connections % args.threads:
        parser.error("--connections must be a multiple of --threads")

    started = dt.datetime.now().astimezone()
    OUT.mkdir(exist_ok=True)
    secret = secrets.token_urlsafe(48)
    workdir = Path(tempfile.mkdtemp(prefix="kepu-bench-"))
    report: dict = {
        "started": started.isoformat(timespec="seconds"),
        "machine": machine(),
        "command": " ".join([Path(sys.argv[0]).as_posix(), *sys.argv[1:]]),
        "settings": {
            "workers": args.workers,
            "worker_class": "sync",
            "connections": args.connections,
            "threads": args.threads,
            "duration_s": args.duration,
            "rounds": args.rounds,
        },
    }
    try:
        dataset = generate.ensure(args.scale, force=args.regenerate)
        prepare(dataset, secret)
        dataset, results, ceiling = bench_scale(args.scale, names, args, secret, workdir)
        text = table(
            results,
            f"kepu benchmark — scale {args.scale:g} ({dataset['activities']:,} "
            f"activities, {dataset['registrations']:,} sign-ups), "
            f"{args.workers} gunicorn workers, wrk -t{args.threads} "
            f"-c{args.connections}, {args.duration} s a scenario in {args.rounds} slices",
        )
        report["runs"] = [
            {
                "scale": args.scale,
                "dataset": _public(dataset),
                "ceiling_rps": ceiling,
                "results": [asdict(r) for r in results],
            }
        ]
        if args.compare_scale:
            other = 0.1 * args.scale if args.scale >= 0.2 else 10 * args.scale
            other_names = [n for n in names if n.startswith(("ceiling", "search", "detail"))]
            odata, oresults, oceiling = bench_scale(other, other_names, args, secret, workdir)
            text += "\n\n" + table(
                oresults,
                f"scale {other:g} ({odata['activities']:,} "
                f"activities, {odata['registrations']:,} sign-ups)",
            )
            text += "\n\n" + compare(results, oresults, args.scale, other)
            report["runs"].append(
                {
                    "scale": other,
                    "dataset": _public(odata),
                    "ceiling_rps": oceiling,
                    "results": [asdict(r) for r in oresults],
                }
            )
        if args.extra and not args.only:
            text += "\n\n" + extra_benchmarks(args.scale, report)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    load = os.getloadavg()
    report["load_average_at_end"] = [round(x, 2) for x in load]
    text += (
        f"\n\nload average at start {report['machine']['load_average'][0]:.2f}, at end "
        f"{load[0]:.2f} (1 min; above ~0.5 before the run means something else shared the cores)"
    )
    print()
    print(text)
    stamp = started.strftime("%Y%m%d-%H%M%S")
    (OUT / f"results-{stamp}.json").write_text(json.dumps(report, indent=2, ensure_ascii=False))
    (OUT / f"results-{stamp}.txt").write_text(text + "\n")
    print(f"\nresults written to {OUT.relative_to(ROOT)}/results-{stamp}.json and .txt")
    return 0


# Benchmarks that are not HTTP load: each script prints its figures and PASS or FAIL last.
EXTRA = {
    "dashboard": (
        "bench/dashboard.py",
        "campaign statistics, 200 filter combinations, p95 < 300 ms",
    ),
    "export": ("bench/export.py", "XLSX export of every activity, < 30 s and < 300 MB peak"),
    "quiz": (
        "bench/quiz.py",
        "quiz surge (start, save, submit) beside the ceiling: submit ≥ 0.20×, p99 < 150 ms, "
        "160,000 participations in < 20 min",
    ),
}


KEPT_LINES = {"quiz": 16}  # the quiz prints a table of five phases, the slices and its projection


def extra_benchmarks(scale: float, report: dict) -> str:
    out = []
    report["extra"] = {}
    for name, (script, what) in EXTRA.items():
        args = [sys.executable, str(ROOT / script)]
        if name == "dashboard":
            args += ["--scale", f"{scale:g}"]
        say(f"{name}: {what}")
        proc = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=1800)
        lines = (proc.stdout or proc.stderr).strip().splitlines()
        report["extra"][name] = {"returncode": proc.returncode, "output": lines}
        out.append(f"{name} — {what} (python {script}):")
        out.extend(f"  {line}" for line in lines[-KEPT_LINES.get(name, 12) :])
    return "\n".join(out)


def _public(dataset: dict) -> dict:
    return {k: v for k, v in dataset.items() if k != "url"}


def machine() -> dict:
    info = {
        "load_average": [round(x, 2) for x in os.getloadavg()],
        "cores": os.cpu_count(),
        "python": platform.python_version(),
        "system": platform.platform(),
    }
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        with psycopg.connect(generate.ADMIN_URL) as conn:
            info["postgresql"] = conn.execute("SHOW server_version").fetchone()[0]
    except (OSError, psycopg.Error):
        pass
    wrk = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    info["wrk"] = (wrk.stdout or wrk.stderr).splitlines()[0] if (wrk.stdout or wrk.stderr) else ""
    return info


if __name__ == "__main__":
    sys.exit(main())
