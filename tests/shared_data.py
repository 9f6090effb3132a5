"""Access to ../shared/data: other projects' real files, read in place, never copied.

A fresh clone without shared/ skips these tests; under CI (CI=true) a missing
file is a failure, never a skip.
"""

import os
from pathlib import Path

import pytest

SHARED_DATA = Path(
    os.environ.get(
        "SHARED_DATA_DIR", Path(__file__).resolve().parents[1].parent / "shared" / "data"
    )
)


def shared_data(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        message = f"shared data not found: {path}"
        if os.environ.get("CI"):
            pytest.fail(message)
        pytest.skip(message)
    return path
