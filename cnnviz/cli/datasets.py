"""`datasets`, `data-info DATASET` and `augment IMAGE`: the data and what augmentation does."""

from __future__ import annotations

import argparse

from cnnviz.cli.output import data_dir_arg, json_arg, print_json, table
from cnnviz.errors import CnnvizError

__all__ = ["register"]


def cmd_datasets(args: argparse.Namespace) -> int:
    from cnnviz.data import list_datasets

    print(table([[i, d] for i, d in list_datasets()], ["dataset", "description"]))
    print(
        "\nAlso: shapes:N (N generated images), tfds:NAME (any TFDS image-classification"
        " set),\nfolder:PATH (a folder or .zip with one sub-folder of images per class)."
    )
    return 0


def cmd_data_info(args: argparse.Namespace) -> int:
    from cnnviz.data import load_dataset

    info = load_dataset(args.dataset, data_dir=args.data_dir).info
    if args.json:
        print_json(info.to_dict())
        return 0
    height, width, channels = info.image_shape
    print(f"{info.id}: {info.description}")
    print(f"image shape: {height}x{width}x{channels}, {info.num_classes} classes")
    print(f"train: {info.counts['train']:,} images, test: {info.counts['test']:,} images\n")
    per_class = zip(info.class_names, info.per_class["train"], info.per_class["test"])
    rows = [[name, f"{train:,}", f"{test:,}"] for name, train, test in per_class]
    print(table(rows, ["class", "train", "test"]))
    for warning in info.warnings:
        print(f"warning: {warning}")
    return 0


def cmd_augment(args: argparse.Namespace) -> int:
    from pathlib import Path

    from cnnviz.augment import grid_image, read_spec
    from cnnviz.augment_layers import preview
    from cnnviz.images import read_image, save_png

    spec = read_spec(args.spec)
    image = read_image(args.image)
    variants = preview(image, spec, n=args.n, seed=args.seed)
    out = Path(args.out)
    if out.exists() and not out.is_dir():
        raise CnnvizError(f"--out {out} is a file; give a folder for the images")
    out.mkdir(parents=True, exist_ok=True)
    digits = max(2, len(str(len(variants) - 1)))
    for index, variant in enumerate(variants):
        save_png(variant, out / f"aug_{index:0{digits}d}.png")
    save_png(grid_image(image, variants), out / "grid.png")
    print(
        f"wrote {len(variants)} variants (aug_{0:0{digits}d}.png ... "
        f"aug_{len(variants) - 1:0{digits}d}.png) and grid.png to {out}"
    )
    return 0


def register(sub) -> None:
    p = sub.add_parser("datasets", help="list the datasets")
    p.set_defaults(func=cmd_datasets)

    p = sub.add_parser("data-info", help="shapes, classes and counts of a dataset")
    p.add_argument("dataset", metavar="DATASET")
    data_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_data_info)

    p = sub.add_parser("augment", help="write augmented variants of an image")
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--spec", required=True, help="augmentation spec JSON file")
    p.add_argument("--n", type=int, default=8, help="how many variants (default 8)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=cmd_augment)
