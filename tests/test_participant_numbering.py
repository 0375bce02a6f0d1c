"""Automatic participant ids: the lowest free number per role, around reserved ids, across ingests."""

from __future__ import annotations

from qualcode.workflows.ingest import ingest
from qualcode.store.frames import speakers_frame
from qualcode.store.project import open_project


def test_numbering_skips_reserved_ids_and_continues_in_a_later_ingest(tmp_path, write):
    one = write("one.txt", "GROUP ONE\n\nAmy: Hi.\nBo: Hey.\nCy: Yo.\nDr. Fox: Hello all.\n")
    two = write("two.txt", "GROUP TWO\n\nDee: Me.\nEd: And me.\nDr. Gil: Welcome.\n")
    speakers = write("speakers.csv", "document,label,participant,role\n"
                                     "one.txt,Cy,S01,scholar\none.txt,Dr. Fox,,mentor\ntwo.txt,Dr. Gil,,mentor\n")
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        ingest(project, [one], attributes={"role": "scholar"}, speakers=speakers)
        ingest(project, [two], attributes={"role": "scholar"}, speakers=speakers)
        frame = speakers_frame(project)
    assert frame[["document", "speaker", "participant"]].values.tolist() == [
        ["one.txt", "Amy", "S02"], ["one.txt", "Bo", "S03"], ["one.txt", "Cy", "S01"],
        ["one.txt", "Dr. Fox", "M01"],
        ["two.txt", "Dee", "S04"], ["two.txt", "Ed", "S05"], ["two.txt", "Dr. Gil", "M02"]]
