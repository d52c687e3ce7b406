"""The test tree itself: pytest imports each test file by its base name (the test folders are
not packages), so two files with the same name in different folders stop the whole run at
collection."""

from __future__ import annotations

from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def test_no_two_test_files_share_a_name():
    folders: dict[str, list[str]] = defaultdict(list)
    for path in TESTS.rglob("test_*.py"):
        folders[path.name].append(str(path.parent.relative_to(TESTS)))

    shared = {name: sorted(where) for name, where in folders.items() if len(where) > 1}

    assert shared == {}
