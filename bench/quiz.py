"""The quiz scenario: simulated participants start an attempt, save their answers and submit,
against gunicorn on PostgreSQL and Redis, beside the empty-view ceiling measured in the same run.

    .venv/bin/python bench/quiz.py                    # 20 s per phase, 4 workers
    .venv/bin/python bench/quiz.py --duration 10 --people 15000

The data lives in its own database (kepu_bench_quiz, rebuilt each run): one city, a bank of 40
questions, an open quiz of 10 questions (once per person, 10 minutes, prizes), and ``--people``
participants with an API token each. Every participant does one start, one save of all ten
answers (one row update) and one submit. wrk cannot carry the attempt id from one response to
the next request, so the run has three phases, each a wrk run over request lines dealt out so
that no two requests share a participant: all starts, then (the attempt ids and papers read
back from the database) all saves, then all submits. A full participation costs one request of
each phase, so the participations a second the server completes are
``1 / (1/start + 1/save + 1/submit)`` (requests a second of each phase), and 160,000
participations take 160,000 divided by that.

Targets (issue #4): submit ≥ 20 % of the ceiling, p99 < 150 ms, 160,000 in under 20 minutes.
``quiz_benchmark(...)`` returns the Results for bench/run.py.
"""

from __future__ import annotations

import argparse
import json
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))

import generate  # noqa: E402
import run  # noqa: E402

DATABASE = "kepu_bench_quiz"
P99_LIMIT_MS = 150.0
SUBMIT_TARGET = 0.2
PARTICIPATIONS = 160_000
LIMIT_MINUTES = 20

SETUP = r"""
import datetime as dt, os, sys
sys.path.insert(0, "bench")
import generate
from django.utils import timezone
from kepu.accounts.models import ApiToken, User
from kepu.campaigns.services import create_campaign
from kepu.organisations.models import Membership
from kepu.organisations.services import add_organisation, add_region
from kepu.quizzes import services

people = int(os.environ["KEPU_BENCH_QUIZ_PEOPLE"])
region = add_region(code="6405", name="中卫市")
city = add_organisation(name="中卫市科学技术协会", kind="association", level="city", region=region)
admin = User.objects.create_user(phone="13900000001", name="管理员", password="bench-Passw0rd!")
Membership.objects.create(user=admin, organisation=city, role="admin")
now = timezone.now()
campaign = create_campaign(
    actor=admin, organiser=city, title="防疫知识竞赛", slug="bench-quiz",
    starts_on=now.date(), ends_on=(now + dt.timedelta(days=30)).date(),
)
for n in range(40):
    services.create_question(
        city, actor=admin, kind="multiple" if n % 4 == 3 else "single", language="zh-hans",
        stem=f"第{n + 1}题:关于科学防疫的说法哪一项正确?",
        options=[f"选项{n}-{k}" for k in "甲乙丙丁"],
        correct=[0, 2] if n % 4 == 3 else [n % 4], explanation="解析", topic=f"主题{n % 3}",
        difficulty=1 + n % 3,
    )
quiz = services.create_quiz(
    campaign, actor=admin, title="防疫知识网上有奖竞答", opens_at=now - dt.timedelta(hours=1),
    closes_at=now + dt.timedelta(days=7), question_count=10, languages=["zh-hans"],
    time_limit_seconds=600, pass_mark=60, prize_threshold=80,
)
services.publish_quiz(quiz, actor=admin)
users = User.objects.bulk_create(
    [User(phone=f"137{n:08d}", name=f"选手{n}", password="!") for n in range(people)],
    batch_size=5000,
)
ApiToken.objects.bulk_create(
    [ApiToken(user=u, key_hash=ApiToken.hash(generate.token_key(u.pk)), prefix="bench")
     for u in users],
    batch_size=5000,
)
print(json.dumps({"quiz": quiz.pk, "users": [users[0].pk, users[-1].pk]}))
"""


def _url() -> str:
    return generate.ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE


def prepare(people: int, secret: str) -> dict:
    """A fresh database with the quiz and the participants; returns the dataset run.py wants."""
    with psycopg.connect(generate.ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    dataset = {"url": _url(), "database": DATABASE}
    env = run.server_env(dataset, secret)
    run.manage(env, "migrate", "--noinput", "-v", "0")
    run.prepare(dataset, secret)
    script = "import json\n" + SETUP
    out = subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", script],
        cwd=ROOT,
        env={**env, "PYTHONPATH": str(ROOT), "KEPU_BENCH_QUIZ_PEOPLE": str(people)},
        check=True,
        capture_output=True,
        text=True,
        timeout=600,
    )
    info = json.loads(out.stdout.strip().splitlines()[-1])
    dataset.update(info)
    return dataset


def _tokens(dataset: dict) -> list[tuple[int, str]]:
    first, last = dataset["users"]
    return [(u, generate.token_key(u)) for u in range(first, last + 1)]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _answers_of(dataset: dict) -> dict[int, tuple[str, dict]]:
    """user id → (attempt public id, answers: the first option of each question)."""
    with psycopg.connect(dataset["url"]) as conn:
        rows = conn.execute(
            "SELECT user_id, public_id, paper FROM quizzes_attempt WHERE quiz_id = %s",
            (dataset["quiz"],),
        ).fetchall()
    return {
        user: (str(public_id), {str(q): [options[0]] for q, options, _m in paper})
        for user, public_id, paper in rows
    }


def _phase(server, name: str, file: Path, args, description: str) -> run.Result:
    mode = "rotate" if name.startswith("ceiling") else "unique"
    result = run.Result(name, description)
    run.say(f"{name}: {args.duration} s, {args.connections} connections")
    run.parse_wrk(run.run_wrk(server.port, file, mode, args, args.duration), result)
    run.say(
        f"{name}: {result.rps:,.0f} req/s, p50 {run.fmt_ms(result.p50_ms)}, "
        f"p99 {run.fmt_ms(result.p99_ms)}, errors {result.errors}"
    )
    return result


def quiz_benchmark(args, *, secret: str | None = None, workdir: Path | None = None) -> dict:
    """Run the scenario; returns {"results": [Result...], "attempts_per_s", "minutes_160k"}."""
    secret = secret or secrets.token_urlsafe(48)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="kepu-bench-quiz-"))
    run.say(f"quiz: building {DATABASE} with {args.people:,} participants")
    dataset = prepare(args.people, secret)
    quiz = dataset["quiz"]
    tokens = _tokens(dataset)
    ceiling_file = _write(workdir / "ceiling.tsv", ["GET\t/bench/ceiling\t\t"])
    start_file = _write(
        workdir / "start.tsv",
        [f"POST\t/api/v1/quizzes/{quiz}/attempts\t{key}\t{{}}" for _u, key in tokens],
    )
    results = []
    with run.Server(dataset, workers=args.workers, secret=secret, logdir=workdir) as server:
        status, body, _ = run.http(
            server.port, "GET", f"/api/v1/quizzes/{quiz}", timeout=10
        )  # warm the workers' imports
        if status != 200:
            raise RuntimeError(f"GET quiz answered {status}: {body[:200]!r}")
        run.run_wrk(server.port, ceiling_file, "rotate", args, 3)
        results.append(
            _phase(server, "ceiling", ceiling_file, args, "GET /bench/ceiling (2 bytes)")
        )
        results.append(_phase(server, "quiz-start", start_file, args, "POST start an attempt"))
        time.sleep(2)  # requests still in flight when wrk stopped
        answers = _answers_of(dataset)
        by_user = [(u, key) for u, key in tokens if u in answers]
        save_file = _write(
            workdir / "save.tsv",
            [
                f"PUT\t/api/v1/quiz-attempts/{answers[u][0]}/answers\t{key}\t"
                + json.dumps({"answers": answers[u][1]})
                for u, key in by_user
            ],
        )
        submit_file = _write(
            workdir / "submit.tsv",
            [
                f"POST\t/api/v1/quiz-attempts/{answers[u][0]}/submit\t{key}\t{{}}"
                for u, key in by_user
            ],
        )
        results.append(_phase(server, "quiz-save", save_file, args, "PUT all 10 answers"))
        results.append(_phase(server, "quiz-submit", submit_file, args, "POST submit"))
        results.append(_phase(server, "ceiling-end", ceiling_file, args, "the ceiling again"))
    ceiling = max(r.rps for r in results if r.scenario.startswith("ceiling"))
    for r in results:
        r.ratio = r.rps / ceiling if ceiling else None
        ok = r.errors == 0 and r.p99_ms is not None and r.p99_ms < P99_LIMIT_MS
        if r.scenario == "quiz-submit":
            r.target = SUBMIT_TARGET
            ok = ok and r.ratio is not None and r.ratio >= SUBMIT_TARGET
        r.verdict = "—" if r.scenario.startswith("ceiling") else ("PASS" if ok else "FAIL")
    by = {r.scenario: r for r in results}
    per_participation = sum(1 / by[n].rps for n in ("quiz-start", "quiz-save", "quiz-submit"))
    attempts_per_s = 1 / per_participation
    minutes = PARTICIPATIONS / attempts_per_s / 60
    with psycopg.connect(dataset["url"]) as conn:
        submitted, bests = conn.execute(
            "SELECT (SELECT count(*) FROM quizzes_attempt WHERE submitted_at IS NOT NULL), "
            "(SELECT count(*) FROM quizzes_best)"
        ).fetchone()
    return {
        "results": results,
        "ceiling_rps": ceiling,
        "attempts_per_s": attempts_per_s,
        "minutes_160k": minutes,
        "submitted": submitted,
        "leaderboard_rows": bests,
        "started": len(answers),
    }


def report(out: dict, args) -> str:
    lines = [
        f"kepu quiz benchmark — {args.workers} gunicorn workers, wrk -t{args.threads} "
        f"-c{args.connections} -d{args.duration}s per phase, {args.people:,} participants",
        "| phase | req/s | p50 | p99 | errors | × ceiling | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in out["results"]:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}"
        lines.append(
            f"| {r.scenario} | {r.rps:,.0f} | {run.fmt_ms(r.p50_ms)} | {run.fmt_ms(r.p99_ms)} "
            f"| {r.errors} | {ratio} | {r.verdict} |"
        )
    verdict = "PASS" if out["minutes_160k"] < LIMIT_MINUTES else "FAIL"
    lines += [
        f"attempts started {out['started']:,}, submitted {out['submitted']:,}, leaderboard rows "
        f"{out['leaderboard_rows']:,}",
        f"participations completed per second (start + save + submit): "
        f"{out['attempts_per_s']:,.0f}",
        f"160,000 participations: {out['minutes_160k']:.1f} min (target < {LIMIT_MINUTES} min) "
        f"{verdict}",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="kepu quiz benchmark")
    parser.add_argument("--duration", type=int, default=20)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=40_000)
    args = parser.parse_args()
    if problem := run.check_tools():
        print(f"bench: {problem}", file=sys.stderr)
        return 2
    out = quiz_benchmark(args)
    print()
    print(report(out, args))
    return 0


if __name__ == "__main__":
    sys.exit(main())
