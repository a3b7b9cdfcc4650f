"""`python -m cnnviz ...`: see cnnviz/cli.py."""

import os
import sys

# TensorFlow's start-up chatter (CUDA probes, CPU flags) is not for learners.
os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

from cnnviz.cli import main  # noqa: E402

if __name__ == "__main__":  # not when a spawned worker process imports it
    sys.exit(main())
