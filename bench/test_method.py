"""The benchmark's arithmetic: slices against the ceilings either side, joined latencies and
lines dealt out to slices (no server needed)."""

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import run  # noqa: E402


def _result(rps: float, requests: int = 1000, curve=None) -> run.Result:
    r = run.Result("x", "", requests=requests, rps=rps)
    r.extra["percentiles_ms"] = curve or [(50, 5.0), (99, 20.0), (100, 30.0)]
    return r


def test_each_slice_is_set_against_the_ceilings_either_side_and_the_median_is_kept():
    ceilings = iter([_result(1000), _result(3000), _result(1000), _result(3000)])
    scenario = iter([_result(400), _result(400), _result(100)])
    args = argparse.Namespace(duration=15, connections=16, threads=2)
    joined = run.alternate(
        "signup", "", lambda s: next(scenario), lambda s: next(ceilings), args, rounds=3
    )
    # 400 / 2000, 400 / 2000, 100 / 2000: the slow host moments cancel, one bad slice does not
    # decide; against the largest ceiling alone it would read 0.13.
    assert [s["ratio"] for s in joined.extra["slices"]] == [0.2, 0.2, 0.05]
    assert joined.ratio == 0.2
    assert joined.requests == 3000 and round(joined.rps) == 300
    assert joined.extra["ceiling_slices"] == [1000, 3000, 1000, 3000]


def test_joined_latencies_weigh_each_slice_by_its_requests():
    fast = _result(1, 9000, [(50, 5.0), (99, 10.0), (100, 12.0)])
    slow = _result(1, 1000, [(50, 100.0), (99, 200.0), (100, 300.0)])
    # A tenth of all requests took 100 ms or more: the joined p99 is among the slow ones and
    # the joined p50 among the fast ones; the worst slice's p99 (200 ms) would overstate it.
    assert 100 < run.joined_quantile([fast, slow], 99) < 200
    assert 5 <= run.joined_quantile([fast, slow], 50) < 10
    same = run.joined_quantile([fast, _result(1, 9000, fast.extra["percentiles_ms"])], 99)
    assert abs(same - 10.0) < 0.01


def test_unique_lines_are_dealt_out_so_that_no_slice_repeats_one(tmp_path):
    file = tmp_path / "signup.tsv"
    file.write_text("".join(f"POST\t/x\ttoken{n}\t{{}}\n" for n in range(10)), encoding="utf-8")
    run.slices(0, "signup", file, "unique", argparse.Namespace(), 3)
    parts = [(tmp_path / f"signup.{k}.tsv").read_text().splitlines() for k in range(3)]
    assert [len(p) for p in parts] == [4, 3, 3]
    assert sorted(line for p in parts for line in p) == sorted(file.read_text().splitlines())
