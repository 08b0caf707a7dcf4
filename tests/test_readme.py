"""The README's examples are kept true: every `$ scorecard ...` line runs and succeeds."""

from __future__ import annotations

import re
import shlex
import shutil

from conftest import ROOT

from scorecard.cli import main

COMMANDS = re.findall(r"^\$ scorecard (.+)$", (ROOT / "README.md").read_text(), re.M)


def test_the_readme_has_examples_and_the_two_command_quick_start():
    text = (ROOT / "README.md").read_text()
    assert len(COMMANDS) >= 5
    quick = text.split("## Quick start", 1)[1].split("##", 1)[0]
    assert re.findall(r"^make (\w+)", quick, re.M) == ["run", "test"]


def test_readme_commands_succeed_in_order(tmp_path, monkeypatch, capsys):
    # In one folder, in order, as a reader would type them (export, then reproduce...).
    for folder in ("criteria", "vendors"):
        shutil.copytree(ROOT / folder, tmp_path / folder)
    monkeypatch.chdir(tmp_path)
    for command in COMMANDS:
        assert main(shlex.split(command)) == 0, (command, capsys.readouterr().err)
