"""The typed client: a command is a typed dataclass, so a caller's mistake fails the type
check before anything runs (the gateway, like every caller, builds commands this way)."""

from __future__ import annotations

from pathlib import Path

from mypy import api

ROOT = Path(__file__).resolve().parents[2]


def type_check(tmp_path: Path, source: str) -> str:
    snippet = tmp_path / "caller.py"
    snippet.write_text(source, encoding="utf-8")
    out, _err, _status = api.run(
        [
            "--strict",
            "--follow-imports=silent",
            "--cache-dir",
            str(ROOT / ".mypy_cache"),
            "--config-file",
            str(ROOT / "pyproject.toml"),
            str(snippet),
        ]
    )
    return out


CALLER = """
from shared.contracts.recruitment.commands import ScreenStudent
from shared.kit.client import CommandSender

def screen(sender: CommandSender) -> object:
    return sender.send({command}, {{"actor": "operator:x", "correlation_id": "c"}})
"""


def test_a_well_formed_command_passes_the_type_check(tmp_path: Path) -> None:
    good = 'ScreenStudent(student_id="s", decision="approved", reason="fits")'
    assert "Success" in type_check(tmp_path, CALLER.format(command=good))


def test_a_misspelt_argument_fails_the_type_check(tmp_path: Path) -> None:
    misspelt = 'ScreenStudent(student_id="s", decison="approved", reason="fits")'
    out = type_check(tmp_path, CALLER.format(command=misspelt))
    assert 'Unexpected keyword argument "decison"' in out


def test_a_missing_argument_fails_the_type_check(tmp_path: Path) -> None:
    out = type_check(tmp_path, CALLER.format(command='ScreenStudent(student_id="s", reason="x")'))
    assert 'Missing named argument "decision"' in out


def test_an_argument_of_the_wrong_type_fails_the_type_check(tmp_path: Path) -> None:
    wrong = 'ScreenStudent(student_id="s", decision=True, reason="fits")'
    out = type_check(tmp_path, CALLER.format(command=wrong))
    assert 'Argument "decision" to "ScreenStudent" has incompatible type "bool"' in out


def test_a_method_name_instead_of_a_command_fails_the_type_check(tmp_path: Path) -> None:
    out = type_check(tmp_path, CALLER.format(command='"screen_student"'))
    assert 'incompatible type "str"; expected "Command"' in out
