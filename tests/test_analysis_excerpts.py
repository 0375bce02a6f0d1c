"""The quote table: columns, pseudonyms, filters, sorting, errors, exemplar choice."""

import pytest

from projects import build_project
from qualcode.analysis import excerpts_table, exemplar_rows, format_time, iter_excerpts
from qualcode.analysis.quotes import QuoteContext
from qualcode.core.errors import SelectionError
from qualcode.store.project import open_project


@pytest.fixture
def project(tmp_path):
    with open_project(build_project(tmp_path / "study.qcproj")) as opened:
        yield opened


def test_columns_pseudonyms_and_codebook_order(project):
    table = excerpts_table(project, coder="rules")
    assert list(table.columns) == ["document", "speaker", "participant", "role", "group", "site",
                                   "code", "code_name", "theme", "theme_name", "start", "end", "turn",
                                   "time", "text", "coder", "status"]
    # 12 rules codings minus the facilitator's (the rejected one is left out), and M01's two
    # value.clarity sentences in one turn are one quote
    assert len(table) == 10
    assert table["code"].tolist() == ["value"] + ["value.clarity"] * 4 + ["value.trust"] * 2 + [
        "power", "power.fear", "power.fear"]
    assert table[table["participant"] == "M01"]["text"].tolist()[-1] == \
        "Clarity saves time. Clarity saves trouble."
    coded = excerpts_table(project, coder="rules", context=QuoteContext("coded"))
    assert len(coded) == 11 and coded["text"].tolist()[4:6] == ["Clarity saves time.", "Clarity saves trouble."]
    first = table.iloc[0]
    assert (first["speaker"], first["participant"], first["role"], first["group"], first["site"],
            first["text"], first["turn"], first["time"]) == (
        "S03 (scholar)", "S03", "scholar", "Scholars South", "South",
        "Talking about expectations helps.", 1, "")
    assert "Dr. Eve" not in table["speaker"].tolist() and "Ana" not in table["speaker"].tolist()
    assert table[table["participant"] == "M03"]["time"].item() == "1:02:05"
    real = excerpts_table(project, coder="rules", real_names=True)
    assert set(real[real["role"] == "mentor"]["speaker"]) == {"Dr. Eve", "Dr. Gil"}


def test_filters(project):
    value = excerpts_table(project, coder="rules", code="value")
    assert set(value["code"]) == {"value", "value.clarity", "value.trust"}   # descendants included
    assert len(value) == 7
    trust = excerpts_table(project, coder="rules", code="value.trust")
    assert trust["participant"].tolist() == ["S01", "M03"]
    power = excerpts_table(project, coder="rules", theme="Power differential")
    assert set(power["theme"]) == {"power"} and len(power) == 3
    mentors = excerpts_table(project, coder="rules", role="mentor")
    assert mentors["participant"].tolist() == ["M01", "M01", "M03"]
    south = excerpts_table(project, coder="rules", document="scholars_south.txt")
    assert south["turn"].tolist() == [1, 2, 1]
    both = excerpts_table(project, coder="all", status="accepted")
    assert both["code"].tolist() == ["value", "tools"]
    assert both["coder"].tolist() == ["rules", "alice"]
    with_fac = excerpts_table(project, coder="rules", include_facilitators=True, role="facilitator")
    assert with_fac["speaker"].tolist() == ["F01 (facilitator)"]


def test_sorting(project):
    by_doc = excerpts_table(project, coder="rules", sort="document")
    assert by_doc["document"].tolist()[:4] == ["scholars_north.txt"] * 4
    assert by_doc["start"].tolist()[:4] == sorted(by_doc["start"].tolist()[:4])
    by_role = excerpts_table(project, coder="rules", sort="role")
    assert by_role["role"].tolist() == ["scholar"] * 7 + ["mentor"] * 3
    by_person = excerpts_table(project, coder="rules", sort="participant")
    assert by_person["participant"].tolist() == sorted(by_person["participant"].tolist())
    with pytest.raises(SelectionError, match="cannot sort by 'speaker'"):
        excerpts_table(project, coder="rules", sort="speaker")


@pytest.mark.parametrize("kwargs,message", [
    ({"code": "nope"}, "unknown code 'nope'; codes: value, value.clarity"),
    ({"theme": "nope"}, "unknown theme 'nope'; themes: value, power, tools"),
    ({"role": "nurse"}, "unknown role 'nurse'; role values in the project: facilitator, mentor, scholar"),
    ({"document": "x.txt"}, "unknown document 'x.txt'"),
    ({"code": "tools"}, "no excerpts match code tools"),
    ({"role": "facilitator"}, "no excerpts match role facilitator .*facilitators and unidentified voices "
                              "left out"),
])
def test_unknown_or_empty_filters(project, kwargs, message):
    with pytest.raises(SelectionError, match=message):
        excerpts_table(project, coder="rules", **kwargs)


def test_exemplars_prefer_new_voices_and_alternate_roles(project):
    chosen, total = exemplar_rows(iter_excerpts(project, coder="rules"), per_code=2, min_words=1)
    clarity = chosen[chosen["code"] == "value.clarity"]
    assert clarity["participant"].tolist() == ["S01", "M01"]   # one scholar, one mentor
    assert len(chosen) == 1 + 2 + 2 + 1 + 2 and total == 10
    three, _ = exemplar_rows(iter_excerpts(project, coder="rules"), per_code=3, min_words=1)
    assert three[three["code"] == "value.clarity"]["participant"].tolist() == ["S01", "S02", "M01"]


def test_format_time():
    assert [format_time(v) for v in (None, float("nan"), 0, 65.9, 3725)] == ["", "", "0:00", "1:05", "1:02:05"]
