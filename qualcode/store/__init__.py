"""The project store: one SQLite file holding documents, turns, speakers, codebooks and codings.

``open_project(path)`` opens (or creates) it; :class:`~qualcode.store.project.Project`
is the handle every library function takes.  The write side is ``project`` (with the
tables in ``schema``); the read side is ``frames`` (whole tables as pandas frames) and
``queries`` (the aggregates and streams the analyses read).
"""

from qualcode.store.project import Project, count_words, open_project

__all__ = ["Project", "count_words", "open_project"]
