"""Codebooks as REFI-QDA .qdc: valid against Codebook.xsd, YAML -> .qdc -> YAML keeps ids,
definitions and criteria (rules are dropped and counted), ids made from names."""

from __future__ import annotations


import pytest
from conftest import REPO, shared_path
from refi_data import write_inputs

from qualcode.codebook import load_codebook, load_codebook_text
from qualcode.core.errors import FormatError
from qualcode.exchange.refi import qdc_to_yaml, read_qdc, write_qdc
from qualcode.exchange.refi.codebook_xml import count_rules, parse_description, slug
from qualcode.exchange.refi.validate import validate_qdc

SHIPPED = sorted((REPO / "codebooks").glob("*.yaml"))


@pytest.mark.parametrize("yaml_path", SHIPPED, ids=lambda p: p.name)
def test_shipped_codebooks_validate_and_come_back_without_rules(tmp_path, yaml_path):
    book = load_codebook(yaml_path)
    qdc = tmp_path / "book.qdc"
    assert write_qdc(book, qdc) == count_rules(book) > 0
    validate_qdc(qdc, shared_path("refi-qda", "Codebook.xsd"))
    text, n = qdc_to_yaml(qdc, book.name, book.version)
    back = load_codebook_text(text, "back.yaml")
    assert n == len(book.codes)
    fields = lambda c: (c.id, c.name, c.definition, c.parent, c.include, c.exclude, c.examples)  # noqa: E731
    assert [fields(c) for c in back.codes] == [fields(c) for c in book.codes]
    assert count_rules(back) == 0


def test_small_codebook_counts_its_dropped_rules(tmp_path):
    book = load_codebook(write_inputs(tmp_path)["codebook"])
    assert write_qdc(book, tmp_path / "small.qdc") == 8   # 3 + 3 + 2 phrases
    codes, origin = read_qdc(tmp_path / "small.qdc")
    assert origin == "qualcode 0.1.0"
    assert [(c.name, c.color, [k.name for k in c.children]) for c in codes] == [
        ("Explicit expectations", "#1F77B4", ["Written agreement"]),
        ("Power differential", "#FF7F0E", ["Fear of consequences"])]


def test_description_lines_are_read_back():
    assert parse_description("Feeling safe.\r\n\r\nInclude: a\nExclude: b\nExample: c 😀\nCode id: x.y") == (
        "Feeling safe.", ["a"], ["b"], ["c 😀"], "x.y")
    assert parse_description("Just a note\nacross lines") == ("Just a note\nacross lines", [], [], [], None)


def test_ids_from_names_are_ascii_words():
    assert [slug(n) for n in ("2. Attitűd szint", "Côté humain", "😀", "ad hominem")] == [
        "c2_attitud_szint", "cote_humain", "code", "ad_hominem"]


def test_qdc_from_another_program_gets_ids_from_names_and_unique(tmp_path):
    qdc = tmp_path / "other.qdc"
    qdc.write_text('<?xml version="1.0" encoding="utf-8"?>\n'
                   '<CodeBook xmlns="urn:QDA-XML:codebook:1.0" origin="NVivo 14"><Codes>'
                   '<Code guid="11111111-1111-4111-8111-111111111111" name="Bien-être" isCodable="true">'
                   '<Description>How people feel.</Description>'
                   '<Code guid="22222222-2222-4222-8222-222222222222" name="Joie" isCodable="true"/>'
                   '<Code guid="33333333-3333-4333-8333-333333333333" name="joie!" isCodable="true"/>'
                   '</Code></Codes></CodeBook>', encoding="utf-8")
    validate_qdc(qdc, shared_path("refi-qda", "Codebook.xsd"))
    text, n = qdc_to_yaml(qdc)
    book = load_codebook_text(text, "other.yaml")
    assert (book.name, n) == ("other", 3)
    assert book.description == "Imported from other.qdc (written by NVivo 14)."
    assert [(c.id, c.name, c.definition) for c in book.codes] == [
        ("bien_etre", "Bien-être", "How people feel."),
        ("bien_etre.joie", "Joie", "No definition was given in the imported codebook."),
        ("bien_etre.joie_2", "joie!", "No definition was given in the imported codebook.")]


@pytest.mark.parametrize("content,message", [
    ("<CodeBook><Codes>", "malformed XML: Premature end of data in tag Codes line 1 (column 18)"),
    ('<Project xmlns="urn:QDA-XML:project:1.0" name="x"/>',
     "root element is <Project>, not a REFI-QDA <CodeBook>"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes/></CodeBook>', "<Codes> holds no <Code>"),
    ('<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes><Code name="a" isCodable="true"/></Codes></CodeBook>',
     "<Code> has no 'guid' attribute"),
])
def test_bad_qdc_files_are_reported_with_file_and_line(tmp_path, content, message):
    qdc = tmp_path / "bad.qdc"
    qdc.write_text(content, encoding="utf-8")
    with pytest.raises(FormatError) as err:
        read_qdc(qdc)
    assert str(err.value) == f"{qdc}, line 1: {message}"


def test_external_entities_are_not_resolved(tmp_path):
    secret = tmp_path / "secret.txt"
    secret.write_text("confidential", encoding="utf-8")
    qdc = tmp_path / "xxe.qdc"
    qdc.write_text(f'<?xml version="1.0"?><!DOCTYPE c [<!ENTITY x SYSTEM "file://{secret}">]>'
                   '<CodeBook xmlns="urn:QDA-XML:codebook:1.0"><Codes>'
                   '<Code guid="11111111-1111-4111-8111-111111111111" name="a" isCodable="true">'
                   '<Description>&x;</Description></Code></Codes></CodeBook>', encoding="utf-8")
    codes, _ = read_qdc(qdc)
    assert "confidential" not in codes[0].description
