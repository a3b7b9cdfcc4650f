"""Figure builders: arrays and engine results in, `go.Figure` (or an SVG diagram) out.

Figures only draw: every number comes from the engine (`concepts`, `features`,
`evaluate`, ...), and nothing here imports streamlit, TensorFlow or a compute module.
Import the module a page needs (importing one does not import the others, so the
Concepts page never loads plotly):

- `concepts`: convolution and pooling step by step, as SVG (`svg`), and the image
  transformer's pictures;
- `datasets`: images per class; `training`: loss and accuracy curves;
- `overview`: the whole network for one image; `maps`: one layer's maps, a
  convolution's filters; `evaluation`: confusion matrix, per-class scores; `mistakes`:
  the mistakes, a confusion cell's images; `predictions`: the top classes of one image,
  Grad-CAM; `compare`, `disagreements`: two runs side by side; `compare_many`: up to ten
  runs; `sweep`: runs grouped by a setting; `parallel`: every run's settings and score;
- shared: `base` (plotly pieces), `pixels` (display transforms), `colors` (the palette),
  `contrast` (WCAG contrast), `theme` (the projector), `alt` (text alternatives).

Every figure has a text alternative, one sentence naming its key numbers and its numbers as
a table: `alt.text_of(figure)` gives (summary, table) for any plotly figure or SVG diagram
built here; a picture made of pixels has a companion `*_text` function. Right and wrong
are marked by a symbol (✓/✗) as well as a colour, and every text meets WCAG AA contrast.

Builders that a page redraws on every click assemble plain dicts and make the figure
once with `base.make_figure`, skipping plotly's per-property validation (several times
faster); the tests re-validate every such figure with `go.Figure(fig.to_dict())`.
"""
