"""National-scale fit of the peer model (``PeerModel.fit``): 10^6, 10^7 and 10^8 completion records.

The national platform holds about 1.45 crore learners and 6.7 crore completions. Generating 10^8 records with the
documented per-learner generator (recommender/synthetic.py: about 2.5 x 10^4 records a second here, measured) would
take over an hour, so this script has a vectorised numpy generator of the same documented shape, built from the
same catalogue facts:

- learners hold roles in proportion to the roles' headcounts and work in the role's department;
- a share (``hindi_share``) prefers Hindi and mostly takes the Hindi version of a course where one exists (the same
  language weights as the per-learner generator);
- each course has a log-normal latent appeal, and courses building the role's required competencies are
  ``role_boost`` x (share of the course's competencies the role requires) more likely;
- each learner completes 1 + Poisson(``per_learner`` - 1) courses, joining at a uniform time in the first 90% of the
  period and completing courses at exponential intervals (``mean_gap_days``); one that would fall past the period's
  end is put at a uniform time between the learner's joining and the end.
Left out, because they are sequential per learner and do not change the sizes the fit handles: interest themes,
level progression, follow-ons, prerequisites, late-launched courses and the no-repeat rule (a repeat completion is
kept, as a retake; the fit counts it once). Generation runs in chunks of learners and is timed separately: it is
the set-up, not the thing measured.

Measured: the fit's wall time; the process's resident memory before the fit and its peak during the fit (sampled
every 20 ms from /proc; the log and the generator's leftovers included); the log's own array bytes; and the
baseline in the same process: overall popularity, ``np.bincount`` over the course column. Each size in
``--sizes`` runs in its own process (so one size's peak memory is not another's); the table gathers them, and a
last row extrapolates time and memory to 10^8 records (a power law fitted by least squares on log-log over the
measured sizes) when that size was not measured.

Usage: python -m bench.scale_peers [--sizes 1000000 10000000 100000000] [--courses 0 (bundled) | 5000]
                                   [--per-learner 8] [--seed 0]
       python -m bench.scale_peers --records 100000       (one size, in this process: the smoke test)
Goal: fit of 10^8 records under 16 GB of memory (peak RSS of the process, log included) on this 2-core machine.
"""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import threading
import time
from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from bench.common import print_table
from bench.recommender_data import bundled_catalog, scale_catalog
from recommender.catalog import Catalog
from recommender.completions import CompletionLog
from recommender.peers import PeerConfig, PeerModel
from recommender.synthetic import DAY, SyntheticConfig

GOAL_BYTES = 16 * 1024**3
TARGET_RECORDS = 100_000_000
CHUNK_LEARNERS = 1_000_000
PAGE = os.sysconf("SC_PAGE_SIZE")
Floats = npt.NDArray[np.float64]
Ints = npt.NDArray[np.int64]


@dataclass(frozen=True)
class Shape:
    """The documented shape (defaults from ``SyntheticConfig``) of the vectorised generator."""

    per_learner: float = 8.0
    hindi_share: float = SyntheticConfig.hindi_share
    role_boost: float = SyntheticConfig.role_boost
    mean_gap_days: float = SyntheticConfig.mean_gap_days
    start: float = SyntheticConfig.start.timestamp()
    days: int = SyntheticConfig.days


def course_weights(catalog: Catalog, shape: Shape, rng: np.random.Generator) -> tuple[list[str], Floats]:
    """Course ids (sorted) and, per (role, prefers Hindi), the unnormalised weight of every course."""
    ids = sorted(catalog.courses)
    courses = [catalog.courses[c] for c in ids]
    appeal = rng.lognormal(0.0, 0.8, len(ids))
    hindi = np.array([c.language == "hi" for c in courses])
    groups_in_hindi = {catalog.group(c.id) for c in courses if c.language == "hi"}
    has_hindi = np.array([catalog.group(c) in groups_in_hindi for c in ids])
    language = {
        False: np.where(~hindi, 1.0, 0.05),
        True: np.where(hindi, 1.0, np.where(has_hindi, 0.03, 0.25)),
    }
    competencies = [{ref.id for ref in c.competencies} for c in courses]
    weights = np.zeros((len(catalog.roles), 2, len(ids)))
    for r, role_id in enumerate(sorted(catalog.roles)):
        required = {ref.id for ref in catalog.roles[role_id].competencies}
        relevance = np.array([len(c & required) / len(c) if c else 0.0 for c in competencies])
        base = appeal * (1.0 + shape.role_boost * relevance)
        for prefers_hindi in (False, True):
            weights[r, int(prefers_hindi)] = base * language[prefers_hindi]
    return ids, weights


def role_shares(catalog: Catalog) -> Floats:
    roles = sorted(catalog.roles)
    known = [float(h) for r in roles if (h := catalog.roles[r].headcount)]
    fallback = float(np.median(known)) if known else 1.0
    weight = np.array([catalog.roles[r].headcount or fallback for r in roles], dtype=float)
    return np.asarray(weight / weight.sum(), dtype=np.float64)


def _chunk(
    first: int, count: int, weights: Floats, shares: Floats, shape: Shape, rng: np.random.Generator
) -> tuple[Ints, Ints, Ints, Ints]:
    """Records of learners ``first`` .. ``first + count``: (learner, course, at, role) columns."""
    role = rng.choice(len(shares), size=count, p=shares)
    hindi = (rng.random(count) < shape.hindi_share).astype(np.int64)
    per = 1 + rng.poisson(max(shape.per_learner - 1.0, 0.0), size=count)
    learner = np.repeat(np.arange(first, first + count, dtype=np.int64), per)
    local = learner - first
    # one categorical draw per record from its learner's (role, language) distribution, by inverse CDF
    kind = role * 2 + hindi
    cdf = np.cumsum(weights.reshape(len(shares) * 2, -1), axis=1)
    cdf /= cdf[:, -1:]
    course = np.empty(len(learner), dtype=np.int64)
    record_kind = kind[local]
    draws = rng.random(len(learner))
    for k in np.unique(kind):
        mask = record_kind == k
        course[mask] = np.minimum(np.searchsorted(cdf[k], draws[mask], side="right"), cdf.shape[1] - 1)
    join = shape.start + rng.uniform(0.0, 0.9, count) * shape.days * DAY
    gaps = rng.exponential(shape.mean_gap_days * DAY, len(learner))
    running = np.cumsum(gaps)
    starts = np.cumsum(per) - per  # each learner's first record
    before = np.where(starts > 0, running[starts - 1], 0.0)
    at = join[local] + running - np.repeat(before, per)
    end = shape.start + shape.days * DAY
    late = at >= end  # past the period: placed at a uniform time in the learner's own window instead
    at[late] = join[local[late]] + rng.random(int(late.sum())) * (end - join[local[late]])
    at = at.astype(np.int64)
    return learner, course, at, role[local].astype(np.int64)


def vectorised_log(catalog: Catalog, records: int, shape: Shape, seed: int) -> CompletionLog:
    """A log of exactly ``records`` records of the documented shape (see the module docstring)."""
    rng = np.random.default_rng(seed)
    ids, weights = course_weights(catalog, shape, rng)
    shares = role_shares(catalog)
    columns: list[list[Ints]] = [[], [], [], []]
    total, learners = 0, 0
    while total < records:
        count = min(CHUNK_LEARNERS, math.ceil((records - total) / shape.per_learner * 1.05) + 10)
        for column, values in zip(columns, _chunk(learners, count, weights, shares, shape, rng), strict=True):
            column.append(values)
        learners += count
        total += len(columns[0][-1])
    learner, course, at, role = (np.concatenate(c)[:records] for c in columns)
    del columns
    used = int(learner[-1]) + 1 if records else 0
    roles = sorted(catalog.roles)
    departments = sorted({catalog.roles[r].department for r in roles})
    department_of_role = np.array([departments.index(catalog.roles[r].department) for r in roles], dtype=np.int64)
    return CompletionLog(
        learners=tuple(f"l-{n:08d}" for n in range(used)),
        courses=tuple(ids),
        roles=tuple(roles),
        learner=learner,
        course=course,
        at=at,
        role=role,
        departments=tuple(departments),
        department=department_of_role[role],
    )


class RssSampler:
    """Peak resident memory of this process while the ``with`` block runs (sampled from /proc/self/statm)."""

    def __init__(self, interval: float = 0.02) -> None:
        self.interval, self.peak, self._stop = interval, 0, threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def rss() -> int:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * PAGE

    def _run(self) -> None:
        while not self._stop.is_set():
            self.peak = max(self.peak, self.rss())
            self._stop.wait(self.interval)

    def __enter__(self) -> RssSampler:
        self.peak = self.rss()
        self._thread.start()
        return self

    def __exit__(self, *_: object) -> None:
        self._stop.set()
        self._thread.join()
        self.peak = max(self.peak, self.rss())


def log_bytes(log: CompletionLog) -> int:
    arrays = [log.learner, log.course, log.at, log.role] + ([log.department] if log.department is not None else [])
    return sum(a.nbytes for a in arrays)


def measure(records: int, courses: int, shape: Shape, seed: int) -> dict[str, float]:
    """Generate, then fit once and time the popularity baseline, in this process."""
    catalog = bundled_catalog()
    if courses:
        catalog, _ = scale_catalog(catalog, courses, seed)
    started = time.perf_counter()
    log = vectorised_log(catalog, records, shape, seed)
    generated = time.perf_counter() - started
    rss_before = RssSampler.rss()
    with RssSampler() as sampler:
        started = time.perf_counter()
        model = PeerModel.fit(log, PeerConfig(), courses=sorted(catalog.courses))
        fit = time.perf_counter() - started
    started = time.perf_counter()
    np.bincount(log.course, minlength=len(log.courses))
    baseline = time.perf_counter() - started
    return {
        "records": float(len(log)),
        "learners": float(len(log.learners)),
        "courses": float(len(model.courses)),
        "similarities": float(model.similarity.nnz),
        "generate_s": generated,
        "fit_s": fit,
        "bincount_s": baseline,
        "log_bytes": float(log_bytes(log)),
        "rss_before_fit": float(rss_before),
        "rss_peak_fit": float(sampler.peak),
    }


def extrapolate(rows: list[dict[str, float]], key: str, size: float) -> float:
    """``key`` at ``size`` records: a power law fitted (least squares, log-log) over the measured sizes."""
    x = np.log([r["records"] for r in rows])
    y = np.log([max(r[key], 1e-9) for r in rows])
    if len(rows) < 2:
        return float(np.exp(y[0]) * size / rows[0]["records"])
    slope, intercept = np.polyfit(x, y, 1)
    return float(np.exp(intercept + slope * math.log(size)))


def print_results(rows: list[dict[str, float]], extrapolated: dict[str, float] | None) -> None:
    gib = 1024.0**3
    table: list[list[object]] = [
        [
            f"{int(r['records']):,}",
            f"{int(r['learners']):,}",
            int(r["similarities"]),
            r["generate_s"],
            r["fit_s"],
            r["bincount_s"] * 1000,
            r["fit_s"] / max(r["bincount_s"], 1e-9),
            r["log_bytes"] / gib,
            r["rss_before_fit"] / gib,
            r["rss_peak_fit"] / gib,
            "yes" if r["rss_peak_fit"] < GOAL_BYTES else "NO",
        ]
        for r in rows
    ]
    if extrapolated:
        e = extrapolated
        table.append(
            [f"~{int(e['records']):,}", "", "", "", e["fit_s"], "", "", e["log_bytes"] / gib, "",
             e["rss_peak_fit"] / gib, "yes" if e["rss_peak_fit"] < GOAL_BYTES else "NO"]
        )  # fmt: skip
    courses = {int(r["courses"]) for r in rows}
    print_table(
        f"Peer model fit at national scale, {'/'.join(map(str, sorted(courses)))} courses "
        "(seconds; memory: resident set of the process, GiB)",
        ["records", "learners", "similarities", "generate s", "fit s", "bincount ms", "fit / bincount",
         "log arrays GiB", "RSS before fit", "peak RSS in fit", "< 16 GiB"],
        table,
    )  # fmt: skip
    if extrapolated:
        print("~: extrapolated (power law fitted on log-log over the measured sizes), not measured")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000_000, 10_000_000, TARGET_RECORDS])
    parser.add_argument("--records", type=int, help="one size, measured in this process (smoke runs)")
    parser.add_argument("--courses", type=int, default=0, help="scale the catalogue to this many courses; 0: bundled")
    parser.add_argument("--per-learner", type=float, default=Shape.per_learner, help="mean completions a learner")
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--json", action="store_true", help="print one JSON result line (used by the parent run)")
    args = parser.parse_args()
    shape = Shape(per_learner=args.per_learner)

    if args.records is not None:
        result = measure(args.records, args.courses, shape, args.seed)
        if args.json:
            print(json.dumps(result))
            return
        print_results([result], None)
        return

    rows = []
    for size in args.sizes:
        command = [sys.executable, "-m", "bench.scale_peers", "--records", str(size), "--courses", str(args.courses),
                   "--per-learner", str(args.per_learner), "--seed", str(args.seed), "--json"]  # fmt: skip
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            print(f"{size:,} records: failed (exit {done.returncode}): {done.stderr.strip()[-500:]}")
            continue
        rows.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"{size:,} records: fit {rows[-1]['fit_s']:.1f} s, peak RSS {rows[-1]['rss_peak_fit'] / 1024**3:.2f} GiB")
    extrapolated = None
    if rows and max(r["records"] for r in rows) < TARGET_RECORDS:
        keys = ("fit_s", "log_bytes", "rss_peak_fit")
        extrapolated = {"records": float(TARGET_RECORDS), **{k: extrapolate(rows, k, TARGET_RECORDS) for k in keys}}
    print_results(rows, extrapolated)


if __name__ == "__main__":
    main()
