"""Every tuned number and table the stages use, each in one JSON file here, read by one loader.

Files: `cluster.json` (story clustering settings), `background.json` (document frequencies
the clusterer starts from), `timeline.json` (date and sentence selection), `lines.json`
(the line classifier of the text cleaner), `dates.json` (how publication-date candidates are
weighed), `extract.json` (lexicons for entities and quotes).
The code's defaults are these files: a test checks that they agree.
"""

from __future__ import annotations

import functools
import json
from importlib import resources
from pathlib import Path
from typing import Any


@functools.cache
def _text(name: str) -> str:
    return resources.files(__name__).joinpath(f"{name}.json").read_text("utf-8")


def load(name: str) -> Any:
    """The shipped `weights/<name>.json`, parsed afresh (callers may change their copy)."""
    return json.loads(_text(name))


def path(name: str) -> Path:
    """Where `weights/<name>.json` lives in a source checkout (for the benchmarks that rewrite one)."""
    return Path(__file__).resolve().parent / f"{name}.json"
