"""Figures and Word tables fit their data: no dark 100% cell from one coded turn, axes that end
near the largest value, columns as wide as their longest word, definitions in full."""

from __future__ import annotations

import numpy as np
from docx import Document

from projects import DOCUMENTS, build_project
from qualcode.analysis import compare_groups, counts_by
from qualcode.export.plots import bars_figure, heatmap_figure
from qualcode.export.report import write_report
from qualcode.export.word import fit_widths, natural_widths
from qualcode.store.project import open_project


def test_columns_are_as_wide_as_their_longest_word():
    header = ["Document", "Role", "Turns"]
    rows = [["scholars_northfield_2024-03-14.docx", "scholar", "87"], ["b.txt", "mentor", "1,234"]]
    narrow, wide = natural_widths(header, rows, size=8)
    widths = fit_widths(header, rows, 6.0, size=8)
    assert abs(sum(widths) - 6.0) < 1e-9
    assert all(w >= n for w, n in zip(widths, narrow))
    assert widths[0] > widths[1] > 0 and wide[1] == narrow[1]      # one word each: never broken
    squeezed = fit_widths(header, rows, 2.5, size=8)                 # too narrow for the long name:
    assert abs(sum(squeezed) - 2.5) < 1e-9                           # it gives way, the others do not
    assert squeezed[1:] == narrow[1:] and squeezed[0] < narrow[0]
    assert fit_widths(["A", "B"], [["x " * 200, "y"]], 6.0, fixed={1: 1.0})[1] == 1.0


def test_a_group_of_one_turn_gets_no_colour_and_the_scale_fits_the_others(tmp_path):
    attrs, turns = DOCUMENTS["scholars_south.txt"]
    documents = {**DOCUMENTS, "scholars_south.txt": (attrs, turns + [
        ("ALL", "U01", "unidentified", "Yes, trust matters.", "Agreed.", None)])}
    codings = [("scholars_south.txt", 4, 0, "value.trust", "rules", "suggested"),
               ("scholars_north.txt", 1, 0, "value.clarity", "rules", "suggested"),
               ("mentors_north.txt", 1, 0, "value.clarity", "rules", "suggested")]
    with open_project(build_project(tmp_path / "h.qcproj", documents=documents, codings=codings)) as project:
        counts = counts_by(project, "role", include_unidentified=True)
    figure = heatmap_figure(counts, caption="the selection", min_group=2)   # the study's groups are small
    image = figure.axes[0].images[0]
    groups = [t.get_text() for t in figure.axes[0].get_xticklabels()]
    assert groups == ["scholar", "mentor", "unidentified\n(1 turn)"]
    assert np.ma.getmaskarray(image.get_array())[:, 2].all()        # 1/1 = 100%: not coloured
    assert image.norm.vmax == 0.25                                  # mentors' 1/4 is the top share
    assert "fewer than 2 participant turns" in figure._supxlabel.get_text()
    assert figure._supxlabel.get_text().endswith("the selection")
    default = heatmap_figure(counts).axes[0].images[0]              # 10 turns at least: none here
    assert np.ma.getmaskarray(default.get_array()).all()


def test_the_bars_axis_ends_near_the_largest_interval(tmp_path):
    with open_project(build_project(tmp_path / "b.qcproj")) as project:
        table = compare_groups(project, coder="rules")
    right = bars_figure(table).axes[0].get_xlim()[1]
    from qualcode.analysis.compare import wilson_interval
    top = max(wilson_interval(int(k), int(n))[1] for side in "ab"
              for k, n in zip(table[f"{side}_units"], table[f"{side}_total"]))
    assert top <= right < top + 0.06


def test_report_tables_keep_names_whole_and_definitions_in_full(tmp_path):
    path = build_project(tmp_path / "r.qcproj")
    with open_project(path) as project:
        write_report(project, tmp_path / "r.docx", coder="rules", by="participant")
    doc = Document(tmp_path / "r.docx")
    corpus = doc.tables[0]
    names = [row.cells[0].text for row in corpus.rows[1:]]
    assert names == ["scholars_north.txt", "scholars_south.txt", "mentors_north.txt"]
    assert corpus.columns[0].width.inches >= natural_widths(["Document"], [[n] for n in names], size=8)[0][0]
    codebook = doc.tables[2]
    assert [c.text for c in codebook.rows[0].cells] == ["Code (name and id)", "Definition"]
    assert codebook.rows[1].cells[0].text == "Value of expectations\nvalue"
    # ten participants do not fit side by side: their counts come in tables of a few each
    counts = [t for t in doc.tables if t.rows[0].cells[0].text == "Code"]
    shown = [c.text.replace("\u200b", "") for t in counts for c in t.rows[0].cells[1:]]
    assert len(counts) > 1 and shown == ["M01", "M02", "M03", "S01", "S02", "S03", "S04", "all"]
