"""What `ingest` says it decided, the guide question as a turn attribute in counts and excerpts,
roles from a legend and from the user's label words, and the warnings."""

from __future__ import annotations

from pathlib import Path

from click.testing import CliRunner

from qualcode.analysis import counts_by, excerpts_table
from qualcode.analysis.corpus import segments_table
from qualcode.cli import cli
from qualcode.store.frames import speakers_frame
from qualcode.store.project import open_project
from qualcode.workflows.ingest import ingest, reading_options

CONVENTIONS = Path(__file__).parent / "fixtures" / "conventions"
CODEBOOK = Path(__file__).parents[1] / "codebooks" / "mentoring_expectations.yaml"


def test_cli_says_what_it_decided_per_document(tmp_path):
    files = [str(CONVENTIONS / name) for name in ("guide_questions.txt", "legend_initials.txt",
                                                  "unlabelled_interview.txt", "guide_questions.txt")]
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "p.qcproj"), *files,
                                      "--unlabelled-speaker", "Interviewee", "--unlabelled-role", "scholar"])
    assert result.exit_code == 0, result.output
    assert result.stdout == (
        f"skipped {files[0]}: named more than once; read once\n"
        "added guide_questions.txt: 10 turns, 4 speakers, 81 words\n"
        "  header kept as metadata: 1 line, Date\n"
        "  questions: 3 with no speaker label given to MODERATOR (lines 4, 11, 16)\n"
        "  answers: 6 participant turns record the question they answer (Q1, Q2, Q3)\n"
        "added legend_initials.txt: 5 turns, 4 speakers, 18 words\n"
        "  header kept as metadata: 2 lines, Participants\n"
        "  legend: SL = Sam Lee (facilitator), JD = Jane Doe (mentor), TL = Tom Li\n"
        "added unlabelled_interview.txt: 8 turns, 2 speakers, 124 words\n"
        "  header kept as metadata: 1 line, Date\n"
        "  unlabelled paragraphs: 5 given to Interviewee (lines 6, 9, 13, 17, 21)\n"
        "3 added, 1 skipped\n")
    assert result.stderr == ""  # no progress label when the output is not a terminal
    with open_project(tmp_path / "p.qcproj") as project:
        speakers = speakers_frame(project)
    assert speakers[["document", "speaker", "participant", "role"]].fillna("-").values.tolist() == [
        ["guide_questions.txt", "MODERATOR", "F01", "facilitator"],
        ["guide_questions.txt", "P1", "P01", "-"], ["guide_questions.txt", "P2", "P02", "-"],
        ["guide_questions.txt", "P3", "P03", "-"],
        ["legend_initials.txt", "Sam Lee", "F02", "facilitator"],
        ["legend_initials.txt", "Jane Doe", "M01", "mentor"], ["legend_initials.txt", "Tom Li", "P04", "-"],
        ["legend_initials.txt", "ALL", "U01", "unidentified"],
        ["unlabelled_interview.txt", "MODERATOR", "F03", "facilitator"],
        ["unlabelled_interview.txt", "Interviewee", "S01", "scholar"]]


def test_facilitator_holding_most_words_is_a_warning(tmp_path):
    path = tmp_path / "p.qcproj"
    result = CliRunner().invoke(cli, ["ingest", str(path), str(CONVENTIONS / "unlabelled_interview.txt")])
    assert result.exit_code == 0
    assert result.stderr == ("Warning: unlabelled_interview.txt: the facilitator (MODERATOR) holds 100% of the "
                             "words; if participants' paragraphs carry no label, give them to a speaker "
                             "(--unlabelled-speaker) or label them\n")


def test_guide_question_is_a_turn_attribute_for_counts_excerpts_and_turn_listings(tmp_path):
    reading = reading_options(guide=CONVENTIONS / "discussion_guide.txt")
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        result = ingest(project, [CONVENTIONS / "guide_unnumbered.txt"], attributes={"role": "scholar"},
                        reading=reading)
        assert result.added[0]["report"].guide_asked == ["Q1", "Q2", "Q4"]
        runner = CliRunner()
    code = runner.invoke(cli, ["code", str(tmp_path / "p.qcproj"), "--codebook", str(CODEBOOK)])
    assert code.exit_code == 0, code.output
    with open_project(tmp_path / "p.qcproj") as project:
        counts = counts_by(project, by="question")
        excerpts = excerpts_table(project, sort="document")
        turns = segments_table(project)
    assert sorted(set(counts["group"])) == ["Q1", "Q2", "Q4"]
    coded = counts[counts["mentions"] > 0][["group", "code", "mentions", "turns"]].values.tolist()
    assert coded == [["Q4", "value", 1, 1], ["Q4", "value.review", 1, 1], ["Q2", "tools", 1, 1],
                     ["Q2", "tools.types", 1, 1]]
    assert excerpts[["question", "code", "text"]].values.tolist() == [
        ["Q2", "tools.types", "Yes, the program's form."],
        ["Q4", "value.review", "Check in after the first three months."]]
    assert turns["question"].fillna("").tolist() == ["", "", "Q1", "", "Q1", "Q1", "", "Q2", "", "Q4"]
    export = runner.invoke(cli, ["export", "counts", str(tmp_path / "p.qcproj"), "--by", "question",
                                 "-o", str(tmp_path / "c.csv")])
    assert export.output == ("wrote 69 rows (23 codes x 3 question values) to " + str(tmp_path / "c.csv")
                             + " (2 codings from codebook Mentoring expectations 1.0; coder rules; status "
                               "suggested or accepted)\n")


def test_a_bad_guide_or_label_file_is_one_error_and_nothing_is_written(tmp_path):
    bad = tmp_path / "labels.yaml"
    bad.write_text("moderators:\n  - x\n")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "p.qcproj"), str(CONVENTIONS / "separators.txt"),
                                      "--labels", str(bad)])
    assert result.exit_code == 1
    assert result.output == (f"Error: {bad}: unknown key 'moderators'; the keys are: facilitator, "
                             "facilitator_qualifiers, unidentified, speaker_words, not_speakers, "
                             "not_speakers_first_word, only_if_recurring, discourse_words, stage_directions, "
                             "question_words, header_keys\n")
    guide = tmp_path / "guide.txt"
    guide.write_text("\n\n")
    result = CliRunner().invoke(cli, ["ingest", str(tmp_path / "p.qcproj"), str(CONVENTIONS / "separators.txt"),
                                      "--guide", str(guide)])
    assert result.exit_code == 1
    assert result.output == f"Error: {guide}: empty file: no transcript to read\n"
    assert not (tmp_path / "p.qcproj").exists()


def test_label_words_file_gives_roles_in_the_project(tmp_path):
    words = tmp_path / "nl.yaml"
    words.write_text("facilitator:\n  - gespreksleider\n", encoding="utf-8")
    (tmp_path / "g.txt").write_text("GESPREKSLEIDER: Welkom.\nP1: Dank je.\n", encoding="utf-8")
    with open_project(tmp_path / "p.qcproj", create=True) as project:
        ingest(project, [tmp_path / "g.txt"], reading=reading_options(labels=[words]))
        roles = speakers_frame(project)[["speaker", "role"]].fillna("-").values.tolist()
    assert roles == [["GESPREKSLEIDER", "facilitator"], ["P1", "-"]]
