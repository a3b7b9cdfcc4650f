"""cnnviz: the engine of an interactive CNN explorer.

Pure Python and Keras; no UI code. Importing the package does not import TensorFlow:
modules that need it (build, data pipelines, augment, train, inspect) import it when
they are used.
"""

from cnnviz.errors import CnnvizError, SpecError
from cnnviz.spec import LayerSpec, ModelSpec, Report, check, validate

__all__ = [
    "CnnvizError",
    "LayerSpec",
    "ModelSpec",
    "Report",
    "SpecError",
    "check",
    "validate",
]
