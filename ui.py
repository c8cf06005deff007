"""The web UI (`python ui.py`), also the Hugging Face Space's app_file. Settings come from RAG_* env vars."""

from rag.pipeline import Pipeline
from rag.webui import serve

if __name__ == "__main__":
    serve(Pipeline())
