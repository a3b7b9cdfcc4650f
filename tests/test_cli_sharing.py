"""`link` and `lessons` on the command line."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from cnnviz.augment import AugmentSpec
from cnnviz.cli import main
from cnnviz.links import decode
from cnnviz.plan import TrainConfig
from cnnviz.spec import ModelSpec

ROOT = Path(__file__).resolve().parents[1]
SPEC = {
    "name": "mine",
    "layers": [
        {"type": "Conv2D", "filters": 4, "kernel_size": 3, "activation": "relu"},
        {"type": "Flatten"},
        {"type": "Dense", "units": "num_classes", "activation": "softmax"},
    ],
}


def run(capsys, *argv):
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_link_prints_the_query_string_of_the_whole_experiment(tmp_path, capsys):
    spec, augment = tmp_path / "mine.json", tmp_path / "aug.json"
    spec.write_text(json.dumps(SPEC))
    augment.write_text(json.dumps({"rotation_degrees": 15, "flip_left_right": True}))
    code, out, err = run(
        capsys, "link", "--model", str(spec), "--data", "shapes:800", "--augment", str(augment),
        "--epochs", "7", "--batch-size", "16", "--optimizer", "sgd", "--lr", "0.02",
        "--image-size", "48x40",
    )  # fmt: skip
    assert (code, err) == (0, "")
    query = out.strip()
    assert query.startswith("?experiment=") and "\n" not in query
    experiment = decode(query.removeprefix("?experiment="))
    assert experiment.spec == ModelSpec.from_dict(SPEC)
    assert experiment.dataset == "shapes:800" and experiment.image_size == (48, 40)
    assert experiment.augment == AugmentSpec(rotation_degrees=15, flip_left_right=True)
    assert experiment.training == TrainConfig(
        epochs=7, batch_size=16, optimizer="sgd", learning_rate=0.02
    )


def test_link_of_a_preset_takes_its_suggestions_and_a_base_address(capsys):
    code, out, _ = run(capsys, "link", "--model", "lenet-5", "--data", "tfds:mnist", "--base",
                       "http://10.0.0.5:8501/build")  # fmt: skip
    assert code == 0 and out.startswith("http://10.0.0.5:8501/build?experiment=")
    experiment = decode(out.strip().split("=", 1)[1])
    assert experiment.preset == "lenet-5"
    assert experiment.training == TrainConfig.suggested("lenet-5")


@pytest.mark.parametrize(
    "argv, words",
    [
        (["--model", "nope", "--data", "digits"], "unknown model 'nope'"),
        (["--model", "digits-small", "--data", "digitz"], "Did you mean digits?"),
        (["--model", "digits-small", "--data", "digits", "--lr", "20"], "learning_rate"),
        (["--model", "digits-small", "--data", "digits", "--epochs", "0"], "epochs"),
        (["--model", "digits-small", "--data", "digits", "--image-size", "2"], "from 8 to 512"),
        (["--model", "digits-small", "--data", "digits", "--image-size", "big"], "HxW"),
        (["--model", "digits-small", "--data", "digits", "--augment", "no.json"], "no such"),
    ],
)
def test_link_mistakes_are_one_line_errors(capsys, argv, words):
    code, out, err = run(capsys, "link", *argv)
    assert code == 2 and out == ""
    assert err.startswith("error: ") and err.count("\n") == 1 and words in err


def test_lessons_json_lists_id_title_and_steps(capsys):
    code, out, err = run(capsys, "lessons", "--json")
    assert (code, err) == (0, "")
    lessons = json.loads(out)["lessons"]
    assert len(lessons) >= 5
    for lesson in lessons:
        assert set(lesson) == {"id", "title", "steps"}
        assert isinstance(lesson["steps"], int) and lesson["steps"] >= 1
    assert lessons[1] == {"id": "pooling", "title": "Pooling: max or average", "steps": 5}


def test_lessons_text_is_a_table(capsys):
    code, out, _ = run(capsys, "lessons")
    assert code == 0 and out.splitlines()[0].split() == ["lesson", "steps", "title"]
    assert "batchnorm-dropout" in out and "?lesson=" in out


def test_lessons_of_a_folder_with_a_broken_file_says_which(tmp_path, capsys):
    (tmp_path / "oops.json").write_text('{"id": "oops"')
    code, out, err = run(capsys, "lessons", "--dir", str(tmp_path))
    assert code == 2 and out == ""
    assert err.startswith("error: ") and "oops.json" in err and "not valid JSON" in err


def test_link_as_a_user_runs_it_prints_only_the_query():
    done = subprocess.run(
        [sys.executable, "-m", "cnnviz", "link", "--model", "digits-small", "--data", "digits"],
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    assert done.returncode == 0 and done.stderr == ""
    assert decode(done.stdout.strip().removeprefix("?experiment=")).preset == "digits-small"
