"""`mistakes` and `trace`: from a number to its reason (which images, which arithmetic)."""

from __future__ import annotations

import argparse

import numpy as np

from cnnviz.cli.output import data_dir_arg, json_arg, print_json, run_arg, runs_dir_arg, table
from cnnviz.errors import CnnvizError

__all__ = ["register"]

MAX_CHANNELS_PRINTED = 4  # input channels written out in full; the rest are summed


def cmd_mistakes(args: argparse.Namespace) -> int:
    from cnnviz.evaluate import evaluate_run
    from cnnviz.mistakes import mistakes, most_confused
    from cnnviz.runs import load_run

    if args.top < 1:
        raise CnnvizError(f"--top must be at least 1. Received: top={args.top}")
    run = load_run(args.run, args.runs_dir)
    test, evaluation = evaluate_run(run, data_dir=args.data_dir)
    names = list(run.config["class_names"])
    chosen = {"true": args.true, "predicted": args.predicted}
    found = mistakes(test.images, test.labels, evaluation, names, top_k=args.top, **chosen)
    pairs = most_confused(evaluation.metrics, **chosen)
    if args.json:
        print_json(
            {
                "mistakes": [m.to_dict() for m in found],
                "most_confused": [p.to_dict() for p in pairs],
            }
        )
        return 0
    print(f"Run {run.id}: {len(found):,} mistakes among {len(test):,} test images, worst first")
    if found:
        rows = [
            [
                str(m.index),
                m.true_name,
                m.predicted_name,
                f"{m.p_true:.3f}",
                f"{m.confidence:.3f}",
                f"{m.loss:.3f}",
                ", ".join(f"{s.name} {s.probability:.1%}" for s in m.top),
            ]
            for m in found
        ]
        header = ["index", "true", "predicted", "p_true", "confidence", "loss", "top"]
        print(table(rows, header))
    if pairs:
        print("\nMost confused (true -> predicted: images)")
        print(
            table(
                [[p.true_name, p.predicted_name, str(p.count)] for p in pairs],
                ["true", "predicted", "count"],
            )
        )
    return 0


def _numbers(values: np.ndarray) -> str:
    return "\n".join("  " + "  ".join(f"{v:8.4f}" for v in row) for row in values)


def cmd_trace(args: argparse.Namespace) -> int:
    from cnnviz.predict import prepare_image
    from cnnviz.runs import load_run
    from cnnviz.trace import trace_activation

    run = load_run(args.run, args.runs_dir)
    model = run.model()
    image = prepare_image(args.image, tuple(run.config["image_shape"]))
    where = {"channel": args.channel, "row": args.row, "col": args.col}
    trace = trace_activation(model, image, layer=args.layer, **where)
    if args.json:
        print_json(trace.to_dict())
        return 0
    kh, kw, count = trace.kernel.shape
    print(
        f"{trace.layer} ({trace.type}), channel {trace.channel}, row {trace.row}, col "
        f"{trace.col}: a {kh}x{kw} window over {count} input channel(s)"
    )
    shown = trace.top_channels(MAX_CHANNELS_PRINTED)
    for position in shown:
        print(f"\ninput channel {trace.input_channels[position]}: window")
        print(_numbers(trace.window[..., position]))
        print("  kernel")
        print(_numbers(trace.kernel[..., position]))
        print(f"  sum of window x kernel = {trace.channel_sums[position]:.6f}")
    rest = float(trace.channel_sums.sum() - trace.channel_sums[shown].sum())
    if count > len(shown):
        print(f"\nthe other {count - len(shown)} input channels add {rest:.6f}")
    top, left, bottom, right = trace.receptive_field
    print(
        f"\nsum {trace.channel_sums.sum():.6f} + bias {trace.bias:.6f} = "
        f"{trace.pre_activation:.6f}; {trace.activation} -> {trace.value:.6f} "
        f"(Keras: {trace.keras_value:.6f})"
    )
    print(f"receptive field: rows {top}-{bottom}, cols {left}-{right} of the input image")
    return 0


def register(sub) -> None:
    p = sub.add_parser("mistakes", help="the test images a run gets wrong, worst first")
    run_arg(p)
    p.add_argument("--true", default=None, metavar="CLASS", help="only this true class")
    p.add_argument("--predicted", default=None, metavar="CLASS", help="only this answer")
    p.add_argument("--top", type=int, default=3, help="class probabilities per mistake")
    runs_dir_arg(p)
    data_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_mistakes)

    p = sub.add_parser("trace", help="how one value of a convolution's output is computed")
    run_arg(p)
    p.add_argument("image", metavar="IMAGE")
    p.add_argument("--layer", required=True, help="a convolution layer's name")
    p.add_argument("--channel", type=int, required=True, help="its output channel (filter)")
    p.add_argument("--row", type=int, required=True, help="the row in its output map")
    p.add_argument("--col", type=int, required=True, help="the column in its output map")
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_trace)
