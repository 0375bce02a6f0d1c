"""REFI-QDA and Taguette exchange: export qdpx|qdc|codebook-csv, import qdpx|taguette-highlights,
codebook convert|import."""

from __future__ import annotations

from pathlib import Path

import click

from qualcode.cli.base import (any_output, cli, codebook, existing_file, export, open_project_file,
                               project_argument, real_names_option)
from qualcode.cli.params import OutputFile
from qualcode.core.files import QDPX_SUFFIXES


@cli.group("import")
def import_():
    """Bring work from other QDA programs into a project (REFI-QDA .qdpx, Taguette).

    Example: qualcode import qdpx study.qcproj from_nvivo.qdpx --coder-map 'Gergo=ana'
    """


@export.command("qdpx")
@project_argument
@click.option("-o", "--output", required=True, type=OutputFile(QDPX_SUFFIXES), help="The .qdpx file to write.")
@click.option("--codebook", "codebook_name", help="Only this codebook's codes and codings (default: all).")
@click.option("--include-rejected", is_flag=True, help="Also export codings marked rejected.")
@click.option("--schema", type=existing_file,
              help="Validate project.qde against this XSD (Project-mrt2019.xsd) before keeping the file.")
@real_names_option
def export_qdpx_cmd(project, output, codebook_name, include_rejected, schema, real_names):
    """Write a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder.

    Sources with their plain text, codes, codings by coder, and one case per
    participant with its role; GUIDs are stable, so a re-export updates.
    Speakers appear as participant id and role ('S01 (scholar): ' at the start
    of each turn in the sources' text, and in the turns' names) unless
    --real-names; such a file still comes back onto this project's text.

    Example: qualcode export qdpx study.qcproj -o study.qdpx
    """
    from qualcode.exchange.refi import export_qdpx

    statuses = ("suggested", "accepted", "rejected") if include_rejected else ("suggested", "accepted")
    with open_project_file(project) as proj:
        s = export_qdpx(proj, output, codebook=codebook_name, statuses=statuses, schema=schema,
                        real_names=real_names)
    click.echo(f"wrote {output}: {s.sources} sources, {s.codes} codes, {s.codings} codings on "
               f"{s.selections} selections, {s.users} users, {s.cases} cases")


def _write_codebook(source: Path, codebook_name: str | None, output: Path) -> str:
    from qualcode.exchange.refi.codebook_xml import codebook_source, write_codebook_as

    n, rules = write_codebook_as(output, *codebook_source(source, codebook_name))
    note = f" ({rules} rules dropped: {output.suffix.lower()} has no place for them; keep the YAML)" \
        if rules else ""
    return f"wrote {output}: {n} codes{note}"


@export.command("qdc")
@click.argument("source", type=existing_file)
@click.option("-o", "--output", required=True, type=OutputFile((".qdc",)), help="The .qdc file to write.")
@click.option("--codebook", "codebook_name", help="Which codebook of a project (default: the latest added).")
def export_qdc_cmd(source, output, codebook_name):
    """Write a REFI-QDA codebook (.qdc) from a project or a YAML codebook.

    Rules are dropped (the .qdc schema has no place for them).

    Example: qualcode export qdc codebooks/mentoring_expectations.yaml -o codebook.qdc
    """
    click.echo(_write_codebook(source, codebook_name, output))


@export.command("codebook-csv")
@click.argument("source", type=existing_file)
@click.option("-o", "--output", required=True, type=OutputFile((".csv",)), help="The .csv file to write.")
@click.option("--codebook", "codebook_name", help="Which codebook of a project (default: the latest added).")
def export_codebook_csv_cmd(source, output, codebook_name):
    """Write a codebook as CSV (tag, description), the file Taguette's codebook import reads.

    Example: qualcode export codebook-csv codebooks/mentoring_expectations.yaml -o codebook.csv
    """
    click.echo(_write_codebook(source, codebook_name, output))


@codebook.command("convert")
@click.argument("source", type=existing_file)
@click.argument("output", type=any_output)
@click.option("--name", help="Codebook name when converting .qdc to YAML (default: the file name).")
def codebook_convert(source, output, name):
    """Convert a codebook: YAML to .qdc or .csv, or .qdc to YAML.

    Example: qualcode codebook convert codebooks/mentoring_expectations.yaml codebook.qdc
    """
    if source.suffix.lower() == ".qdc":
        click.echo(_qdc_to_yaml(source, output, name))
    else:
        click.echo(_write_codebook(source, None, output))


def _qdc_to_yaml(source: Path, output: Path, name: str | None) -> str:
    from qualcode.exchange.refi.codebook_xml import convert_qdc_to_yaml

    n = convert_qdc_to_yaml(source, output, name)
    return f"wrote {output}: {n} codes (no rules: add them to use the rule tagger)"


@codebook.command("import")
@click.argument("source", type=existing_file)
@click.option("-o", "--output", required=True, type=any_output, help="The YAML codebook to write.")
@click.option("--name", help="Codebook name (default: the file name).")
def codebook_import(source, output, name):
    """Turn a REFI-QDA codebook (.qdc, e.g. from NVivo or Taguette) into a YAML codebook.

    Example: qualcode codebook import codebook.qdc -o codebook.yaml
    """
    click.echo(_qdc_to_yaml(source, output, name))


@import_.command("qdpx")
@project_argument
@click.argument("file", type=existing_file)
@click.option("--coder-map", help="Rename users to coders: 'NVivo user=ana,Other user=bo'.")
@click.option("--role-variable", default="role", show_default=True,
              help="Case/source variable that holds a speaker's or document's role.")
@click.option("--codebook-name", help="Name of the codebook made from the file's codes "
                                      "(default: the project name in the file).")
@click.option("--positions", "units", type=click.Choice(["auto", "codepoints", "utf16"]), default="auto",
              show_default=True, help="How the file counts characters (auto: detect per source).")
def import_qdpx_cmd(project, file, coder_map, role_variable, codebook_name, units):
    """Import sources, codes and codings of a REFI-QDA project (.qdpx or .qde).

    Codings become human coders' codings (ready for agreement and training).
    Nothing is imported if any source, position or code reference is wrong.

    Example: qualcode import qdpx study.qcproj from_nvivo.qdpx --coder-map 'Gergo=ana'
    """
    from qualcode.exchange.refi import import_qdpx, parse_coder_map

    mapping = parse_coder_map(coder_map)
    with open_project_file(project, create=True) as proj:  # a failed import leaves no new project
        r = import_qdpx(proj, file, coder_map=mapping, role_variable=role_variable,
                        codebook_name=codebook_name, units=units)
    click.echo(f"imported {file}" + (f" (written by {r.origin})" if r.origin else "") + ":")
    click.echo(f"  documents: {len(r.documents_added)} added ({r.turns} turns), "
               f"{len(r.documents_reused)} already in the project")
    for name, n in r.codebooks.items():
        click.echo(f"  codebook: {name} ({n} codes)")
    for coder, n in sorted(r.codings.items()):
        click.echo(f"  coder {coder}: {n} codings")
    if r.replaced:
        click.echo(f"  replaced {r.replaced} earlier codings of the same coders")
    utf16 = sorted(d for d, u in r.units.items() if u == "utf16")
    if utf16:
        click.echo(f"  positions read as UTF-16 code units in: {', '.join(utf16)}")
    for kind, n in sorted(r.skipped.items()):
        click.echo(f"  skipped {n} {kind}" + ("" if kind.startswith("codings") else " (not text)"))


@import_.command("taguette-highlights")
@project_argument
@click.argument("file", type=existing_file)
@click.option("--coder", required=True, help="Whose highlights these are (a human coder's name).")
@click.option("--codebook", "codebook_name",
              help="Codebook whose codes the tags name (default: the latest added).")
def import_taguette_cmd(project, file, coder, codebook_name):
    """Import a Taguette highlights export (CSV/XLSX: id, document, tag, content) as codings.

    Example: qualcode import taguette-highlights study.qcproj highlights.csv --coder ana
    """
    from qualcode.exchange.taguette import import_highlights

    with open_project_file(project) as proj:
        r = import_highlights(proj, file, coder, codebook=codebook_name)
    click.echo(f"imported {r.codings} codings by {r.coder} with codebook {r.codebook}"
               + (f", replaced {r.replaced}" if r.replaced else "")
               + (f", skipped {r.untagged} untagged highlights" if r.untagged else ""))
