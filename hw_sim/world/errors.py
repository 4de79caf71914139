"""The one error the world's data raises: which file, which field, what is wrong."""

from __future__ import annotations

from pathlib import Path


class WorldDataError(ValueError):
    """A data file of the simulated world is malformed or inconsistent."""

    def __init__(self, file: Path | str, field: str, problem: str) -> None:
        self.file = str(file)
        self.field = field
        self.problem = problem
        where = f"{self.file}: {field}" if field else self.file
        super().__init__(f"{where}: {problem}")
