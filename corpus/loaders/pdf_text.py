"""A PDF's text, read by pypdf in a child process under hard CPU and memory limits.

pypdf parses a page's content stream in one call that cannot be interrupted from outside: one page of 7.9 MB of
text operators took 41-58 s of CPU in the calling process, whatever the check between pages. So the extraction runs
in a child (``python -P this_file.py``) that, first thing, limits itself:

- ``ITIMER_PROF`` fires when the child's whole CPU (user + system, counted from its start: the interpreter's start
  and the import of pypdf included) reaches ``cpu_seconds``; its handler reports the page it stopped at and exits.
  Pure-Python parsing is interrupted between two bytecodes.
- ``RLIMIT_CPU`` a couple of seconds above is the backstop for a long call into C code (SIGXCPU, then SIGKILL).
- ``RLIMIT_AS`` bounds its memory (``MemoryError``, or a crash); ``RLIMIT_CORE`` and ``RLIMIT_FSIZE`` are 0.

The parent sends the PDF on stdin, reads ``{"pages": [...]}`` or ``{"problem": ...}`` as JSON on stdout, and kills
the child past a wall-clock timeout. The child's CPU is the parent's ``RUSAGE_CHILDREN`` once reaped. Every failure
(a limit, an unreadable PDF, a crash, a garbled answer) is a ``Problem`` naming the limit in plain words.

The child imports only the standard library and pypdf: this module imports nothing of the project at import time.
"""

from __future__ import annotations

import json
import logging
import os
import resource
import signal
import subprocess
import sys
import time
import traceback
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from corpus.errors import Problem

log = logging.getLogger(__name__)

EXIT_CPU = 75
"""The child's exit status when its CPU budget ran out (its answer says the page)."""
EXIT_MEMORY = 76
"""The child's exit status when it ran out of its memory limit."""
EXIT_START = 77
"""The child's exit status when it could not import pypdf (its traceback is on stderr, logged by the parent)."""
CPU_BACKSTOP_S = 2
"""RLIMIT_CPU is this many seconds above the budget: the SIGPROF timer normally stops the child first."""
SPLIT_HINT = "split it, or send its text as Markdown"


def extract_pages(
    data: bytes,
    source: str,
    *,
    cpu_seconds: float,
    max_pages: int,
    max_stream_bytes: int,
    memory_bytes: int,
    max_chars: int,
    wall_seconds: float | None = None,
) -> list[str] | Problem:
    """The text of each page of the PDF ``data``, read in a child process within these limits; else a Problem.

    ``cpu_seconds`` is the child's whole CPU, its start included; ``max_stream_bytes`` bounds every decompressed
    stream; ``max_chars`` the text of all pages together (stripped); ``wall_seconds`` (default: a generous multiple
    of ``cpu_seconds``) the time the parent waits before it kills the child.
    """
    from corpus.errors import Problem

    def problem(message: str, field: str | None = "file") -> Problem:
        return Problem(source, None, field, message)

    cpu_message = f"reading the PDF's text took over {cpu_seconds:g} s of CPU"
    wall = wall_seconds if wall_seconds is not None else 10.0 + 4 * cpu_seconds
    limits = [str(cpu_seconds), str(max_pages), str(max_stream_bytes), str(memory_bytes), str(max_chars)]
    try:
        child = subprocess.Popen(
            [sys.executable, "-P", os.path.abspath(__file__), *limits],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
    except OSError as exc:
        log.error("cannot start the PDF reader: %s", exc)
        return problem(f"the server could not start its PDF reader ({exc.strerror or exc}); try again later")
    try:
        out, err = child.communicate(data, timeout=wall)
    except subprocess.TimeoutExpired:
        child.kill()
        child.communicate()
        return problem(f"reading the PDF's text took over {wall:g} s: {SPLIT_HINT}")
    except BaseException:
        child.kill()
        child.wait()
        raise
    code = child.returncode
    answer: Any = None
    if out:
        try:
            answer = json.loads(out)
        except ValueError:
            answer = None
    if code == 0 and isinstance(answer, dict):
        pages = answer.get("pages")
        if isinstance(pages, list) and all(isinstance(page, str) for page in pages):
            return pages
        found = answer.get("problem")
        if isinstance(found, dict) and isinstance(found.get("message"), str):
            field = found.get("field")
            return problem(found["message"], field if isinstance(field, str) else None)
    if code == EXIT_CPU:
        page = answer.get("page") if isinstance(answer, dict) else None
        where = f" (stopped at page {page})" if isinstance(page, int) and page > 0 else ""
        return problem(f"{cpu_message}{where}: {SPLIT_HINT}")
    if code == -signal.SIGXCPU:  # RLIMIT_CPU: a call into C code outlasted the timer
        return problem(f"{cpu_message}: {SPLIT_HINT}")
    if code == EXIT_MEMORY:
        return problem(f"reading the PDF's text needed over {memory_bytes // 2**20:,} MB of memory: {SPLIT_HINT}")
    tail = err.decode("utf-8", "replace").strip()[-2000:]
    if code == EXIT_START:
        log.error("the PDF reader could not start: %s", tail)
        return problem("the server's PDF reader could not start (see the server's log); try again later")
    log.warning("the PDF reader for %s failed (exit status %s): %s", source, code, tail or "no message")
    if code == -signal.SIGKILL:
        how = "was killed (out of memory?)"
    elif code < 0:
        how = f"was stopped by signal {-code}"
    else:
        how = "gave no answer that could be read" if code == 0 else f"exited with status {code}"
    return problem(f"the PDF reader {how}: the PDF may be malformed; {SPLIT_HINT}")


# -- the child -----------------------------------------------------------------------------------------------------
_progress = {"page": 0}
"""The page being read (from 1), 0 before the first: what the CPU timer's handler reports."""


def _out_of_cpu(signum: int, frame: object) -> None:
    os.write(1, json.dumps({"page": _progress["page"]}).encode())
    os._exit(EXIT_CPU)


def _limit_self(cpu_seconds: float, memory_bytes: int) -> None:
    """Limits on this process, set before anything else runs: the CPU timer counts what the start already spent."""
    signal.pthread_sigmask(signal.SIG_UNBLOCK, {signal.SIGPROF, signal.SIGXCPU})  # a mask survives exec
    signal.signal(signal.SIGXCPU, signal.SIG_DFL)  # and so does an ignored signal
    signal.signal(signal.SIGPROF, _out_of_cpu)
    left = cpu_seconds - time.process_time()
    if left <= 0:
        _out_of_cpu(signal.SIGPROF, None)
    signal.setitimer(signal.ITIMER_PROF, left)
    backstop = int(cpu_seconds) + 1 + CPU_BACKSTOP_S
    resource.setrlimit(resource.RLIMIT_CPU, (backstop, backstop + 1))
    resource.setrlimit(resource.RLIMIT_AS, (memory_bytes, memory_bytes))
    resource.setrlimit(resource.RLIMIT_CORE, (0, 0))
    resource.setrlimit(resource.RLIMIT_FSIZE, (0, 0))


def _read(data: bytes, max_pages: int, max_stream_bytes: int, max_chars: int) -> dict[str, Any]:
    """The answer for one PDF: ``{"pages": [...]}`` or ``{"problem": {"field": ..., "message": ...}}``."""
    import io

    from pypdf import PdfReader, apply_configuration
    from pypdf.errors import LimitReachedError, PdfReadError

    def problem(message: str, field: str | None = "file") -> dict[str, Any]:
        return {"problem": {"field": field, "message": message}}

    limits = {
        name: max_stream_bytes
        for name in (
            "zlib_maximum_output_length",
            "lzw_maximum_output_length",
            "run_length_maximum_output_length",
            "array_based_stream_maximum_output_length",
            "brotli_maximum_output_length",
            "maximum_declared_stream_length",
        )
    }
    pages: list[str] = []
    chars = 0
    try:
        with apply_configuration(None, **limits):
            reader = PdfReader(io.BytesIO(data))
            count = len(reader.pages)
            if count > max_pages:
                return problem(f"the PDF has {count} pages; at most {max_pages}")
            for number, page in enumerate(reader.pages, start=1):
                _progress["page"] = number
                text = page.extract_text() or ""
                pages.append(text)
                chars += len(text.strip())
                if chars > max_chars:
                    return problem(f"the PDF's text has over {max_chars:,} characters (at page {number}): {SPLIT_HINT}")
    except MemoryError:
        raise
    except LimitReachedError as exc:
        return problem(f"the PDF holds a stream over {max_stream_bytes // 10**6} MB: {exc}")
    except (PdfReadError, OSError, ValueError) as exc:
        return problem(f"cannot read PDF: {exc}", None)
    except RecursionError:
        return problem("cannot read PDF: its objects nest too deeply", None)
    except Exception as exc:  # pypdf raises many kinds on a malformed file (KeyError, TypeError, AttributeError...)
        return problem(f"cannot read PDF: {type(exc).__name__}: {exc}", None)
    return {"pages": pages}


def main(argv: list[str]) -> int:
    cpu_seconds, max_pages, max_stream_bytes, memory_bytes, max_chars = argv
    _limit_self(float(cpu_seconds), int(memory_bytes))
    logging.disable(logging.CRITICAL)  # pypdf warns through logging: a hostile file could write megabytes of it
    try:
        import pypdf  # noqa: F401  (here, so that a failure to start is told apart from a failure to read)
    except MemoryError:
        os._exit(EXIT_MEMORY)
    except ImportError:  # pypdf missing, or a shared library that cannot be mapped under the memory limit
        traceback.print_exc()
        sys.stderr.flush()
        os._exit(EXIT_START)
    try:
        data = sys.stdin.buffer.read()
        answer = _read(data, int(max_pages), int(max_stream_bytes), int(max_chars))
        del data
        signal.setitimer(signal.ITIMER_PROF, 0)  # from here on the answer is written whole, or not at all
        text = json.dumps(answer).encode()
    except MemoryError:
        os._exit(EXIT_MEMORY)
    sys.stdout.buffer.write(text)
    sys.stdout.buffer.flush()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
