"""The one analysis engine on the shipped sample study, coded by the rules and by hand:
counts are the quote table's rows counted, quotes come sorted and filtered as asked, the
streamed and the in-memory writers give the same files, and no whole table is read."""

from __future__ import annotations

import csv
import filecmp
import zipfile

import pandas as pd
import pytest
from openpyxl import load_workbook

from conftest import SAMPLE, whole_tables_refused
from projects import build_project
from qualcode.analysis import CodeTree, compare_groups, counts_by, excerpts_table, select_codings
from qualcode.analysis.excerpts import iter_excerpts
from qualcode.analysis.quotes import QuoteContext
from qualcode.codebook import load_codebook
from qualcode.core.errors import SelectionError
from qualcode.exchange.sheets import import_codings
from qualcode.export.excerpts import write_excerpts
from qualcode.store.frames import segments_frame
from qualcode.store.project import Project, open_project
from qualcode.store.queries import ROLE_ORDER, document_names
from qualcode.workflows.code import code_project
from qualcode.workflows.ingest import ingest

CODEBOOK = SAMPLE.parent / "codebooks" / "mentoring_expectations.yaml"


@pytest.fixture(scope="module")
def sample(tmp_path_factory):
    """The sample study (six transcripts), rule-coded, with the hand coding of four as 'gold'."""
    path = tmp_path_factory.mktemp("sample") / "sample.qcproj"
    book = load_codebook(CODEBOOK)
    with open_project(path, create=True) as project:
        ingest(project, manifest=SAMPLE / "manifest.csv", speakers=SAMPLE / "speakers.csv")
        code_project(project, book, "rules")
        import_codings(project, SAMPLE / "gold_tuning.csv", coder="gold", codebook=book)
    return path


@pytest.fixture
def project(sample):
    with open_project(sample) as opened:
        yield opened


def outcome(call):
    """The result of ``call()``, or its error as text."""
    try:
        return call()
    except SelectionError as exc:
        return f"SelectionError: {exc}"


def counted_from_quotes(quotes: pd.DataFrame, groups: pd.Series, tree: CodeTree, rollup: bool) -> dict:
    """(code, group) -> (mentions, turns, participants, documents), counted from the quote table
    (``groups``: each quote's group)."""
    groups = groups.where(groups.notna() & (groups.astype(str) != ""), "(none)")
    quotes = quotes.assign(_group=groups.astype(str))
    out = {}
    for code in tree.display_order:
        counted = tree.descendants(code) if rollup else [code]
        for key, rows in quotes[quotes["code"].isin(counted)].groupby("_group"):
            out[(code, key)] = (len(set(zip(rows["document"], rows["start"], rows["end"]))),
                                len(set(zip(rows["document"], rows["turn"]))),
                                rows["participant"].nunique(), rows["document"].nunique())
    return out


@pytest.mark.parametrize("by", ["role", "site", "group", "document", "participant"])
def test_counts_are_the_quote_table_counted(project, by):
    """Every figure of counts_by (SQL aggregates) equals the same units counted in the quote
    table of coded spans (one sorted stream) and in the turns, for every coder, option and
    grouping."""
    turns = segments_frame(project, include_facilitators=True)
    attributes = {"site": dict(zip(*_documents_with(project, "site"))),
                  "group": dict(zip(*_documents_with(project, "group")))}
    tables = 0
    for coder in ("rules", "gold", "all"):
        for options in ({}, {"rollup": False}, {"total": True}, {"include_facilitators": True},
                        {"status": ("suggested",)}):
            counts = outcome(lambda: counts_by(project, by, coder=coder, **options))
            if isinstance(counts, str):
                assert (coder, options) == ("gold", {"status": ("suggested",)})
                assert counts == ("SelectionError: no codings by coder 'gold' in codebook Mentoring "
                                  "expectations 1.0 with status suggested; coders: rules")
                continue
            tables += 1
            selection = select_codings(project, coder=coder, status=options.get("status"))
            tree = CodeTree.for_selection(project, selection)
            quotes = excerpts_table(project, coder=coder, status=options.get("status"), real_names=True,
                                    include_facilitators=options.get("include_facilitators", False),
                                    context=QuoteContext("coded"))
            counted = turns[turns["role"] != "unidentified"]
            if not options.get("include_facilitators"):
                counted = counted[counted["role"] != "facilitator"]
            if by in attributes:
                quotes = quotes.assign(**{by: quotes["document"].map(attributes[by])})
                counted = counted.assign(**{by: counted["document"].map(attributes[by])})
            rollup = options.get("rollup", True)
            expected = counted_from_quotes(quotes, quotes[by], tree, rollup)
            if options.get("total"):
                expected.update(counted_from_quotes(quotes, pd.Series("all", quotes.index), tree, rollup))
            got = counts.set_index(["code", "group"])
            for key, row in got.iterrows():
                assert (row["mentions"], row["turns"], row["participants"], row["documents"]) == \
                    expected.get(key, (0, 0, 0, 0)), (coder, options, key)
            assert (got["share"] == got["turns"] / got["group_turns"]).all()
            group_turns = counted[by].fillna("(none)").value_counts().to_dict()
            if options.get("total"):
                group_turns["all"] = len(counted)
            assert got.groupby("group")["group_turns"].first().to_dict() == group_turns
            assert list(counts["code"].unique()) == tree.display_order
    assert tables == 14   # gold has no suggested codings: that selection is an error


def _documents_with(project: Project, attribute: str) -> tuple[list[str], list[str]]:
    from qualcode.store.frames import documents_frame

    documents = documents_frame(project)
    return documents["document"].tolist(), documents[attribute].fillna("").tolist()


def test_counts_on_the_sample_are_real_numbers(project):
    counts = counts_by(project, "role", coder="gold").set_index(["code", "group"])
    # the hand coding covers two scholar and two mentor groups; every theme is raised by both
    themes = counts.loc[counts["depth"] == 0]
    assert set(themes.index.get_level_values("group")) == {"scholar", "mentor"}   # no unidentified voice
    with_all = counts_by(project, "role", coder="gold", include_unidentified=True)
    assert set(with_all["group"]) == {"scholar", "mentor", "unidentified"}
    assert (themes.xs("scholar", level="group")["turns"] > 0).all()
    # a parent counts its subcodes' turns: never fewer than any child's
    tools = counts.xs("tools", level="code")["turns"]
    assert (tools >= counts.xs("tools.types", level="code")["turns"]).all()


def test_compare_reads_the_counts_of_its_two_groups(project):
    for coder in ("rules", "gold"):
        assert outcome(lambda: compare_groups(project, by="site", coder=coder)) == (
            "SelectionError: choose the two site values to compare with --a and --b; site values: "
            "Lakeshore, Northfield, Riverbend")
        for options in ({}, {"unit": "participants"}, {"correction": "bh"},
                        {"by": "site", "a": "Riverbend", "b": "Lakeshore"}):
            table = compare_groups(project, coder=coder, **options).set_index("code")
            by = options.get("by", "role")
            counts = counts_by(project, by, coder=coder).set_index(["code", "group"])
            a, b = table["a"].iloc[0], table["b"].iloc[0]
            assert (a, b) == (options.get("a", "scholar"), options.get("b", "mentor"))
            units, totals = (("participants", "group_participants") if options.get("unit") == "participants"
                             else ("turns", "group_turns"))
            for side, group in (("a", a), ("b", b)):
                assert table[f"{side}_units"].tolist() == counts.xs(group, level="group")[units].tolist()
                assert table[f"{side}_total"].tolist() == counts.xs(group, level="group")[totals].tolist()
            assert table.attrs["correction"] == options.get("correction", "holm")


def sort_keys(table: pd.DataFrame, tree: CodeTree, documents: list[str], sort: str) -> list[tuple]:
    """Each row's key in the order asked for (ties keep the stored order)."""
    position = {c: i for i, c in enumerate(tree.display_order)}
    keys = []
    for r in table.itertuples(index=False):
        code, theme, doc = position[r.code], position[tree.theme(r.code)], documents.index(r.document)
        role = (ROLE_ORDER.index(r.role) if r.role in ROLE_ORDER else len(ROLE_ORDER), r.role)
        keys.append({"code": (theme, code, doc, r.start, r.end), "document": (doc, r.start, r.end, code),
                     "participant": (r.participant, doc, r.start, code),
                     "role": (*role, theme, code, doc, r.start)}[sort])
    return keys


@pytest.mark.parametrize("sort", ["code", "document", "participant", "role"])
def test_quotes_come_sorted_and_filtered_as_asked(project, sort):
    documents = document_names(project)
    for options in ({"coder": "rules"}, {"coder": "all"}, {"coder": "gold", "real_names": True},
                    {"coder": "rules", "include_facilitators": True},
                    {"coder": "gold", "theme": "Power differential", "role": "mentor"},
                    {"coder": "all", "code": ["tools", "value.clarity"],
                     "document": "mentors_lakeshore.txt"}):
        table = excerpts_table(project, sort=sort, **options)
        tree = CodeTree.for_selection(project, select_codings(project, coder=options["coder"]))
        keys = sort_keys(table, tree, documents, sort)
        assert keys == sorted(keys), options
        if "include_facilitators" not in options:
            assert "facilitator" not in set(table["role"])
        if "theme" in options:
            assert set(table["theme"]) == {"power_differential"} and set(table["role"]) == {"mentor"}
        if "code" in options:
            wanted = set(tree.descendants("tools")) | {"value.clarity"}
            assert set(table["code"]) <= wanted and set(table["document"]) == {"mentors_lakeshore.txt"}
        pseudonyms = table["speaker"] == table["participant"] + " (" + table["role"] + ")"
        assert (~pseudonyms).all() if options.get("real_names") else pseudonyms.all()


def test_streamed_csv_is_byte_for_byte_the_frame_csv(project, tmp_path):
    for sort, context in (("code", "coded"), ("participant", "coded"), ("document", "sentence")):
        streamed = iter_excerpts(project, coder="all", sort=sort, context=QuoteContext(context))
        write_excerpts(streamed, tmp_path / "streamed.csv")
        frame = excerpts_table(project, coder="all", sort=sort, context=QuoteContext(context))
        write_excerpts(frame, tmp_path / "frame.csv")
        assert filecmp.cmp(tmp_path / "streamed.csv", tmp_path / "frame.csv", shallow=False)
        # the tagger and the gold coder code participant turns only (one is an unidentified voice's,
        # left out); pooled, a code both gave in one turn is one quote of both
        assert streamed.read == len(frame) == {"coded": 405 + 269 - 1, "sentence": 423}[context]
    assert "rules, gold" in set(frame["coder"]) and "gold, rules" in set(frame["coder"])
    rows = (tmp_path / "streamed.csv").read_text(encoding="utf-8-sig").splitlines()
    assert rows[0] == ("document,speaker,participant,role,date,group,site,code,code_name,theme,"
                       "theme_name,start,end,turn,time,text,coder,status")


def test_streamed_excel_holds_the_rows_of_the_frame(project, tmp_path):
    write_excerpts(iter_excerpts(project, coder="gold"), tmp_path / "streamed.xlsx")
    write_excerpts(excerpts_table(project, coder="gold"), tmp_path / "frame.xlsx")
    streamed, frame = load_workbook(tmp_path / "streamed.xlsx"), load_workbook(tmp_path / "frame.xlsx")
    assert streamed.sheetnames == frame.sheetnames == ["all", "value", "independence",
                                                       "power_differential", "tools"]
    for name in frame.sheetnames:
        assert [[c.value for c in row] for row in streamed[name].iter_rows()] == \
            [[c.value for c in row] for row in frame[name].iter_rows()]


def test_streamed_word_is_the_document_of_the_frame(project, tmp_path):
    for sort, context in (("code", QuoteContext("sentence", with_question=True)), ("role", QuoteContext("coded"))):
        write_excerpts(iter_excerpts(project, coder="all", sort=sort, context=context), tmp_path / "streamed.docx")
        write_excerpts(excerpts_table(project, coder="all", sort=sort, context=context), tmp_path / "frame.docx")
        with zipfile.ZipFile(tmp_path / "streamed.docx") as streamed, zipfile.ZipFile(tmp_path / "frame.docx") as frame:
            body = streamed.read("word/document.xml")
            assert body == frame.read("word/document.xml")
        assert body.count(b"<w:tbl>") == 23   # one table per code
        assert (body.count(b"Q: ") > 100) == context.with_question


def test_each_document_is_read_once_in_document_order(project, monkeypatch):
    reads = []
    original = Project.document_text
    monkeypatch.setattr(Project, "document_text", lambda self, i: reads.append(i) or original(self, i))
    excerpts = iter_excerpts(project, coder="rules", sort="document", context=QuoteContext("coded"))
    assert reads == []                       # nothing is read before the rows are
    rows = list(excerpts.rows)
    assert len(rows) == excerpts.read == 404   # the rules' 405 codings but the unidentified voice's
    assert sorted(reads) == sorted(set(reads)) and len(reads) == 6


def test_the_project_path_loads_no_frame(project, tmp_path):
    with whole_tables_refused("codings_frame", "segments_frame", "documents_frame"):
        assert len(counts_by(project, "site", coder="rules", total=True)) == 23 * 4
        assert len(compare_groups(project, coder="gold")) == 23
        write_excerpts(iter_excerpts(project, coder="gold", sort="role"), tmp_path / "quotes.csv")
    with open(tmp_path / "quotes.csv", encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.reader(handle))
    assert len(rows) == 1 + 269 and {row[-2] for row in rows[1:]} == {"gold"}


def test_errors_are_raised_before_any_row(project, monkeypatch):
    reads = []
    monkeypatch.setattr(Project, "document_text", lambda self, i: reads.append(i))
    cases = [
        ({"coder": "gold+bob"}, "no codings by coder 'bob' in codebook Mentoring expectations 1.0 with "
                                "status suggested or accepted; coders: gold, rules"),
        ({"coder": "rules", "code": "no_such_code"}, "unknown code 'no_such_code'; codes: value, "
         "value.clarity, value.mismatch, value.roles, value.relationship, value.review, "
         "value.accountability, independence, independence.ownership, independence.credit, "
         "independence.niche, independence.letting_go, ... (23 in all)"),
        ({"coder": "rules", "theme": "Nothing"},
         "unknown theme 'Nothing'; themes: value, independence, power_differential, tools"),
        ({"coder": "rules", "role": "dean"},
         "unknown role 'dean'; role values in the project: facilitator, mentor, scholar, unidentified"),
        ({"coder": "rules", "document": "missing.txt"}, "unknown document 'missing.txt'; document values "
         "in the project: mentors_lakeshore.txt, mentors_northfield_zoom.vtt, "
         "mentors_riverbend_2024-05-16.csv, scholars_lakeshore_otter.txt, "
         "scholars_northfield_2024-03-14.docx, scholars_riverbend_teams.vtt"),
        ({"coder": "rules", "sort": "length"}, "cannot sort by 'length'; use code, document, participant, role"),
        ({"coder": "rules", "status": "final"}, "unknown status 'final'; use suggested, accepted, rejected"),
        ({"coder": "bob"}, "no codings by coder 'bob' in codebook Mentoring expectations 1.0 with status "
                           "suggested or accepted; coders: gold, rules"),
        ({"coder": "gold", "codebook": "Other book"},
         "no codings for codebook 'Other book'; codebooks with codings: Mentoring expectations 1.0"),
        ({"coder": "gold", "role": "facilitator"},   # facilitators left out: nothing left
         "no excerpts match role facilitator (269 codings from codebook Mentoring expectations 1.0; "
         "coder gold; status suggested or accepted, facilitators and unidentified voices left out)"),
    ]
    for options, message in cases:
        assert outcome(lambda: iter_excerpts(project, **options)) == f"SelectionError: {message}"
    assert reads == []
    assert outcome(lambda: counts_by(project, "colour", coder="rules")) == (
        "SelectionError: cannot group by 'colour'; use role, document, participant or a document "
        "attribute (date, group, role, site)")


def test_codings_stored_without_their_turn_are_placed_by_offset(tmp_path):
    path = build_project(tmp_path / "study.qcproj")
    with open_project(path) as project, project.transaction():
        doc_id = project.document_id("mentors_north.txt")
        turns = segments_frame(project, document="mentors_north.txt")
        third = turns.iloc[3]   # M01: "Clarity saves time. Clarity saves trouble."
        project.add_codings([
            {"document_id": doc_id, "segment_id": None, "codebook_id": 1, "code": "power",
             "start": int(third["start"]) + 3, "end": int(third["start"]) + 10, "coder": "rules",
             "coder_kind": "machine"},
            # between two turns (on the newline): no turn holds it, so it is left out
            {"document_id": doc_id, "segment_id": None, "codebook_id": 1, "code": "power",
             "start": int(third["end"]), "end": int(third["end"]) + 1, "coder": "rules",
             "coder_kind": "machine"}])
    with open_project(path) as project:
        counts = counts_by(project, "role", coder="rules").set_index(["code", "group"])
        streamed = excerpts_table(project, coder="rules", code="power")
    # the placed coding is the mentors' only power coding (M02's fear coding is rejected)
    assert counts.loc[("power", "mentor"), ["mentions", "turns", "participants"]].tolist() == [1, 1, 1]
    assert counts.loc[("power", "scholar"), ["mentions", "turns", "participants"]].tolist() == [3, 3, 3]
    placed = streamed[streamed["text"] == "Clarity saves time."]   # the sentence it is in
    assert (placed["participant"].tolist(), placed["turn"].tolist()) == (["M01"], [3])
    assert len(streamed) == 4   # three stored with their turn, one placed, one left out


def test_report_exemplars_from_the_stream_are_the_reference_choice(project):
    from qualcode.analysis.excerpts import exemplar_rows
    from test_report_streamed import reference_exemplars

    for coder in ("rules", "gold"):
        for per_code in (1, 3, 8):
            expected = reference_exemplars(excerpts_table(project, coder=coder), per_code=per_code)
            got, total = exemplar_rows(iter_excerpts(project, coder=coder), per_code=per_code)
            pd.testing.assert_frame_equal(got, expected, check_index_type=False)
            assert total == {"rules": 343, "gold": 269}[coder]   # quotes: one per code and turn
