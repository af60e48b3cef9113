"""What a module and a topic of the exam-only bank share: a content file of questions."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path


@dataclass
class Questions:
    """A content file of questions (a module, or a topic of the exam-only bank): its items, scenarios and
    reflections as written."""

    data: dict
    file: Path

    def items(self) -> list[dict]:
        return self.data.get("items", [])

    def scenarios(self) -> list[dict]:
        return self.data.get("scenarios", [])

    def reflections(self) -> list[dict]:
        return self.data.get("reflections", [])
