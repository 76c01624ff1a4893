"""Worst request cost (issue 13): CPU seconds and peak memory of the most expensive request of each family under
the documented limits (docs/security.md), sent to the real app in-process (TestClient), as the tests build it.

Each family runs in a fresh subprocess over a copy of a prepared home (the bundled corpus and its index; for the
report and peer rows also a department of 50,000 learners with 300,000 completions this year), so that one
request's high-water mark cannot hide another's. The request is measured once for CPU and RSS and, in a second
fresh subprocess, once under tracemalloc (which slows Python 2-3x, so it never shares a run with the CPU figure).
Before the measured request the subprocess sends a small request of the same kind, so that lazy imports and models
are loaded; the "first after start" rows leave that out on purpose.

- CPU: ``time.process_time()`` around the call, which counts every thread of the process: the app's worker thread,
  the event loop, ONNX Runtime's threads and the in-process client. Request bodies are encoded before the clock
  starts; the client's reading of the answer is included (a few milliseconds at most, see the baseline row).
- Memory: the RSS high-water mark is reset (``/proc/self/clear_refs``) just before the call, so "RSS MB" is the peak
  above the RSS the request started from (without /proc: the ``ru_maxrss`` delta, which setup can hide); "traced
  MB" is tracemalloc's peak of the Python allocations made during the call. The bound applies to the larger.

The content parsers run with the hashing embedder; search, the tutor, paths, authoring and one upload run with the
default embedder (``--embedder``). A request still running after ``--timeout`` seconds is stopped and counted at
the CPU it had used by then.

Usage: python -m bench.request_cost [--embedder e5-multilingual] [--only ID ...] [--timeout 150] [--list] [--markdown]
Goal: no request under the documented limits costs more than 2 s of CPU or 200 MB; exits 1 when one does, or when a
request does not get the status its limit promises.
"""

from __future__ import annotations

import argparse
import gc
import json
import random
import resource
import shutil
import subprocess
import sys
import threading
import time
import tracemalloc
import uuid
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import insert

from bench.common import print_table, scratch_home
from bench.pdfwriter import assemble
from corpus.chunking import chunk_document
from corpus.indexer import embedding_load
from corpus.ingest import IngestSources, ingest
from corpus.loaders.case_studies import PDF_MAX_PAGES, PDF_MAX_STREAM_BYTES
from corpus.types import DEPARTMENTS, LANGUAGES, CaseStudy
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.api.routers.content import MAX_JSON_DEPTH
from gyanpath.progress.models import Completion, Enrolment, Learner
from gyanpath.services import Services
from gyanpath.settings import BUNDLED_CORPUS, Settings

CPU_LIMIT_S = 2.0
MEMORY_LIMIT_MB = 200.0
DEPARTMENT = "health"
LEARNERS, COMPLETIONS_EACH = 50_000, 6
MAX_BODY = Settings().max_body_bytes
MAX_UPLOAD = Settings().max_upload_bytes
BIG_DOC = "cs-bench-largest"

# -- text of a given size ------------------------------------------------------------------------------------------
EN_WORDS = (
    "district block panchayat vaccine budget audit tender grievance portal flood cyclone school teacher pension "
    "scheme survey mutation ration ledger training officer record village health worker camp report payment"
).split()
HI_WORDS = "टीकाकरण पंचायत बजट शिकायत पेंशन विद्यालय प्रशिक्षण अभियान जिला योजना सर्वेक्षण बाढ़ राहत".split()


def prose(chars: int, words: list[str] = EN_WORDS, stop: str = ".") -> str:
    """Sentences of 12 words under a heading every ~1,500 characters: text that chunks like a real case study."""
    rng, parts, size = random.Random(chars), list[str](), 0
    while size < chars:
        part = f"## Section {len(parts)}\n\n" + " ".join(
            " ".join(rng.choices(words, k=12)).capitalize() + stop for _ in range(12)
        )
        parts.append(part)
        size += len(part) + 2
    return "\n\n".join(parts)[:chars]


def kebab_tags(count: int, length: int) -> list[str]:
    return [(f"tag-{n}-" + "x" * length)[:length] for n in range(count)]


# -- requests ------------------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class Call:
    method: str
    url: str
    role: Role = Role.LEARNER
    body: bytes | None = None
    content_type: str | None = None
    params: dict[str, Any] | None = None


def json_call(url: str, data: Any, role: Role = Role.LEARNER) -> Call:
    return Call("POST", url, role, json.dumps(data, ensure_ascii=False).encode(), "application/json")


def multipart_call(url: str, filename: str, data: bytes, mime: str, metadata: str | None = None) -> Call:
    """A multipart body encoded here, so that encoding it is not counted as the server's work."""
    boundary = uuid.uuid4().hex
    parts = [(f'form-data; name="file"; filename="{filename}"', mime, data)]
    if metadata is not None:
        parts.append(('form-data; name="metadata"', "text/plain; charset=utf-8", metadata.encode()))
    body = b"".join(
        f"--{boundary}\r\nContent-Disposition: {disposition}\r\nContent-Type: {kind}\r\n\r\n".encode()
        + payload
        + b"\r\n"
        for disposition, kind, payload in parts
    )
    return Call(
        "POST", url, Role.AUTHOR, body + f"--{boundary}--\r\n".encode(), f"multipart/form-data; boundary={boundary}"
    )


def case_study_record(doc_id: str, body: str | None = None, **extra: Any) -> dict[str, Any]:
    record = {
        "id": doc_id, "title": "T" * 300, "department": DEPARTMENT, "sector": "health", "year": 2024,
        "language": "en", "source": "S" * 500, "state": "s" * 100, "district": "d" * 100,
        "tags": kebab_tags(100, 300), **extra,
    }  # fmt: skip
    return record if body is None else {**record, "body": body}


def markdown(record: dict[str, Any], body: str) -> bytes:
    front = json.dumps(record, ensure_ascii=False)  # JSON is YAML: one flow mapping
    return f"---\n{front}\n---\n{body}\n".encode()


def largest_course(services: Services, doc_id: str = "crs-bench-largest") -> dict[str, Any]:
    """Every field at its own limit: a 20,000-character description, 100 modules of 5,000 characters, 100 tags and
    competencies (about 600 KB of JSON, under the 1 MB body limit)."""
    competencies = [
        {"type": c.type.value, "theme": c.theme, "sub_theme": c.sub_theme, "level": "Advanced"}
        for c in services.store.competencies()[:100]
    ]
    modules = [{"title": f"Module {n} " + "m" * 280, "summary": prose(5000)} for n in range(100)]
    return {
        "id": doc_id, "title": "C" * 300, "description": prose(20_000), "language": "en", "duration_minutes": 1440,
        "level": "Advanced", "provider": "P" * 300, "department": DEPARTMENT, "competencies": competencies,
        "tags": kebab_tags(100, 300), "modules": modules,
    }  # fmt: skip


def padded_json(prefix: str, item: str, suffix: str, size: int = MAX_BODY - 100) -> bytes:
    """``prefix`` + as many ``item``s, comma-separated, as fit in ``size`` bytes + ``suffix``."""
    count = (size - len(prefix) - len(suffix)) // (len(item) + 1)
    return (prefix + ",".join([item] * count) + suffix).encode()


def nested_json(depth: int) -> bytes:
    """A 1 MB course body whose title is ``depth - 1`` lists deep (the object itself is one level), the innermost
    holding as many one-letter strings as fit."""
    return padded_json('{"id": "crs-deep", "title": ' + "[" * (depth - 1), '"x"', "]" * (depth - 1) + "}")


def wide_object(size: int = MAX_BODY - 100) -> bytes:
    """A course body whose one module is an object of as many distinct keys as fit in ``size`` bytes."""
    keys = ",".join(f'"k{n}": "v"' for n in range(size // 12))
    return ('{"id": "crs-wide", "modules": [{' + keys[: keys.rfind(",", 0, size - 40)] + "}]}").encode()


def raw_json(data: bytes, url: str = "/content/courses", role: Role = Role.AUTHOR) -> Call:
    return Call("POST", url, role, data, "application/json")


def small_course(description: str) -> dict[str, Any]:
    return {
        "id": "crs-bench-small", "title": "Small", "description": description, "language": "en",
        "duration_minutes": 60, "level": "Beginner", "provider": "Bench", "department": DEPARTMENT,
    }  # fmt: skip


def largest_json_case_study() -> dict[str, Any]:
    """A case study whose JSON encoding is just under the 1 MB body limit (the body fills what the fields leave)."""
    record = case_study_record("cs-bench-json", "")
    room = MAX_BODY - 200 - len(json.dumps(record).encode())
    body = prose(room)
    while len(json.dumps(body)) > room:  # newlines grow when escaped
        body = body[: len(body) - (len(json.dumps(body)) - room) - 1]
    return {**record, "body": body}


# Nine levels of nine aliases: 9**9 (387 million) list items once expanded (as tests/corpus/test_safe_yaml.py).
ALIAS_BOMB = "a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(
    f"{chr(98 + n)}: &{chr(98 + n)} [{','.join([f'*{chr(97 + n)}'] * 9)}]\n" for n in range(8)
)


def huge_front_matter() -> bytes:
    """Front matter of plain YAML (no aliases) filling the 10 MB upload: a list of 620,000 short items."""
    items = "".join(f"  - item {n}\n" for n in range((MAX_UPLOAD - 4096) // 16))[: MAX_UPLOAD - 4096]
    front = "id: cs-bench-yaml\ntitle: Long front matter\nnotes:\n" + items[: items.rfind("\n") + 1]
    return f"---\n{front}---\n## Context\nText.\n".encode()


# -- PDFs ----------------------------------------------------------------------------------------------------------
def pdf(pages: list[bytes] | list[list[bytes]]) -> bytes:
    """A PDF whose pages hold these Flate-compressed content streams (one, or an array of them), in Helvetica. Written
    by hand: the bench must write what no PDF library would (streams that inflate past the limit). Every stream is
    its own object, as an attacker would write them, so that no page reuses another's decompressed content."""
    objects = [b"<< /Type /Catalog /Pages 2 0 R >>", b"", b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>"]
    packed: dict[bytes, bytes] = {}  # compress each distinct content once: 1,000 x 7.9 MB would take minutes
    kids = []
    for page in pages:
        refs = []
        for content in [page] if isinstance(page, bytes) else page:
            if content not in packed:
                packed[content] = zlib.compress(content, 9)
            data = packed[content]
            objects.append(b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(data) + data + b"\nendstream")
            refs.append(b"%d 0 R" % len(objects))
        contents = refs[0] if isinstance(page, bytes) else b"[" + b" ".join(refs) + b"]"
        objects.append(b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents " + contents +
                       b" /Resources << /Font << /F1 3 0 R >> >> >>")  # fmt: skip
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Kids [" + b" ".join(kids) + b"] /Count %d >>" % len(kids)
    return assemble(objects)


def text_page(lines: int, width: int = 86) -> bytes:
    """A page of ``lines`` lines of ``width`` characters, one ``Tj`` each."""
    rng = random.Random(lines)
    rows = (" ".join(rng.choices(EN_WORDS, k=20))[:width].encode() for _ in range(lines))
    return b"BT /F1 9 Tf 11 TL 36 770 Td\n" + b"".join(b"(" + row + b") Tj T*\n" for row in rows) + b"ET\n"


def spaces_page(inflated: int) -> bytes:
    text = b"BT /F1 12 Tf 72 720 Td (Inflated.) Tj ET\n"
    return text + b" " * (inflated - len(text))


def pdf_call(data: bytes, metadata: str | None = None, doc_id: str = "cs-bench-pdf") -> Call:
    meta = metadata or json.dumps(case_study_record(doc_id))
    return multipart_call("/content/case-studies", "report.pdf", data, "application/pdf", meta)


def small_markdown(doc_id: str = "cs-bench-warmup") -> Call:
    body = markdown(case_study_record(doc_id), prose(3000))
    return multipart_call("/content/case-studies", f"{doc_id}.md", body, "text/markdown")


def largest_synchronous_markdown() -> tuple[bytes, int]:
    """The longest bench case study still indexed while the request waits (GYANPATH_SYNC_INDEX_CHARS), and its
    body's length."""
    limit, chars = Settings().sync_index_chars, 250
    while True:
        record = case_study_record("cs-bench-sync", prose(chars + 250))
        document = CaseStudy(**{**record, "tags": tuple(record["tags"]), "visibility": "public"})
        if embedding_load(chunk_document(document)) > limit:
            return markdown(case_study_record("cs-bench-sync"), prose(chars)), chars
        chars += 250


# -- state some families need --------------------------------------------------------------------------------------
def store_largest_document(services: Services) -> None:
    """A case study at the body limit (2,000,000 characters), stored and indexed before the measured request."""
    body = prose(1_990_000, HI_WORDS, "।")
    record = case_study_record(BIG_DOC, body, language="hi")
    with services.store.transaction():
        services.store.upsert_document(CaseStudy(**{**record, "tags": tuple(record["tags"]), "visibility": "public"}))
    services.rebuild_index()


def started_conversation(services: Services, client: TestClient) -> str:
    response = client.post("/tutor/ask", json={"question": "How was the cold chain fixed in Bahraich?"})
    return str(response.json()["conversation_id"])


QUESTION_HI = (prose(1000, HI_WORDS, "।").replace("## Section 0\n\n", "") + " " + "टीकाकरण" * 200)[:999] + "?"
ALL_FILTERS = {
    "kind": ["course", "case_study"], "lang": list(LANGUAGES), "department": list(DEPARTMENTS)[:20],
}  # fmt: skip


def competency_ids(services: Services) -> list[str]:
    return sorted(services.store.competency_ids())[:20]


def largest_draft() -> dict[str, Any]:
    return {
        "title": "D" * 300, "description": prose(10_000),
        "modules": [{"title": f"Module {n}" + "m" * 280, "summary": prose(2000)} for n in range(50)],
    }  # fmt: skip


def largest_path(services: Services, **extra: Any) -> dict[str, Any]:
    courses = sorted(d.id for d in services.store.documents("course"))
    declared = [{"competency": c, "level": "Beginner"} for c in sorted(services.store.competency_ids())[:200]]
    return {"completed": (courses * 3)[:500], "declared": declared, "language": "hi", **extra}


def first_role(services: Services) -> str:
    return sorted(role.id for role in services.store.roles())[0]


# -- the families --------------------------------------------------------------------------------------------------
Build = Callable[[Services, TestClient], Call]


@dataclass(frozen=True)
class Family:
    id: str
    label: str
    expect: frozenset[int]
    build: Build
    warmup: Build | None
    """A small request of the same kind sent first (None: the measured request is the first after start)."""
    model: bool
    """The default embedder (True) or the hashing one (False: the content parsers, reads, reports)."""
    seeded: bool
    """Over the home holding a department of LEARNERS learners (else no progress records)."""
    prepare: Callable[[Services], None] | None


def family(
    id: str, label: str, expect: int | set[int], build: Build, warmup: Build | None, *, model: bool = False,
    seeded: bool = False, prepare: Callable[[Services], None] | None = None,
) -> Family:  # fmt: skip
    codes = frozenset({expect} if isinstance(expect, int) else expect)
    return Family(id, label, codes, build, warmup, model, seeded, prepare)


def health(services: Services, client: TestClient) -> Call:
    return Call("GET", "/health")


def upload_md(services: Services, client: TestClient) -> Call:
    """The warm-up of the upload families: imports, the authoring review, an index publication."""
    return small_markdown()


def families() -> list[Family]:
    return json_families() + file_families() + pdf_families() + reading_families() + model_families()


def course(data: dict[str, Any]) -> Build:
    return lambda s, c: json_call("/content/courses", data, Role.AUTHOR)


def json_families() -> list[Family]:
    return [
        family("health", "GET /health (baseline)", 200, health, health),
        family("course-largest", "course, every field at its limit (600 KB)", 202,
               lambda s, c: json_call("/content/courses", largest_course(s), Role.AUTHOR), upload_md),
        family("course-1mb-field", "course, 1 MB description (limit 20,000 chars)", 422,
               course({"id": "crs-bench-1mb", "description": "x" * (MAX_BODY - 200)}), upload_md),
        family("course-hidden-markup", "course, description: 2,000 unclosed '<a hidden' (20,000 chars)", {201, 202},
               course(small_course("<a hidden " * 2000)), upload_md),
        family("json-depth-limit", f"course, 1 MB JSON {MAX_JSON_DEPTH} levels deep (the limit)", 422,
               lambda s, c: raw_json(nested_json(MAX_JSON_DEPTH)), upload_md),
        family("json-depth-over", f"course, 1 MB JSON {MAX_JSON_DEPTH + 1} levels deep", 400,
               lambda s, c: raw_json(nested_json(MAX_JSON_DEPTH + 1)), upload_md),
        family("json-wide-list", "course, 1 MB JSON: 200,000 tags", 422,
               lambda s, c: raw_json(padded_json('{"id": "crs-wide", "tags": [', '"a-b"', "]}")), upload_md),
        family("json-wide-object", "course, 1 MB JSON: a module of 70,000 keys", 422,
               lambda s, c: raw_json(wide_object()), upload_md),
        family("json-deep-ask", "POST /tutor/ask, 1 MB of '[' (not a content endpoint)", 400,
               lambda s, c: raw_json(b"[" * (MAX_BODY - 100), "/tutor/ask", Role.LEARNER), health),
        family("json-wide-paths", "POST /paths, 1 MB JSON: 120,000 completed ids (limit 500)", 422,
               lambda s, c: raw_json(padded_json('{"completed": [', '"crs-x"', "]}"), "/paths", Role.LEARNER),
               health),
        family("case-json", "case study, JSON at the 1 MB body limit", 202,
               lambda s, c: json_call("/content/case-studies", largest_json_case_study(), Role.AUTHOR), upload_md),
    ]  # fmt: skip


def file_families() -> list[Family]:
    largest = markdown(case_study_record("cs-bench-md", language="hi"), prose(1_990_000, HI_WORDS, "।"))
    bomb = f"---\nid: cs-bomb\n{ALIAS_BOMB}---\n## Context\nText.\n".encode()
    deep = "id: cs-deep\ntags: " + "[" * 5000
    return [
        family("markdown-largest", "Markdown, 2,000,000-char Hindi body, 35 KB front matter", 202,
               lambda s, c: multipart_call("/content/case-studies", "big.md", largest, "text/markdown"), upload_md),
        family("yaml-alias-front", "Markdown, alias bomb in the front matter (9^9 items)", 422,
               lambda s, c: multipart_call("/content/case-studies", "bomb.md", bomb, "text/markdown"), upload_md),
        family("yaml-alias-metadata", "PDF, alias bomb in its metadata (9^9 items)", 422,
               lambda s, c: pdf_call(pdf([text_page(40)]), f"id: cs-bomb\n{ALIAS_BOMB}"), upload_md),
        family("yaml-10mb", "Markdown, 10 MB of plain front matter (no aliases)", 422,
               lambda s, c: multipart_call("/content/case-studies", "long.md", huge_front_matter(), "text/markdown"),
               upload_md),
        family("yaml-deep-front", "Markdown, front matter 5,000 levels deep", 422,
               lambda s, c: multipart_call("/content/case-studies", "deep.md", f"---\n{deep}\n---\nText.\n".encode(),
                                           "text/markdown"), upload_md),
        family("yaml-deep-metadata", "PDF, metadata 5,000 levels deep", 422,
               lambda s, c: pdf_call(pdf([text_page(40)]), deep), upload_md),
    ]  # fmt: skip


def pdf_families() -> list[Family]:
    text_pages = [text_page(45)] * PDF_MAX_PAGES  # ~3,900 characters a page: the 2,000,000-character body limit
    dense = text_page(PDF_MAX_STREAM_BYTES // 96)  # one page of text operators just under the stream limit
    inflating = spaces_page(PDF_MAX_STREAM_BYTES - 100_000)
    return [
        family("pdf-500-pages", f"PDF, {PDF_MAX_PAGES} pages of text (~1.95M chars)", {202, 422},
               lambda s, c: pdf_call(pdf(text_pages)), upload_md),
        family("pdf-501-pages", f"PDF, {PDF_MAX_PAGES + 1} pages", 422,
               lambda s, c: pdf_call(pdf([text_page(1)] * (PDF_MAX_PAGES + 1))), upload_md),
        family("pdf-flate-bomb", "PDF, a page inflating to 70 MB (Flate)", 422,
               lambda s, c: pdf_call(pdf([spaces_page(70_000_000)])), upload_md),
        family("pdf-array-contents", "PDF, a page of 1,000 streams inflating to 7.9 MB each", 422,
               lambda s, c: pdf_call(pdf([[inflating] * 1000])), upload_md),
        family("pdf-dense-page", f"PDF, a page of {len(dense) / 1e6:.1f} MB of text operators", 422,
               lambda s, c: pdf_call(pdf([dense])), upload_md),
        family("pdf-500-inflating", f"PDF, {PDF_MAX_PAGES} pages inflating to {len(inflating) / 1e6:.1f} MB each",
               422, lambda s, c: pdf_call(pdf([inflating] * PDF_MAX_PAGES)), upload_md),
    ]  # fmt: skip


def reading_families() -> list[Family]:
    small_doc = "cs-indore-waste-segregation"
    report = "/reports/department"
    return [
        family("document-largest", "GET /documents/{id}, a 2,000,000-char case study", 200,
               lambda s, c: Call("GET", f"/documents/{BIG_DOC}"), lambda s, c: Call("GET", f"/documents/{small_doc}"),
               prepare=store_largest_document),
        family("practice-largest", "POST /tutor/practice, 20 questions from it", 200,
               lambda s, c: json_call("/tutor/practice", {"doc_id": BIG_DOC, "count": 20}),
               lambda s, c: json_call("/tutor/practice", {"doc_id": small_doc}), prepare=store_largest_document),
        family("coverage", "GET /authoring/coverage, the whole dictionary", 200,
               lambda s, c: Call("GET", "/authoring/coverage", Role.AUTHOR, params={"min_courses": 50}),
               lambda s, c: Call("GET", "/authoring/coverage", Role.AUTHOR, params={"department": DEPARTMENT})),
        family("report", f"GET {report} ({LEARNERS:,} learners)", 200, lambda s, c: Call("GET", report, Role.ADMIN),
               lambda s, c: Call("GET", report, Role.ADMIN, params={"year": 2001}), seeded=True),
        family("report-csv", f"GET {report}.csv ({LEARNERS:,} learners)", 200,
               lambda s, c: Call("GET", f"{report}.csv", Role.ADMIN),
               lambda s, c: Call("GET", f"{report}.csv", Role.ADMIN, params={"year": 2001}), seeded=True),
        family("paths-cold-seeded", f"POST /paths, first after start, peers of {LEARNERS:,} learners", 200,
               lambda s, c: json_call("/paths", {"role": first_role(s)}), health, seeded=True),
    ]  # fmt: skip


def model_families() -> list[Family]:
    def search(s: Services, c: TestClient, q: str = QUESTION_HI) -> Call:
        params = {"q": q, "k": 50, "passages": True, "competency": competency_ids(s), **ALL_FILTERS}
        return Call("GET", "/search", params=params)

    def ask(s: Services, c: TestClient, question: str = QUESTION_HI, **extra: Any) -> Call:
        filters = {**ALL_FILTERS, "competency": competency_ids(s)}
        return json_call("/tutor/ask", {"question": question, "k": 20, "filters": filters, **extra})

    def draft(url: str, k: int, small: bool = False) -> Build:
        data = {"title": "Cyber hygiene"} if small else {**largest_draft(), "k": k}
        return lambda s, c: json_call(url, data, Role.AUTHOR)

    def path(*, role: bool = False, **extra: Any) -> Build:
        return lambda s, c: json_call("/paths", largest_path(s, **({"role": first_role(s)} if role else {}), **extra))

    described = path(role_description=prose(2000), days=60, hours_per_day=12)
    small_path: Build = lambda s, c: json_call("/paths", {"role": first_role(s)})  # noqa: E731
    described_small: Build = lambda s, c: json_call("/paths", {"role_description": "I keep land records"})  # noqa: E731
    at_limit, chars = largest_synchronous_markdown()
    return [
        family("health-model", "GET /health (baseline)", 200, health, health, model=True),
        family("search", "GET /search, 1,000-char Hindi query, k=50, every filter", 200,
               search, lambda s, c: search(s, c, "cold chain"), model=True),
        family("ask", "POST /tutor/ask, 1,000-char Hindi question, k=20, filters", 200,
               ask, lambda s, c: ask(s, c, "cold chain?"), model=True),
        family("ask-follow-up", "POST /tutor/ask, the same as a streamed follow-up", 200,
               lambda s, c: ask(s, c, conversation_id=started_conversation(s, c), stream=True),
               lambda s, c: ask(s, c, "cold chain?"), model=True),
        family("paths-hours", "POST /paths, 2,000 h, 500 completed, 200 declared", 200,
               path(role=True, hours=2000), small_path, model=True),
        family("paths-description", "POST /paths, 2,000-char description, 60 x 12 h", 200,
               described, described_small, model=True),
        family("paths-cold", "POST /paths, the same, first after start/upload", 200, described, None, model=True),
        family("related", "POST /authoring/related, largest draft, k=50", 200,
               draft("/authoring/related", 50), draft("/authoring/related", 50, small=True), model=True),
        family("tags", "POST /authoring/tags, largest draft, k=20", 200,
               draft("/authoring/tags", 20), draft("/authoring/tags", 20, small=True), model=True),
        family("tags-cold", "POST /authoring/tags, small draft, first after start/upload", 200,
               draft("/authoring/tags", 20, small=True), health, model=True),
        family("markdown-small-model", f"Markdown case study of {chars:,} chars (the largest indexed in the request)",
               201, lambda s, c: multipart_call("/content/case-studies", "small.md", at_limit, "text/markdown"),
               upload_md, model=True),
        family("course-largest-model", "course, every field at its limit (600 KB)", 202,
               lambda s, c: json_call("/content/courses", largest_course(s), Role.AUTHOR), upload_md, model=True),
    ]  # fmt: skip


# -- homes ---------------------------------------------------------------------------------------------------------
def settings_for(home: Path, embedder: str) -> Settings:
    return Settings(home=home, embedder=embedder, embed_threads=2, rate_limit="off")


def seed_progress(services: Services) -> None:
    """A large department: LEARNERS learners with COMPLETIONS_EACH completions this year and one open enrolment."""
    courses = sorted(d.id for d in services.store.documents("course"))
    now = datetime.now(UTC)
    start = datetime(now.year, 1, 1, tzinfo=UTC)
    rng = random.Random(13)
    learners, completions, enrolments = [], [], []
    for n in range(LEARNERS):
        key = f"{DEPARTMENT}/bench-{n}"
        learners.append({"key": key, "learner_id": f"bench-{n}", "department": DEPARTMENT, "created_at": start})
        taken = rng.sample(courses, COMPLETIONS_EACH + 1)
        for course in taken[:-1]:
            when = start + (now - start) * rng.random()
            completions.append({"learner_key": key, "course_id": course, "completed_at": when,
                                "hours": 2.0, "score": 80.0, "recorded_at": when})  # fmt: skip
        enrolments.append({"learner_key": key, "course_id": taken[-1], "started_at": now - timedelta(days=1)})
    with services.progress.engine.begin() as connection:
        connection.execute(insert(Learner), learners)
        connection.execute(insert(Completion), completions)
        connection.execute(insert(Enrolment), enrolments)


def prepare_home(embedder: str, seeded: bool) -> Path:
    """The bundled corpus and its index built with ``embedder``, and the large department if ``seeded``; closed,
    ready to copy."""
    home = scratch_home(f"cost-{embedder}")
    services = Services.create(settings_for(home, embedder))
    ingest(services.store, IngestSources.bundle(BUNDLED_CORPUS))
    services.rebuild_index()
    services.warm_text_vectors()  # as `gyanpath index build` and `bootstrap` (so `make run`) do
    if seeded:
        seed_progress(services)
    services.close()
    return home


def copy_home(template: Path) -> Path:
    """A private copy of a prepared home (the converted model is shared through a link, never copied)."""
    home = scratch_home("cost-run")
    shutil.rmtree(home)
    shutil.copytree(template, home, symlinks=True, ignore=shutil.ignore_patterns("models"))
    models = template / "models"
    if models.exists():
        (home / "models").symlink_to(models.resolve(), target_is_directory=True)
    return home


# -- one measured request, in a fresh process ----------------------------------------------------------------------
def proc_status(field_name: str) -> int:
    """A field of /proc/self/status (``VmRSS`` and ``VmHWM`` in kB, ``Threads``); 0 where there is no /proc."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith(field_name + ":"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def reset_high_water_mark() -> bool:
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return True
    except OSError:
        return False


def send(client: TestClient, call: Call, tokens: dict[Role, str]) -> Any:
    headers = {"Authorization": f"Bearer {tokens[call.role]}"}
    if call.content_type:
        headers["content-type"] = call.content_type
    return client.request(call.method, call.url, content=call.body, params=call.params, headers=headers)


def measure(client: TestClient, call: Call, tokens: dict[Role, str], traced: bool) -> dict[str, Any]:
    gc.collect()
    if traced:
        tracemalloc.start()
    reset = reset_high_water_mark()
    rss_before, maxrss_before = proc_status("VmRSS") / 1024, resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    threads = threading.active_count(), proc_status("Threads")
    print(json.dumps({"started_cpu": time.process_time()}), flush=True)

    def children_cpu() -> float:  # reaped child processes: the PDF reader (corpus.loaders.pdf_text)
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        return usage.ru_utime + usage.ru_stime

    child_cpu, cpu, wall = children_cpu(), time.process_time(), time.perf_counter()
    response = send(client, call, tokens)
    cpu, wall, child_cpu = time.process_time() - cpu, time.perf_counter() - wall, children_cpu() - child_cpu
    cpu += child_cpu
    peak_rss = proc_status("VmHWM") / 1024 - rss_before if reset else 0.0
    maxrss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 - maxrss_before
    traced_mb = tracemalloc.get_traced_memory()[1] / 2**20 if traced else None
    detail = response.text[:160] if response.status_code >= 300 else ""
    return {
        "status": response.status_code, "cpu_s": cpu, "child_cpu_s": child_cpu, "wall_s": wall,
        "rss_mb": peak_rss if reset else maxrss,
        "rss_method": "clear_refs" if reset else "ru_maxrss", "maxrss_delta_mb": maxrss, "traced_mb": traced_mb,
        "python_threads": threads[0], "os_threads": threads[1], "detail": detail,
    }  # fmt: skip


def run_child(family_id: str, template: Path, embedder: str, traced: bool) -> None:
    """Body of the subprocess: copy the home, open the services and the app, warm up, measure, print JSON."""
    chosen = next(f for f in families() if f.id == family_id)
    services = Services.create(settings_for(copy_home(template), embedder))
    if chosen.prepare is not None:
        chosen.prepare(services)
    tokens = {
        role: services.users.create_key(role=role, department=DEPARTMENT, name=f"bench {role}").token for role in Role
    }
    learner = {"Authorization": f"Bearer {tokens[Role.LEARNER]}"}  # for requests a family's setup makes itself
    with TestClient(create_app(services.settings, services=services), headers=learner) as client:
        assert send(client, Call("GET", "/health"), tokens).json()["status"] == "ok", "the index did not load"
        if chosen.warmup is not None:
            send(client, chosen.warmup(services, client), tokens)
        call = chosen.build(services, client)
        result = measure(client, call, tokens, traced)
        print(json.dumps(result), flush=True)
        if result["status"] == 202 and not traced:  # queued: what indexing it then costs, beside the request
            started = time.process_time()
            services.upload_worker.join()
            job = services.upload_queue.jobs(DEPARTMENT, limit=1)[0]
            print(json.dumps({"background_cpu_s": time.process_time() - started, "background": job.status}))
    services.close()
    shutil.rmtree(services.settings.home, ignore_errors=True)


def spawn(family_id: str, template: Path, embedder: str, traced: bool, timeout: float) -> dict[str, Any]:
    """Run one family in a fresh interpreter; a request still running at ``timeout`` is stopped and counted."""
    command = [sys.executable, "-m", "bench.request_cost", "--child", family_id, "--home", str(template),
               "--embedder", embedder] + (["--traced"] if traced else [])  # fmt: skip
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    child = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        out, err = child.communicate(timeout=timeout)
        timed_out = False
    except subprocess.TimeoutExpired:
        child.kill()
        out, err = child.communicate()
        timed_out = True
    after = resource.getrusage(resource.RUSAGE_CHILDREN)  # the child's whole CPU, counted once it was reaped
    used = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    lines = [json.loads(line) for line in out.splitlines() if line.startswith("{")]
    started = next((line["started_cpu"] for line in lines if "started_cpu" in line), None)
    results = [line for line in lines if "status" in line]
    background = next((line for line in lines if "background_cpu_s" in line), None)
    if timed_out and results and started is not None:  # answered; its queued indexing was still running
        return {**results[-1], "background_cpu_s": used - started - results[-1]["cpu_s"], "background": "stopped"}
    if results and background is not None:
        return {**results[-1], **background}
    if timed_out:
        if started is None:
            return {"status": "setup timeout", "cpu_s": float("nan"), "detail": err[-300:]}
        return {"status": "timeout", "cpu_s": used - started, "wall_s": timeout, "detail": "stopped"}
    if child.returncode != 0 or not results:
        return {"status": f"crashed ({child.returncode})", "cpu_s": float("nan"), "detail": err[-600:]}
    result: dict[str, Any] = results[-1]
    return result


# -- the table -----------------------------------------------------------------------------------------------------
@dataclass
class Row:
    family: Family
    embedder: str
    cpu: dict[str, Any]
    traced: dict[str, Any] = field(default_factory=dict)

    @property
    def peak_mb(self) -> float:
        return max(self.cpu.get("rss_mb") or 0.0, self.traced.get("traced_mb") or 0.0)

    @property
    def within_bounds(self) -> bool:
        cpu = self.cpu.get("cpu_s", float("nan"))
        return isinstance(self.cpu["status"], int) and cpu <= CPU_LIMIT_S and self.peak_mb <= MEMORY_LIMIT_MB

    @property
    def status_ok(self) -> bool:
        return self.cpu["status"] in self.family.expect


def fmt(value: Any, digits: int = 2) -> str:
    return f"{value:.{digits}f}" if isinstance(value, float) else ("-" if value is None else str(value))


def table_rows(rows: list[Row]) -> list[list[object]]:
    baseline = {row.embedder: row.cpu["cpu_s"] for row in rows if row.family.id in ("health", "health-model")}
    out: list[list[object]] = []
    for row in rows:
        cpu = row.cpu.get("cpu_s", float("nan"))
        base = baseline.get(row.embedder)
        ratio = f"{cpu / base:,.0f}x" if base and cpu == cpu else "-"
        expected = "/".join(map(str, sorted(row.family.expect)))
        status = fmt(row.cpu["status"]) + ("" if row.status_ok else f" (not {expected})")
        embedder = "hashing" if row.embedder == "hashing" else "default"
        verdict = "yes" if row.within_bounds else "NO"
        background = row.cpu.get("background_cpu_s")
        state = row.cpu.get("background")
        queued = "-" if background is None else f"{'> ' if state == 'stopped' else ''}{background:.1f} ({state})"
        out.append([row.family.label, embedder, status, fmt(cpu, 3), fmt(row.cpu.get("wall_s"), 3),
                    fmt(row.cpu.get("rss_mb"), 1), fmt(row.traced.get("traced_mb"), 1), ratio,
                    fmt(row.cpu.get("os_threads")), queued, verdict])  # fmt: skip
    return out


COLUMNS = [
    "request", "embedder", "status", "CPU s", "wall s", "RSS MB", "traced MB", "CPU / health", "threads",
    "queued work CPU s", "OK",
]  # fmt: skip


def print_markdown(rows: list[list[object]]) -> None:
    """The same table in Markdown, for docs/benchmarks.md."""
    print("| " + " | ".join(COLUMNS) + " |")
    print("|" + "|".join(["---"] * 3 + ["---:"] * 7 + [":-:"]) + "|")
    for row in rows:
        print("| " + " | ".join(str(cell) for cell in row) + " |")


def print_details(rows: list[Row]) -> None:
    for row in rows:
        if not (row.within_bounds and row.status_ok) and row.cpu.get("detail"):
            print(f"- {row.family.id}: {row.cpu['detail'].strip()[:300]}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--embedder", default="e5-multilingual", help="the default embedder's name")
    parser.add_argument("--only", nargs="+", metavar="ID", help="only these families (see --list)")
    parser.add_argument("--timeout", type=float, default=150.0, help="seconds a subprocess may run")
    parser.add_argument("--list", action="store_true", help="list the families and exit")
    parser.add_argument("--markdown", action="store_true", help="also print the table in Markdown")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--home", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--traced", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        run_child(args.child, args.home, args.embedder, args.traced)
        return
    chosen = [f for f in families() if not args.only or f.id in args.only]
    if args.list or not chosen:
        for f in families():
            print(f"{f.id:24} {f.label}")
        return
    sys.exit(0 if run(chosen, args.embedder, args.timeout, args.markdown) else 1)


def run(chosen: list[Family], embedder: str, timeout: float, markdown: bool) -> bool:
    homes: dict[tuple[str, bool], Path] = {}
    rows = []
    for f in chosen:
        name = embedder if f.model else "hashing"
        if (name, f.seeded) not in homes:
            homes[name, f.seeded] = prepare_home(name, f.seeded)
        row = Row(f, name, spawn(f.id, homes[name, f.seeded], name, False, timeout))
        if isinstance(row.cpu["status"], int) and row.cpu["cpu_s"] * 3 < timeout:  # tracemalloc: 2-3x slower
            row.traced = spawn(f.id, homes[name, f.seeded], name, True, timeout)
        print(f"{f.id}: {row.cpu['status']}, {fmt(row.cpu.get('cpu_s'), 3)} s of CPU", file=sys.stderr, flush=True)
        rows.append(row)
    for home in homes.values():
        shutil.rmtree(home, ignore_errors=True)
    title = (
        f"Worst request cost: CPU seconds and peak MB per request (bounds {CPU_LIMIT_S:g} s, {MEMORY_LIMIT_MB:g} MB)"
    )
    print_table(title + f"; default embedder: {embedder}", COLUMNS, table_rows(rows))
    if markdown:
        print_markdown(table_rows(rows))
    print_details(rows)
    failed = [r.family.id for r in rows if not (r.within_bounds and r.status_ok)]
    print(f"{len(rows) - len(failed)} of {len(rows)} requests within bounds with the expected status"
          + (f"; not: {', '.join(failed)}" if failed else ""))  # fmt: skip
    return not failed


if __name__ == "__main__":
    main()
