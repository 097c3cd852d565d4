"""File names of any bytes and length: shortened outputs, surrogate-escaped names stored and shown."""

from __future__ import annotations

import json
import os

from tthc_extract.names import NAME_MAX, fit_name, json_bytes, shown, temp_prefix

BAD = os.fsdecode(b"bad\xff\xfe.txt")


def test_a_name_that_fits_is_kept_and_a_long_one_is_cut_between_characters_with_a_hash() -> None:
    assert fit_name("plan.pdf", ".json") == "plan.pdf.json"
    long = "ệ" * 84 + "x.txt"  # 252 + 5 bytes: too long once .json is added
    cut = fit_name(long, ".json")
    assert len(cut.encode()) <= NAME_MAX and cut.endswith(".json") and cut.startswith("ệ" * 70)
    assert cut == fit_name(long, ".json") != fit_name(long[:-5] + "y.txt", ".json")  # same input, same name
    assert len(fit_name(long, reserve=13).encode()) <= NAME_MAX - 13


def test_temporary_prefix_beside_a_long_name_is_a_hash() -> None:
    assert temp_prefix("a.json", 12) == ".a.json."
    prefix = temp_prefix("x" * 250, 12)
    assert prefix.startswith(".") and prefix.endswith(".") and len(prefix) + 12 <= NAME_MAX


def test_a_name_that_is_not_utf8_is_stored_as_given_and_shown_escaped() -> None:
    data = json_bytes({"file": BAD, "text": "Sở Tư pháp"})
    assert data == '{"file": "bad\\udcff\\udcfe.txt", "text": "Sở Tư pháp"}'.encode()
    assert os.fsencode(json.loads(data)["file"]) == b"bad\xff\xfe.txt"  # read back to the same bytes
    assert shown(BAD) == "bad\\xff\\xfe.txt" and shown("Sở Tư pháp") == "Sở Tư pháp"
