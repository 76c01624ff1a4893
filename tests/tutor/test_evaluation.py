"""Tutor evaluation: whole-token answer matching, first- against any-quote hits, the abstention AUC, latency,
per-question records and verdicts, strict JSON, the question loader and the refusal of unknown document ids."""

from __future__ import annotations

import itertools
import json
import math
import random
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from corpus.errors import ValidationError
from corpus.evaluation import LabelledQuery
from corpus.evaluation import check_known_ids as check_query_ids
from tutor import evaluation
from tutor.evaluation import (
    TutorQuestion,
    any_quote_hit,
    check_known_ids,
    contains_answer,
    evaluate_tutor,
    first_quote_hit,
    load_questions,
    percentile,
    record,
    roc_auc,
    score,
    verdict,
)
from tutor.types import Answer, Citation, RelatedItem


def cite(quote: str, doc_id: str = "cs-a", marker: int = 1, page: int | None = None) -> Citation:
    return Citation(marker, doc_id, "Title", "case_study", "en", "Results", quote, 10, 10 + len(quote), page, 1)


def answer(
    text: str = "",
    *quotes: Citation,
    answered: bool = True,
    support: float = 1.0,
    related: tuple[str, ...] = ("cs-a", "crs-b"),
) -> Answer:
    return Answer(
        question="q",
        answered=answered,
        text=text or " ".join(f"{c.quote} [{c.marker}]" for c in quotes),
        citations=quotes,
        reason=None if answered else "no passage in the material supports an answer",
        related=tuple(RelatedItem(d, d, "case_study", "en", 0.5) for d in related),
        language="en",
        generator="fake",
        support=support,
    )


def question(*answers: str, lang: str = "en", kind: str = "", qid: str = "q1", **extra: Any) -> TutorQuestion:
    relevant = frozenset({"cs-a"}) if answers else frozenset()
    return TutorQuestion("q", answers, relevant, lang, qid, kind=kind, **extra)


# -- matching -------------------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("text", "gold", "expected"),
    [
        ("The API fell to 9 in 2016.", "9", True),
        ("The API fell to 9.", "9", True),  # a full stop after the number ends the sentence, not a decimal
        ("The API fell to 9.7 in 2016.", "9", False),
        ("The API fell to 9.7 in 2016.", "7", False),
        ("It was reported 19 days later.", "9", False),
        ("The API fell to 9.7 in 2016.", "9.7", True),
        ("The API fell to 9.75 in 2016.", "9.7", False),
        ("A 360 degree review.", "36", False),
        ("36 villages were covered.", "36", True),
        ("Salaries for 14,000 employees.", "14000", True),
        ("Salaries for 14000 employees.", "14,000", True),
        ("It found 3,108 zero-dose children.", "3,108", True),
        ("A grant of Rs 1,20,000 was paid.", "120000", True),
        ("A grant of 12, 13 and 14 lakh.", "12 13", False),  # a comma between separate numbers stays
        ("Clicks fell from 22 percent\nto  4 percent.", "22 percent to 4 percent", True),
        ("The PFMS helpdesk.", "pfms", True),
        ("The PFMS helpdesks.", "pfms helpdesk", False),
        ("It was 38%.", "38", True),
    ],
)
def test_gold_answer_matches_only_whole_tokens(text: str, gold: str, expected: bool) -> None:
    assert contains_answer(text, [gold]) is expected


@pytest.mark.parametrize(
    ("text", "gold", "expected"),
    [
        ("बहराइच में 3,108 शून्य खुराक वाले बच्चे मिले।", "3108", True),
        ("बहराइच में ३,१०८ शून्य खुराक वाले बच्चे मिले।", "3,108", True),  # Devanagari digits
        ("बहराइच में 3,108 शून्य खुराक वाले बच्चे मिले।", "शून्य खुराक", True),
        ("बहराइच में 3,108 बच्चे मिले।", "बच्च", False),  # the vowel sign े continues the word
        ("कर्मचारी ने काम किया", "क", False),  # a bare consonant inside कर्मचारी / काम / किया
        ("उसने काम करना शुरू किया", "कर", False),
        ("\u091c\u093cमीन का रिकॉर्ड", "\u095bमीन", True),  # precomposed ज़ (U+095B) against ज + nukta: NFC
        ("सेवा केंद्र", "सेवा", True),
        ("ज़मीन का रिकॉर्ड", "ज़मीन", True),  # precomposed ज़ (U+095B) against ज + nukta: NFC makes them equal
        ("अलवर में कवरेज 61 प्रतिशत था।", "61 प्रतिशत", True),
        ("अलवर में कवरेज 161 प्रतिशत था।", "61 प्रतिशत", False),
    ],
)
def test_devanagari_boundaries_count_vowel_signs_as_part_of_the_word(text: str, gold: str, expected: bool) -> None:
    assert contains_answer(text, [gold]) is expected


def test_any_of_several_gold_answers_matches_and_blank_gold_never_does() -> None:
    assert contains_answer("fell to 4 percent", ["9", "4 percent"])
    assert not contains_answer("fell to 4 percent", ["", "   "])


def test_first_quote_hit_needs_the_gold_in_the_first_quote_and_ignores_the_answer_text() -> None:
    q = question("37")
    definition = cite("The IT nodal officer handles incidents.", marker=1)
    action = cite("The IT nodal officer reset 37 passwords.", marker=2)
    second = answer("", definition, action)
    assert not first_quote_hit(q, second) and any_quote_hit(q, second)
    assert verdict(q, second) == "hit-other"

    first = answer("", action, definition)
    assert first_quote_hit(q, first) and any_quote_hit(q, first)
    assert verdict(q, first) == "hit-first"

    text_only = answer("He reset 37 passwords.", definition)  # a generator's paraphrase: any-quote only
    assert not first_quote_hit(q, text_only) and any_quote_hit(q, text_only)
    assert verdict(q, text_only) == "hit-other"

    wrong = answer("", cite("He reset 370 passwords in 2037."))
    assert not any_quote_hit(q, wrong) and verdict(q, wrong) == "miss"


def test_verdicts_of_abstentions_and_of_answered_unanswerable_questions() -> None:
    quote = cite("The IT nodal officer reset 37 passwords.")
    abstained = answer("I cannot answer.", answered=False)
    assert verdict(question("37"), abstained) == "abstained-wrong"
    assert not first_quote_hit(question("37"), answer("", quote, answered=False))  # not answered: never a hit
    assert verdict(question(), abstained) == "abstained-correct"
    assert verdict(question(), answer("", quote)) == "answered-unanswerable"


# -- statistics ------------------------------------------------------------------------------------------------------
def test_roc_auc_on_known_values() -> None:
    assert roc_auc([0.9, 0.8], [0.1, 0.2]) == 1.0
    assert roc_auc([0.1, 0.2], [0.9, 0.8]) == 0.0
    assert roc_auc([0.5], [0.5]) == 0.5
    # pairs (pos, neg): 0.9>0.5, 0.9>0.1, 0.5=0.5 (half), 0.5>0.1 -> 3.5 of 4
    assert roc_auc([0.9, 0.5], [0.5, 0.1]) == 0.875
    # -inf (nothing retrieved) ties with -inf; NaN counts as -inf
    assert roc_auc([-math.inf], [-math.inf, 1.0]) == 0.25
    assert roc_auc([math.nan, 2.0], [1.0]) == 0.5


def test_roc_auc_is_none_when_a_class_is_empty() -> None:
    assert roc_auc([], [0.3]) is None
    assert roc_auc([0.3], []) is None


def test_roc_auc_agrees_with_counting_every_pair() -> None:
    rng = random.Random(7)
    for _ in range(20):
        pos = [rng.choice([0.1, 0.2, 0.3, 0.4]) for _ in range(rng.randint(1, 9))]
        neg = [rng.choice([0.1, 0.2, 0.3, 0.4]) for _ in range(rng.randint(1, 9))]
        pairs = [1.0 if p > n else 0.5 if p == n else 0.0 for p, n in itertools.product(pos, neg)]
        assert roc_auc(pos, neg) == pytest.approx(sum(pairs) / len(pairs))


def test_percentile_interpolates_between_order_statistics() -> None:
    assert percentile([40.0, 10.0, 30.0, 20.0], 50) == 25.0
    assert percentile([10.0, 20.0, 30.0, 40.0], 95) == pytest.approx(38.5)
    assert percentile([7.0], 95) == 7.0
    assert percentile([], 50) is None


# -- rows and records ------------------------------------------------------------------------------------------------
def test_rows_per_group_with_known_values_and_latencies(monkeypatch: pytest.MonkeyPatch) -> None:
    q_first = question("37", qid="a1", split="dev")
    q_other = question("22 percent", qid="a2", split="test")
    q_hi = question("61 प्रतिशत", lang="hi", qid="a3", split="dev")
    q_near = question(kind="near_miss", qid="n1", pair="a1", split="dev")
    q_off = question(kind="off_topic", qid="o1", split="test")
    answers = {
        "a1": answer("", cite("He reset 37 passwords.", "cs-a"), support=0.9),
        "a2": answer("", cite("A drill was held.", "cs-a"), cite("Clicks fell to 22 percent.", "crs-x"), support=0.5),
        "a3": answer("", answered=False, support=0.4),
        "n1": answer("", cite("He reset 37 passwords."), support=0.5),
        "o1": answer("", answered=False, support=-math.inf),
    }
    questions = [q_first, q_other, q_hi, q_near, q_off]
    clock = iter([0.0, 0.010, 1.0, 1.020, 2.0, 2.030, 3.0, 3.040, 4.0, 4.100])
    monkeypatch.setattr(evaluation, "time", SimpleNamespace(perf_counter=lambda: next(clock)))
    asked: list[str] = []

    def ask(text: str) -> Answer:
        asked.append(text)
        return answers[questions[len(asked) - 1].id]

    rows, records = evaluate_tutor(questions, ask)
    assert len(asked) == 5 and [r.id for r in records] == ["a1", "a2", "a3", "n1", "o1"]
    assert [r.ms for r in records] == pytest.approx([10, 20, 30, 40, 100])
    assert [r.verdict for r in records] == [
        "hit-first",
        "hit-other",
        "abstained-wrong",
        "answered-unanswerable",
        "abstained-correct",
    ]
    groups = {r.group: r for r in rows}
    assert list(groups) == [
        "all",
        "en",
        "hi",
        "kind=answerable",
        "kind=near_miss",
        "kind=off_topic",
        "split=dev",
        "split=test",
        "en kind=answerable",
        "en kind=near_miss",
        "en kind=off_topic",
        "hi kind=answerable",
    ]
    overall = groups["all"]
    assert (overall.questions, overall.answerable, overall.unanswerable) == (5, 3, 2)
    assert (overall.answered, overall.abstained) == (3, 2)
    assert overall.first_quote_hit_rate == pytest.approx(1 / 3)
    assert overall.any_quote_hit_rate == pytest.approx(2 / 3) == overall.answer_hit_rate
    assert overall.citation_precision == pytest.approx((1 + 0.5) / 2)  # a2 cites cs-a (relevant) and crs-x
    assert overall.abstention_precision == 0.5 and overall.abstention_recall == 0.5
    # answerable supports 0.9, 0.5, 0.4 against 0.5, -inf: pairs won 1+1, 0.5+1, 0+1 -> 4.5 of 6
    assert overall.abstention_auc == pytest.approx(0.75)
    assert overall.latency_p50_ms == pytest.approx(30) and overall.latency_p95_ms == pytest.approx(88)
    hindi = groups["hi"]
    assert hindi.lang == "hi" and hindi.first_quote_hit_rate == 0.0 and hindi.abstention_auc is None
    assert hindi.abstention_precision == 0.0 and hindi.abstention_recall is None
    near = groups["kind=near_miss"]
    assert near.kind == "near_miss" and near.first_quote_hit_rate is None and near.abstention_recall == 0.0
    assert groups["split=test"].split == "test" and groups["split=test"].questions == 2


def test_as_dict_is_strict_json_when_a_class_is_missing() -> None:
    results = [(question("37"), answer("", cite("He reset 37 passwords."), support=-math.inf))]
    rows = score(results)
    assert [r.group for r in rows] == ["all", "en"]  # one kind, no splits: no such rows
    data = [r.as_dict() for r in rows]
    text = json.dumps(data, allow_nan=False)
    loaded = json.loads(text)[0]
    assert loaded["abstention_recall"] is None and loaded["abstention_precision"] is None
    assert loaded["abstention_auc"] is None and loaded["latency_p50_ms"] is None
    assert loaded["first_quote_hit_rate"] == 1.0 and loaded["questions"] == 1
    assert score([]) and json.dumps([r.as_dict() for r in score([])], allow_nan=False)
    assert score(results, [12.5])[0].latency_p95_ms == 12.5
    with pytest.raises(ValueError, match="1 results but 2 latencies"):
        score(results, [1.0, 2.0])


def test_question_record_holds_what_is_needed_to_read_a_miss() -> None:
    q = question("37", qid="q-7", split="dev")
    given = answer("", cite("A drill was held.", "cs-a", page=3), cite("He reset 37 passwords.", "cs-b", 2))
    data = record(q, given, 12.3456).as_dict()
    assert json.loads(json.dumps(data, allow_nan=False)) == {
        "id": "q-7",
        "question": "q",
        "lang": "en",
        "kind": "answerable",
        "split": "dev",
        "pair": None,
        "gold": ["37"],
        "relevant": ["cs-a"],
        "answered": True,
        "answer": "A drill was held. [1] He reset 37 passwords. [2]",
        "reason": None,
        "quotes": [
            {"doc_id": "cs-a", "quote": "A drill was held.", "start": 10, "end": 27, "page": 3},
            {"doc_id": "cs-b", "quote": "He reset 37 passwords.", "start": 10, "end": 32, "page": None},
        ],
        "support": 1.0,
        "retrieved": ["cs-a", "crs-b"],
        "verdict": "hit-other",
        "first_quote_hit": False,
        "any_quote_hit": True,
        "ms": 12.35,
    }
    abstained = record(question(qid="u"), answer("", answered=False, support=-math.inf)).as_dict()
    assert abstained["support"] is None and abstained["ms"] is None and abstained["verdict"] == "abstained-correct"
    json.dumps(abstained, allow_nan=False)


# -- loading and labels ----------------------------------------------------------------------------------------------
def write(path: Path, *lines: Any) -> Path:
    path.write_text("".join((line if isinstance(line, str) else json.dumps(line)) + "\n" for line in lines), "utf-8")
    return path


BASE = {"question": "How many?", "answers": ["37"], "relevant": ["cs-a"], "lang": "en"}


def test_load_questions_defaults_and_optional_fields(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.jsonl",
        BASE,
        "",
        {"question": "Who won?", "answers": [], "relevant": [], "lang": "en"},
        {**BASE, "id": "a-1", "split": "dev", "kind": "wrapped"},
        {"question": "How many in Cuttack?", "lang": "en", "id": "n-1", "split": "test", "kind": "near_miss",
         "pair": "a-1"},
    )  # fmt: skip
    first, unanswerable, tagged, near = load_questions(path)
    assert (first.id, first.kind, first.split, first.pair) == ("line-1", "answerable", None, None)
    assert (first.source, first.line) == (str(path), "1")
    assert (unanswerable.id, unanswerable.kind, unanswerable.answerable) == ("line-3", "unanswerable", False)
    assert (tagged.id, tagged.split, tagged.kind) == ("a-1", "dev", "wrapped")
    assert (near.id, near.kind, near.pair, near.answerable, near.split) == ("n-1", "near_miss", "a-1", False, "test")


def test_load_questions_from_several_files_keeps_ids_apart(tmp_path: Path) -> None:
    one = write(tmp_path / "one.jsonl", BASE)
    two = write(tmp_path / "two.jsonl", BASE, {**BASE, "id": "x", "pair": "one.jsonl:line-1"})
    loaded = load_questions(one, two)
    assert [q.id for q in loaded] == ["one.jsonl:line-1", "two.jsonl:line-1", "x"]
    assert loaded[2].pair == "one.jsonl:line-1"


def test_load_questions_reports_every_bad_line_with_file_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path / "bad.jsonl",
        {**BASE, "id": "a"},
        {**BASE, "id": "a"},
        {**BASE, "split": "train"},
        {**BASE, "kind": "Near Miss!"},
        {**BASE, "colour": "red"},
        {**BASE, "pair": "nobody"},
        {"question": "x", "lang": "en", "kind": "answerable"},
        {**BASE, "id": "self", "pair": "self"},
        "{not json",
    )
    with pytest.raises(ValidationError) as caught:
        load_questions(path)
    found = {(p.location, p.field) for p in caught.value.problems}
    assert found == {
        ("2", "id"),
        ("3", "split"),
        ("4", "kind"),
        ("5", "colour"),
        ("6", "pair"),
        ("7", "kind"),
        ("8", "pair"),
        ("9", None),
    }
    message = str(caught.value)
    assert f"{path}:2: field 'id': 'a' is already the id of the question at {path}:1" in message
    assert f"{path}:5: field 'colour': unexpected field" in message
    assert f"{path}:6: field 'pair': no question has the id 'nobody'" in message


def test_unknown_relevant_ids_are_all_listed_with_file_and_line(tmp_path: Path) -> None:
    path = write(
        tmp_path / "q.jsonl",
        {**BASE, "relevant": ["cs-a", "cs-gone"]},
        BASE,
        {**BASE, "relevant": ["crs-missing", "cs-gone"]},
    )
    questions = load_questions(path)
    with pytest.raises(ValidationError) as caught:
        check_known_ids(questions, {"cs-a", "crs-b"})
    summary, *per_line = caught.value.problems
    assert "2 document id(s)" in summary.message and "crs-missing, cs-gone" in summary.message
    assert [(p.source, p.location) for p in per_line] == [(str(path), "1"), (str(path), "3")]
    assert "'crs-missing', 'cs-gone'" in per_line[1].message
    check_known_ids(questions[1:2], {"cs-a"})  # known ids: no error


def test_retrieval_labels_with_unknown_ids_are_refused() -> None:
    queries = [
        LabelledQuery("x", frozenset({"cs-a"}), "en", "q.jsonl", "1"),
        LabelledQuery("y", frozenset({"cs-b", "cs-c"}), "en", "q.jsonl", "2"),
    ]
    check_query_ids(queries[:1], {"cs-a"})
    with pytest.raises(ValidationError, match=r"2 document id\(s\) .*: cs-b, cs-c") as caught:
        check_query_ids(queries, {"cs-a"})
    assert "q.jsonl:2: field 'relevant': not in the store: 'cs-b', 'cs-c'" in str(caught.value)


def test_a_number_may_carry_an_indian_script_classifier_but_not_more_digits() -> None:
    assert contains_answer("এদের মধ্যে 3,108টি শিশু ছিল জিরো-ডোজ।", ["3,108"])
    assert contains_answer("ଏଥିରେ 2,146ଟି ଅଧିବେଶନ ହେଲା", ["2,146"])
    assert not contains_answer("ଏଥିରେ 2,146ଟି ଅଧିବେଶନ ହେଲା", ["2,14"])
    assert not contains_answer("it was 3108x", ["3108"])  # a Latin letter still runs on
