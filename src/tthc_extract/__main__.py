"""``python -m tthc_extract``: the command line, as the ``tthc-extract`` script runs it."""

from tthc_extract.cli import main

main()
