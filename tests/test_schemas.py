"""The output contract: checked-in schemas/ must equal what the models generate (drift check)."""

from pathlib import Path

import pytest

from tthc_extract.schemas import all_schemas, render

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"


@pytest.mark.parametrize("name", sorted(all_schemas()))
def test_checked_in_schema_matches_models(name: str) -> None:
    path = SCHEMAS / name
    assert path.exists(), f"schemas/{name} missing: run `make schemas`"
    assert path.read_text(encoding="utf-8") == render(all_schemas()[name]), (
        f"schemas/{name} is out of date with the models: if the change is deliberate run `make schemas`"
    )


def test_frame_categories_are_the_deadline_kinds() -> None:
    from typing import get_args

    from tthc_extract.model.columns import CATEGORIES
    from tthc_extract.model.plan import DeadlineKind

    assert CATEGORIES["deadline_kind"] == get_args(DeadlineKind)
