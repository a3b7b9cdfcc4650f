"""`uploads [--owner NAME]` and `share UPLOAD --owner NAME [--off]`: a desk's uploads,
their sizes and who sees their images, and sharing them with every desk."""

from __future__ import annotations

import argparse

from cnnviz.cli.output import json_arg, print_json, runs_dir_arg, table

__all__ = ["register"]


def _owner(text: str | None) -> str | None:
    from cnnviz import checks

    return None if text is None else checks.desk_name(text, "--owner")


def cmd_uploads(args: argparse.Namespace) -> int:
    from cnnviz.desk_uploads import desk_uploads
    from cnnviz.memory import format_bytes

    listed = desk_uploads(_owner(args.owner), runs_dir=args.runs_dir)
    if args.json:
        print_json({"uploads": [vars(upload) for upload in listed]})
        return 0
    whose = f"desk {args.owner}" if args.owner else "no desk"
    if not listed:
        print(f"no uploads of {whose}")
        return 0
    rows = [
        [u.id, u.label, format_bytes(u.bytes), "every desk" if u.shared else "its desk"]
        for u in listed
    ]
    print(table(rows, ["id", "name", "size", "images seen by"]))
    return 0


def cmd_share(args: argparse.Namespace) -> int:
    from cnnviz.desk_uploads import share_upload
    from cnnviz.uploads import dataset_label

    share_upload(args.upload, desk=_owner(args.owner), shared=not args.off, runs_dir=args.runs_dir)
    seen = "its desk and the teacher only" if args.off else "every desk"
    print(f"the images of {dataset_label(args.upload)} are now seen by {seen}")
    return 0


def register(sub) -> None:
    p = sub.add_parser("uploads", help="a desk's uploaded datasets and who sees their images")
    p.add_argument("--owner", default=None, help="the desk (default: the uploads of no desk)")
    runs_dir_arg(p)
    json_arg(p)
    p.set_defaults(func=cmd_uploads)

    p = sub.add_parser("share", help="let every desk see the images of a desk's upload")
    p.add_argument("upload", metavar="UPLOAD", help="its id, e.g. upload:0123456789abcdef-pets.zip")
    p.add_argument("--owner", required=True, help="the desk it belongs to")
    p.add_argument("--off", action="store_true", help="its desk and the teacher only, again")
    runs_dir_arg(p)
    p.set_defaults(func=cmd_share)
