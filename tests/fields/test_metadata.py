"""Document metadata of the samples against their gold reading, and front-matter edge cases."""

import json
from pathlib import Path

import pytest

from tthc_extract.fields.metadata import extract_metadata
from tthc_extract.loaders.text import load_text, parse_text

ROOT = Path(__file__).resolve().parents[2]
GOLD = ROOT / "tests" / "fixtures" / "gold"
STEMS = ["000_ddb247df984a7d22", "001_62a13cda74406132", "002_c4b107cd9cf43351"]


@pytest.mark.parametrize("stem", STEMS)
def test_sample_metadata_equals_gold(stem: str) -> None:
    gold = json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))["document"]
    got = extract_metadata(load_text(ROOT / "samples" / f"{stem}.txt")).model_dump(mode="json")
    got["legal_bases"] = [lb["number"] for lb in got["legal_bases"]]
    assert {k: got[k] for k in gold} == gold


def test_blank_number_and_day_give_null() -> None:
    text = (
        "SỞ TƯ PHÁP\nTỈNH BẮC GIANG\n\nSố:     /KH-STP\n\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\n"
        "Bắc Giang, ngày    tháng    năm 2023\n\nKẾ HOẠCH\nKiểm soát thủ tục hành chính năm 2023\n\n"
        "Căn cứ Nghị định số 63/2010/NĐ-CP ngày 08/6/2010 của Chính phủ;\n\nGIÁM ĐỐC\n\nNguyễn Văn An\n"
    )
    meta = extract_metadata(parse_text(text, "x.txt"))
    assert meta.doc_number is None and meta.issue_date is None
    assert meta.issuer == "Sở Tư Pháp tỉnh Bắc Giang" and meta.province == "Bắc Giang"
    assert meta.doc_type == "Kế hoạch" and meta.plan_year == 2023 and meta.signer == "Nguyễn Văn An"
    assert [(lb.number, lb.type, str(lb.date)) for lb in meta.legal_bases] == [("63/2010/NĐ-CP", "Nghị định", "2010-06-08")]


@pytest.mark.parametrize(("block", "issuer"), [
    ("UBND TỈNH CÀ MAU SỞ Y TẾ -------", "Sở Y Tế tỉnh Cà Mau"),  # the two lines of the block on one
    ("UBND TỈNH CÀ MAU\nSỞ Y TẾ", "Sở Y Tế tỉnh Cà Mau"),
    ("ỦY BAN NHÂN DÂN TỈNH LONG AN BAN QUẢN LÝ KHU KINH TẾ", "Ban Quản Lý Khu Kinh Tế tỉnh Long An"),
    ("ỦY BAN NHÂN DÂN TỈNH QUẢNG BÌNH", "UBND tỉnh Quảng Bình"),  # 'BAN' inside 'ỦY BAN' starts nothing
])
def test_issuer_block_printed_on_one_line(block: str, issuer: str) -> None:
    text = (f"{block}\nSố: 112/KH-SYT\nCỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM\nCà Mau, ngày 05 tháng 3 năm 2024\n\n"
            "KẾ HOẠCH\nKiểm soát thủ tục hành chính năm 2024\n")
    assert extract_metadata(parse_text(text, "x.txt")).issuer == issuer
