"""`python -m cnnviz ...`: see cnnviz/cli/__init__.py."""

import sys

from cnnviz.cli.quiet import quiet_tensorflow_import
from cnnviz.settings import quiet_tensorflow

# TensorFlow's chatter (CUDA probes, CPU flags, "failed call to cuInit") is not for
# learners: the level hides what TensorFlow logs once it runs, except fatal errors
# (Python's exceptions are shown as ever); the hook, what it prints while imported.
quiet_tensorflow()
quiet_tensorflow_import()

from cnnviz.cli import main  # noqa: E402

if __name__ == "__main__":  # not when a spawned worker process imports it
    sys.exit(main())
