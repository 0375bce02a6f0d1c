"""The project store: one SQLite file holding documents, turns, speakers, codebooks and codings.

``open_project(path)`` opens (or creates) it; :class:`~qualcode.store.project.Project`
is the handle every library function takes.
"""

from qualcode.store.project import Project, count_words, open_project

__all__ = ["Project", "count_words", "open_project"]
