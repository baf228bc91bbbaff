"""The quiz scenario: simulated participants start an attempt, save their answers and submit,
against gunicorn on PostgreSQL and Redis, beside the empty-view ceiling measured in the same run.

    .venv/bin/python bench/quiz.py                    # 30 s per phase in 6 slices, 4 workers
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

The participants are split three ways. The first WARM_PEOPLE warm every phase up for 3 s
before it is measured (a worker's first requests load code and prepare statements, up to a
second each). Half of the rest start attempts in the measured start phase; the other half get
their attempts made in bulk before the save phase (papers drawn as a start draws them),
because saving and submitting are faster than starting: the attempts one start phase makes
would run out, and wrk would send the same lines again (a submit sent twice is a cheap
replay). A phase that sends more requests than it has lines is marked FAIL ("lines ran out").

A fourth phase measures a paced quiz (a time limit per question, kepu.quizzes.pacing): every
participant has an attempt at it made in bulk, and sends the first question's answer with Next
(``finished``), as the taking page does for each question in turn. It has no target of its own;
the report projects a paced participation (a start, ten of these, a submit) to 160,000.

Each phase is measured in ``--rounds`` slices, each between two slices of the ceiling, its lines
dealt out to the slices; a phase's ratio is the median of its slices' ratios to the ceiling
slices either side of them (run.alternate: the host's speed wanders within a minute).

Every simulated participant comes from 127.0.0.1, where a city's participants come from
thousands of addresses: the server runs with KEPU_QUIZ_STARTS_PER_ADDRESS (the per-address
limit on starts, 600 a minute by default, meant for a school behind one address) raised to
STARTS_PER_ADDRESS, or the start phase would measure the throttle's refusals instead of
starts. The per-account limits stay as deployed (each participant starts once).

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
WARM_PEOPLE = 2_000
WARM_SECONDS = 3
# Starts a minute allowed from one address: every simulated participant is 127.0.0.1.
STARTS_PER_ADDRESS = 10_000_000
# The paced quiz's time per question: long enough that no question runs out during the run.
PACED_SECONDS = 3600

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
paced = services.create_quiz(
    campaign, actor=admin, title="防疫知识每题限时竞答", opens_at=now - dt.timedelta(hours=1),
    closes_at=now + dt.timedelta(days=7), question_count=10, languages=["zh-hans"],
    time_limit_seconds=None, seconds_per_question=PACED_SECONDS, pass_mark=60,
)
services.publish_quiz(paced, actor=admin)
users = User.objects.bulk_create(
    [User(phone=f"137{n:08d}", name=f"选手{n}", password="!") for n in range(people)],
    batch_size=5000,
)
ApiToken.objects.bulk_create(
    [ApiToken(user=u, key_hash=ApiToken.hash(generate.token_key(u.pk)), prefix="bench")
     for u in users],
    batch_size=5000,
)
print(json.dumps({"quiz": quiz.pk, "paced": paced.pk, "users": [users[0].pk, users[-1].pk]}))
"""


def _url() -> str:
    return generate.ADMIN_URL.rsplit("/", 1)[0] + "/" + DATABASE


def prepare(people: int, secret: str) -> dict:
    """A fresh database with the quiz and the participants; returns the dataset run.py wants."""
    with psycopg.connect(generate.ADMIN_URL, autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {DATABASE} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {DATABASE}")
    import redis

    # A board left by an earlier run (the same quiz id in the rebuilt database) would be found.
    redis.Redis.from_url(run.REDIS_URL).flushdb()
    dataset = {"url": _url(), "database": DATABASE}
    env = run.server_env(dataset, secret)
    run.manage(env, "migrate", "--noinput", "-v", "0")
    run.prepare(dataset, secret)
    script = "import json\n" + SETUP.replace("PACED_SECONDS", str(PACED_SECONDS))
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


PREFILL = r"""
import datetime as dt, os
from django.utils import timezone
from kepu.quizzes import taking
from kepu.quizzes.models import Attempt, Quiz

quiz = Quiz.objects.select_related("campaign").get(pk=int(os.environ["KEPU_BENCH_QUIZ"]))
first, last = (int(n) for n in os.environ["KEPU_BENCH_QUIZ_USERS"].split(":"))
users = range(first, last + 1)
now = timezone.now()
deadline = taking._deadline(quiz, now)
first_question = now + dt.timedelta(seconds=quiz.seconds_per_question or 0)
Attempt.objects.bulk_create(
    [Attempt(quiz=quiz, user_id=u, slot="1", language="zh-hans",
             paper=taking.draw_paper(quiz, "zh-hans"), started_at=now, deadline_at=deadline,
             question_deadline_at=first_question if quiz.is_paced else None,
             address="127.0.0.1") for u in users],
    batch_size=5000,
)
"""


def prefill(dataset: dict, secret: str, users: list[int], quiz: int | None = None) -> None:
    """Attempts in progress at ``quiz`` (the timed one by default) for ``users`` (consecutive
    ids), made in bulk as a start would make them."""
    if not users:
        return
    env = run.server_env(dataset, secret)
    subprocess.run(
        [sys.executable, str(ROOT / "manage.py"), "shell", "-c", PREFILL],
        cwd=ROOT,
        env={
            **env,
            "PYTHONPATH": str(ROOT),
            "KEPU_BENCH_QUIZ": str(quiz or dataset["quiz"]),
            "KEPU_BENCH_QUIZ_USERS": f"{users[0]}:{users[-1]}",
        },
        check=True,
        timeout=600,
    )


def _tokens(dataset: dict) -> list[tuple[int, str]]:
    first, last = dataset["users"]
    return [(u, generate.token_key(u)) for u in range(first, last + 1)]


def _write(path: Path, lines: list[str]) -> Path:
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def _answers_of(dataset: dict, quiz: int | None = None) -> dict[int, tuple[str, dict]]:
    """user id → (attempt public id, answers: the first option of each question), for the
    attempts at ``quiz`` (the timed one by default)."""
    with psycopg.connect(dataset["url"]) as conn:
        rows = conn.execute(
            "SELECT user_id, public_id, paper FROM quizzes_attempt WHERE quiz_id = %s",
            (quiz or dataset["quiz"],),
        ).fetchall()
    return {
        user: (str(public_id), {str(q): [options[0]] for q, options, _m in paper})
        for user, public_id, paper in rows
    }


def _ceiling(server, name: str, file: Path, args, description: str) -> run.Result:
    """The ceiling on its own, for the whole duration (first and last)."""
    result = run.Result(name, description)
    run.say(f"{name}: {args.duration} s, {args.connections} connections")
    run.parse_wrk(run.run_wrk(server.port, file, "rotate", args, args.duration), result)
    run.say(
        f"{name}: {result.rps:,.0f} req/s, p50 {run.fmt_ms(result.p50_ms)}, "
        f"p99 {run.fmt_ms(result.p99_ms)}, errors {result.errors}"
    )
    return result


def _sliced(server, name: str, file: Path, ceiling_file: Path, args, description: str):
    """A phase in ``args.rounds`` slices between slices of the ceiling (run.alternate); its
    lines are dealt out to the slices, so that no participant is used twice."""
    result = run.alternate(
        name,
        description,
        run.slices(server.port, name, file, "unique", args, args.rounds),
        run.slices(server.port, "ceiling", ceiling_file, "rotate", args, args.rounds + 1),
        args,
        args.rounds,
    )
    run.say(
        f"{name}: {result.rps:,.0f} req/s, p50 {run.fmt_ms(result.p50_ms)}, "
        f"p99 {run.fmt_ms(result.p99_ms)}, errors {result.errors}, "
        f"{result.ratio:.2f} × the ceiling around it {result.note}"
    )
    return result


def _warm(server, file: Path, args) -> None:
    run.run_wrk(server.port, file, "unique", args, WARM_SECONDS)
    time.sleep(1)  # requests still in flight when wrk stopped


def _save_lines(answers: dict, tokens: list[tuple[int, str]]) -> list[str]:
    return [
        f"PUT\t/api/v1/quiz-attempts/{answers[u][0]}/answers\t{key}\t"
        + json.dumps({"answers": answers[u][1]})
        for u, key in tokens
        if u in answers
    ]


def _next_lines(answers: dict, tokens: list[tuple[int, str]]) -> list[str]:
    """A paced quiz: the first question's answer with Next (``finished``), as the taking page
    sends it for each of the ten questions in turn."""
    lines = []
    for u, key in tokens:
        if u in answers:
            public_id, given = answers[u]
            first = next(iter(given))
            body = {"answers": {first: given[first]}, "finished": int(first)}
            lines.append(
                f"PUT\t/api/v1/quiz-attempts/{public_id}/answers\t{key}\t{json.dumps(body)}"
            )
    return lines


def _submit_lines(answers: dict, tokens: list[tuple[int, str]]) -> list[str]:
    return [
        f"POST\t/api/v1/quiz-attempts/{answers[u][0]}/submit\t{key}\t{{}}"
        for u, key in tokens
        if u in answers
    ]


def quiz_benchmark(args, *, secret: str | None = None, workdir: Path | None = None) -> dict:
    """Run the scenario; returns {"results": [Result...], "attempts_per_s", "minutes_160k"}."""
    secret = secret or secrets.token_urlsafe(48)
    workdir = workdir or Path(tempfile.mkdtemp(prefix="kepu-bench-quiz-"))
    run.say(f"quiz: building {DATABASE} with {args.people:,} participants")
    dataset = prepare(args.people, secret)
    quiz = dataset["quiz"]
    tokens = _tokens(dataset)
    warm, rest = tokens[:WARM_PEOPLE], tokens[WARM_PEOPLE:]
    starters, prefilled = rest[: len(rest) // 2], rest[len(rest) // 2 :]
    ceiling_file = _write(workdir / "ceiling.tsv", ["GET\t/bench/ceiling\t\t"])

    def start_lines(group):
        return [f"POST\t/api/v1/quizzes/{quiz}/attempts\t{key}\t{{}}" for _u, key in group]

    warm_start = _write(workdir / "warm-start.tsv", start_lines(warm))
    start_file = _write(workdir / "start.tsv", start_lines(starters))
    results = []
    # Every simulated participant comes from 127.0.0.1: the per-address start limit is raised.
    limit = {"KEPU_QUIZ_STARTS_PER_ADDRESS": str(STARTS_PER_ADDRESS)}
    with run.Server(
        dataset, workers=args.workers, secret=secret, logdir=workdir, env=limit
    ) as server:
        status, body, _ = run.http(
            server.port, "GET", f"/api/v1/quizzes/{quiz}", timeout=10
        )  # warm the workers' imports
        if status != 200:
            raise RuntimeError(f"GET quiz answered {status}: {body[:200]!r}")
        run.run_wrk(server.port, ceiling_file, "rotate", args, WARM_SECONDS)
        results.append(
            _ceiling(server, "ceiling", ceiling_file, args, "GET /bench/ceiling (2 bytes)")
        )
        _warm(server, warm_start, args)
        results.append(
            _sliced(server, "quiz-start", start_file, ceiling_file, args, "POST start an attempt")
        )
        time.sleep(2)  # requests still in flight when wrk stopped
        run.say(f"quiz: {len(prefilled):,} attempts made in bulk for the save and submit phases")
        prefill(dataset, secret, [u for u, _key in prefilled])
        answers = _answers_of(dataset)
        measured = starters + prefilled
        save_file = _write(workdir / "save.tsv", _save_lines(answers, measured))
        submit_file = _write(workdir / "submit.tsv", _submit_lines(answers, measured))
        _warm(server, _write(workdir / "warm-save.tsv", _save_lines(answers, warm)), args)
        results.append(
            _sliced(server, "quiz-save", save_file, ceiling_file, args, "PUT all 10 answers")
        )
        _warm(server, _write(workdir / "warm-submit.tsv", _submit_lines(answers, warm)), args)
        results.append(
            _sliced(server, "quiz-submit", submit_file, ceiling_file, args, "POST submit")
        )
        run.say(f"quiz: {len(tokens):,} attempts at the paced quiz made in bulk")
        prefill(dataset, secret, [u for u, _key in tokens], quiz=dataset["paced"])
        paced = _answers_of(dataset, dataset["paced"])
        _warm(server, _write(workdir / "warm-next.tsv", _next_lines(paced, warm)), args)
        next_file = _write(workdir / "next.tsv", _next_lines(paced, rest))
        results.append(
            _sliced(
                server,
                "quiz-paced-next",
                next_file,
                ceiling_file,
                args,
                "PUT one answer and Next (paced quiz)",
            )  # fmt: skip
        )
        results.append(_ceiling(server, "ceiling-end", ceiling_file, args, "the ceiling again"))
    ceiling = run.set_ratios(results)  # each phase against the ceilings either side of it
    for r in results:
        ok = r.errors == 0 and r.p99_ms is not None and r.p99_ms < P99_LIMIT_MS and not r.note
        if r.scenario == "quiz-submit":
            r.target = SUBMIT_TARGET
            ok = ok and r.ratio is not None and r.ratio >= SUBMIT_TARGET
        r.verdict = "—" if r.scenario.startswith("ceiling") else ("PASS" if ok else "FAIL")
    by = {r.scenario: r for r in results}
    per_participation = sum(1 / by[n].rps for n in ("quiz-start", "quiz-save", "quiz-submit"))
    attempts_per_s = 1 / per_participation
    minutes = PARTICIPATIONS / attempts_per_s / 60
    # A paced participation: a start, Next on each of the ten questions, a submit.
    paced_per_s = 1 / (
        1 / by["quiz-start"].rps + 10 / by["quiz-paced-next"].rps + 1 / by["quiz-submit"].rps
    )
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
        "paced_per_s": paced_per_s,
        "paced_minutes_160k": PARTICIPATIONS / paced_per_s / 60,
        "submitted": submitted,
        "leaderboard_rows": bests,
        "started": len(answers),
        "prefilled": len(prefilled),
    }


def report(out: dict, args) -> str:
    lines = [
        f"kepu quiz benchmark — {args.workers} gunicorn workers, wrk -t{args.threads} "
        f"-c{args.connections}, {args.duration} s a phase in {args.rounds} slices, "
        f"{args.people:,} participants",
        "| phase | req/s | p50 | p99 | errors | × ceiling | result |",
        "|---|---|---|---|---|---|---|",
    ]
    for r in out["results"]:
        ratio = "—" if r.ratio is None else f"{r.ratio:.2f}"
        lines.append(
            f"| {r.scenario} | {r.rps:,.0f} | {run.fmt_ms(r.p50_ms)} | {run.fmt_ms(r.p99_ms)} "
            f"| {r.errors} | {ratio} | {r.verdict} |"
        )
    lines += [f"{r.scenario}: {r.note}" for r in out["results"] if r.note]
    lines += [line.strip() for line in run.ratio_note(out["results"])]
    verdict = "PASS" if out["minutes_160k"] < LIMIT_MINUTES else "FAIL"
    lines += [
        f"attempts {out['started']:,} ({out['prefilled']:,} made in bulk), submitted "
        f"{out['submitted']:,}, leaderboard rows {out['leaderboard_rows']:,}",
        f"participations completed per second (start + save + submit): "
        f"{out['attempts_per_s']:,.0f}",
        f"160,000 participations: {out['minutes_160k']:.1f} min (target < {LIMIT_MINUTES} min) "
        f"{verdict}",
        f"paced quiz (start + 10 × Next + submit): {out['paced_per_s']:,.0f} participations a "
        f"second, 160,000 in {out['paced_minutes_160k']:.1f} min",
    ]
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description="kepu quiz benchmark")
    parser.add_argument("--duration", type=int, default=30)
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--people", type=int, default=60_000)
    parser.add_argument("--rounds", type=int, default=run.ROUNDS)
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
