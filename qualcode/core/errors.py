"""One exception family for everything a researcher can get wrong.

Every error carries the file (and line, where it makes sense) it is about, so
the command line can print a single ``Error: ...`` line that names it.
"""

from __future__ import annotations

from pathlib import Path


class QualcodeError(Exception):
    """Base of all errors the library raises on bad input or bad state."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None):
        self.message = message
        self.path = str(path) if path is not None else None
        self.line = line
        super().__init__(self.__str__())

    def __str__(self) -> str:
        where = ""
        if self.path is not None:
            where = self.path
            if self.line is not None:
                where += f", line {self.line}"
            where += ": "
        return where + self.message


class InputError(QualcodeError):
    """A transcript, manifest, speakers or codings file cannot be read."""


class FormatError(InputError):
    """A file is readable but does not follow the format it claims to be."""


class ProjectError(QualcodeError):
    """The project file is missing, unreadable, locked or of another schema."""


class CodebookError(QualcodeError):
    """A codebook is invalid.  ``problems`` lists every problem found."""

    def __init__(self, message: str, path: str | Path | None = None, line: int | None = None,
                 problems: list["QualcodeError"] | None = None):
        self.problems = list(problems or [])
        super().__init__(message, path, line)


class ParameterError(QualcodeError):
    """A parameter is out of its range or of the wrong kind (a count below its minimum)."""


class SelectionError(QualcodeError):
    """A filter or selection matched nothing (unknown code, role, document)."""


class ModelError(QualcodeError):
    """A model file is untrusted, tampered with or does not fit the codebook."""


class ProblemsError(InputError):
    """Several problems with one input, all found before anything is written and reported
    together: ``problems`` holds one complete line each (file, row and what is wrong), and
    the command line prints each as an ``Error:`` line of its own."""

    def __init__(self, problems: list[str], path: str | Path | None = None):
        self.problems = list(problems)
        super().__init__("\n".join(self.problems))
        self.path = str(path) if path is not None else None

    def __str__(self) -> str:
        return "\n".join(self.problems)


class LLMError(QualcodeError):
    """The LLM endpoint is refused (not on this machine), unreachable, or rejects the requests."""
