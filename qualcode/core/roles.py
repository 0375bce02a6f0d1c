"""The speaker roles qualcode itself gives a meaning to; any other role (scholar, mentor,
site lead...) is the study's own word and means only what the user says.

- ``facilitator``: the person running the group.  Their turns are never coded by a machine,
  sent to an LLM, reviewed or counted as participants' talk.
- ``unidentified``: several voices at once, or a voice nobody could name (``ALL``,
  ``UNKNOWN FEMALE``, ``TODOS``).  Counts and the LLM leave them out unless asked.
"""

FACILITATOR = "facilitator"
UNIDENTIFIED = "unidentified"
