"""The figures' palette: one set of colours for plotly figures, SVG diagrams and maps."""

SEQUENTIAL = [[0.0, "#f7fbff"], [1.0, "#5b9bd0"]]  # white to mid blue: black text stays legible
DIVERGING = [[0.0, "#b2182b"], [0.5, "#ffffff"], [1.0, "#2166ac"]]  # red < 0, white 0, blue > 0
NEGATIVE_COLOR, POSITIVE_COLOR = DIVERGING[0][1], DIVERGING[-1][1]
# The same scale in ColorBrewer RdBu's lighter tones, for cells with numbers written in them:
# TEXT_COLOR reads at 4.5:1 or more on every colour of it (WCAG AA), as on SEQUENTIAL.
DIVERGING_TEXT = [[0.0, "#d6604d"], [0.5, "#ffffff"], [1.0, "#4393c3"]]
PAD_COLOR = "#c9c9c9"  # zero padding, grey as in CNN Explainer
EMPTY_COLOR = "#eeeeee"  # output cells not computed yet
HIGHLIGHT_COLOR = "#e8291c"
TEXT_COLOR = "#1a1a1a"
FONT_FAMILY = "Arial, Helvetica, sans-serif"
PREDICTED_COLOR, OTHER_COLOR = "#2563eb", "#9ca3af"  # the answer, and the other classes
WRONG_COLOR = "#c2410c"
GRID_COLOR = "#e5e5e5"
RUN_A_COLOR, RUN_B_COLOR = "#2563eb", "#ea580c"  # two runs compared: A blue, B orange
RIGHT_COLOR = "#15803d"  # a right answer, beside WRONG_COLOR

# Projector mode (`figures.theme`): each colour above by its colour-blind-safe counterpart
# from Okabe and Ito's palette, in darker tones for contrast on a washed-out screen.
OKABE_ITO = {
    "black": "#000000",
    "orange": "#e69f00",
    "sky_blue": "#56b4e9",
    "bluish_green": "#009e73",
    "yellow": "#f0e442",
    "blue": "#0072b2",
    "vermillion": "#d55e00",
    "reddish_purple": "#cc79a7",
}
PROJECTOR_COLORS = {
    "#2563eb": OKABE_ITO["blue"],  # PREDICTED_COLOR, training curves
    "#f97316": OKABE_ITO["orange"],  # validation curves
    "#9ca3af": "#6b6b6b",  # OTHER_COLOR: a darker grey
    WRONG_COLOR: OKABE_ITO["vermillion"],
    HIGHLIGHT_COLOR: OKABE_ITO["vermillion"],
    NEGATIVE_COLOR: OKABE_ITO["vermillion"],
    POSITIVE_COLOR: OKABE_ITO["blue"],
    TEXT_COLOR: OKABE_ITO["black"],
    GRID_COLOR: "#b0b0b0",
    "#5b9bd0": OKABE_ITO["blue"],  # datasets: training images
    "#f0a35e": OKABE_ITO["orange"],  # datasets: test images
    "#60a5fa": OKABE_ITO["blue"],  # evaluation: precision
    "#f59e0b": OKABE_ITO["orange"],  # evaluation: recall
    "#10b981": OKABE_ITO["bluish_green"],  # evaluation: F1
}
