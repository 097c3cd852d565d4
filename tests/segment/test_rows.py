"""Row assembly on small tables: sections, sub-rows, continuations, shifted and garbled rows."""

from tthc_extract.loaders.text import parse_text
from tthc_extract.segment.rows import Row, Section, assemble, continues, split_section, valid_stt
from tthc_extract.segment.tables import find_task_tables

HEADER = "STT\tNhiệm vụ\tKết quả\tCơ quan thực hiện\tThời hạn"


def _assemble(*pages: str) -> tuple[list[Row], list[Section]]:
    """Each argument is one printed page of TSV rows (the header is repeated on each page)."""
    text = "\n\n".join(HEADER + "\n" + p.strip("\n") for p in pages)
    doc = parse_text(text, "t.txt")
    (tt,), _ = find_task_tables(doc)
    return assemble(tt.rows, tt.cmap.split_agencies)


def _view(rows: list[Row]) -> list[tuple[str | None, str | None, str, str, str, str]]:
    return [(r.section, r.stt, r.get("task"), r.get("result"), r.get("agency"), r.get("deadline")) for r in rows]


def test_sections_and_numbered_rows() -> None:
    rows, sections = _assemble(
        "I\tHoàn thiện thể chế\t\t\t\n1\tRà soát\tBáo cáo\tSở Tư pháp\tQuý I\n"
        "II. Kiểm tra\t\t\t\t\n1\tKiểm tra\tKết luận\tVăn phòng UBND tỉnh\tTheo kế hoạch"
    )
    assert [(s.number, s.title) for s in sections] == [("I", "Hoàn thiện thể chế"), ("II", "Kiểm tra")]
    assert _view(rows) == [
        ("I", "1", "Rà soát", "Báo cáo", "Sở Tư pháp", "Quý I"),
        ("II", "1", "Kiểm tra", "Kết luận", "Văn phòng UBND tỉnh", "Theo kế hoạch"),
    ]


def test_subrow_repeats_parent_and_copies_merged_cells() -> None:
    rows, _ = _assemble("1\tCông khai TTHC\tNiêm yết\tSở, ban, ngành\tThường xuyên\n\t\tĐăng tải\t\t")
    assert _view(rows)[1] == (None, "1", "Công khai TTHC", "Đăng tải", "Sở, ban, ngành", "Thường xuyên")
    assert rows[1].is_subrow and [(w.code, w.message) for w in rows[1].warnings] == [
        ("cells_copied_from_above", "agency/deadline empty: merged with the row above; copied from the row above")]


def test_page_break_continuation_is_joined() -> None:
    rows, _ = _assemble(
        "9\tKiểm soát chất lượng hồ sơ và trình\t- Văn bản góp ý.\t- Văn phòng UBND tỉnh chủ\tThường",
        "\tcông bố danh mục TTHC.\t- Quyết định công bố.\ttrì. - Các sở phối hợp.\txuyên",
    )
    assert len(rows) == 1
    r = rows[0]
    assert r.get("task") == "Kiểm soát chất lượng hồ sơ và trình công bố danh mục TTHC."
    assert r.get("deadline") == "Thường xuyên"
    assert r.get("agency") == "- Văn phòng UBND tỉnh chủ trì. - Các sở phối hợp."
    assert r.spans_pages and r.pages == [1, 2]


def test_new_subrow_after_page_break() -> None:
    rows, _ = _assemble(
        "1\tRà soát quy định.\tVăn bản kiến nghị.\tSở, ban, ngành.\tTrước 30/9/2022",
        "\t\tVăn bản rà soát.\tSở quản lý chuyên ngành.\tTrước 30/4/2022",
    )
    assert _view(rows)[1] == (None, "1", "Rà soát quy định.", "Văn bản rà soát.", "Sở quản lý chuyên ngành.", "Trước 30/4/2022")


def test_tiep_theo_row_belongs_to_earlier_task() -> None:
    rows, _ = _assemble(
        "3\tĐổi mới mô hình Bộ phận Một cửa theo Đề án.\tSắp xếp lại.\tSở, ban, ngành.\tQuý I",
        "\tĐổi mới mô hình Bộ phận Một cửa (tiếp theo).\tĐánh giá khả năng.\tBưu điện tỉnh.\tTrong năm 2022",
    )
    assert rows[1].stt == "3" and rows[1].get("task") == "Đổi mới mô hình Bộ phận Một cửa theo Đề án."
    assert rows[1].get("result") == "Đánh giá khả năng."


def test_shifted_row_is_realigned_by_content() -> None:
    rows, _ = _assemble(
        "3\tĐổi mới mô hình.\tSắp xếp lại.\tSở, ban, ngành.\tQuý I\n"
        "- Tăng năng suất tiếp nhận hồ sơ.\t\t- Các cơ quan, đơn vị các cấp.\tTrong năm 2022\t"
    )
    assert _view(rows)[1] == (None, "3", "Đổi mới mô hình.", "- Tăng năng suất tiếp nhận hồ sơ.", "- Các cơ quan, đơn vị các cấp.", "Trong năm 2022")


def test_unnumbered_row_with_own_task_copies_merged_cells() -> None:
    rows, _ = _assemble(
        "35\tThực hiện chứng thực.\tCung cấp dịch vụ.\t- Sở Tư pháp chủ trì. - UBND\tThường xuyên",
        "\tKết nối phần mềm.\tHoàn thành kết nối.\tcấp huyện phối hợp.\t",
    )
    assert rows[0].get("agency") == "- Sở Tư pháp chủ trì. - UBND cấp huyện phối hợp."
    assert _view(rows)[1] == (None, None, "Kết nối phần mềm.", "Hoàn thành kết nối.", "- Sở Tư pháp chủ trì. - UBND cấp huyện phối hợp.", "Thường xuyên")


def test_numbered_page_top_row_gives_back_continuation_lines() -> None:
    rows, _ = _assemble(
        "29\tCông khai và xin lỗi\t- Việc tiếp nhận của các\t- Các sở; UBND cấp xã\tThường xuyên",
        "30\t<p>người dân khi trễ hẹn.</p><p>Đánh giá chất lượng.</p>\t<p>sở được cập nhật.</p><p>- Văn bản xin lỗi.</p>\t<p>chủ trì.</p>\tHàng quý",
    )
    assert rows[0].get("task") == "Công khai và xin lỗi người dân khi trễ hẹn."
    assert rows[0].get("result") == "- Việc tiếp nhận của các sở được cập nhật.\n- Văn bản xin lỗi."
    assert rows[0].get("agency") == "- Các sở; UBND cấp xã chủ trì."
    assert _view(rows)[1] == (None, "30", "Đánh giá chất lượng.", "", "", "Hàng quý")


def test_section_line_carrying_cells_and_number_only_row() -> None:
    rows, sections = _assemble(
        "42\tTuyên truyền.\tVăn bản.\tVăn phòng UBND tỉnh.\tTheo Kế hoạch\n"
        "X\t<p>Trách nhiệm người đứng đầu</p><p>Thủ trưởng các sở chỉ đạo</p>\tBáo cáo.\tCác sở.\tĐịnh kỳ 06 tháng\n"
        "43\t\t\t\t",
        "\tviệc cải cách TTHC.\t\t\t",
    )
    assert sections[-1].title == "Trách nhiệm người đứng đầu"
    assert _view(rows)[1] == ("X", "43", "Thủ trưởng các sở chỉ đạo việc cải cách TTHC.", "Báo cáo.", "Các sở.", "Định kỳ 06 tháng")


def test_arabic_group_line() -> None:
    rows, sections = _assemble(
        "I\tRà soát\t\t\t\n1\tCấp tỉnh\t\t\t\n1.1\tRà soát TTHC\tBáo cáo\tSở Tư pháp\tQuý I"
    )
    assert [s.number for s in sections] == ["I", "I.1"]
    assert rows[0].section == "I.1" and rows[0].stt == "1.1"


def test_helpers() -> None:
    assert split_section("III Tăng cường trách nhiệm") == ("III", "Tăng cường trách nhiệm")
    assert split_section("IV. TIẾP NHẬN") == ("IV", "TIẾP NHẬN")
    assert split_section("Văn bản") is None
    assert valid_stt("1.") and valid_stt("1.2") and not valid_stt("3, 4.")
    assert continues("Thường", "xuyên") and continues("Nghị định số", "45/2020/NĐ-CP")
    assert not continues("Văn bản góp ý.", "Quyết định công bố")


def test_first_section_printed_as_one() -> None:
    rows, sections = _assemble(
        "1\tBan hành văn bản\ta) Quyết định.\tVăn phòng UBND tỉnh.\tTháng 02\n"
        "1\tXây dựng văn bản.\t\tVăn phòng UBND tỉnh.\tQuý IV\n"
        "II\tKiểm soát\t\t\t\n2\tGóp ý.\tVăn bản.\tSở Tư pháp.\tThường xuyên"
    )
    assert [s.number for s in sections] == ["I", "II"] and sections[0].title == "Ban hành văn bản"
    assert [(r.section, r.stt) for r in rows] == [("I", None), ("I", "1"), ("II", "2")]


def _lattice_doc(pages: list[list[list[tuple[str, bool]]]]) -> list[Row]:
    """Build a merge-aware (lattice) document: pages of rows of (text, merged_from_above) cells."""
    from tthc_extract.model.document import Cell, Document, Paragraph, Table, TableRow

    head = TableRow(cells=[Cell(text=t, col=i) for i, t in enumerate(["STT", "Nhiệm vụ", "Kết quả", "Cơ quan thực hiện", "Thời hạn"])])
    blocks: list[Paragraph | Table] = []
    for p, rows in enumerate(pages):
        trs = [head] + [
            TableRow(
                cells=[Cell(text=t, col=i, merged_from_above=m) for i, (t, m) in enumerate(r)],
                split_from_previous_page=(p > 0 and k == 0),
            )
            for k, r in enumerate(rows)
        ]
        blocks.append(Table(index=p, rows=trs, n_cols=5, page=p + 1, method="lattice"))
    (tt,), _ = find_task_tables(Document(source="x.pdf", format="pdf", blocks=blocks))
    return assemble(tt.rows, False)[0]


def test_merged_cell_cut_by_page_break_takes_the_whole_value() -> None:
    n = ("", False)
    rows = _lattice_doc([
        [[("1", False), ("Số hóa hồ sơ", False), ("Kiểm tra, hỗ trợ tổ chức;", False), ("Sở, ban, ngành; UBND cấp huyện;", False), ("Thường xuyên", False)]],
        [
            [n, n, ("đảm bảo 100% có tài khoản.", False), ("UBND cấp xã; Bưu điện tỉnh", False), n],
            [("", True), ("", True), ("Số hóa bắt buộc.", False), ("UBND cấp xã; Bưu điện tỉnh", True), ("Quý III", False)],
        ],
    ])
    assert len(rows) == 2
    full = "Sở, ban, ngành; UBND cấp huyện; UBND cấp xã; Bưu điện tỉnh"
    assert rows[0].get("result") == "Kiểm tra, hỗ trợ tổ chức; đảm bảo 100% có tài khoản."
    assert rows[0].get("agency") == full and rows[1].get("agency") == full
    assert rows[1].get("task") == "Số hóa hồ sơ" and rows[1].get("deadline") == "Quý III"


def test_page_split_hint_does_not_join_a_fresh_subrow() -> None:
    n = ("", False)
    rows = _lattice_doc([
        [[("5", False), ("Thực hiện TTHC điện tử.", False), ("Kết nối dữ liệu.", False), ("Sở TT&TT.", False), ("Trong năm 2022", False)]],
        [[n, n, ("Tái sử dụng hồ sơ.", False), ("Sở, ban, ngành.", False), ("Thường xuyên trong năm", False)]],
    ])
    assert [(r.stt, r.get("result"), r.get("deadline")) for r in rows] == [
        ("5", "Kết nối dữ liệu.", "Trong năm 2022"), ("5", "Tái sử dụng hồ sơ.", "Thường xuyên trong năm")
    ]


def test_stt_kept_as_printed_but_for_a_trailing_dot() -> None:
    rows, _ = _assemble(
        "1.\tRà soát\tBáo cáo\tSở Tư pháp\tQuý I\n"
        "a)\tRà soát cấp huyện\tBáo cáo\tUBND cấp huyện\tQuý II\n"
        "(2)\tKiểm tra\tKết luận\tVăn phòng UBND tỉnh\tTheo kế hoạch"
    )
    assert [r.stt for r in rows] == ["1", "a)", "(2)"]


def test_page_top_list_item_goes_on_with_a_continuing_cell() -> None:
    # "Kế hoạch" + "của UBND tỉnh" plainly goes on; "Sở KH&ĐT," + "Sở Tài chính" is the same list.
    rows, _ = _assemble(
        "4\tBan hành Kế hoạch rà soát năm 2023\tKế hoạch\tSở Kế hoạch và Đầu tư,\tQuý I/2023",
        "\t\tcủa UBND tỉnh\tSở Tài chính\t",
    )
    assert _view(rows) == [
        (None, "4", "Ban hành Kế hoạch rà soát năm 2023", "Kế hoạch của UBND tỉnh",
         "Sở Kế hoạch và Đầu tư, Sở Tài chính", "Quý I/2023")
    ]
    assert rows[0].spans_pages


def test_page_top_task_with_capital_tail_goes_on_when_another_cell_does() -> None:
    rows, _ = _assemble(
        "4\tNhập, đăng tải dữ liệu TTHC lên\tDữ liệu\tVăn phòng UBND tỉnh\tChậm nhất 05 ngày làm việc kể",
        "\tCơ sở dữ liệu quốc gia về TTHC\tTTHC được công khai\t\ttừ ngày ký",
    )
    assert len(rows) == 1
    assert rows[0].get("task") == "Nhập, đăng tải dữ liệu TTHC lên Cơ sở dữ liệu quốc gia về TTHC"
    assert rows[0].get("result") == "Dữ liệu TTHC được công khai"
    assert rows[0].get("deadline") == "Chậm nhất 05 ngày làm việc kể từ ngày ký"


def test_page_top_row_holding_only_a_task_fragment_is_its_rest() -> None:
    rows, _ = _assemble(
        "2\tCông khai TTHC tại Bộ phận\tTTHC được công khai\tUBND cấp huyện\tQuý I/2024",
        "\tMột cửa và trên Cổng Dịch vụ công\t\t\t\n\t\tBảng niêm yết điện tử\t\t",
    )
    assert [(r.stt, r.get("task"), r.get("result")) for r in rows] == [
        ("2", "Công khai TTHC tại Bộ phận Một cửa và trên Cổng Dịch vụ công", "TTHC được công khai"),
        ("2", "Công khai TTHC tại Bộ phận Một cửa và trên Cổng Dịch vụ công", "Bảng niêm yết điện tử"),
    ]


def test_page_top_task_after_a_finished_task_stays_a_row() -> None:
    rows, _ = _assemble(
        "35\tThực hiện chứng thực điện tử.\tCung cấp dịch vụ.\tSở Tư pháp.\tThường xuyên",
        "\tKết nối phần mềm một cửa.\t\t\t",
    )
    assert [(r.stt, r.get("task")) for r in rows] == [("35", "Thực hiện chứng thực điện tử."), (None, "Kết nối phần mềm một cửa.")]


def test_section_word_in_the_stt_cell() -> None:
    rows, sections = _assemble("Phần I\tKIỂM SOÁT QUY ĐỊNH\t\t\t\n1\tGóp ý\tVăn bản\tSở Tư pháp\tThường xuyên")
    assert [(s.number, s.title) for s in sections] == [("I", "KIỂM SOÁT QUY ĐỊNH")]
    assert _view(rows) == [("I", "1", "Góp ý", "Văn bản", "Sở Tư pháp", "Thường xuyên")]


def test_bare_first_section_printed_as_one_is_not_a_row() -> None:
    rows, sections = _assemble(
        "1\tKiểm soát quy định\t\t\t\n1\tĐánh giá tác động\tBản đánh giá\tSở Tư pháp\tThường xuyên\n"
        "II\tCông bố\t\t\t\n2\tCông bố TTHC\tQuyết định\tVăn phòng UBND tỉnh\tQuý I"
    )
    assert [(s.number, s.title) for s in sections] == [("I", "Kiểm soát quy định"), ("II", "Công bố")]
    assert [(r.section, r.stt, r.get("task")) for r in rows] == [("I", "1", "Đánh giá tác động"), ("II", "2", "Công bố TTHC")]


def _ocr_rows(*lines: str, confidence: float | None) -> tuple[list[Row], list[Section]]:
    """Assemble TSV lines as if their cells had been read by OCR (``confidence`` set) or typed."""
    doc = parse_text(HEADER + "\n" + "\n".join(lines), "t.txt")
    (tt,), _ = find_task_tables(doc)
    for gr in tt.rows:
        gr.confidence = confidence
    return assemble(tt.rows, tt.cmap.split_agencies)


SECTIONS_MISREAD = ("I. Ban hành văn bản\t\t\t\t", "1\tBan hành kế hoạch\tKế hoạch\tVăn phòng UBND tỉnh\tQuý I",
                    "I. Kiểm soát quy định\t\t\t\t", "1\tThẩm định\tBáo cáo\tSở Tư pháp\tThường xuyên",
                    "III. Công khai\t\t\t\t", "1\tNiêm yết\tDanh mục\tSở, ban, ngành\tThường xuyên",
                    "III. Rà soát\t\t\t\t", "1\tRà soát TTHC\tBáo cáo\tSở, ban, ngành\tQuý III")


def test_ocr_section_number_misread_between_neighbours_is_renumbered() -> None:
    rows, sections = _ocr_rows(*SECTIONS_MISREAD, confidence=0.9)
    assert [s.number for s in sections] == ["I", "II", "III", "IV"]
    assert [r.section for r in rows] == ["I", "II", "III", "IV"]
    assert [(w.code, w.message) for w in rows[1].warnings] == [
        ("section_renumbered", "section number read as 'I' between its neighbours: renumbered II")]
    assert not rows[0].warnings and not rows[2].warnings


def test_typed_section_numbers_are_kept_as_printed() -> None:
    rows, sections = _ocr_rows(*SECTIONS_MISREAD, confidence=None)
    assert [s.number for s in sections] == ["I", "I", "III", "III"]
    assert [r.section for r in rows] == ["I", "I", "III", "III"]


def test_ocr_section_repeated_with_its_title_is_not_renumbered() -> None:
    rows, sections = _ocr_rows("I. Ban hành văn bản\t\t\t\t", "1\tBan hành\tKế hoạch\tSở Tư pháp\tQuý I",
                               "I. Ban hành văn bản\t\t\t\t", "2\tCông bố\tQuyết định\tSở Tư pháp\tQuý II",
                               confidence=0.9)
    assert [s.number for s in sections] == ["I", "I"]
    assert [r.section for r in rows] == ["I", "I"]
