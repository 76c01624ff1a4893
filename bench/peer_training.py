"""Training time of the peer model (``PeerModel.fit``) on a million synthetic completion records.

Records come from the documented generator (recommender/synthetic.py) over the bundled catalogue, or over the
catalogue scaled to ``--courses`` courses (bench/recommender_data.py). The learner count is set from a pilot run
so that the log holds ``--records`` records (whole learners, so a few more). Generation is timed and printed
separately: it is the benchmark's set-up, not the thing measured. The fit is given every catalogue course (as the
service does), and timed ``--repeats`` times; the best and the median are printed. Baseline in the same process:
overall popularity, ``np.bincount`` over the course column.

Usage: python -m bench.peer_training [--records 1000000] [--courses 0 (bundled) | 5000] [--repeats 3]
Goal: fit under 2 minutes on 2 cores.
"""

from __future__ import annotations

import argparse
import math
import resource
import statistics
import time

import numpy as np

from bench.common import print_table
from bench.recommender_data import bundled_catalog, scale_catalog
from recommender.catalog import Catalog
from recommender.completions import CompletionLog
from recommender.peers import PeerConfig, PeerModel
from recommender.synthetic import SyntheticConfig, generate_completions

GOAL_SECONDS = 120.0
PILOT_LEARNERS = 2000


def peak_mib() -> float:
    """Peak resident memory of this process so far (ru_maxrss is KiB on Linux)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0


def first_learners(log: CompletionLog, records: int) -> CompletionLog:
    """The records of the fewest leading learners that hold at least ``records`` records."""
    per_learner = np.bincount(log.learner, minlength=len(log.learners))
    learners = min(len(log.learners), int(np.searchsorted(np.cumsum(per_learner), records)) + 1)
    kept = log.subset(log.learner < learners)
    return CompletionLog(
        log.learners[:learners],
        kept.courses,
        kept.roles,
        kept.learner,
        kept.course,
        kept.at,
        kept.role,
        kept.departments,
        kept.department,
    )


def synthetic_log(catalog: Catalog, records: int, seed: int) -> tuple[CompletionLog, float]:
    """A log of about ``records`` records, and the seconds generating it took (pilot included)."""
    started = time.perf_counter()
    pilot = generate_completions(catalog, SyntheticConfig(learners=PILOT_LEARNERS, seed=seed + 1))
    per_learner = max(len(pilot) / PILOT_LEARNERS, 0.1)
    learners = math.ceil(records / per_learner * 1.03) + 10
    log = generate_completions(catalog, SyntheticConfig(learners=learners, seed=seed))
    if len(log) < records:  # the pilot guessed low: add learners until there are enough
        extra = generate_completions(catalog, SyntheticConfig(learners=learners // 10 + 100, seed=seed + 2))
        log = _concatenate(log, extra)
    return first_learners(log, records), time.perf_counter() - started


def _concatenate(first: CompletionLog, second: CompletionLog) -> CompletionLog:
    offset = len(first.learners)
    learners = (*first.learners, *(f"l2-{n:07d}" for n in range(len(second.learners))))
    department = None
    if first.department is not None and second.department is not None:
        department = np.concatenate([first.department, second.department])
    return CompletionLog(
        learners,
        first.courses,
        first.roles,
        np.concatenate([first.learner, second.learner + offset]),
        np.concatenate([first.course, second.course]),
        np.concatenate([first.at, second.at]),
        np.concatenate([first.role, second.role]),
        first.departments,
        department,
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=1_000_000)
    parser.add_argument("--courses", type=int, default=0, help="scale the catalogue to this many courses; 0: bundled")
    parser.add_argument("--repeats", type=int, default=3, help="timed fits")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    catalog = bundled_catalog()
    if args.courses:
        catalog, _ = scale_catalog(catalog, args.courses, args.seed)
    log, generated = synthetic_log(catalog, args.records, args.seed)
    memory_before_fit = peak_mib()
    print(
        f"generated {len(log):,} records of {len(log.learners):,} learners over {len(catalog.courses):,} courses "
        f"in {generated:.1f} s (peak memory {memory_before_fit:.0f} MiB)"
    )

    courses = sorted(catalog.courses)
    fits, bincounts = [], []
    model: PeerModel | None = None
    for _ in range(args.repeats):
        started = time.perf_counter()
        model = PeerModel.fit(log, PeerConfig(), courses=courses)
        fits.append(time.perf_counter() - started)
        started = time.perf_counter()
        np.bincount(log.course, minlength=len(log.courses))
        bincounts.append(time.perf_counter() - started)
    assert model is not None
    fit_best, fit_median = min(fits), statistics.median(fits)
    base_best, base_median = min(bincounts), statistics.median(bincounts)
    print_table(
        f"Peer model training, {args.repeats} fits (seconds; peak memory of the process, MiB)",
        ["records", "learners", "courses", "similarities kept", "fit s (best)", "fit s (median)",
         "bincount ms (best)", "fit / bincount (median)", "peak MiB before fit", "peak MiB after fit", "goal s", "met"],
        [[len(log), len(log.learners), len(model.courses), model.similarity.nnz, fit_best, fit_median, base_best * 1000,
          fit_median / max(base_median, 1e-9), memory_before_fit, peak_mib(), GOAL_SECONDS,
          "yes" if fit_median < GOAL_SECONDS else "NO"]],
    )  # fmt: skip


if __name__ == "__main__":
    main()
