"""Export: a trained model out of cnnviz, for Inspect and Predict.

The learner picks a format (the registry `cnnviz.export_formats.FORMATS`, each with what
it is for), presses the button, and gets the check of the export against Keras in words
and a download of the zip. Exporting takes seconds, so it runs only on that click; the
made export is kept by the server (`app_pages.server.exports`) and found again on every
rerun. What the engine refuses (a format without its packages, a run without weights, an
export that does not match Keras) is shown as its message.
"""

from __future__ import annotations

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.server.exports import build_export, built_export
from cnnviz.errors import CnnvizError
from cnnviz.export import TOLERANCE, ExportResult
from cnnviz.export_formats import FORMATS

PURPOSES = {  # what each format is for, in one line
    "litert": "For a phone or a small board: Android, iOS or a Raspberry Pi run this one file.",
    "saved_model": "For TensorFlow: load it in a Python script, or serve it with TF Serving.",
    "onnx": "For any runtime: ONNX Runtime runs it from Python, C#, Java, JavaScript or C++.",
    "bundle": "Back into cnnviz: weights, model and history, to import on another laptop.",
}


def which_weights(run, epoch: int | None) -> str:
    """The weights an export of `run` holds, in words: those after `epoch`, or the final
    model (or the last finished epoch's, for a run interrupted before saving one)."""
    if epoch is not None:
        return f"the weights after epoch {epoch}, the epoch shown above"
    kept = run.epochs()
    if run.has_final_model or not kept:
        return "the final model, as it was at the end of training"
    return f"the weights after epoch {kept[-1]}, the last one that finished"


def check_words(result: ExportResult) -> str:
    """The export's check against Keras, in a sentence a learner can read."""
    n = result.images_checked
    if result.format == "bundle" and not n:
        return (
            "Checked: imported back into cnnviz, the bundle holds exactly the run's weights "
            "(its test images are not on this machine, so none were run)."
        )
    same = round((result.argmax_agreement or 0.0) * n)
    what = "the bundle, imported back into cnnviz," if result.format == "bundle" else "the export"
    return (
        f"Checked on {n} test images: {what} gives the same answer as the Keras model on "
        f"{same} of {n}, and its probabilities differ from Keras's by at most "
        f"{result.max_abs_diff:.1e} (max |Δ|; up to {TOLERANCE:.0e} is rounding, more "
        "would have stopped the export)."
    )


def _size(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{max(n / 1e3, 1):.0f} kB"


def export_panel(run, *, epoch: int | None, key: str) -> None:
    """Choose a format, export on a click (with a spinner), then the check and the
    download of the zip.

    Args:
        run: the `cnnviz.runs.Run` shown on the page.
        epoch: the weights after this epoch (Inspect's epoch picker), None for the final
            model.
        key: the widgets' key prefix, e.g. "inspect_export".
    """
    name = st.radio(
        "Export as",
        list(FORMATS),
        format_func=lambda n: FORMATS[n].title,
        captions=[PURPOSES.get(n, f"Run by {FORMATS[n].runtime}.") for n in FORMATS],
        key=f"{key}_format",
    )
    title = FORMATS[name].title
    st.caption(f"Exports {which_weights(run, epoch)}.")
    made = built_export(run.id, name, epoch=epoch)
    if made is None:
        if not st.button(f"Export as {title}", key=f"{key}_build", type="primary"):
            return
        try:
            with st.spinner(f"Exporting to {title}, then checking it against Keras..."):
                made = build_export(run.id, name, epoch=epoch)
        except CnnvizError as err:
            show_error(err)
            return
    data, result = made
    st.success(check_words(result), icon=":material/verified:")
    st.download_button(
        f"Download the {title} export (.zip)",
        data,
        file_name=result.path,
        mime="application/zip",
        key=f"{key}_download",
        on_click="ignore",
        icon=":material/download:",
    )
    inside = (
        "import it on the Predict page of any cnnviz, or with `python -m cnnviz import`"
        if result.format == "bundle"
        else "inside, the model, labels.txt (the class names) and a README on how to run it"
    )
    st.caption(f"{plain(result.path)}, {_size(result.bytes)}: {inside}.")
