"""Generation speed of the packaged Qwen2.5-Coder-1.5B in-process, with and without a busy neighbour process,
with OpenMP's default waiting and with OMP_WAIT_POLICY=PASSIVE, in one run.

    python benchmarks/llm_speed.py [--tokens 64] [--gguf qwen2.5-coder-1.5b]

Each of the four cases runs in a fresh process (OpenMP reads its policy once, when it loads): load the
model (llama.cpp threads = every core), then time one greedy completion of a fixed Korean prompt.
The neighbour is one Python process spinning on a core, as any busy program would.
Writes benchmarks/results/llm_speed.json.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RESULTS = ROOT / "benchmarks" / "results" / "llm_speed.json"

GENERATE = """
import json, os, sys, time
from rag.local_models import gguf_path
from llama_cpp import Llama
model = Llama(model_path=str(gguf_path(sys.argv[1])), n_ctx=2048, n_threads=os.cpu_count(), verbose=False)
messages = [{"role": "user", "content": "다음 글을 한국어 세 문장으로 요약하세요: LMSYS는 Kaggle에서 인간 선호도 예측 대회를 "
             "열었고 상금은 100,000달러입니다. 참가자는 챗봇 아레나의 대화 데이터로 어느 응답이 선호될지 예측합니다."}]
started = time.perf_counter()
first = None
tokens = 0
for part in model.create_chat_completion(messages=messages, max_tokens=int(sys.argv[2]), temperature=0.0, stream=True):
    if part["choices"][0]["delta"].get("content"):
        first = first or time.perf_counter()
        tokens += 1
ended = time.perf_counter()
print(json.dumps({"first_token_s": round(first - started, 2), "tokens": tokens,
                  "tokens_per_s": round((tokens - 1) / (ended - first), 2) if tokens > 1 else 0.0}))
"""

SPIN = "while True: pass"


def generate(gguf: str, tokens: int, policy: str | None, busy: bool) -> dict:
    env = {key: value for key, value in os.environ.items() if key != "OMP_WAIT_POLICY"}
    if policy:
        env["OMP_WAIT_POLICY"] = policy
    neighbour = subprocess.Popen([sys.executable, "-c", SPIN]) if busy else None
    try:
        time.sleep(0.5 if busy else 0)
        output = subprocess.run([sys.executable, "-c", GENERATE, gguf, str(tokens)], cwd=ROOT, env=env,
                                check=True, capture_output=True, text=True).stdout
    finally:
        if neighbour:
            neighbour.kill()
            neighbour.wait()
    return json.loads(output.strip().splitlines()[-1])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--tokens", type=int, default=64)
    parser.add_argument("--gguf", default="qwen2.5-coder-1.5b")
    args = parser.parse_args()
    rows = []
    for policy in (None, "PASSIVE"):
        for busy in (False, True):
            row = {"omp_wait_policy": policy or "default", "busy_neighbour": busy,
                   **generate(args.gguf, args.tokens, policy, busy)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    RESULTS.write_text(json.dumps({"model": args.gguf, "cores": os.cpu_count(), "rows": rows}, indent=2) + "\n")
    print(f"written to {RESULTS}")


if __name__ == "__main__":
    main()
