#!/usr/bin/env python3
"""Training-step throughput of lengthgen's model in PyTorch, for a side-by-side comparison with `lengthgen bench step`.

A lean nanoGPT-style implementation (Karpathy's model.py, as a user of PyTorch would write it) of the same model and
optimizer as lengthgen (model/GptModel, model/train/Trainer): pre-LN GPT blocks, learned absolute position embedding,
tied token embedding / output head, no biases (layernorms have weights only), GELU (tanh form) MLP 4x, dropout on the
embedding and both residual branches (not on the attention weights), cross-entropy over the answer positions (the
others carry ignore_index), one global clip_grad_norm_ of 1.0, AdamW (beta1 0.9, beta2 0.99, eps 1e-8, weight decay
0.1 on matrices only, lr 1e-3, the multi-tensor implementation).

Shapes: a preset at the paper's addition format (operand width W = 20: "<bos>a+b=reversed(c);<eos>", 66 tokens, so
batches are 64 x T = 65), or any model and batch shape given by flags (what bench/compare.sh passes for the shapes of
lengthgen's experiments); there the tokens are random and the last --loss-rows positions of each row carry the loss
(the data does not change the work).

Run it the way compare.sh does, with OpenBLAS told the core type, once per thread configuration:

    OPENBLAS_CORETYPE=SkylakeX OPENBLAS_NUM_THREADS=2 \
        /usr/bin/python3 bench/pytorch/bench_step.py --preset micro --threads 1

Debian's torch does its CPU matmuls through the system BLAS; on these CPUs OpenBLAS misdetects the core unless
OPENBLAS_CORETYPE=SkylakeX is set. The JSON output records which BLAS library and core the process really loaded
(blas_library, blas_core), so a comparison can check it. --device cuda runs the same model on a GPU.
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

from blas_info import blas

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
    """LayerNorm with a weight and no bias (nanoGPT's bias=False; torch 1.13's nn.LayerNorm always has both)."""

    def __init__(self, dim):
        super().__init__()
        self.weight = nn.Parameter(torch.ones(dim))

    def forward(self, x):
        return F.layer_norm(x, self.weight.shape, self.weight, None, 1e-5)


class CausalSelfAttention(nn.Module):
    def __init__(self, dim, heads, context):
        super().__init__()
        self.heads = heads
        self.c_attn = nn.Linear(dim, 3 * dim, bias=False)
        self.c_proj = nn.Linear(dim, dim, bias=False)
        self.register_buffer("mask", torch.tril(torch.ones(context, context, dtype=torch.bool))
                             .view(1, 1, context, context))

    def forward(self, x):
        B, T, C = x.size()
        q, k, v = self.c_attn(x).split(C, dim=2)
        k = k.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        q = q.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        v = v.view(B, T, self.heads, C // self.heads).transpose(1, 2)
        # torch 1.13 has no scaled_dot_product_attention: nanoGPT's explicit path
        att = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(k.size(-1)))
        att = att.masked_fill(~self.mask[:, :, :T, :T], float("-inf"))
        att = F.softmax(att, dim=-1)
        y = (att @ v).transpose(1, 2).contiguous().view(B, T, C)
        return self.c_proj(y)


class Mlp(nn.Module):
    def __init__(self, dim):
        super().__init__()
        self.c_fc = nn.Linear(dim, 4 * dim, bias=False)
        self.c_proj = nn.Linear(4 * dim, dim, bias=False)

    def forward(self, x):
        return self.c_proj(F.gelu(self.c_fc(x), approximate="tanh"))


class Block(nn.Module):
    def __init__(self, dim, heads, context, dropout):
        super().__init__()
        self.ln_1 = LayerNorm(dim)
        self.attn = CausalSelfAttention(dim, heads, context)
        self.ln_2 = LayerNorm(dim)
        self.mlp = Mlp(dim)
        self.drop = nn.Dropout(dropout)

    def forward(self, x):
        x = x + self.drop(self.attn(self.ln_1(x)))
        return x + self.drop(self.mlp(self.ln_2(x)))


class Gpt(nn.Module):
    def __init__(self, layers, heads, dim, vocab, context, dropout):
        super().__init__()
        self.wte = nn.Embedding(vocab, dim)
        self.wpe = nn.Embedding(context, dim)
        self.drop = nn.Dropout(dropout)
        self.h = nn.ModuleList([Block(dim, heads, context, dropout) for _ in range(layers)])
        self.ln_f = LayerNorm(dim)
        self.lm_head = nn.Linear(dim, vocab, bias=False)
        self.lm_head.weight = self.wte.weight  # tied
        for name, p in self.named_parameters():  # GPT-2 initialisation, as GptModel.initialize
            if p.dim() == 2:
                std = 0.02 / math.sqrt(2 * layers) if name.endswith("c_proj.weight") else 0.02
                nn.init.normal_(p, 0.0, std)

    def forward(self, tokens, targets):
        T = tokens.size(1)
        pos = torch.arange(0, T, dtype=torch.long, device=tokens.device)
        x = self.drop(self.wte(tokens) + self.wpe(pos))
        for block in self.h:
            x = block(x)
        logits = self.lm_head(self.ln_f(x))
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.view(-1), ignore_index=-1)


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
    answer_start = 2 * width + 3  # index of the first answer token in the sequence
    targets[:, :answer_start - 1] = -1  # only the targets after '=' (the answer, ';' and <eos>) carry loss
    return tokens, targets


def random_batch(rng, batch, T, vocab, loss_rows):
    """Random tokens; the last loss_rows positions of each row carry the loss."""
    tokens = torch.tensor([[rng.randrange(vocab) for _ in range(T)] for _ in range(batch)], dtype=torch.long)
    targets = torch.tensor([[rng.randrange(vocab) for _ in range(T)] for _ in range(batch)], dtype=torch.long)
    targets[:, :T - loss_rows] = -1
    return tokens, targets


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--preset", choices=sorted(PRESETS), help="model preset (default micro unless --dim is given)")
    ap.add_argument("--layers", type=int)
    ap.add_argument("--heads", type=int)
    ap.add_argument("--dim", type=int)
    ap.add_argument("--vocab", type=int, default=VOCAB)
    ap.add_argument("--seq", type=int, help="positions per row T (default: the addition format's at --width)")
    ap.add_argument("--loss-rows", type=int, help="with --seq: positions per row that carry the loss (default T/3)")
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--width", type=int, default=20, help="operand width of the addition format (default 20)")
    ap.add_argument("--context", type=int, default=256)
    ap.add_argument("--dropout", type=float, default=0.2)
    ap.add_argument("--warmup", type=int, default=0, help="untimed steps (default 3; 20 for T*dim below 8192)")
    ap.add_argument("--steps", type=int, default=0, help="timed steps (default 10; 5 for mini and larger; 40 for"
                                                          " T*dim below 8192)")
    ap.add_argument("--threads", type=int, default=1, help="torch threads (intra-op)")
    ap.add_argument("--device", default="cpu", choices=["cpu", "cuda"])
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of text")
    args = ap.parse_args()

    if args.dim is not None:
        if args.layers is None or args.heads is None:
            ap.error("--dim needs --layers and --heads")
        layers, heads, dim, name = args.layers, args.heads, args.dim, f"{args.layers}L/{args.heads}H/{args.dim}"
    else:
        name = args.preset or "micro"
        layers, heads, dim = PRESETS[name]
    if args.device == "cuda" and not torch.cuda.is_available():
        print("bench_step: --device cuda, but this torch has no CUDA device (torch.cuda.is_available() is False)",
              file=sys.stderr)
        sys.exit(2)
    device = torch.device(args.device)
    T = args.seq if args.seq else 3 * args.width + 5  # <bos>, W, +, W, =, W + 1, ;, <eos>, minus one
    tiny = T * dim < 8192
    steps = args.steps or (40 if tiny else 10 if name in ("nano", "micro") or dim <= 128 else 5)
    warmup = args.warmup or (20 if tiny else 3)

    torch.set_num_threads(args.threads)
    torch.manual_seed(1)
    rng = random.Random(1)
    model = Gpt(layers, heads, dim, args.vocab, args.context, args.dropout).to(device)
    model.train()
    decay = [p for p in model.parameters() if p.dim() >= 2]
    no_decay = [p for p in model.parameters() if p.dim() < 2]
    opt = torch.optim.AdamW([{"params": decay, "weight_decay": 0.1}, {"params": no_decay, "weight_decay": 0.0}],
                            lr=1e-3, betas=(0.9, 0.99), eps=1e-8, foreach=True)
    count = min(warmup + steps, 16)
    if args.seq:
        loss_rows = args.loss_rows or max(1, T // 3)
        batches = [random_batch(rng, args.batch, T, args.vocab, loss_rows) for _ in range(count)]
    else:
        batches = [addition_batch(rng, args.batch, args.width) for _ in range(count)]
    batches = [(x.to(device), y.to(device)) for x, y in batches]

    def step(batch):
        opt.zero_grad(set_to_none=True)
        loss = model(*batch)
        loss.backward()
        torch.nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        opt.step()
        return loss.item()  # waits for the device

    for i in range(warmup):
        step(batches[i % count])
    seconds, cpu = [], []
    loss = 0.0
    for i in range(steps):
        t0, c0 = time.perf_counter(), time.process_time()
        loss = step(batches[(warmup + i) % count])
        seconds.append(time.perf_counter() - t0)
        cpu.append(time.process_time() - c0)
    med = statistics.median(seconds)
    B, N, C = args.batch, args.batch * T, dim
    # model FLOPs as lengthgen counts them (GptModel.trainingFlops): every forward matmul incl. QK^T and AV over
    # the full T x T and the LM head, times 3 for forward + backward
    fwd = layers * (2 * N * C * 3 * C + 4 * B * T * T * C + 2 * N * C * C + 2 * N * C * 4 * C
                    + 2 * N * 4 * C * C) + 2 * N * C * args.vocab
    libs, core, blas_threads = blas()
    result = {
        "framework": "pytorch",
        "implementation": "nanoGPT-style (explicit causal attention, ignore_index loss, AdamW foreach)",
        "torch": torch.__version__,
        "device": str(device) if args.device == "cpu" else torch.cuda.get_device_name(device),
        "threads": torch.get_num_threads(),
        "openblas_coretype": os.environ.get("OPENBLAS_CORETYPE", ""),
        "openblas_num_threads": os.environ.get("OPENBLAS_NUM_THREADS", ""),
        "blas_library": libs,
        "blas_core": core,
        "blas_threads": blas_threads,
        "preset": name,
        "layers": layers,
        "heads": heads,
        "dim": dim,
        "vocab": args.vocab,
        "parameters": sum(p.numel() for p in model.parameters()),
        "batch": args.batch,
        "T": T,
        "dropout": args.dropout,
        "warmup_steps": warmup,
        "timed_steps": steps,
        "ms_per_step_median": round(med * 1e3, 3),
        "ms_per_step_min": round(min(seconds) * 1e3, 3),
        "ms_per_step_max": round(max(seconds) * 1e3, 3),
        # CPU time of the whole process (every torch and OpenBLAS thread) per step: on a busy machine the steadier
        # measure of the work, beside lengthgen's cpu_ms_per_step_median
        "cpu_ms_per_step_median": round(statistics.median(cpu) * 1e3, 3),
        "tokens_per_second": round(args.batch * T / med, 3),
        "model_gflop_per_step": round(3 * fwd / 1e9, 3),
        "achieved_gflops": round(3 * fwd / med / 1e9, 3),
        "last_loss": loss,
    }
    if args.json:
        print(json.dumps(result))
        return
    if args.device == "cpu" and core != "SkylakeX":
        print(f"warning: OpenBLAS picked core '{core or 'none'}' ({', '.join(libs) or 'no BLAS loaded'}); on these "
              "CPUs set OPENBLAS_CORETYPE=SkylakeX or OpenBLAS runs several times slower", file=sys.stderr)
    print(f"pytorch {torch.__version__} on {result['device']}, {result['threads']} thread(s), BLAS {core or '-'} "
          f"({result['openblas_num_threads'] or 'default'} threads), {name} ({layers}L/{heads}H/{dim}, "
          f"{result['parameters']:,} parameters), batch {args.batch} x T {T}:")
    print(f"  {result['ms_per_step_median']:.1f} ms/step median ({result['ms_per_step_min']:.1f} - "
          f"{result['ms_per_step_max']:.1f} over {steps} steps), {result['tokens_per_second']:,.0f} tokens/s, "
          f"{result['achieved_gflops']:.1f} GFLOP/s")


if __name__ == "__main__":
    main()
