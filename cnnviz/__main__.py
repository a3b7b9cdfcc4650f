"""`python -m cnnviz ...`: see cnnviz/cli.py."""

import sys

from cnnviz.cli import main

sys.exit(main())
