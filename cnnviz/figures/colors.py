"""The figures' palette: one set of colours for plotly figures, SVG diagrams and maps."""

SEQUENTIAL = [[0.0, "#f7fbff"], [1.0, "#5b9bd0"]]  # white to mid blue: black text stays legible
DIVERGING = [[0.0, "#b2182b"], [0.5, "#ffffff"], [1.0, "#2166ac"]]  # red < 0, white 0, blue > 0
NEGATIVE_COLOR, POSITIVE_COLOR = DIVERGING[0][1], DIVERGING[-1][1]
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
