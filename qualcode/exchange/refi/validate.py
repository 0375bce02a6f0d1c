"""Check REFI-QDA files against the official XML schemas (lxml / libxml2's XSD validator).

The schemas are not shipped with qualcode (they are REFI's, MIT-licensed); pass
their path: ``Project-mrt2019.xsd`` for ``project.qde``, ``Codebook.xsd`` for ``.qdc``.
"""

from __future__ import annotations

import zipfile
from functools import lru_cache
from pathlib import Path

from lxml import etree

from qualcode.core.errors import FormatError, InputError
from qualcode.exchange.refi.qde_reader import safe_parser


@lru_cache(maxsize=4)
def load_schema(path: str) -> etree.XMLSchema:
    try:
        return etree.XMLSchema(etree.parse(path, safe_parser()))
    except (OSError, etree.XMLSyntaxError, etree.XMLSchemaParseError) as exc:
        raise InputError(f"cannot read XML schema: {exc}", path) from None


def validate_xml(data: bytes, schema: str | Path, shown_as: str) -> None:
    """Raise FormatError with the first schema violation (line and message)."""
    xsd = load_schema(str(schema))
    doc = etree.fromstring(data, safe_parser())
    if not xsd.validate(doc):
        error = xsd.error_log[0]
        n = len(xsd.error_log)
        more = f" ({n - 1} more)" if n > 1 else ""
        raise FormatError(f"not valid against {Path(schema).name}: {error.message}{more}", shown_as,
                          error.line)


def validate_qdpx(path: str | Path, schema: str | Path, shown_as: str | Path | None = None) -> None:
    with zipfile.ZipFile(path) as zf:
        data = zf.read("project.qde")
    validate_xml(data, schema, f"{shown_as or path}:project.qde")


def validate_qdc(path: str | Path, schema: str | Path) -> None:
    validate_xml(Path(path).read_bytes(), schema, str(path))
