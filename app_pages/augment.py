"""Augment: random changes to every training image, previewed by the layers that train."""

import numpy as np
import streamlit as st
from PIL import Image

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.state import init_state
from app_pages.server.datasets import IMAGE_TYPES, uploaded_image
from app_pages.session.dataset import current_dataset
from cnnviz.augment import AugmentSpec, grid_image
from cnnviz.errors import CnnvizError
from cnnviz.images import enlarge, png_bytes, sample_photos

SLIDERS = {  # spec setting (widget key "augment_<setting>"): label, low, high, step, format
    "rotation_degrees": ("Rotation (degrees either way)", 0.0, 180.0, 5.0, "%.0f°"),
    "width_shift": ("Horizontal shift (share of the width)", 0.0, 0.5, 0.05, "%.2f"),
    "height_shift": ("Vertical shift (share of the height)", 0.0, 0.5, 0.05, "%.2f"),
    "shear_degrees": ("Shear (degrees either way)", 0.0, 45.0, 5.0, "%.0f°"),
    "zoom": ("Zoom (size multiplier, above 1 enlarges)", 0.5, 2.0, 0.05, "%.2f"),
    "brightness": ("Brightness (pixel multiplier)", 0.0, 2.0, 0.05, "%.2f"),
}
FLIPS = {"flip_left_right": "Flip left-right", "flip_up_down": "Flip upside down"}
PHOTOS = {"Temple photo": "china.jpg", "Flower photo": "flower.jpg"}
SOURCES = ["Dataset image", *PHOTOS, "Upload"]
FIELDS = [*SLIDERS, *FLIPS]
photos = st.cache_resource(show_spinner=False)(sample_photos)
VARIANTS, TILE, MAX_SIDE = 8, 180, 640  # variants shown, tile size on screen, upload size cap


def widget_values(spec: AugmentSpec) -> dict:
    """The spec as widget values (ranges as tuples), clipped to the sliders' ranges."""
    values = {}
    for field, value in spec.to_dict().items():
        if field in SLIDERS:
            value = np.clip(value, *SLIDERS[field][1:3]).tolist()
        values[f"augment_{field}"] = tuple(value) if isinstance(value, list) else value
    return values


def widget_spec() -> AugmentSpec:
    return AugmentSpec.from_dict({f: st.session_state[f"augment_{f}"] for f in FIELDS})


def reseed() -> None:
    st.session_state.augment_seed += 1


def store() -> None:
    """Copy the widgets into the shared spec that the Train page reads (a callback)."""
    st.session_state.cnnviz_augment = widget_spec().to_dict()


def reset() -> None:
    st.session_state.update(widget_values(AugmentSpec()))
    store()


@st.cache_data(max_entries=64, show_spinner="Drawing the variants...")
def preview_png(source_id: str, spec: dict, seed: int, _image: np.ndarray) -> bytes:
    """The original and its variants as one PNG (big photos shrunk); `source_id` names `_image`."""
    from cnnviz.augment_layers import preview  # imports Keras

    variants = preview(_image, AugmentSpec.from_dict(spec), n=VARIANTS, seed=seed)
    tiles = enlarge(np.concatenate([_image[None], variants]), side=TILE)
    b = max(5, tiles.shape[2] // 36)  # frame: white round each tile, red round the original
    rgb = np.broadcast_to(tiles, (*tiles.shape[:3], 3))
    tiles = np.pad(rgb, [(0, 0), (b, b), (b, b), (0, 0)], constant_values=255)
    tiles[0, :b] = tiles[0, -b:] = tiles[0, :, :b] = tiles[0, :, -b:] = (255, 75, 75)
    grid = Image.fromarray(grid_image(tiles[0], tiles[1:], gap=2))
    return png_bytes(np.asarray(grid.reduce(max(1, grid.width // (3 * TILE + 36)))))


def chosen_image() -> tuple[np.ndarray | None, str, str]:
    """The image to preview on: (pixels or None, its id for the cache, a caption)."""
    source = st.radio(
        "Preview on", SOURCES, key="augment_source", horizontal=True, persist_state="session"
    )
    if source in PHOTOS:
        return photos()[PHOTOS[source]], source, f"scikit-learn's {source.lower()}"
    if source == "Upload":
        upload = st.file_uploader("An image", type=IMAGE_TYPES, key="augment_upload")
        image = uploaded_image(upload, max_side=MAX_SIDE)
        return image, upload and f"upload:{upload.file_id}", upload and upload.name
    dataset = current_dataset()
    if dataset is None:
        return None, "", ""
    last = len(dataset.train) - 1
    st.session_state.augment_index = min(st.session_state.get("augment_index", 0), last)
    index = st.number_input(
        f"Training image (0 to {last})", 0, last, key="augment_index", persist_state="session"
    )
    label = dataset.info.class_names[dataset.train.labels[index]]
    return dataset.train.images[index], f"{dataset.info.id}#{index}", f"class {label}"


init_state()
try:
    shared = AugmentSpec.from_dict(st.session_state.cnnviz_augment)
except CnnvizError as err:
    show_error(err)
    shared = AugmentSpec()
for key, value in {**widget_values(shared), "augment_seed": 0}.items():
    st.session_state.setdefault(key, value)

st.title("Augment")
st.caption("Random changes to each training image, new every epoch, drawn by the training layers.")
controls, shown = st.columns([2, 3], gap="large")
with controls:
    for field, (label, low, high, step, fmt) in SLIDERS.items():
        st.slider(label, low, high, step=step, format=fmt, key=f"augment_{field}", on_change=store)
    for column, (field, label) in zip(st.columns(2), FLIPS.items()):
        column.toggle(label, key=f"augment_{field}", on_change=store)
    st.button("Reset to no augmentation", key="augment_reset", on_click=reset)
    spec = widget_spec()
    st.markdown("**Goes into training** (the Train page uses it):")
    st.code(spec.to_json(indent=None), language="json", wrap_lines=True)
with shown:
    image, source_id, caption = chosen_image()
    if image is not None:
        png = preview_png(source_id, spec.to_dict(), st.session_state.augment_seed, image)
        changes = spec.describe() or "none yet, so each is the original"
        alt = (
            f"The original ({caption}), first, then {VARIANTS} random variants; changes: {changes}"
        )
        caption = f"In red: the original ({plain(caption)}), first; then {VARIANTS} random variants"
        st.image(png, caption=caption, alt=alt, output_format="PNG")
        st.button("Draw again", key="augment_reseed", on_click=reseed, icon=":material/casino:")
        if spec.is_identity:
            st.info("No augmentation yet: every variant is the original. Move a slider.")
