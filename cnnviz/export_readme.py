"""What travels beside an exported model: `labels.txt` and a short `README.md`.

The README says what the model takes (raw 0-255 pixels of the training size, float32, its
shape and colour mode), what it returns (a softmax's probabilities, or a sigmoid's one
probability with `cnnviz.metrics.THRESHOLD`'s rule) and how to classify one image with
the format's own runtime, in about ten lines. It names no folder of the machine it was
made on (a folder dataset is called by its own name only).
"""

from __future__ import annotations

import textwrap
from pathlib import Path
from typing import Any

from cnnviz.export_formats import ExportFormat
from cnnviz.files import now_iso
from cnnviz.metrics import THRESHOLD

__all__ = ["LABELS_FILE", "README_FILE", "answer_line", "example", "labels_text", "readme"]

LABELS_FILE, README_FILE = "labels.txt", "README.md"


def labels_text(class_names: list[str]) -> str:
    """labels.txt: one class name a line, in class-index order (line i is class i).
    A line break inside a name is written as a space, so line i stays class i."""
    return "".join(" ".join(str(name).splitlines()) + "\n" for name in class_names)


def answer_line(units: int) -> str:
    """The example's last line: the class its `scores` (shape (units,)) name, by the
    rule of `cnnviz.metrics.predicted_classes`."""
    if units == 1:
        return f"print(labels[int(scores[0] >= {THRESHOLD})])"
    return "print(labels[int(scores.argmax())])"


def example(fmt: ExportFormat, image_shape: list[int], units: int) -> str:
    """Python that classifies image.png with the exported model, labels.txt beside it.

    Args:
        fmt: a model format (not the bundle).
        image_shape: the model's input (height, width, channels), channels 1 or 3.
        units: the model's outputs per image (1 for a sigmoid head).
    """
    height, width, channels = image_shape
    mode = "L" if channels == 1 else "RGB"
    return "\n".join(
        [
            fmt.example_imports,
            "from PIL import Image",
            "",
            'labels = open("labels.txt", encoding="utf-8").read().splitlines()',
            f'image = Image.open("image.png").convert("{mode}").resize(({width}, {height}))',
            f"pixels = np.asarray(image, dtype=np.float32).reshape(1, {height}, {width}, "
            f"{channels})",
            fmt.example_run,
            answer_line(units),
        ]
    )


def _output(class_names: list[str], units: int) -> str:
    if units == 1:
        return (
            f"float32 of shape (N, 1): the probability (a sigmoid) that the image is "
            f"`{class_names[1]}`, the second line of labels.txt. The answer is "
            f"`{class_names[1]}` when it is at least {THRESHOLD}, else `{class_names[0]}`."
        )
    return (
        f"float32 of shape (N, {units}): the probability of each class (a softmax), in the "
        "order of labels.txt. The answer is the most probable class (the first one on a tie)."
    )


def _dataset_name(dataset: str) -> str:
    kind, _, where = str(dataset).partition(":")
    if kind != "folder":
        return str(dataset)
    from cnnviz.uploads import upload_name

    return f"the folder dataset {upload_name(where) or Path(where).name or 'of class images'}"


def readme(
    fmt: ExportFormat,
    *,
    run_id: str,
    model_name: str,
    config: dict[str, Any],
    units: int,
    check: dict[str, Any],
) -> str:
    """The export's README.md.

    Args:
        fmt: the model format.
        run_id, model_name: the run exported and its spec's name.
        config: the run's config (dataset, image_shape, class_names).
        units: the model's outputs per image.
        check: max_abs_diff, argmax_agreement, images_checked of the check.
    """
    height, width, channels = config["image_shape"]
    colours = "grayscale" if channels == 1 else "RGB colour"
    names = list(config["class_names"])
    about = (
        f"From cnnviz run `{run_id}`, trained on {_dataset_name(config['dataset'])}; exported "
        f"{now_iso()}. Checked before it was written: on {check['images_checked']} test "
        f"images, {fmt.runtime} and Keras differ by at most {check['max_abs_diff']:.1e} and "
        f"give the same answer for {check['argmax_agreement']:.0%} of them."
    )
    files = [
        f"- `{fmt.model_file}`: the model, run by {fmt.runtime}",
        f"- `{LABELS_FILE}`: the {len(names)} class names, one a line (line 1 is class 0)",
        f"- `{README_FILE}`: this file",
    ]
    given = (
        f"float32 of shape (N, {height}, {width}, {channels}): N {colours} images of "
        f"{height}x{width} pixels (height x width), raw pixel values 0-255. The model rescales "
        "them to 0-1 itself, as in training; resize an image to the training size first "
        "(cnnviz resizes bilinearly)."
    )
    return "\n\n".join(
        [
            f"# {model_name}, exported as {fmt.title}",
            _wrap(about),
            "## Files\n\n" + "\n".join(files),
            "## Input\n\n" + _wrap(given),
            "## Output\n\n" + _wrap(_output(names, units)),
            "## Classify one image\n\n```python\n"
            + example(fmt, [height, width, channels], units)
            + "\n```\n",
        ]
    )


def _wrap(paragraph: str) -> str:
    return textwrap.fill(paragraph, width=88, break_long_words=False, break_on_hyphens=False)
