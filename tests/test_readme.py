"""The README's examples are true: every `console` block is run, and its output is what it shows.

A block's lines that start with `$ ` are commands, run by bash in order in one scratch folder
(so a block can build on the one before); the lines up to the next command are what the
command prints on stdout. After a deliberate change of output, rewrite the blocks from a real run:

    .venv/bin/python tests/test_readme.py --write
"""

from __future__ import annotations

import os
import re
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

README = Path(__file__).resolve().parents[1] / "README.md"
BLOCK = re.compile(r"^```console\n(.*?)^```$", re.M | re.S)
BIN = Path(sys.executable).parent
WIDTH = "110"  # rich draws tables to the terminal's width


def commands(block: str) -> list[tuple[str, str]]:
    """(command, expected stdout) pairs of a console block."""
    pairs: list[tuple[str, str]] = []
    for line in block.splitlines(keepends=True):
        if line.startswith("$ "):
            pairs.append((line[2:].rstrip("\n"), ""))
        elif pairs:
            pairs[-1] = (pairs[-1][0], pairs[-1][1] + line)
    return pairs


def run(command: str, folder: Path) -> str:
    """The command as a user's shell runs it, with this environment's `dateline` first on the PATH."""
    env = {
        **os.environ,
        "COLUMNS": WIDTH,
        "NO_COLOR": "1",
        "TERM": "dumb",
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
    }
    env.pop("DATELINE_DB", None)
    done = subprocess.run(
        ["bash", "-o", "pipefail", "-c", command], cwd=folder, env=env, capture_output=True, text=True, timeout=600
    )
    assert done.returncode == 0, f"{command}: exit {done.returncode}\n{done.stderr}"
    return done.stdout


def results(text: str) -> list[tuple[str, str, str]]:
    """(command, shown, printed) for every command of the README, run in one scratch folder."""
    with tempfile.TemporaryDirectory(prefix="dateline-readme-") as scratch:
        return [
            (command, shown, run(command, Path(scratch)))
            for block in BLOCK.findall(text)
            for command, shown in commands(block)
        ]


@pytest.fixture(scope="module")
def readme_runs() -> list[tuple[str, str, str]]:
    return results(README.read_text("utf-8"))


def test_the_readme_has_examples(readme_runs):
    assert len(readme_runs) >= 5
    assert any(command.startswith("dateline timeline") for command, _, _ in readme_runs)


def test_every_example_prints_what_the_readme_shows(readme_runs):
    wrong = [(command, shown, printed) for command, shown, printed in readme_runs if shown != printed]
    assert not wrong, "README out of date (rewrite with: .venv/bin/python tests/test_readme.py --write)\n" + "\n".join(
        f"$ {c}\n--- shown\n{s}--- printed\n{p}" for c, s, p in wrong[:3]
    )


def write() -> None:
    """Rewrite every console block's outputs from a real run."""
    text = README.read_text("utf-8")
    printed = iter(results(text))

    def block(match: re.Match) -> str:
        lines = []
        for command, _ in commands(match.group(1)):
            _, _, output = next(printed)
            lines.append(f"$ {command}\n{output}")
        return "```console\n" + "".join(lines) + "```"

    README.write_text(BLOCK.sub(block, text), "utf-8")


if __name__ == "__main__":
    if sys.argv[1:] != ["--write"]:
        sys.exit(__doc__)
    write()
