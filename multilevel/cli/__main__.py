"""`python -m multilevel.cli`: the `multilevel` command without its console script."""

import sys

from multilevel.cli.main import main

sys.exit(main())
