"""Generated worlds of departments, private case studies and viewers: nothing private crosses a department on any
endpoint, errors included, while the viewer's own department's private case studies stay reachable (issue 13).

Each example builds a fresh service (the mini corpus, the hashing embedder, a temporary home) holding generated case
studies: public ones, and private ones owned by 2-4 departments, some of them Hindi translations of a public one.
Every generated id, title and body carries a marker token of its own, so a leak shows as a substring. The viewer is
anonymous or a learner, author or admin key of one of those departments (or of none of them).

Covered, with the others' private case studies as the target:

- ``GET /health`` (no key) and every endpoint below without a key (401);
- ``GET /search``: their markers and topics as the query, hybrid/lexical/dense, per document or per passage, the
  ``department`` filter naming their owner; no hit names them, and ``also_in`` names no language that only one of
  them adds to a public document's translations;
- ``GET /documents/{id}``, ``POST /tutor/practice``, ``POST /tutor/practice/check`` with their ids (the answer for an
  id that never existed), and near-miss ids (no close match names them);
- ``POST /tutor/ask`` (JSON and server-sent events, the ``department`` filter naming their owner), and
  ``GET /tutor/conversations/{id}`` of the conversation;
- ``POST /paths`` (their text as the role description; their ids as completed courses), ``POST /paths/feedback``,
  ``POST /me/enrolments``, ``POST /me/completions`` with their ids (the answer for an id that never existed);
- ``POST /authoring/related``, ``POST /authoring/tags`` (their text as the draft; their ids as ``course_id``),
  ``GET /authoring/coverage`` (their owner's department);
- ``POST /content/case-studies`` and ``POST /content/courses`` with their ids (the one answer every taken id gets),
  a case study that is ``translation_of`` one of them and a course naming one as a prerequisite (the answer for a
  reference to an id that never existed), a near copy of one (the upload review names none of them);
- ``DELETE /content/case-studies/{id}``, ``DELETE /content/courses/{id}`` (the answer for an id that never existed).

Reachable for the viewer's own department: search, the document, practice questions, the tutor (cited or related),
the upload review of a near copy, and the delete.

``test_every_route_is_classified`` fails when a route is added that this test neither covers nor lists as returning
no stored documents, so a new endpoint cannot be left out silently. ``GET /health`` (no key) counts public material
only, so it cannot tell when a private case study comes or goes
(``test_health_counts_do_not_move_with_private_documents``).
"""

from __future__ import annotations

import json
import tempfile
from collections.abc import Callable, Iterator, Mapping
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, Protocol

import pytest
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from corpus.ingest import IngestBatch, IngestSources, ingest, ingest_batch
from corpus.loaders import Loaded
from corpus.types import DEPARTMENTS, PUBLIC, CaseStudy
from gyanpath.accounts import Role
from gyanpath.api.app import create_app
from gyanpath.api.auth import api_routes
from gyanpath.services import Services
from gyanpath.settings import Settings
from tests.conftest import MINI

MINI_PRIVATE = ("cs-police-internal-review", "Internal review of a delayed cyber-fraud complaint")
MINI_PRIVATE_OWNER = "home-police"
TOPICS = ("water tanker scheduling", "pension grievance camps", "land record mutation", "school meal audits")
# Markers: "qz" and seven consonants; no word of the corpus or of an answer looks like one.
MARKER = st.text(alphabet="bcdfghjklmnpqrstvwxz", min_size=7, max_size=7).map(lambda s: f"qz{s}")


@dataclass(frozen=True)
class Doc:
    """A generated case study; its id, title and every sentence carry its marker."""

    marker: str
    department: str
    visibility: str
    topic: str
    figure: int
    translation_of: str | None = None

    @property
    def id(self) -> str:
        return f"cs-{self.marker}"

    @property
    def language(self) -> str:
        return "hi" if self.translation_of else "en"

    @property
    def title(self) -> str:
        return f"{self.topic.capitalize()} in the {self.marker} block"

    @property
    def question(self) -> str:
        return f"How many complaints did the {self.marker} block log about {self.topic}?"

    @property
    def body(self) -> str:
        """Marked in every section; long enough that a copy with another marker is a near-duplicate of it."""
        delay = self.figure % 30 + 2
        if self.translation_of:
            return (
                f"## समस्या\n{self.marker} ब्लॉक में {self.figure} शिकायतें दर्ज हुईं। लोग हफ़्तों तक जवाब का इंतज़ार करते "
                "रहे और फ़ाइलें ब्लॉक कार्यालय और ज़िले के बीच धीरे चलती रहीं। शिकायतें काग़ज़ के रजिस्टर में लिखी जाती थीं "
                "जिन्हें कोई नहीं देखता था।\n\n"
                f"## परिणाम\n{self.marker} ब्लॉक की टीम हर हफ़्ते मिली। हर शिकायत उसी दिन साझा रजिस्टर में दर्ज हुई, "
                f"हर एक को एक अधिकारी और समय-सीमा मिली, और रजिस्टर मासिक बैठक में पढ़ा गया। देरी {delay} दिन रह गई।\n\n"
                "## सीख\nरजिस्टर तभी काम करता है जब उसे हर हफ़्ते पढ़ा जाए। अधिकारी बदलने पर भी रजिस्टर चलता रहा। "
                "लोगों ने कहा कि अब उन्हें पता रहता है कि उनकी शिकायत किसके पास है और कब तक निपटेगी।\n"
            )
        return (
            f"## The problem\nThe {self.marker} block logged {self.figure} complaints about {self.topic} in 2022. "
            "Residents waited weeks for replies, and files moved slowly between the block office and the district. "
            "Complaints were written in paper registers that nobody reviewed, and most were closed without any "
            "action being recorded.\n\n"
            f"## What was done\nThe {self.marker} block team met weekly and published the {self.topic} register. "
            "Every complaint was entered into a shared register on the day it arrived, each one was given an officer "
            "and a deadline, and the register was read aloud at the monthly meeting of the block. "
            f"Delays fell to {delay} days within a year.\n\n"
            "## Lessons\nA register works only when someone reads it every week. The register kept working when "
            "officers were transferred, because the deadlines were written next to each complaint. Residents said "
            "they now knew who held their complaint and when it would be settled. Other blocks of the district copied "
            "the register within two years, and the collector asked for a monthly summary of pending complaints.\n"
        )

    def record(self, **changes: Any) -> dict[str, Any]:
        """As a ``POST /content/case-studies`` body."""
        record = {
            "id": self.id,
            "title": self.title,
            "body": self.body,
            "department": self.department,
            "sector": "social-welfare",
            "year": 2022,
            "language": self.language,
            "source": "generated",
            "visibility": self.visibility,
        }
        return {**record, **changes}

    def case_study(self) -> CaseStudy:
        fields = self.record()
        return CaseStudy(**fields, translation_of=self.translation_of)


@dataclass(frozen=True)
class Viewer:
    role: Role
    department: str


@dataclass(frozen=True)
class World:
    departments: tuple[str, ...]
    docs: tuple[Doc, ...]
    viewer: Viewer | None
    spare: tuple[str, ...]
    """Markers no document carries: ids that never existed, and new uploads."""
    mode: str
    passages: bool

    def sees(self, visibility: str) -> bool:
        return visibility == PUBLIC or (self.viewer is not None and visibility == self.viewer.department)

    @property
    def hidden(self) -> list[Doc]:
        return [d for d in self.docs if not self.sees(d.visibility)]

    @property
    def own(self) -> list[Doc]:
        return [d for d in self.docs if d.visibility != PUBLIC and self.sees(d.visibility)]

    @property
    def secrets(self) -> list[str]:
        """What must never reach the viewer: the hidden documents' markers (in ids, titles, text)."""
        found = [d.marker for d in self.hidden]
        return [*found, *MINI_PRIVATE] if not self.sees(MINI_PRIVATE_OWNER) else found


@st.composite
def worlds(draw: st.DrawFn) -> World:
    departments = tuple(draw(st.lists(st.sampled_from(DEPARTMENTS), min_size=2, max_size=4, unique=True)))
    n_public, n_private = draw(st.integers(1, 2)), draw(st.integers(1, 5))
    markers = draw(st.lists(MARKER, min_size=n_public + n_private + 6, max_size=n_public + n_private + 6, unique=True))
    publics = []
    for marker in markers[:n_public]:
        owner, topic, figure = (
            draw(st.sampled_from(departments)),
            draw(st.sampled_from(TOPICS)),
            draw(st.integers(11, 9999)),
        )
        publics.append(Doc(marker, owner, PUBLIC, topic, figure))
    privates = []
    for i in range(n_public, n_public + n_private):
        owner = draw(st.sampled_from(departments))
        translated = draw(st.none() | st.sampled_from([p.id for p in publics]))
        topic, figure = draw(st.sampled_from(TOPICS)), draw(st.integers(11, 9999))
        privates.append(Doc(markers[i], owner, owner, topic, figure, translated))
    viewer = draw(
        st.none()
        | st.builds(Viewer, st.sampled_from(list(Role)), st.sampled_from(departments))
        | st.builds(Viewer, st.sampled_from(list(Role)), st.sampled_from(DEPARTMENTS))
    )
    spare = tuple(markers[n_public + n_private :])
    mode, passages = draw(st.sampled_from(["hybrid", "lexical", "dense"])), draw(st.booleans())
    return World(departments, (*publics, *privates), viewer, spare, mode, passages)


# -- the service ---------------------------------------------------------------------------------------------------
@contextmanager
def serving(world: World) -> Iterator[tuple[Services, TestClient]]:
    """A fresh service over the mini corpus and the world's case studies, and a client sending the viewer's key."""
    with tempfile.TemporaryDirectory() as home, ExitStack() as stack:
        services = Services.create(Settings(home=Path(home), embedder="hashing", rate_limit="off"))
        stack.callback(services.close)
        ingest(services.store, IngestSources.bundle(MINI))
        docs = [d.case_study() for d in world.docs]
        batch = IngestBatch(case_studies=Loaded(items=docs, origins=[("generated", None)] * len(docs)))
        ingest_batch(services.store, batch)
        services.rebuild_index()
        headers = {}
        if world.viewer is not None:
            viewer = world.viewer
            token = services.users.create_key(role=viewer.role, department=viewer.department, name="viewer").token
            headers = {"Authorization": f"Bearer {token}"}
        client = stack.enter_context(TestClient(create_app(services.settings, services=services), headers=headers))
        yield services, client


PER_ID_CHECKS = 3
"""Requests that only name a hidden id (not its text) are asked for this many of the hidden documents: the answer
cannot depend on which one, and fewer requests keep an example near a second."""


class Answer(Protocol):
    """A test client's response (Starlette's TestClient answers with httpx2's)."""

    @property
    def status_code(self) -> int: ...
    @property
    def text(self) -> str: ...
    @property
    def headers(self) -> Mapping[str, str]: ...
    def json(self) -> Any: ...


# -- checks --------------------------------------------------------------------------------------------------------
ECHOES = frozenset({"query", "question", "retrieval_query", "resolved_question"})
"""Fields in which an answer repeats what the request sent (a query, a question): left out before looking."""


def _scrub(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _scrub(v) for k, v in value.items() if k not in ECHOES}
    if isinstance(value, list):
        return [_scrub(v) for v in value]
    return value


def _shown(response: Answer) -> str:
    """The body without its echo fields (JSON, or each event of a server-sent stream), and the headers."""
    headers = [f"{k}: {v}" for k, v in response.headers.items()]
    if response.headers.get("content-type", "").startswith("text/event-stream"):
        lines = response.text.splitlines()
        events = [
            json.dumps(_scrub(json.loads(line[6:])), ensure_ascii=False) for line in lines if line.startswith("data: ")
        ]
        return "\n".join([*[line for line in lines if not line.startswith("data: ")], *events, *headers])
    try:
        body = json.dumps(_scrub(response.json()), ensure_ascii=False)
    except ValueError:
        body = response.text
    return "\n".join([body, *headers])


def no_leak(world: World, response: Answer, what: str, asked: str | None = None) -> None:
    """No hidden marker in the answer, errors included (a 5xx says nothing and fails too). ``asked``: a hidden id the
    request itself named, which the answer may repeat (as it repeats any id): replaced before looking."""
    assert response.status_code < 500, f"{what}: {response.status_code} {response.text[:300]}"
    text = _shown(response)
    if asked:
        text = text.replace(asked, "<ID>")
    leaked = [secret for secret in world.secrets if secret in text]
    assert not leaked, f"{what} ({_viewer(world)}): {response.status_code} names {leaked}: {response.text[:600]}"


def _viewer(world: World) -> str:
    return f"{world.viewer.role} of {world.viewer.department}" if world.viewer else "no key"


class AsIfAbsent:
    """Compares the answer about a hidden id with the answer about an id that never existed (each id replaced by
    ``<ID>``): a hidden document must answer exactly as if it did not exist. The never-existed answer is asked once
    per kind of request."""

    def __init__(self, world: World, client: TestClient) -> None:
        self.world, self.client = world, client
        self.absent = f"cs-{world.spare[0]}"
        self._seen: dict[str, tuple[int, str]] = {}

    def check(self, what: str, send: Callable[[str], Answer], hidden_id: str) -> None:
        if what not in self._seen:
            control = send(self.absent)
            assert control.status_code < 500, f"{what}: {control.status_code} {control.text[:300]}"
            self._seen[what] = (control.status_code, control.text.replace(self.absent, "<ID>"))
        response = send(hidden_id)
        no_leak(self.world, response, what, asked=hidden_id)
        got = (response.status_code, response.text.replace(hidden_id, "<ID>"))
        assert got == self._seen[what], (
            f"{what} ({_viewer(self.world)}): {hidden_id} is answered unlike an id that never existed:\n"
            f"  hidden: {got}\n  absent: {self._seen[what]}"
        )


def check_search(world: World, client: TestClient) -> None:
    hidden_languages = _hidden_translation_languages(world)
    for doc in world.hidden:
        searches: tuple[dict[str, str | int | bool], ...] = (
            {"q": f"{doc.marker} {doc.topic}"},
            {"q": doc.marker, "department": doc.department, "kind": "case_study"},
            {"q": doc.topic, "lang": doc.language},
        )
        for params in searches:
            query = {"k": 50, "mode": world.mode, "passages": world.passages, **params}
            response = client.get("/search", params=query)
            no_leak(world, response, f"GET /search {query}")
            for hit in response.json().get("results", []) if response.status_code == 200 else []:
                extra = set(hit["also_in"]) & hidden_languages.get(hit["doc_id"], set())
                assert not extra, f"search: {hit['doc_id']} is also_in {extra} only through a hidden translation"


def _hidden_translation_languages(world: World) -> dict[str, set[str]]:
    """Per public document: the languages only hidden translations add to its group."""
    shown: dict[str, set[str]] = {}
    hidden: dict[str, set[str]] = {}
    for doc in world.docs:
        if doc.translation_of:
            target = hidden if doc in world.hidden else shown
            target.setdefault(doc.translation_of, set()).add(doc.language)
    return {root: languages - shown.get(root, set()) for root, languages in hidden.items()}


def check_documents_and_practice(world: World, client: TestClient, absent: AsIfAbsent) -> None:
    for doc in world.hidden:
        absent.check("GET /documents", lambda i: client.get(f"/documents/{i}"), doc.id)
        absent.check("POST /tutor/practice", lambda i: client.post("/tutor/practice", json={"doc_id": i}), doc.id)

        def check(i: str, answer: str = str(doc.figure)) -> Answer:
            return client.post("/tutor/practice/check", json={"question_id": f"{i}:0:10:4:8:cloze", "answer": answer})

        absent.check("POST /tutor/practice/check", check, doc.id)
        no_leak(world, client.get(f"/documents/{doc.id[:-1]}"), "GET /documents (near miss)")


def check_tutor(world: World, client: TestClient) -> None:
    for n, doc in enumerate(world.hidden):
        body: dict[str, Any] = {"question": doc.question}
        if n % 2:
            body["filters"] = {"department": [doc.department]}
        response = client.post("/tutor/ask", json=body)
        no_leak(world, response, "POST /tutor/ask")
        if response.status_code == 200 and response.json().get("conversation_id"):
            conversation = client.get(f"/tutor/conversations/{response.json()['conversation_id']}")
            no_leak(world, conversation, "GET /tutor/conversations")
        if n == 0:
            streamed = client.post("/tutor/ask", json={**body, "stream": True})
            no_leak(world, streamed, "POST /tutor/ask (stream)")


def check_paths_and_progress(world: World, client: TestClient, absent: AsIfAbsent) -> None:
    for doc in world.hidden[:PER_ID_CHECKS]:
        description = f"{doc.topic} in the {doc.marker} block"
        no_leak(world, client.post("/paths", json={"role_description": description}), "POST /paths")
        for what, path, field in (
            ("POST /paths (completed)", "/paths", "completed"),
            ("POST /paths/feedback", "/paths/feedback", "course_id"),
            ("POST /me/enrolments", "/me/enrolments", "course_id"),
            ("POST /me/completions", "/me/completions", "course_id"),
        ):
            extra: dict[str, Any] = {"role": "role-pio"} if field == "completed" else {}
            extra |= {"relevant": False} if path == "/paths/feedback" else {}

            def send(i: str, path: str = path, field: str = field, extra: dict[str, Any] = extra) -> Answer:
                return client.post(path, json={**extra, field: [i] if field == "completed" else i})

            absent.check(what, send, doc.id)
            no_leak(world, send(doc.id[:-1]), f"{what} (near miss)")


def check_authoring(world: World, client: TestClient, absent: AsIfAbsent) -> None:
    for department in sorted({d.department for d in world.hidden}):
        no_leak(world, client.get("/authoring/coverage", params={"department": department}), "GET /authoring/coverage")
    for doc in world.hidden[:PER_ID_CHECKS]:
        draft = {"title": doc.title, "description": doc.body[:2000]}
        no_leak(world, client.post("/authoring/related", json={**draft, "k": 50}), "POST /authoring/related")
        no_leak(world, client.post("/authoring/tags", json=draft), "POST /authoring/tags")
        for path in ("/authoring/related", "/authoring/tags"):

            def send(i: str, path: str = path) -> Answer:
                return client.post(path, json={"course_id": i})

            absent.check(f"POST {path} (course_id)", send, doc.id)


def check_refused_changes(world: World, client: TestClient, absent: AsIfAbsent) -> None:
    """Changes naming a hidden document: refused (nothing stored), in the words used for any other id."""
    taken = next(d for d in world.docs if d.visibility == PUBLIC)  # its department may be the viewer's
    other = "finance" if world.viewer is None or world.viewer.department != "finance" else "it-egov"
    other_taken = "cs-phishing-treasury" if other == "finance" else "crs-cyber-basics-en"  # mini corpus: not ours
    own_department = world.viewer.department if world.viewer else DEPARTMENTS[0]
    new = Doc(world.spare[1], own_department, PUBLIC, taken.topic, 42)
    course = {
        "id": f"crs-{world.spare[2]}", "title": "Register keeping", "language": "en", "duration_minutes": 30,
        "level": "Beginner", "provider": "generated", "description": "Keeping registers of complaints up to date.",
    }  # fmt: skip
    for doc in world.hidden[:PER_ID_CHECKS]:
        absent.check("DELETE /content/case-studies", lambda i: client.delete(f"/content/case-studies/{i}"), doc.id)
        absent.check("DELETE /content/courses", lambda i: client.delete(f"/content/courses/{i}"), doc.id)
        # a hidden document's id is taken, and says so exactly as another department's public document does
        for kind, record in (("case-studies", new.record()), ("courses", course)):
            taken_answer = client.post(f"/content/{kind}", json={**record, "id": other_taken})
            hidden_answer = client.post(f"/content/{kind}", json={**record, "id": doc.id})
            no_leak(world, hidden_answer, f"POST /content/{kind} (taken id)", asked=doc.id)
            assert (hidden_answer.status_code, hidden_answer.text.replace(doc.id, "<ID>")) == (
                taken_answer.status_code,
                taken_answer.text.replace(other_taken, "<ID>"),
            ), f"POST /content/{kind} with a hidden id ({_viewer(world)})"
        absent.check(
            "POST /content/case-studies (translation_of)",
            lambda i: client.post("/content/case-studies", json={**new.record(), "translation_of": i}),
            doc.id,
        )
        absent.check(
            "POST /content/courses (prerequisites)",
            lambda i: client.post("/content/courses", json={**course, "prerequisites": [i]}),
            doc.id,
        )


def check_upload_review(world: World, client: TestClient, services: Services) -> None:
    """A near copy of a hidden document (its marker swapped for a new one) is uploaded: the review names none of them,
    although the copy is similar enough that only visibility keeps the hidden one out."""
    if world.viewer is None or not world.viewer.role.includes(Role.AUTHOR):
        return
    rows, vectors = services.recommender.semantic.case_studies()
    row_of = {row.id: n for n, row in enumerate(rows)}
    threshold = services.recommender.authoring.duplicates.threshold
    for n, doc in enumerate([d for d in world.hidden if not d.translation_of][:2]):
        marker = world.spare[3 + n]
        copy = replace(doc, marker=marker, department=world.viewer.department, visibility=PUBLIC)
        copy_vector = services.recommender.semantic.document_vector(copy.case_study())
        similarity = float(vectors[row_of[doc.id]] @ copy_vector[0])
        assert similarity >= threshold, f"the copy of {doc.id} is no near-duplicate ({similarity:.3f}): test data"
        response = client.post("/content/case-studies", json=copy.record())
        assert response.status_code == 201, response.text
        no_leak(world, response, "POST /content/case-studies (near copy)")


# -- what the viewer's department may reach ------------------------------------------------------------------------
def check_own_reachable(world: World, client: TestClient, services: Services) -> None:
    for doc in world.own:
        response = client.get("/search", params={"q": doc.marker, "lang": doc.language, "mode": "hybrid"})
        assert doc.id in [r["doc_id"] for r in response.json()["results"]], f"own {doc.id} not found by search"
        document = client.get(f"/documents/{doc.id}")
        assert document.status_code == 200 and document.json()["title"] == doc.title
        assert client.post("/tutor/practice", json={"doc_id": doc.id}).status_code == 200
        if doc.language == "en":  # the hashing embedder does not cross languages
            answer = client.post("/tutor/ask", json={"question": doc.question}).json()
            named = {c["doc_id"] for c in answer["citations"]} | {r["doc_id"] for r in answer["related"]}
            assert doc.id in named, f"own {doc.id} neither cited nor related: {answer}"
    assert world.viewer is not None
    if not world.own or not world.viewer.role.includes(Role.AUTHOR):
        return
    doc = world.own[0]
    response = client.post("/content/case-studies", json=doc.record(id=f"cs-{world.spare[5]}"))
    assert response.status_code == 201, response.text
    assert doc.id in [d["doc_id"] for d in response.json()["duplicates"]], f"own {doc.id}: {response.json()}"
    assert client.delete(f"/content/case-studies/{doc.id}").status_code == 200
    assert not services.store.has_document(doc.id)


@settings(max_examples=15, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(world=worlds())
def test_nothing_private_crosses_departments_on_any_endpoint(world: World) -> None:
    check_world(world)


def check_world(world: World) -> None:
    with serving(world) as (services, client):
        no_leak(world, client.get("/health"), "GET /health")
        if world.viewer is None:  # everything else needs a key: 401, naming nothing
            for path in ("/search?q=" + world.docs[-1].marker, f"/documents/{world.docs[-1].id}"):
                response = client.get(path)
                assert response.status_code == 401
                no_leak(world, response, path)
            return
        absent = AsIfAbsent(world, client)
        check_search(world, client)
        check_documents_and_practice(world, client, absent)
        check_tutor(world, client)
        check_paths_and_progress(world, client, absent)
        check_authoring(world, client, absent)
        counts = services.store.counts()
        check_refused_changes(world, client, absent)
        assert services.store.counts() == counts, "a refused change stored something"
        check_upload_review(world, client, services)
        check_own_reachable(world, client, services)


# -- every route is accounted for ----------------------------------------------------------------------------------
COVERED = {
    ("GET", "/health"), ("GET", "/search"), ("GET", "/documents/{doc_id}"), ("POST", "/tutor/ask"),
    ("GET", "/tutor/conversations/{conversation_id}"), ("POST", "/tutor/practice"), ("POST", "/tutor/practice/check"),
    ("POST", "/paths"), ("POST", "/paths/feedback"), ("POST", "/me/enrolments"), ("POST", "/me/completions"),
    ("POST", "/authoring/related"), ("POST", "/authoring/tags"), ("GET", "/authoring/coverage"),
    ("POST", "/content/courses"), ("POST", "/content/case-studies"), ("DELETE", "/content/courses/{doc_id}"),
    ("DELETE", "/content/case-studies/{doc_id}"),
}  # fmt: skip
NO_STORED_DOCUMENTS = {
    # keys, roles, competencies, languages, readiness, a learner's own progress (course titles only: public)
    ("GET", "/me"), ("GET", "/roles"), ("GET", "/roles/{role_id}"), ("GET", "/competencies"), ("GET", "/languages"),
    ("POST", "/tutor/feedback"), ("POST", "/admin/keys"), ("GET", "/admin/keys"), ("DELETE", "/admin/keys/{key_id}"),
    ("GET", "/me/profile"), ("POST", "/me/profile"), ("GET", "/me/progress"), ("GET", "/me/competencies"),
    ("GET", "/reports/department"), ("GET", "/reports/department.csv"), ("GET", "/admin/feedback"),
    ("DELETE", "/admin/learners/{learner_id}"), ("GET", "/health/ready"),
    # the key's own department's upload jobs; another's is an unknown job (tests/gyanpath/test_uploads.py)
    ("GET", "/content/uploads"), ("GET", "/content/uploads/{job_id}"),
}  # fmt: skip


def test_every_route_is_classified(tmp_path: Path) -> None:
    app = create_app(Settings(home=tmp_path, embedder="hashing"))
    routes = {(method, route.path) for route in api_routes(app) for method in route.methods or ()}
    unclassified = routes - COVERED - NO_STORED_DOCUMENTS
    assert not unclassified, f"add these to the visibility property test, or to NO_STORED_DOCUMENTS: {unclassified}"


@pytest.mark.parametrize("role", list(Role))
def test_the_generated_worlds_reach_every_check(role: Role) -> None:
    """The property is not vacuous: a world with private documents on both sides of the viewer passes."""
    publics = (Doc("qzbcdfghj", "health", PUBLIC, TOPICS[0], 412),)
    privates = (
        Doc("qzkkkkkkk", "health", "health", TOPICS[1], 37),
        Doc("qzmmmmmmm", "revenue", "revenue", TOPICS[1], 38),
        Doc("qznnnnnnn", "revenue", "revenue", TOPICS[0], 39, translation_of="cs-qzbcdfghj"),
    )
    spare = ("qzppppppp", "qzqqqqqqq", "qzrrrrrrr", "qzsssssss", "qztttttttt", "qzvvvvvvv")
    world = World(("health", "revenue"), publics + privates, Viewer(role, "health"), spare, "hybrid", False)
    assert [d.id for d in world.own] == ["cs-qzkkkkkkk"] and len(world.hidden) == 2
    check_world(world)


def test_health_counts_do_not_move_with_private_documents() -> None:
    public = Doc("qzbcdfghj", "health", PUBLIC, TOPICS[0], 412)
    private = Doc("qzkkkkkkk", "revenue", "revenue", TOPICS[1], 37)
    spare = ("qzppppppz", "qzqqqqqqz", "qzrrrrrrz", "qzsssssst", "qztttttttt", "qzvvvvvvv")
    answers = []
    for docs in ((public,), (public, private)):
        with serving(World(("health", "revenue"), docs, None, spare, "hybrid", False)) as (_, client):
            body = client.get("/health").json()
            answers.append((body["counts"], body["vectors"]))
    assert answers[0] == answers[1]
