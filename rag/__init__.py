"""digest-rag: cited Korean answers over a daily AI-news digest archive.

Data flow: load -> chunk -> embed / bm25 / index -> (korean: question analysis) -> retrieve
-> chain (extractive | generate) -> present -> interfaces (cli, webui), assembled by
`rag.pipeline.Pipeline.from_settings`.
"""
