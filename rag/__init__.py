"""digest-rag: cited Korean answers over a daily AI-news digest archive.

Data flow, one module per stage: load -> chunk -> embed / keyword / index -> retrieve -> answer,
shared by every interface through `rag.pipeline.Pipeline`.
"""
