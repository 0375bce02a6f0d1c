"""The LLM tagger: codes each participant turn by asking a model the researcher runs.

- :mod:`~qualcode.tagging.llm.client`: the OpenAI-compatible endpoint (loopback only unless
  allowed), retries and the ``response_format`` fallback;
- :mod:`~qualcode.tagging.llm.prompt`: the system part from the codebook, one message per turn;
- :mod:`~qualcode.tagging.llm.validate`: the answer contract, unknown codes and quotes checked
  against the turn;
- :mod:`~qualcode.tagging.llm.cache`: requests and answers kept in the project;
- :mod:`~qualcode.tagging.llm.tagger`: the turns through all of these, several in flight.
"""
