"""REFI-QDA exchange: projects (``.qdpx``) and codebooks (``.qdc``) for NVivo, ATLAS.ti,
MAXQDA, QualCoder and Taguette (Taguette's own highlights files: :mod:`qualcode.exchange.taguette`).

    >>> from qualcode.exchange.refi import export_qdpx, import_qdpx
    >>> export_qdpx(project, "study.qdpx")                         # doctest: +SKIP
    >>> import_qdpx(fresh, "from_nvivo.qdpx", coder_map={"Gergo": "ana"})  # doctest: +SKIP

Modules: :mod:`~qualcode.exchange.refi.ids` (stable GUIDs), :mod:`~qualcode.exchange.refi.positions`
(character counting), :mod:`~qualcode.exchange.refi.codebook_xml` (codes, .qdc, YAML, CSV),
:mod:`~qualcode.exchange.refi.project_export`, :mod:`~qualcode.exchange.refi.qde_reader`,
:mod:`~qualcode.exchange.refi.project_import` (with :mod:`~qualcode.exchange.refi.archive`: the file
and its source texts, :mod:`~qualcode.exchange.refi.sources`: every source checked before
writing, :mod:`~qualcode.exchange.refi.documents`: documents and turns), :mod:`~qualcode.exchange.refi.turns`,
:mod:`~qualcode.exchange.refi.validate` (XSD).
"""

from qualcode.exchange.refi.codebook_xml import qdc_to_yaml, read_qdc, write_codebook_csv, write_qdc
from qualcode.exchange.refi.project_export import QdpxSummary, export_qdpx
from qualcode.exchange.refi.project_import import QdpxImport, import_qdpx, parse_coder_map, read_qdpx

__all__ = ["export_qdpx", "import_qdpx", "read_qdpx", "parse_coder_map", "write_qdc", "read_qdc",
           "qdc_to_yaml", "write_codebook_csv", "QdpxSummary", "QdpxImport"]
