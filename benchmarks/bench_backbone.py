"""A class's own photos on a pretrained SqueezeNet: 3 classes x 30 photos at 224 px.

The photos are made offline: random crops (a quarter to two thirds of the side), flips
and brightness changes of three photos, one per class (scikit-learn's china.jpg and
flower.jpg, ndf's test photo of books on a window sill), saved as JPEGs in class
folders. Held-out photos are 20 more crops per class from another seed.

Beside each other:
- the `squeezenet-head` preset trained as the Train page trains it (`load_dataset` of
  the folder, then `cnnviz.train.train`: build with ImageNet's weights, fit with
  validation, save, test), timed from start to done; its test accuracy (the folder's
  own test split) and its accuracy on the held-out crops;
- the same head trained on backbone features computed once (`model.predict` of the
  frozen backbone, then the head alone on 13x13x512 maps): the time it needs, and the
  same accuracies;
- answers per second for one camera-sized (640x480 JPEG) image through the trained
  model, `cnnviz.predict.predict_image` on cnnviz.forward's compiled graph, beside
  `model.predict` on the same prepared image (the lab's call).

Goals: test accuracy >= 90 %, <= 15 s from start to done; >= 5 answers a second.
Timings depend on what else the machine runs: the load average is printed too.
Run: python benchmarks/bench_backbone.py [--epochs N]
"""

import argparse
import io
import os
import sys
import tempfile
import time
from pathlib import Path

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "3")
os.environ.setdefault("CUDA_VISIBLE_DEVICES", "")
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))  # run from anywhere

import numpy as np  # noqa: E402
from PIL import Image  # noqa: E402

from cnnviz import presets  # noqa: E402
from cnnviz.backbone_keras import squeezenet_weights_file  # noqa: E402
from cnnviz.data import load_dataset, rescale  # noqa: E402
from cnnviz.images import sample_photos  # noqa: E402
from cnnviz.plan import TrainConfig  # noqa: E402
from cnnviz.predict import predict_image, prepare_image  # noqa: E402
from cnnviz.train import train  # noqa: E402

GOAL_ACCURACY, GOAL_SECONDS, GOAL_ANSWERS = 0.90, 15.0, 5.0
SIDE, PER_CLASS, HELD_OUT = 224, 30, 20


def sources() -> dict[str, np.ndarray]:
    """One photo per class, uint8 (H, W, 3)."""
    photos = sample_photos()
    book = squeezenet_weights_file().parents[2] / "tests" / "book-2020460_640.jpg"
    with Image.open(book) as image:
        books = np.asarray(image.convert("RGB"))
    return {"temple": photos["china.jpg"], "flower": photos["flower.jpg"], "books": books}


def crops(photo: np.ndarray, count: int, seed: int) -> list[Image.Image]:
    """Random square crops, flips and brightness changes, SIDE x SIDE."""
    rng = np.random.default_rng(seed)
    height, width = photo.shape[:2]
    made = []
    for _ in range(count):
        side = int(rng.uniform(0.25, 0.67) * min(height, width))
        top, left = rng.integers(0, height - side), rng.integers(0, width - side)
        part = photo[top : top + side, left : left + side].astype(np.float32)
        part = np.clip(part * rng.uniform(0.7, 1.3), 0, 255).astype(np.uint8)
        image = Image.fromarray(part[:, ::-1] if rng.random() < 0.5 else part)
        made.append(image.resize((SIDE, SIDE), Image.BILINEAR))
    return made


def write_folder(root: Path) -> tuple[str, np.ndarray, np.ndarray, list[str]]:
    """The class folders, and the held-out crops as (images, labels) in class order."""
    held, labels = [], []
    names = sorted(sources())
    for label, name in enumerate(names):
        photo = sources()[name]
        (root / name).mkdir(parents=True)
        for i, image in enumerate(crops(photo, PER_CLASS, seed=label)):
            image.save(root / name / f"{i:02d}.jpg", quality=90)
        held += [np.asarray(image) for image in crops(photo, HELD_OUT, seed=100 + label)]
        labels += [label] * HELD_OUT
    return f"folder:{root}", np.stack(held), np.array(labels), names


def accuracy(outputs: np.ndarray, labels: np.ndarray) -> float:
    return float(np.mean(np.argmax(outputs, axis=-1) == labels))


def on_features(model, dataset, config: TrainConfig, held: np.ndarray, labels: np.ndarray):
    """The same head trained on the frozen backbone's maps, computed once."""
    import keras

    start = time.perf_counter()
    backbone = model.get_layer("backbone")
    features = backbone.predict(rescale(dataset.train.images), batch_size=32, verbose=0)
    keras.utils.set_random_seed(config.seed)
    head = keras.Sequential(
        [
            keras.Input(features.shape[1:]),
            keras.layers.GlobalAveragePooling2D(),
            keras.layers.Dropout(0.2),
            keras.layers.Dense(dataset.info.num_classes, activation="softmax"),
        ]
    )
    head.compile(keras.optimizers.Adam(config.learning_rate), "sparse_categorical_crossentropy")
    head.fit(
        features,
        dataset.train.labels,
        epochs=config.epochs,
        batch_size=config.batch_size,
        verbose=0,
    )
    wall = time.perf_counter() - start
    test = backbone.predict(rescale(dataset.test.images), verbose=0)
    mine = backbone.predict(held.astype(np.float32) / 255, verbose=0)
    return (
        wall,
        accuracy(head.predict(test, verbose=0), dataset.test.labels),
        accuracy(head.predict(mine, verbose=0), labels),
    )


def answers_per_second(model, names: list[str], repeat: int = 40) -> tuple[float, float]:
    """(predict_image on the compiled graph, model.predict) answers a second."""
    camera = crops(sources()["books"], 1, seed=7)[0].resize((640, 480))
    buffer = io.BytesIO()
    camera.save(buffer, "JPEG", quality=85)
    frame = buffer.getvalue()
    shape = (SIDE, SIDE, 3)
    predict_image(model, frame, image_shape=shape, class_names=names)  # traced once
    start = time.perf_counter()
    for _ in range(repeat):
        predict_image(model, frame, image_shape=shape, class_names=names)
    fast = repeat / (time.perf_counter() - start)
    pixels = prepare_image(frame, shape)[None]
    model.predict(pixels, verbose=0)
    start = time.perf_counter()
    for _ in range(repeat // 4):
        model.predict(pixels, verbose=0)
    return fast, (repeat // 4) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", type=int, default=None, help="default: the preset's")
    args = parser.parse_args()
    import keras  # noqa: F401  (imported before timing, as a warm server has it)

    name = "squeezenet-head"
    config = TrainConfig.suggested(name, epochs=args.epochs)
    with tempfile.TemporaryDirectory() as tmp:
        data, held, labels, names = write_folder(Path(tmp) / "photos")
        print(
            f"{name}: {config.epochs} epochs, batch {config.batch_size}, lr "
            f"{config.learning_rate}; {len(names)} classes x {PER_CLASS} photos at {SIDE} px "
            f"({', '.join(names)}), {HELD_OUT} held-out crops a class; cpus {os.cpu_count()}"
        )
        start = time.perf_counter()
        dataset = load_dataset(data, image_size=(SIDE, SIDE), seed=config.seed)
        result = train(presets.get(name), dataset, config, run_dir=Path(tmp) / "run")
        wall = time.perf_counter() - start
        from cnnviz.runs import load_run

        model = load_run(Path(tmp) / "run").model()
        mine = accuracy(model.predict(held.astype(np.float32) / 255, verbose=0), labels)
        ok = result.test_accuracy >= GOAL_ACCURACY and wall <= GOAL_SECONDS
        print(
            f"\n{'':<32}{'wall s':>8}{'test acc':>10}{'held-out':>10}\n"
            f"{'start to done (Train page)':<32}{wall:>8.1f}{result.test_accuracy:>10.1%}"
            f"{mine:>10.1%}   goal >= {GOAL_ACCURACY:.0%} in <= {GOAL_SECONDS:.0f} s: "
            f"{'ok' if ok else 'missed'} (fit {result.fit_seconds:.1f} s, "
            f"{len(dataset.train)} training and {len(dataset.test)} test photos)"
        )
        seconds, test_acc, held_acc = on_features(model, dataset, config, held, labels)
        print(
            f"{'head on precomputed features':<32}{seconds:>8.1f}{test_acc:>10.1%}"
            f"{held_acc:>10.1%}   (features once, then the head alone)"
        )
        fast, lab = answers_per_second(model, names)
        print(
            f"\nanswers a second, one 640x480 camera JPEG: {fast:.1f} with predict_image "
            f"(compiled graph), {lab:.1f} with model.predict ({fast / lab:.1f}x); goal >= "
            f"{GOAL_ANSWERS:.0f}: {'ok' if fast >= GOAL_ANSWERS else 'missed'}; load average "
            f"{os.getloadavg()[0]:.1f}"
        )


if __name__ == "__main__":
    main()
