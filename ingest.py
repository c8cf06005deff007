"""`python ingest.py [--content DIR] [--index DIR] ...` is `python -m rag ingest`."""

import sys

from rag.cli import main

if __name__ == "__main__":
    main(["ingest", *sys.argv[1:]], prog_name="python ingest.py")
