"""train_model: one job from a coder's codings to a saved model file."""

from __future__ import annotations

import numpy as np
import pytest
from click.testing import CliRunner

from ml_projects import PLAN_COUNTS, build_ml_project, write_codebook
from qualcode.cli import cli
from qualcode.core.errors import ParameterError, SelectionError
from qualcode.store.project import open_project
from qualcode.tagging.ml.estimator import MIN_POSITIVES
from qualcode.tagging.ml.modelfile import load_model
from qualcode.workflows.train import LEAST_MIN_POSITIVES, MAX_SEED, train_model


@pytest.fixture(scope="module")
def project(tmp_path_factory):
    folder = tmp_path_factory.mktemp("train")
    return build_ml_project(folder / "p.qcproj", write_codebook(folder))


def test_the_returned_model_is_the_saved_one(project, tmp_path):
    output = tmp_path / "gold.qcmodel"
    with open_project(project) as proj:
        trained = train_model(proj, "gold", output=output, min_positives=4)
    loaded = load_model(output)
    assert trained.model.info == loaded.info  # the content hash included
    assert trained.model.path == str(output)
    assert loaded.info["params"]["min_positives"] == 4
    np.testing.assert_array_equal(trained.model.tagger.predict_proba(trained.data.texts),
                                  loaded.tagger.predict_proba(trained.data.texts))
    assert trained.data.coder == "gold" and len(trained.data.turns) == 42
    assert [c["code"] for c in trained.codes] == list(PLAN_COUNTS)
    assert trained.learned == [code for code, n in PLAN_COUNTS.items() if 4 <= n <= 42 - 4]
    assert [c["positives"] for c in trained.codes] == list(PLAN_COUNTS.values())


@pytest.mark.parametrize("bad", [1, 0, -3, 2.5, "5", True])
def test_min_positives_below_two_or_not_a_count_is_refused_before_anything_is_written(project, tmp_path, bad):
    output = tmp_path / "m.qcmodel"
    with open_project(project) as proj, pytest.raises(ParameterError) as caught:
        train_model(proj, "gold", output=output, min_positives=bad)
    assert str(caught.value) == f"min_positives must be a whole number of at least 2, not {bad!r}"
    assert not output.exists()


@pytest.mark.parametrize("bad", [-1, 2**32, 1.0, None])
def test_a_seed_numpy_cannot_take_is_refused(project, tmp_path, bad):
    with open_project(project) as proj, pytest.raises(ParameterError) as caught:
        train_model(proj, "gold", output=tmp_path / "m.qcmodel", seed=bad)
    assert str(caught.value) == f"seed must be a whole number from 0 to 4294967295, not {bad!r}"


def test_unknown_coder_writes_nothing(project, tmp_path):
    output = tmp_path / "m.qcmodel"
    with open_project(project) as proj, pytest.raises(SelectionError, match="coder 'bob' has no codings"):
        train_model(proj, "bob", output=output)
    assert not output.exists()


def test_the_command_line_states_the_library_defaults_and_limits():
    options = {p.name: p for p in cli.commands["train"].params}
    assert options["min_positives"].type.min == LEAST_MIN_POSITIVES == 2
    assert f"at least {LEAST_MIN_POSITIVES} (default: {MIN_POSITIVES})" in options["min_positives"].help
    assert (options["seed"].type.min, options["seed"].type.max) == (0, MAX_SEED)


def test_min_positives_1_on_the_command_line_is_a_usage_error(project, tmp_path):
    output = tmp_path / "m.qcmodel"
    result = CliRunner().invoke(cli, ["train", str(project), "--coder", "rules", "--min-positives", "1",
                                      "-o", str(output)])
    assert result.exit_code == 2
    assert result.output.splitlines()[-1] == ("Error: Invalid value for '--min-positives': "
                                              "1 is not in the range x>=2.")
    assert not output.exists()
