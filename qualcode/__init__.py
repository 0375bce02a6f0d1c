"""qualcode: code focus-group transcripts with transparent rules and models.

The library is usable from a notebook; the ``qualcode`` command only chains
these functions.  Nothing in the library prints or exits.
"""

__version__ = "0.1.0"
