"""Settings read a `.env` file; variables already in the environment win."""

from __future__ import annotations

import os

from sladesk.settings import load_env_file


def test_a_env_file_fills_unset_variables_only(tmp_path, monkeypatch):
    env = tmp_path / ".env"
    env.write_text(
        "# comment\n"
        "SLADESK_TEST_A=one\n"
        "export SLADESK_TEST_B='two words'\n"
        'SLADESK_TEST_C="already set"\n'
        "not a setting\n",
        encoding="utf-8",
    )
    monkeypatch.delenv("SLADESK_TEST_A", raising=False)
    monkeypatch.delenv("SLADESK_TEST_B", raising=False)
    monkeypatch.setenv("SLADESK_TEST_C", "from the environment")

    load_env_file(env)

    assert os.environ["SLADESK_TEST_A"] == "one"
    assert os.environ["SLADESK_TEST_B"] == "two words"
    assert os.environ["SLADESK_TEST_C"] == "from the environment"
    monkeypatch.delenv("SLADESK_TEST_A")
    monkeypatch.delenv("SLADESK_TEST_B")
