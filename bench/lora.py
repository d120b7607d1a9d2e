#!/usr/bin/env python3
"""LoRA domain benchmark (issue #6): does a domain adapter code its domain's held-out texts in fewer
bits, and does routing from the prompt alone keep that gain?

1. builds the domain set (bench/lora_domains.py) in the work folder;
2. trains one adapter per domain with `llmz lora train` (skipped when already trained);
3. codes every held-out response, with its prompt as context, under: the base model, each adapter
   (the right one and the wrong ones), `--route prompt` (the real command; the decoder repeats the
   choice, no bits) and route-best (the smallest of the adapters' codes plus log2(K) bits to name it);
   the first routed file of each domain is also decoded and compared.

Sizes are the coded chunks without the file header (which is the same for every configuration but
the adapter entries, and would dominate texts this short). Results go to bench/results/lora.json
(updated after every item, so --resume continues) and bench/results/lora.md.

  bench/lora.py --resume                 # about 2.5 hours on 2 cores (SmolLM2-135M)
  bench/lora.py --train-bytes 30000 --test-items 5 --epochs 1 --work /tmp/lora-small
"""
import argparse
import json
import math
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
LLMZ = ROOT / "build" / "llmz"
RESULTS = ROOT / "bench" / "results"


def run(cmd, **kw):
    p = subprocess.run([str(c) for c in cmd], capture_output=True, text=True, **kw)
    if p.returncode != 0:
        sys.exit(f"error: {' '.join(map(str, cmd))} failed ({p.returncode}): {p.stderr.strip()}")
    return p


def info(path):
    return json.loads(run([LLMZ, "info", "--json", path]).stdout)


def coded_bytes(path):
    i = info(path)
    return i["file_size"] - i["header_size"], i


def model_path(model):
    """A short name as `llmz models` lists it (name line, then its path), or a path."""
    lines = run([LLMZ, "models"]).stdout.splitlines()
    for k, line in enumerate(lines[:-1]):
        if line.split() and line.split()[0] == model:
            return Path(lines[k + 1].strip())
    return Path(model)


def save(state, path):
    tmp = path.with_suffix(".tmp")
    tmp.write_text(json.dumps(state, indent=1))
    tmp.replace(path)


def train(args, state, domains, adapters):
    for d in domains:
        out = adapters / f"{d}.gguf"
        if d in state["training"] and out.exists():
            continue
        print(f"training the {d} adapter ...", file=sys.stderr)
        start = time.time()
        p = run([LLMZ, "lora", "train", "--base", args.model, "--data", args.work / "domains" / d / "train.jsonl",
                 "-o", out, "--epochs", args.epochs, "--lr", args.lr, "--rank", args.rank, "-T", args.threads])
        log = p.stderr.replace("\r", "\n")
        losses = [float(line.split("loss")[1].split()[0]) for line in log.splitlines() if "mean training loss" in line]
        tokens = int(log.split(" tokens in ")[0].split()[-1])
        state["training"][d] = {"seconds": round(time.time() - start, 1), "epoch_loss": losses, "tokens": tokens,
                                "train_bytes": (args.work / "domains" / d / "train.jsonl").stat().st_size,
                                "adapter_bytes": out.stat().st_size}
        save(state, args.json)


def measure(args, state, domains, adapters):
    state["model_bytes"] = model_path(args.model).stat().st_size
    names = sorted(domains)
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        adapter_dir = tmp / "adapters"  # exactly the benchmark's adapters: the routing candidates
        adapter_dir.mkdir()
        for d in names:
            (adapter_dir / f"{d}.gguf").symlink_to((adapters / f"{d}.gguf").resolve())
        for d in names:
            rows = [json.loads(l) for l in (args.work / "domains" / d / "test.jsonl").read_text().split("\n") if l.strip()]
            done = state["items"].setdefault(d, [])
            for k, r in enumerate(rows):
                if k < len(done):
                    continue
                prompt, text = tmp / "prompt.txt", tmp / "text.txt"
                prompt.write_text(r["prompt"])
                text.write_text(r["response"])
                base = [LLMZ, "compress", "-q", "-f", "-m", args.model, "-T", args.threads, "--context-file", prompt, text]
                item = {"bytes": len(r["response"].encode())}
                run(base + ["-o", tmp / "base.llmz"])
                item["base"] = coded_bytes(tmp / "base.llmz")[0]
                item["adapters"] = {}
                for a in names:
                    run(base + ["-o", tmp / "a.llmz", "--lora", adapter_dir / f"{a}.gguf"])
                    item["adapters"][a] = coded_bytes(tmp / "a.llmz")[0]
                run(base + ["-o", tmp / "route.llmz", "--lora-dir", adapter_dir, "--route", "prompt"])
                item["prompt_route"], i = coded_bytes(tmp / "route.llmz")
                item["prompt_route_to"] = Path(i["adapters"][0]["name"]).name
                if k == 0:  # the decoder routes again and must get the text back
                    back = run([LLMZ, "decompress", "-q", "-c", "-m", args.model, "-T", args.threads, "--lora-dir",
                                adapter_dir, "--context-file", prompt, tmp / "route.llmz"]).stdout
                    if back != r["response"]:
                        sys.exit(f"error: {d} item 0: the prompt-routed file did not decode to the text")
                    item["prompt_route_verified"] = True
                done.append(item)
                save(state, args.json)
                print(f"{d} {k + 1}/{len(rows)}: base {item['base']} B, right {item['adapters'][d]} B, "
                      f"prompt-routed to {item['prompt_route_to']} {item['prompt_route']} B", file=sys.stderr)


def summarize(state):
    names = sorted(state["items"])
    k = len(names)
    out = {}
    for d in names:
        items = state["items"][d]
        if not items:
            continue
        n = sum(i["bytes"] for i in items)
        bits = lambda f: 8 * sum(f(i) for i in items)
        base = bits(lambda i: i["base"])
        right = bits(lambda i: i["adapters"][d])
        wrong = statistics.mean(bits(lambda i, a=a: i["adapters"][a]) for a in names if a != d) if k > 1 else float("nan")
        prompt = bits(lambda i: i["prompt_route"])
        best = bits(lambda i: min(i["adapters"].values())) + len(items) * math.log2(k)
        out[d] = {"items": len(items), "bytes": n,
                  "bpb": {"base": base / n, "right": right / n, "wrong_mean": wrong / n, "prompt_route": prompt / n,
                          "best_route": best / n},
                  "right_over_base": right / base,
                  "prompt_route_keeps": (base - prompt) / (base - right) if right < base else None,
                  "prompt_routed_right": sum(i["prompt_route_to"] == d for i in items) / len(items),
                  "training": state["training"].get(d)}
    if out:
        # Pooled over every text: a domain whose adapter does not help has no share of a gain to keep.
        pooled = lambda f: sum(8 * f(i, d) for d in names for i in state["items"][d])
        gain = pooled(lambda i, d: i["base"] - i["adapters"][d])
        out["mean"] = {"right_over_base": statistics.mean(v["right_over_base"] for v in out.values()),
                       "prompt_route_keeps": pooled(lambda i, d: i["base"] - i["prompt_route"]) / gain if gain > 0 else None,
                       "prompt_routed_right": statistics.mean(v["prompt_routed_right"] for v in out.values())}
    return out


def pct(x):
    return "-" if x is None else f"{100 * x:.0f}%"


def markdown(state, summary):
    cfg = state["config"]
    lines = [f"# LoRA domain adapters ({cfg['model']}, rank {cfg['rank']}, {cfg['epochs']} epoch(s), lr {cfg['lr']}, "
             f"up to {int(cfg['train_bytes']) // 1000} KB of training pairs per domain)", "",
             "Held-out responses coded with their prompt as context; bits per byte of the coded chunks (no header).",
             "best-route adds log2(K) bits per text to name the adapter; prompt routing costs none.",
             "'prompt keeps' = (base - prompt route) / (base - right adapter), shown where the right adapter helps.", "",
             "| domain | texts | base | right adapter | wrong (mean) | prompt route | best route | right/base | prompt keeps | routed right | train s | train tokens | adapter MB |",
             "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for d, v in summary.items():
        if d == "mean":
            continue
        b, t = v["bpb"], v["training"] or {}
        lines.append(f"| {d} | {v['items']} | {b['base']:.3f} | {b['right']:.3f} | {b['wrong_mean']:.3f} | "
                     f"{b['prompt_route']:.3f} | {b['best_route']:.3f} | {v['right_over_base']:.3f} | "
                     f"{pct(v['prompt_route_keeps'])} | {100 * v['prompt_routed_right']:.0f}% | "
                     f"{t.get('seconds', 0):.0f} | {t.get('tokens', 0)} | {t.get('adapter_bytes', 0) / 1e6:.1f} |")
    if "mean" in summary:
        m = summary["mean"]
        lines += ["", f"Mean over domains: right/base {m['right_over_base']:.3f} (target <= 0.75); over all texts prompt "
                      f"routing keeps {pct(m['prompt_route_keeps'])} of the right adapter's gain (target >= 80%) and routes to the right domain "
                      f"{100 * m['prompt_routed_right']:.0f}% of the time."]
    if state.get("model_bytes"):
        lines.append(f"Model file: {state['model_bytes'] / 1e6:.0f} MB.")
    return "\n".join(lines) + "\n"


def main():
    global LLMZ
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--work", type=Path, default=ROOT / "bench" / "work" / "lora", help="domains and adapters go here")
    ap.add_argument("--model", default="smollm2")
    ap.add_argument("--train-bytes", type=int, default=400_000)
    ap.add_argument("--test-items", type=int, default=25)
    ap.add_argument("--epochs", type=int, default=1)
    ap.add_argument("--lr", default="1e-3")
    ap.add_argument("--rank", type=int, default=32)
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--resume", action="store_true", help="continue the run recorded in --json")
    ap.add_argument("--json", type=Path, default=RESULTS / "lora.json")
    ap.add_argument("--llmz", type=Path, default=LLMZ, help="the llmz binary (a copy keeps a long run steady while you rebuild)")
    args = ap.parse_args()
    LLMZ = args.llmz
    if not LLMZ.exists():
        sys.exit(f"error: {LLMZ} not found: run ./scripts/setup.sh first")
    config = {k: str(getattr(args, k)) for k in ("model", "train_bytes", "test_items", "epochs", "lr", "rank")}
    state = {"config": config, "training": {}, "items": {}}
    if args.resume and args.json.exists():
        state = json.loads(args.json.read_text())
        if state["config"] != config:
            sys.exit(f"error: {args.json} was made with {state['config']}, not {config}; drop --resume to start over")
    run([sys.executable, ROOT / "bench" / "lora_domains.py", "--out", args.work / "domains",
         "--train-bytes", args.train_bytes, "--test-items", args.test_items])
    domains = sorted(p.name for p in (args.work / "domains").iterdir() if p.is_dir())
    adapters = args.work / "adapters"
    adapters.mkdir(parents=True, exist_ok=True)
    args.json.parent.mkdir(parents=True, exist_ok=True)
    train(args, state, domains, adapters)
    measure(args, state, domains, adapters)
    summary = summarize(state)
    state["summary"] = summary
    save(state, args.json)
    args.json.with_suffix(".md").write_text(markdown(state, summary))
    print(markdown(state, summary))


if __name__ == "__main__":
    main()
