"""Concepts: what convolution and pooling do to a grid of numbers, one step at a time."""

import streamlit as st

from app_pages.frame.feedback import plain, show_error
from app_pages.frame.figures import show_picture
from app_pages.panels.stepper import step_controls
from app_pages.panels.transformer import transformer
from cnnviz import concepts
from cnnviz.errors import CnnvizError
from cnnviz.figures import concepts as figures

POOL_STRIDES = {"same as pool size": None, "1": 1, "2": 2, "3": 3}


def new_grid() -> None:
    """Refill the grid from the size and seed (a callback: runs before the page)."""
    size, seed = st.session_state.concepts_size, st.session_state.concepts_seed
    st.session_state.concepts_grid = concepts.format_grid(
        concepts.random_grid(size, size, seed=seed)
    )


st.title("Concepts")
st.markdown(
    "A **convolution** slides a small grid of weights, the **kernel**, over the input: at each "
    "position it multiplies the numbers under the window by the kernel's and adds them up into "
    "one output cell. **Pooling** slides a window too and keeps the largest number (max) or the "
    "mean (average). Change the grid, kernel, stride and padding, then step through the output."
)
if "concepts_size" not in st.session_state:
    st.session_state.concepts_size, st.session_state.concepts_seed = 6, 0
    new_grid()

st.header("Convolution")
size_col, seed_col, kernel_col, stride_col, padding_col = st.columns([3, 2, 3, 2, 3])
size_col.slider("Grid size", 3, 9, key="concepts_size", on_change=new_grid)
seed_col.number_input("Random seed", 0, 9999, key="concepts_seed", on_change=new_grid)
names = [*concepts.KERNELS, "custom"]
kernel_name = kernel_col.selectbox("Kernel", names, index=2, key="concepts_kernel")
stride = stride_col.number_input("Stride", 0, 4, value=1, key="concepts_stride")
padding = padding_col.radio("Padding", concepts.PADDINGS, horizontal=True, key="concepts_padding")
with st.expander("Type your own numbers", expanded=kernel_name == "custom"):
    grid_col, custom_col = st.columns(2)
    grid_text = grid_col.text_area("Input grid", key="concepts_grid", height=220)
    custom_text = custom_col.text_area(
        "Custom kernel (3x3 or 5x5)",
        "1 0 -1\n2 0 -2\n1 0 -1",
        height=220,
        key="concepts_custom_kernel",
    )
st.caption(f"**{kernel_name}** kernel: {concepts.KERNEL_NOTES[kernel_name]}")
try:
    grid = concepts.parse_grid(grid_text)
    kernel = concepts.get_kernel(kernel_name, custom_text=custom_text)
except CnnvizError as error:
    show_error(error)
    st.stop()

try:
    result = concepts.convolve(grid, kernel, stride=stride, padding=padding)
except CnnvizError as problem:  # kernel larger than the input, stride 0: said in words
    st.warning(plain(str(problem)))
else:
    st.markdown(f"**Output size:** `{result.formula}`")
    index = step_controls("concepts_step", result.n_steps, "step")
    show_picture(figures.convolution_figure(result, index), key="concepts_convolution")
    step = result.step(index)
    st.markdown(
        f"**Step {index + 1} of {result.n_steps}**, output cell (row {step.row}, "
        f"column {step.col}): {step.expression}"
    )
    show_picture(figures.arithmetic_figure(result, index), key="concepts_arithmetic")

st.header("Max and average pooling")
st.markdown(
    "Pooling shrinks a grid: each window becomes one number, the largest (max) or the "
    "mean (average). Both run on the grid above, with the same window."
)
size_col, stride_col, padding_col = st.columns(3)
pool_size = size_col.radio("Pool size", [2, 3], horizontal=True, key="concepts_pool_size")
stride_choice = stride_col.selectbox("Pool stride", POOL_STRIDES, key="concepts_pool_stride")
pool_stride = POOL_STRIDES[stride_choice]
pool_padding = padding_col.radio(
    "Pool padding", concepts.PADDINGS, horizontal=True, key="concepts_pool_padding"
)
try:
    pooled = [
        concepts.pool(grid, size=pool_size, stride=pool_stride, padding=pool_padding, mode=mode)
        for mode in ("max", "average")
    ]
except CnnvizError as problem:
    st.warning(plain(str(problem)))
else:
    st.markdown(f"**Output size:** `{pooled[0].formula}`")
    index = step_controls("concepts_pool_step", pooled[0].n_steps, "pooling step")
    show_picture(figures.pooling_figure(*pooled, index), key="concepts_pooling")
    st.markdown(
        f"**Max:** {pooled[0].step(index).expression}  \n"
        f"**Average:** {pooled[1].step(index).expression}"
    )

transformer(kernel_name, kernel, stride, padding)
