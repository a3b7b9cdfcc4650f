"""Shared pieces of the run-folder tests: a tiny spec and the config of its runs."""

from cnnviz.spec import ModelSpec

SPEC = ModelSpec.from_dict(
    {
        "name": "tiny cnn",
        "layers": [
            {"type": "Conv2D", "filters": 2, "kernel_size": 3, "activation": "relu"},
            {"type": "Flatten"},
            {"type": "Dense", "units": "num_classes", "activation": "softmax"},
        ],
    }
)


CONFIG = {
    "dataset": "digits",
    "image_shape": [8, 8, 1],
    "num_classes": 3,
    "class_names": ["a", "b", "c"],
    "training": {"epochs": 2},
}
