"""Vietnamese column headings of the spreadsheet exports, by Parquet column name.

The Parquet/CSV column names are the contract for programs; a person reading the workbook sees
these headings instead. A test checks that every column of every table has one, so a column
added to export/frames.py without a heading fails there, not in an office's Excel.
"""

from __future__ import annotations

HEADINGS: dict[str, str] = {
    # documents
    "file": "Tệp",
    "source": "Nguồn",
    "format": "Định dạng",
    "status": "Trạng thái đọc",
    "doc_type": "Loại văn bản",
    "doc_number": "Số hiệu",
    "issuer": "Cơ quan ban hành",
    "province": "Tỉnh, thành phố",
    "province_slug": "Mã tỉnh (không dấu)",
    "province_code": "Mã tỉnh",
    "province_now": "Tỉnh hiện nay",
    "place": "Địa danh",
    "issue_date": "Ngày ban hành",
    "signer": "Người ký",
    "title": "Trích yếu",
    "plan_year": "Năm kế hoạch",
    "legal_bases": "Căn cứ",
    "pages": "Trang",
    "n_rows": "Số dòng nhiệm vụ",
    "n_sections": "Số mục",
    "warnings": "Cảnh báo",
    "warning_codes": "Mã cảnh báo",
    # task rows and prose tasks
    "row_id": "Mã dòng",
    "section": "Mục",
    "section_title": "Tên mục",
    "stt": "STT",
    "number": "Số thứ tự",
    "task": "Nhiệm vụ",
    "text": "Nội dung",
    "result": "Kết quả, sản phẩm",
    "agencies_raw": "Cơ quan (nguyên văn)",
    "lead_agencies": "Cơ quan chủ trì",
    "support_agencies": "Cơ quan phối hợp",
    "lead_canonical": "Chủ trì (tên chuẩn)",
    "support_canonical": "Phối hợp (tên chuẩn)",
    "lead_ids": "Chủ trì (mã)",
    "support_ids": "Phối hợp (mã)",
    "deadline_raw": "Thời hạn (nguyên văn)",
    "deadline_kind": "Loại thời hạn",
    "deadline_dated": "Có ngày hạn",
    "deadline_start": "Từ ngày",
    "deadline_end": "Hạn hoàn thành",
    "deadline_dates": "Các mốc thời hạn",
    "note": "Ghi chú",
    "budget": "Kinh phí",
    "other_columns": "Cột khác",
    "spans_pages": "Qua trang",
    "is_subrow": "Dòng con",
    "confidence": "Độ tin cậy",
    "table": "Bảng",
    "source_rows": "Dòng nguồn",
    "lines": "Dòng văn bản",
    "boxes": "Vùng trên trang",
    # agencies
    "role": "Vai trò",
    "position": "Thứ tự",
    "name": "Tên cơ quan",
    "canonical": "Tên chuẩn",
    "agency_id": "Mã cơ quan",
    "agency_type": "Loại cơ quan",
    "agency_level": "Cấp",
}


def heading(column: str) -> str:
    """Return the Vietnamese heading of ``column`` (the column name itself when it has none)."""
    return HEADINGS.get(column, column)
