"""Agencies of sentences (fields.sentence): the grammar's examples and later clauses' role words."""

from __future__ import annotations

import pytest
import regex as re

from tthc_extract import grammars
from tthc_extract.fields.sentence import (
    for_whom,
    grammar,
    noun_phrase_end,
    sentence_agencies,
    strip_label,
    subject_clause,
)

G = grammars.load("sentences")


def _names(agencies: list) -> list[str]:
    return [a.name for a in agencies]


@pytest.mark.parametrize("text", G["units"]["examples_bullet"])
def test_bullet_examples(text: str) -> None:
    m = grammar().bullet.match(text)
    assert m and m.end() > 0 and text[m.end()].isupper()


@pytest.mark.parametrize("text", G["subjects"]["examples_lead_in"])
def test_lead_in_examples(text: str) -> None:
    assert grammar().lead_in.match(text)


@pytest.mark.parametrize("text", G["subjects"]["examples_not_subject"])
def test_not_subject_examples(text: str) -> None:
    assert grammar().not_subject.match(text)
    assert sentence_agencies([], [text]) == ([], [])


@pytest.mark.parametrize("text", G["subjects"]["examples_subject"])
def test_subject_examples(text: str) -> None:
    assert not grammar().not_subject.match(text)
    assert noun_phrase_end(text) > 0


@pytest.mark.parametrize("case", G["subjects"]["examples_np"] + G["subjects"]["examples_predicate"])
def test_noun_phrase_examples(case: dict) -> None:
    assert case["text"][: noun_phrase_end(case["text"])] == case["subject"]


@pytest.mark.parametrize("case", G["subjects"]["examples_label"])
def test_label_examples(case: dict) -> None:
    text = strip_label(case["text"])
    assert text[: noun_phrase_end(text)] == case["subject"]


@pytest.mark.parametrize("text", G["subjects"]["examples_not_label"])
def test_label_non_examples(text: str) -> None:
    assert strip_label(text) == text
    assert subject_clause(text)[0]


@pytest.mark.parametrize("case", G["subjects"]["examples_fillers"])
def test_filler_examples(case: dict) -> None:
    lead, support = sentence_agencies([], [case["text"]])
    assert (_names(lead), _names(support)) == (case.get("lead", []), case.get("support", []))


@pytest.mark.parametrize("case", G["headings"]["examples_for_whom"] + G["headings"]["examples_reference"])
def test_for_whom_examples(case: dict) -> None:
    assert _names(for_whom(case["text"])) == case["lead"]


@pytest.mark.parametrize("entry", G["agency_labels"])
def test_agency_label_examples(entry: dict) -> None:
    for case in entry["examples"]:
        assert re.match(entry["pattern"], case["text"], re.IGNORECASE)
        lead, support = sentence_agencies([], [f"- {case['text']}"])
        assert (_names(lead), _names(support)) == (case.get("lead", []), case.get("support", []))


@pytest.mark.parametrize(
    "case", G["subjects"]["examples_later"] + G["subjects"]["examples_semicolon"] + G["subjects"]["examples_not_later"]
)
def test_later_clause_examples(case: dict) -> None:
    lead, support = sentence_agencies([], [case["text"]])
    assert (_names(lead), _names(support)) == (case.get("lead", []), case.get("support", []))


@pytest.mark.parametrize("text", G["label_values"]["examples_reference"])
def test_label_reference_names_no_agency(text: str) -> None:
    assert sentence_agencies([], [text]) == ([], [])
