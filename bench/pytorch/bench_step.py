#!/usr/bin/env python3
"""Training-step throughput of lengthgen's model in PyTorch, for a side-by-side comparison with `lengthgen bench step`.

The same model and optimizer as lengthgen (model/GptModel, model/train/Trainer): pre-LN GPT blocks, learned absolute
position embedding (context 256), tied token embedding / output head, no biases (layernorms have weights only), GELU
(tanh form) MLP 4x, dropout on the embedding and both residual branches (not on the attention weights), masked
cross-entropy on the answer tokens, global grad-norm clip 1.0, AdamW (beta1 0.9, beta2 0.99, eps 1e-8, weight decay
0.1 on matrices only, lr 1e-3). The data is the paper's addition format at operand width W = 20:
"<bos>a+b=reversed(c);<eos>", 66 tokens, so batches are 64 x T = 65.

Run it the way compare.sh does, with one torch thread and OpenBLAS told the core type:

    OPENBLAS_CORETYPE=SkylakeX /usr/bin/python3 bench/pytorch/bench_step.py --preset micro

On these CPUs OpenBLAS (which Debian's torch uses for matmuls) misdetects the core and picks slow kernels unless
OPENBLAS_CORETYPE=SkylakeX is set (4-7x slower), and more than one torch thread oversubscribes the cores; either
would make the comparison unfair to PyTorch.
"""
import argparse
import json
import math
import os
import random
import statistics
import sys
import time

import torch
import torch.nn as nn
import torch.nn.functional as F

PRESETS = {  # layers, heads, dim (GptConfig.PRESETS; docs/ARCHITECTURE.md, "The paper's setup")
    "nano": (3, 3, 48),
    "micro": (4, 4, 128),
    "mini": (6, 6, 384),
    "gpt2": (12, 12, 768),
}

# lengthgen's vocabulary for base 10: the digits, '+', '=', ';', <bos>, <eos>, <pad>
DIGITS = "0123456789"
PLUS, EQUALS, SEMI, BOS, EOS, PAD = 10, 11, 12, 13, 14, 15
VOCAB = 16


class LayerNorm(nn.Module):
    """LayerNorm with a weight and no bias (torch 1.13's nn.LayerNorm always has both)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class Block(nn.Module):
    def __init__(self, dim, heads, dropout):
        super().__init__()
        self.heads = heads
        self.ln_1 = LayerNorm(dim)
        self.c_attn = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.ln_2 = LayerNorm(dim)
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.mlp_proj = nn.Linear(4 * dim, dim, bias=False)
        self.drop = nn.Dropout(dropout)

    def attention(self, x):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)
        hs = C // self.heads
        q = q.view(B, T, self.heads, hs).transpose(1, 2)
        k = k.view(B, T, self.heads, hs).transpose(1, 2)
        v = v.view(B, T, self.heads, hs).transpose(1, 2)
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(hs))
        mask = torch.ones(T, T, dtype=torch.bool).tril()
        att = att.masked_fill(~mask, float("-inf")).softmax(dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)

    def forward(self, x):
        x = x + self.drop(self.attention(self.ln_1(x)))
        x = x + self.drop(self.mlp_proj(F.gelu(self.c_fc(self.ln_2(x)), approximate="tanh")))
        return x


class Gpt(nn.Module):
    def __init__(self, layers, heads, dim, context, dropout):
        super().__init__()
        self.wte = nn.Embedding(VOCAB, dim)
        self.wpe = nn.Embedding(context, dim)
        self.drop = nn.Dropout(dropout)
        self.blocks = nn.ModuleList([Block(dim, heads, dropout) for _ in range(layers)])
        self.ln_f = LayerNorm(dim)
        # GPT-2 initialisation, as GptModel.initialize
        for name, p in self.named_parameters():
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith(("c_proj.weight", "mlp_proj.weight")) else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens, positions, targets, mask):
        x = self.drop(self.wte(tokens) + self.wpe(positions))
        for b in self.blocks:
            x = b(x)
        logits = self.ln_f(x) @ self.wte.weight.t()  # tied output head, no bias
        losses = F.cross_entropy(logits.view(-1, VOCAB), targets.reshape(-1), reduction="none")
        return (losses * mask.reshape(-1)).sum() / mask.sum()


def addition_batch(rng, batch, width):
    """One batch of the paper's format: operands of 1..width digits, zero-padded, answer reversed."""
    rows = []
    for _ in range(batch):
        a = rng.randrange(10 ** rng.randint(1, width))
        b = rng.randrange(10 ** rng.randint(1, width))
        text = f"{a:0{width}d}+{b:0{width}d}={str(a + b).zfill(width + 1)[::-1]};"
        ids = [BOS] + [DIGITS.index(ch) if ch in DIGITS else {"+": PLUS, "=": EQUALS, ";": SEMI}[ch] for ch in text]
        rows.append(ids + [EOS])
    seq = torch.tensor(rows, dtype=torch.long)
    tokens, targets = seq[:, :-1].contiguous(), seq[:, 1:].contiguous()
    T = tokens.shape[1]
    answer_start = 2 * width + 3  # index of the first answer token in the sequence
    mask = torch.zeros(batch, T)
    mask[:, answer_start - 1:] = 1.0  # targets after '=': the answer, ';' and <eos>
    positions = torch.arange(T).expand(batch, T)
    return tokens, positions, targets, mask


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", default="micro", choices=sorted(PRESETS))
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=20)
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--warmup", type=int, default=3)
    ap.add_argument("--steps", type=int, default=0, help="timed steps (default 10; 5 for mini and larger)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (default 1: more oversubscribes)")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = ap.parse_args()
    steps = args.steps or (10 if args.preset in ("nano", "micro") else 5)

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    rng = random.Random(1)
    layers, heads, dim = PRESETS[args.preset]
    model = Gpt(layers, heads, dim, args.context, args.dropout)
    model.train()
    decay = [p for p in model.parameters() if p.dim() == 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), eps=1e-8)
    batches = [addition_batch(rng, args.batch, args.width) for _ in range(args.warmup + steps)]
    T = batches[0][0].shape[1]

    def step(batch):
        opt.zero_grad(set_to_none=True)
        loss = model(*batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()

    for i in range(args.warmup):
        step(batches[i])
    seconds = []
    loss = 0.0
    for i in range(steps):
        t0 = time.perf_counter()
        loss = step(batches[args.warmup + i])
        seconds.append(time.perf_counter() - t0)
    med = statistics.median(seconds)
    N, C = args.batch * T, dim
    # model FLOPs as lengthgen counts them (GptModel.trainingFlops): every forward matmul incl. QK^T and AV over
    # the full T x T and the LM head, times 3 for forward + backward
    fwd = layers * (2 * N * C * 3 * C + 4 * args.batch * T * T * C + 2 * N * C * C + 2 * N * C * 4 * C
                    + 2 * N * 4 * C * C) + 2 * N * C * VOCAB
    result = {
        "framework": "pytorch",
        "torch": torch.__version__,
        "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "preset": args.preset,
        "parameters": sum(p.numel() for p in model.parameters()),
        "batch": args.batch,
        "T": T,
        "dropout": args.dropout,
        "warmup_steps": args.warmup,
        "timed_steps": steps,
        "ms_per_step_median": round(med * 1e3, 3),
        "ms_per_step_min": round(min(seconds) * 1e3, 3),
        "ms_per_step_max": round(max(seconds) * 1e3, 3),
        "tokens_per_second": round(args.batch * T / med, 3),
        "model_gflop_per_step": round(3 * fwd / 1e9, 3),
        "achieved_gflops": round(3 * fwd / med / 1e9, 3),
        "last_loss": loss,
    }
    if args.json:
        print(json.dumps(result))
    else:
        if not result["openblas_coretype"]:
            print("warning: OPENBLAS_CORETYPE is not set; on these CPUs set OPENBLAS_CORETYPE=SkylakeX or OpenBLAS "
                  "runs several times slower", file=sys.stderr)
        print(f"pytorch {torch.__version__}, {result['threads']} thread(s), {args.preset} "
              f"({layers}L/{heads}H/{dim}, {result['parameters']:,} parameters), batch {args.batch} x T {T}:")
        print(f"  {result['ms_per_step_median']:.1f} ms/step median ({result['ms_per_step_min']:.1f} - "
              f"{result['ms_per_step_max']:.1f} over {steps} steps), {result['tokens_per_second']:,.0f} tokens/s, "
              f"{result['achieved_gflops']:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
