"""The web UI (`python ui.py`), also the Hugging Face Space's app_file: `python -m rag serve` with RAG_* settings."""

import sys

from rag.cli import main

if __name__ == "__main__":
    main(["serve", *sys.argv[1:]], prog_name="python ui.py")
