"""Memory and cold start of a serving process and of CLI commands, beside a bare ONNX Runtime + FAISS process.

One scratch home holds the bundled corpus (real e5 vectors) plus synthetic case studies up to ``--passages``
passages. Synthetic passages mix real corpus sentences (so BM25's vocabulary and postings grow as real material
would) and carry random unit vectors stored under the real model id: memory and start-up are what is measured,
not quality. For each size, in one run:

- ``gyanpath serve`` as users run it (its own process): seconds from process start to the first ``GET /search``
  answered (the cold start), then 50 searches and 10 tutor questions, then its resident memory (VmRSS) and peak
  (VmHWM) from /proc;
- the baseline: a bare process that a developer would write by hand over the same files (``tokenizers`` with the
  converted model's tokenizer.json, ONNX Runtime with its int8 model, FAISS flat over the same vectors, no
  BM25, no store), timed and measured the same way (start to first answer, then 50 queries);
- CLI commands (process start to exit, best of 3, and peak RSS): those that never load the model (keys, db,
  roles list, index status) and those that do (search, ask, paths).

Usage: python -m bench.footprint [--passages 10000 100000] [--models-cache DIR]
Goals (issue 16): serving RSS under 600 MB at 10k passages and 900 MB at 100k; first answer within 2.5 s of
process start for serve and model commands; commands without the model under 1 s.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import shutil
import subprocess
import sys
import time
from pathlib import Path

import httpx
import numpy as np

from bench.common import print_table, scratch_home
from corpus.sentences import clean_text
from corpus.store import Store
from corpus.types import CaseStudy
from embeddings import normalize_rows
from gyanpath.devserver import free_port
from gyanpath.services import Services
from gyanpath.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
SECTIONS_PER_CASE = 4
SENTENCES_PER_SECTION = 5
QUERIES = [
    "how was cyber fraud money frozen faster",
    "टीकाकरण में कोल्ड चेन की निगरानी",
    "7 day training compulsory for promotion?",
    "grievance redressal in urban local bodies",
    "पंचायत बजट की सामाजिक लेखा परीक्षा",
]
BARE_PROCESS = r"""
import json, sys, time
start = time.perf_counter()
import faiss, numpy as np, onnxruntime, tokenizers
model_dir, index_file, queries = sys.argv[1], sys.argv[2], json.loads(sys.argv[3])
tokenizer = tokenizers.Tokenizer.from_file(model_dir + "/tokenizer.json")
tokenizer.enable_truncation(max_length=512)
options = onnxruntime.SessionOptions()
options.intra_op_num_threads = options.inter_op_num_threads = 1
model = model_dir + "/onnx/model_qint8.onnx"
session = onnxruntime.InferenceSession(model, options, providers=["CPUExecutionProvider"])
index = faiss.read_index(index_file)
def search(text):
    ids = np.array([tokenizer.encode("query: " + text).ids], dtype=np.int64)
    vector = session.run(None, {"input_ids": ids, "attention_mask": np.ones_like(ids)})[0].astype(np.float32)
    return index.search(vector, 10)
search(queries[0])
first = time.perf_counter() - start
for n in range(50):
    search(queries[n % len(queries)])
status = dict(line.split(":", 1) for line in open("/proc/self/status") if ":" in line)
print(json.dumps({"first_s": first, "rss_mb": int(status["VmRSS"].split()[0]) / 1024,
                  "hwm_mb": int(status["VmHWM"].split()[0]) / 1024}))
"""


def proc_mb(pid: int, field: str) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith(field + ":"):
            return int(line.split()[1]) / 1024
    return 0.0


def build_home(passages: int, models_cache: Path | None) -> Path:
    """The bundled corpus with real vectors, topped up with synthetic case studies to ``passages`` passages."""
    home = scratch_home(f"footprint-{passages}")
    if models_cache is not None:
        shutil.copytree(models_cache, home / "models", copy_function=os.link)
    env = {**os.environ, "GYANPATH_HOME": str(home)}
    subprocess.run([sys.executable, "-m", "gyanpath", "bootstrap"], cwd=ROOT, env=env, check=True,
                   stdout=subprocess.DEVNULL)  # fmt: skip
    services = Services.create(Settings(home=home, precompute_sentences=False), preload_model=False)
    sentences = [s for c in services.store.chunks() for s in clean_text(c.chunk.text).split(". ") if len(s) > 30]
    rng, made = random.Random(passages), 0
    while len(services.store.chunk_ids()) < passages:  # cases of 50 at a time until the store holds enough
        with services.store.transaction():
            for n in range(made, made + 50):
                body = "\n\n".join(
                    f"## Part {s}\n" + ". ".join(rng.choices(sentences, k=SENTENCES_PER_SECTION)) + "."
                    for s in range(SECTIONS_PER_CASE)
                )
                case = CaseStudy(id=f"cs-footprint-{n}", title=f"Synthetic case {n}", body=body,
                                 department="health", sector="health", year=2020, language="en", source="benchmark",
                                 visibility="health" if n % 10 == 0 else "public")  # fmt: skip
                services.store.upsert_document(case)
        made += 50
    model_id = services.embedder.model_id
    stored, _ = services.store.embeddings(model_id, services.embedder.dimension)
    fresh = np.setdiff1d(services.store.chunk_ids(), stored)
    generator = np.random.default_rng(passages)
    for start in range(0, len(fresh), 20_000):
        part = fresh[start : start + 20_000]
        vectors = normalize_rows(generator.standard_normal((len(part), services.embedder.dimension)))
        services.store.put_embeddings(model_id, part.tolist(), vectors)
    services.rebuild_index(full=True)  # loads the new snapshot too, which writes the BM25 cache for later starts
    services.close()
    return home


def learner_token(home: Path) -> str:
    result = subprocess.run(
        [sys.executable, "-m", "gyanpath", "keys", "create", "--role", "learner", "--department", "health",
         "--name", "footprint", "--json"],
        cwd=ROOT, env={**os.environ, "GYANPATH_HOME": str(home)}, check=True, capture_output=True, text=True,
    )  # fmt: skip
    return str(json.loads(result.stdout)["token"])


def measure_serve(home: Path, token: str) -> dict[str, float]:
    port = free_port()
    env = {**os.environ, "GYANPATH_HOME": str(home), "GYANPATH_RATE_LIMIT": "off"}
    log = (home / "serve.log").open("w")
    started = time.perf_counter()
    process = subprocess.Popen([sys.executable, "-m", "gyanpath", "serve", "--port", str(port)], cwd=ROOT, env=env,
                               stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
    url, headers = f"http://127.0.0.1:{port}", {"Authorization": f"Bearer {token}"}
    try:
        first = None
        while first is None and time.perf_counter() - started < 120:
            if process.poll() is not None:
                raise RuntimeError(f"serve exited: {(home / 'serve.log').read_text()[-2000:]}")
            try:
                response = httpx.get(f"{url}/search", params={"q": QUERIES[0]}, headers=headers, timeout=30)
                if response.status_code == 200:
                    first = time.perf_counter() - started
            except httpx.TransportError:
                time.sleep(0.05)
        if first is None:
            raise RuntimeError("serve answered no search within 120 s")
        with httpx.Client(base_url=url, headers=headers, timeout=60) as client:
            for n in range(50):
                client.get("/search", params={"q": QUERIES[n % len(QUERIES)]}).raise_for_status()
            for n in range(10):
                client.post("/tutor/ask", json={"question": QUERIES[n % len(QUERIES)]}).raise_for_status()
        return {"first_s": first, "rss_mb": proc_mb(process.pid, "VmRSS"), "hwm_mb": proc_mb(process.pid, "VmHWM")}
    finally:
        process.terminate()
        process.wait(timeout=30)
        log.close()


def measure_bare(home: Path, model_dir: Path) -> dict[str, float]:
    index_file = next((home / "index").rglob("index.faiss"))
    result = subprocess.run([sys.executable, "-c", BARE_PROCESS, str(model_dir), str(index_file),
                             json.dumps(QUERIES)], check=True, capture_output=True, text=True)  # fmt: skip
    loaded: dict[str, float] = json.loads(result.stdout.strip().splitlines()[-1])
    return loaded


def time_command(home: Path, args: list[str], repeats: int = 3) -> tuple[float, float]:
    """Best wall time from process start to exit, and the largest peak RSS, of ``gyanpath ARGS``.

    The peak is VmHWM read from /proc while the command runs (it starts afresh at exec; ``ru_maxrss`` would carry
    this benchmark's own size into the child)."""
    env = {**os.environ, "GYANPATH_HOME": str(home)}
    best, peak = float("inf"), 0.0
    for _ in range(repeats):
        started = time.perf_counter()
        process = subprocess.Popen([sys.executable, "-m", "gyanpath", *args], cwd=ROOT, env=env,
                                   stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
        high = 0.0
        while process.poll() is None:
            try:
                high = max(high, proc_mb(process.pid, "VmHWM"))
            except OSError:  # exited between poll() and the read
                break
            time.sleep(0.01)
        elapsed = time.perf_counter() - started
        if process.returncode != 0:
            raise RuntimeError(f"gyanpath {' '.join(args)} exited with {process.returncode}")
        best, peak = min(best, elapsed), max(peak, high)
    return best, peak


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--passages", type=int, nargs="+", default=[10_000])
    parser.add_argument("--models-cache", type=Path, default=None, help="A converted <home>/models to reuse.")
    parser.add_argument("--no-cli", action="store_true", help="Skip the CLI timings.")
    args = parser.parse_args()
    memory_rows: list[list[object]] = []
    cli_rows: list[list[object]] = []
    for passages in args.passages:
        home = build_home(passages, args.models_cache)
        model_dir = next(p for p in (home / "models").iterdir() if (p / "conversion.json").is_file())
        args.models_cache = args.models_cache or home / "models"
        chunks = len(Store.open(Settings(home=home).database_path).chunk_ids())
        bare = measure_bare(home, model_dir)
        served = measure_serve(home, learner_token(home))
        for name, figures in (("bare ONNX Runtime + tokenizers + FAISS", bare), ("gyanpath serve", served)):
            memory_rows.append([chunks, name, figures["first_s"], figures["rss_mb"], figures["hwm_mb"],
                                figures["rss_mb"] / bare["rss_mb"]])  # fmt: skip
        if args.no_cli:
            continue
        commands = {
            "keys list": ["keys", "list"],
            "db current": ["db", "current"],
            "roles list": ["roles", "list"],
            "index status": ["index", "status"],
            "search": ["search", QUERIES[0], "-k", "5"],
            "ask": ["ask", QUERIES[0]],
            "paths (role id)": ["paths", "role-patwari-village-revenue-officer", "--hours", "12"],
        }
        for name, command in commands.items():
            seconds, peak = time_command(home, command)
            cli_rows.append([chunks, name, seconds, peak, seconds / bare["first_s"]])
    print_table(
        "Serving process: start to first answer, resident memory after 50 searches (+10 tutor questions)",
        ("passages", "process", "first answer s", "RSS MB", "peak MB", "RSS / bare"),
        memory_rows,
    )
    if cli_rows:
        print_table(
            "CLI commands: process start to exit (best of 3) and peak RSS",
            ("passages", "command", "seconds", "peak MB", "/ bare first answer"),
            cli_rows,
        )


if __name__ == "__main__":
    main()
