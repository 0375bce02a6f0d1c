"""Every failure of a command becomes one ``Error: ...`` line, in one place: the top-level group.

- A library error (:class:`~qualcode.core.errors.QualcodeError`: bad input, bad state) and an
  operating-system error on a file (permission denied, disk full, a name too long) print
  ``Error: <file>: <what>`` and exit with status 1 (a
  :class:`~qualcode.core.errors.ProblemsError` lists every problem of one input, an
  ``Error:`` line each).
- A usage error (unknown option, bad option value) is click's: the usage line, a hint and
  ``Error: ...``, exit status 2.
- Anything else is a bug: one line saying so and how to see the traceback (``--debug``, or
  the environment variable ``QUALCODE_DEBUG=1``), exit status 1.  With ``--debug`` the
  exception is raised as it is, traceback and all.

An error quotes at most :data:`QUOTED_CHARS` characters of a value the user typed: a longer
value is cut wherever the message repeats it.
"""

from __future__ import annotations

import os

import click

from qualcode.core.errors import ProblemsError, QualcodeError

#: Set to 1 (or true, yes, on), it shows tracebacks as --debug does.
DEBUG_ENV = "QUALCODE_DEBUG"
#: The longest typed value an error message quotes in full.
QUOTED_CHARS = 60
#: Where the group keeps the command line it was given (``ctx.meta``).
_TYPED = "qualcode.typed"


class QualcodeGroup(click.Group):
    """The ``qualcode`` group: maps every failure below it to one ``Error:`` line."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        typed = ctx.meta[_TYPED] = list(args)  # a copy: parsing consumes ``args``
        try:
            return super().parse_args(ctx, args)
        except click.UsageError as exc:  # an unknown option of qualcode itself
            exc.message = shorten_typed(exc.message, typed)
            raise

    def invoke(self, ctx: click.Context):
        typed = ctx.meta.get(_TYPED, [])
        try:
            return super().invoke(ctx)
        except (click.exceptions.Exit, click.Abort, BrokenPipeError):
            raise  # click ends the program (a closed pipe: quietly, as click does)
        except click.ClickException as exc:  # usage errors, and errors a command raised itself
            exc.message = shorten_typed(exc.message, typed)
            raise
        except Exception as exc:
            if ctx.params.get("debug") and not _expected(exc):
                raise
            raise click.ClickException(shorten_typed(error_message(exc), typed)) from None


def _expected(exc: Exception) -> bool:
    """Bad input or bad state the user can cause (and mend), as opposed to a bug."""
    return isinstance(exc, QualcodeError) or (isinstance(exc, OSError) and bool(exc.strerror))


def error_message(exc: Exception) -> str:
    """What the ``Error:`` line says about an exception a command raised."""
    if isinstance(exc, ProblemsError):  # every problem of one input, an Error line each
        return "\nError: ".join(exc.problems)
    if isinstance(exc, QualcodeError):
        return str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return (f"{exc.filename}: " if exc.filename is not None else "") + exc.strerror
    what = " ".join(str(exc).split())
    what = f"{type(exc).__name__}: {what[:200]}" if what else type(exc).__name__
    return (f"unexpected internal error ({what}); this is a bug in qualcode: run the command again "
            f"with --debug (or {DEBUG_ENV}=1) to see the traceback, and please report it")


def shorten_typed(message: str, typed: list[str]) -> str:
    """``message`` with every value of ``typed`` longer than :data:`QUOTED_CHARS` cut short.

    A value is a whole argument, the part after ``=`` of ``--option=value``, or one piece of
    a comma- or ``=``-separated list (``--coders a,b``, ``--coder-map 'x=y'``), as typed or
    in lower case (roles are compared without case).  A path (with a folder, or naming a
    file that exists) stays whole: the error names its file."""
    values: set[str] = set()
    for arg in typed:
        pieces = {arg, *arg.split(","), *(part for piece in arg.split(",") for part in piece.split("="))}
        values |= pieces | {piece.casefold() for piece in pieces}
    long = (v for v in values if len(v) > QUOTED_CHARS and not _names_a_file(v))
    for value in sorted(long, key=len, reverse=True):
        short = value[:QUOTED_CHARS - 3] + "..."
        message = message.replace(repr(value), repr(short)).replace(value, short)
    return message


def _names_a_file(value: str) -> bool:
    if os.sep in value or (os.altsep and os.altsep in value):
        return True
    try:
        return os.path.lexists(value)
    except (OSError, ValueError):
        return False
