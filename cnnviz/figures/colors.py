"""The figures' palette: one set of colours for plotly figures and SVG diagrams."""

SEQUENTIAL = [[0.0, "#f7fbff"], [1.0, "#5b9bd0"]]  # white to mid blue: black text stays legible
DIVERGING = [[0.0, "#e07b6a"], [0.5, "#ffffff"], [1.0, "#5b9bd0"]]  # red < 0, white 0, blue > 0
PAD_COLOR = "#c9c9c9"  # zero padding, grey as in CNN Explainer
EMPTY_COLOR = "#eeeeee"  # output cells not computed yet
HIGHLIGHT_COLOR = "#e8291c"
TEXT_COLOR = "#1a1a1a"
FONT_FAMILY = "Arial, Helvetica, sans-serif"
