import shutil
import sqlite3
from pathlib import Path

import pytest

from qualcode.core.errors import ProjectError
from qualcode.store.project import count_words, open_project
from qualcode.store.schema import SCHEMA_VERSION
from qualcode.store.frames import attributes_frame, codings_frame, coverage_frame, segments_frame
from qualcode.store.queries import attribute_names, turn_group_totals


def test_new_project_is_created_with_schema_version(tmp_path):
    path = tmp_path / "p.qcproj"
    with open_project(path, create=True) as project:
        assert project.schema_version == SCHEMA_VERSION
        assert project.counts() == {"documents": 0, "participants": 0, "turns": 0, "words": 0,
                                    "codings": 0}
    with open_project(path) as project:
        assert project.schema_version == SCHEMA_VERSION


def test_missing_project_is_not_created_without_create(tmp_path):
    with pytest.raises(ProjectError, match=r"p\.qcproj: project not found"):
        open_project(tmp_path / "p.qcproj")
    assert not (tmp_path / "p.qcproj").exists()


def test_text_file_is_not_a_project(tmp_path):
    path = tmp_path / "notes.qcproj"
    path.write_text("hello, I am not a database\n" * 10)
    with pytest.raises(ProjectError, match=r"notes\.qcproj: not a qualcode project \(not an SQLite file\)"):
        open_project(path)
    assert path.read_text().startswith("hello")


def test_other_programs_sqlite_file_is_refused(tmp_path):
    path = tmp_path / "other.db"
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE t (x)")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match="an SQLite file of another program"):
        open_project(path)


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "p.qcproj"
    open_project(path, create=True).close()
    conn = sqlite3.connect(path)
    conn.execute("UPDATE meta SET value='99' WHERE key='schema_version'")
    conn.commit()
    conn.close()
    with pytest.raises(ProjectError, match=r"schema version 99, newer than this qualcode understands"):
        open_project(path)


def test_transaction_rolls_back_on_error(tmp_path):
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with pytest.raises(ValueError):
            with project.transaction():
                project.add_document("a.txt", "A: hi", "text", "h1", None, {}, {"role": "scholar"})
                raise ValueError("boom")
        assert project.counts()["documents"] == 0
        assert attributes_frame(project).empty


def test_writes_outside_a_transaction_are_refused(tmp_path):
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with pytest.raises(RuntimeError, match="inside Project.transaction"):
            project.add_document("a.txt", "A: hi", "text", "h1", None, {}, {})


def test_locked_project_gives_clear_error(tmp_path, monkeypatch):
    import qualcode.store.project as store
    monkeypatch.setattr(store, "LOCK_TIMEOUT_SECONDS", 0.1)
    path = tmp_path / "p.qcproj"
    open_project(path, create=True).close()
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")
    try:
        with open_project(path) as project:
            with pytest.raises(ProjectError, match="in use by another qualcode command"):
                with project.transaction():
                    pass
    finally:
        holder.execute("ROLLBACK")
        holder.close()


def test_machine_codings_replacement_keeps_human_codings(tmp_path):
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with project.transaction():
            doc = project.add_document("a.txt", "A: hello there", "text", "h1", None, {}, {})
            cb = project.add_codebook("cb", "1", "hash1", None, None, [("x", None, "x", "X", "def")])
            base = {"document_id": doc, "codebook_id": cb, "code": "x", "start": 3, "end": 8}
            project.add_codings([{**base, "coder": "rules", "coder_kind": "machine"},
                                 {**base, "coder": "ana", "coder_kind": "human"}])
        with project.transaction():
            assert project.delete_machine_codings("rules", [cb]) == 1
        frame = codings_frame(project)
        assert frame[["coder", "coder_kind", "status", "text", "theme"]].values.tolist() == [
            ["ana", "human", "accepted", "hello", "x"]]


def test_rule_codings_are_stored_as_machine_codings_are(tmp_path):
    """add_rule_codings writes the values all rows share into its statement: quotes in
    them are kept as they are, and the rows equal what add_machine_codings stores."""
    columns = ["document_id", "codebook_id", "code", "start", "end", "coder", "coder_kind",
               "tagger_version", "status", "confidence", "evidence"]
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with project.transaction():
            doc = project.add_document("a.txt", "A: hello there", "text", "h1", None, {}, {})
            cb = project.add_codebook("cb", "1", "hash1", None, None, [("x", None, "x", "X", "def")])
            row = (doc, None, "x", 3, 8, '{"scope": "turn", "hits": []}')
            assert project.add_rule_codings([row], cb, "rul'es", "v 'quoted' 1") == 1
            project.add_machine_codings([(*row, None)], cb, "rul'es", "v 'quoted' 1")
            with pytest.raises(ValueError, match="NUL"):
                project.add_rule_codings([row], cb, "rules", "v\x00")
        frame = codings_frame(project)
    stored = frame[columns].astype(object).where(frame[columns].notna(), None).values.tolist()
    assert stored[0] == stored[1] == [doc, cb, "x", 3, 8, "rul'es", "machine", "v 'quoted' 1",
                                      "suggested", None, '{"scope": "turn", "hits": []}']


def test_count_words():
    assert count_words("Well, I didn't know — my mentor's lab, um, 3 grants.") == 10


FIXTURES = Path(__file__).parent / "fixtures" / "store"


def test_version_1_project_is_migrated_in_place(tmp_path):
    # schema_v1.qcproj was written by qualcode at schema version 1 (one 3-turn transcript coded
    # by the rules): opening it upgrades it, keeps its data and derives coverage from its codings.
    path = tmp_path / "old.qcproj"
    shutil.copy(FIXTURES / "schema_v1.qcproj", path)
    with open_project(path) as project:
        assert project.schema_version == SCHEMA_VERSION == 5
        assert project.counts() == {"documents": 1, "participants": 3, "turns": 3, "words": 22,
                                    "codings": 3}
        assert project.codes_frame()["color"].isna().all()
        coverage = coverage_frame(project)
        assert coverage["coder"].tolist() == ["rules", "rules"]
        assert sorted(coverage["segment_id"]) == [2, 3]
        # version 3: turns take their own attributes, grouped like a document's
        assert attribute_names(project) == ["role"]
        with project.transaction():
            project.add_segment_attributes(1, [(1, "question", "Q1"), (2, "question", "Q2")])
        assert attribute_names(project) == ["question", "role"]
        totals = turn_group_totals(project, "question", include_facilitators=True)
        assert totals[["group", "group_turns"]].values.tolist() == [["(none)", 1], ["Q1", 1], ["Q2", 1]]
        assert segments_frame(project)["question"].fillna("-").tolist() == ["-", "Q1", "Q2"]
        assert project.conn.execute("SELECT COUNT(*) FROM reviews").fetchone()[0] == 0  # version 4
        assert project.conn.execute("SELECT COUNT(*) FROM llm_answers").fetchone()[0] == 0  # version 5
    with open_project(path) as project:  # a second open finds nothing left to do
        assert project.schema_version == 5


def test_failed_migration_leaves_the_old_project_untouched(tmp_path, monkeypatch):
    import qualcode.store.schema as schema
    path = tmp_path / "old.qcproj"
    shutil.copy(FIXTURES / "schema_v1.qcproj", path)
    before = path.read_bytes()
    monkeypatch.setitem(schema.MIGRATIONS, 1, schema.MIGRATIONS[1] + "\nCREATE TABLE codes (x);")
    with pytest.raises(ProjectError, match="table codes already exists"):
        open_project(path)
    conn = sqlite3.connect(path)
    assert conn.execute("SELECT value FROM meta WHERE key='schema_version'").fetchone()[0] == "1"
    assert "coverage" not in {r[0] for r in conn.execute("SELECT name FROM sqlite_master")}
    conn.close()
    assert len(path.read_bytes()) == len(before)


def test_coverage_is_recorded_and_replaced_per_coder_and_codebook(tmp_path):
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        with project.transaction():
            doc = project.add_document("a.txt", "A: hi\n\nB: yo", "text", "h1", None, {}, {})
            part = project.add_participant("P01", "a", None)
            spk = project.add_speaker(doc, "A", part, None)
            project.add_segments(doc, [(0, spk, 3, 5, None, None, 1, 1), (1, spk, 10, 12, None, None, 3, 1)])
            cb = project.add_codebook("cb", "1", "hash1", None, None, [("x", None, "x", "X", "d", "#ff0000")])
            project.add_coverage("ana", cb, [1, 2, 2])
            project.add_coverage("rules", cb, [1])
        assert coverage_frame(project).values.tolist() == [["ana", cb, 1], ["ana", cb, 2], ["rules", cb, 1]]
        assert project.codes_frame()["color"].tolist() == ["#ff0000"]
        with project.transaction():
            assert project.delete_coverage("ana", [cb]) == 2
        assert coverage_frame(project)["coder"].tolist() == ["rules"]


def test_failed_first_command_leaves_no_empty_project_behind(tmp_path):
    path = tmp_path / "new.qcproj"
    with pytest.raises(ValueError):
        with open_project(path, create=True):
            raise ValueError("the transcript could not be read")
    assert not path.exists()


def test_failure_after_data_was_stored_keeps_the_project(tmp_path):
    path = tmp_path / "new.qcproj"
    with pytest.raises(ValueError):
        with open_project(path, create=True) as project:
            with project.transaction():
                project.add_document("a.txt", "A: hi", "text", "h1", None, {}, {})
            raise ValueError("a later step failed")
    with open_project(path) as project:
        assert project.counts()["documents"] == 1


def test_failure_on_an_existing_empty_project_does_not_remove_it(tmp_path):
    path = tmp_path / "p.qcproj"
    open_project(path, create=True).close()
    with pytest.raises(ValueError):
        with open_project(path, create=True):
            raise ValueError("boom")
    assert path.exists()
