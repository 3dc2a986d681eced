"""A GPT-style causal transformer, written to mirror its equations (after Karpathy's nanoGPT model.py).

Reads in data-flow order: attention, MLP, block, config, model. Parameter names match the GPT-2 checkpoint
(transformer.wte, transformer.h.{i}.attn.c_attn, ...), so weights map by name; linear weights use PyTorch's
nn.Linear layout [out_features, in_features], y = x W^T + b (GPT-2's Conv1D stores the transpose).

forward() takes and returns a key/value cache in the Hugging Face Optimum / ONNX Runtime GenAI decoder convention,
so the same code trains (past length 0) and is exported to ONNX for incremental decoding.

Shapes: B batch, T new tokens, P past tokens, S = P + T, C = n_embd, H = n_head, D = C / H, V = vocab_size.
"""
from __future__ import annotations

import math
from dataclasses import dataclass

import torch
import torch.nn as nn
import torch.nn.functional as F


class CausalSelfAttention(nn.Module):
    """Multi-head attention: alpha_ij = softmax_j(<q_i, k_j> / sqrt(D)), y_i = sum_j alpha_ij v_j, masked to j <= i."""

    def __init__(self, config: "GPTConfig"):
        super().__init__()
        assert config.n_embd % config.n_head == 0
        self.n_head = config.n_head
        self.head_dim = config.n_embd // config.n_head
        self.c_attn = nn.Linear(config.n_embd, 3 * config.n_embd)  # W^q, W^k, W^v for all heads in one matmul
        self.c_proj = nn.Linear(config.n_embd, config.n_embd)  # mixes the heads back into the residual stream
        self.attn_dropout = nn.Dropout(config.dropout)
        self.resid_dropout = nn.Dropout(config.dropout)

    def forward(self, x, past_key, past_value, allowed):
        B, T, C = x.shape
        q, k, v = self.c_attn(x).split(C, dim=2)  # each (B, T, C)
        q = q.view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, H, T, D)
        k = k.view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, H, T, D)
        v = v.view(B, T, self.n_head, self.head_dim).transpose(1, 2)  # (B, H, T, D)
        k = torch.cat([past_key, k], dim=2)  # (B, H, S, D)
        v = torch.cat([past_value, v], dim=2)  # (B, H, S, D)
        score = (q @ k.transpose(-2, -1)) * (1.0 / math.sqrt(self.head_dim))  # (B, H, T, S)
        # A large finite negative (not -inf) keeps a fully masked (padding) row finite: softmax is then uniform.
        score = score.masked_fill(~allowed, torch.finfo(score.dtype).min)
        alpha = self.attn_dropout(F.softmax(score, dim=-1))  # (B, H, T, S)
        y = alpha @ v  # (B, H, T, D)
        y = y.transpose(1, 2).contiguous().view(B, T, C)  # (B, T, C) heads side by side
        return self.resid_dropout(self.c_proj(y)), k, v  # k, v become present.{i}


class MLP(nn.Module):
    """FFN(x) = W_2 GELU(W_1 x + b_1) + b_2, 4x wide as in GPT-2."""

    def __init__(self, config: "GPTConfig"):
        super().__init__()
        self.c_fc = nn.Linear(config.n_embd, 4 * config.n_embd)
        self.c_proj = nn.Linear(4 * config.n_embd, config.n_embd)
        self.dropout = nn.Dropout(config.dropout)

    def forward(self, x):
        # Exact (erf) GELU: exported as Erf, which every ONNX runtime has; GPT-2 used the tanh approximation.
        return self.dropout(self.c_proj(F.gelu(self.c_fc(x))))


class Block(nn.Module):
    """One transformer block.

    pre  (GPT-2, nanoGPT):  x = x + Attn(LN_1(x));  x = x + FFN(LN_2(x))        (then a final LN_f before the output)
    post (course notes, Vaswani et al. 2017):  z = LN_1(x + Attn(x));  y = LN_2(z + FFN(z))   (no LN_f)
    """

    def __init__(self, config: "GPTConfig"):
        super().__init__()
        self.pre_norm = config.norm_position == "pre"
        self.ln_1 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.attn = CausalSelfAttention(config)
        self.ln_2 = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.mlp = MLP(config)

    def forward(self, x, past_key, past_value, allowed):
        if self.pre_norm:
            a, k, v = self.attn(self.ln_1(x), past_key, past_value, allowed)
            x = x + a
            x = x + self.mlp(self.ln_2(x))
        else:
            a, k, v = self.attn(x, past_key, past_value, allowed)
            x = self.ln_1(x + a)
            x = self.ln_2(x + self.mlp(x))
        return x, k, v


@dataclass
class GPTConfig:
    n_layer: int = 4  # 4 x 256 trains at ~1,300 tokens/s on 2 cores: the size this machine can fit in ~1 h
    n_head: int = 4  # head_dim 64, as in GPT-2
    n_embd: int = 256
    n_positions: int = 512  # context the editor gets: a few paragraphs; also the training block size
    vocab_size: int = 8000  # ~8k BPE: short sequences without starving rare pieces on a ~12 MB corpus
    dropout: float = 0.0  # 2 cores allow < 2 passes over the 2.1M training tokens: nothing to regularise yet
    norm_position: str = "pre"  # "pre" trains stably without warm-up tricks; "post" is the course notes' form
    layer_norm_epsilon: float = 1e-5
    bos_token_id: int = 1
    eos_token_id: int = 2
    unk_token_id: int = 0

    def to_json(self, name: str, tokenizer_file: str = "tokenizer.model") -> dict:
        """config.json in the team's model folder format (GPT-2 field names)."""
        return {
            "model_type": "gpt2",
            "name": name,
            "n_layer": self.n_layer,
            "n_head": self.n_head,
            "n_embd": self.n_embd,
            "n_positions": self.n_positions,
            "vocab_size": self.vocab_size,
            "norm_position": self.norm_position,
            "layer_norm_epsilon": self.layer_norm_epsilon,
            "activation_function": "gelu",
            "bos_token_id": self.bos_token_id,
            "eos_token_id": self.eos_token_id,
            "unk_token_id": self.unk_token_id,
            "add_bos": True,
            "tokenizer": {"kind": "sentencepiece", "file": tokenizer_file},
        }

    @staticmethod
    def from_json(d: dict) -> "GPTConfig":
        fields = GPTConfig.__dataclass_fields__
        return GPTConfig(**{k: v for k, v in d.items() if k in fields})


class GPT(nn.Module):
    def __init__(self, config: GPTConfig):
        super().__init__()
        self.config = config
        self.transformer = nn.ModuleDict(
            dict(
                wte=nn.Embedding(config.vocab_size, config.n_embd),  # token embedding, tied to the output layer
                wpe=nn.Embedding(config.n_positions, config.n_embd),  # learned absolute positions
                drop=nn.Dropout(config.dropout),
                h=nn.ModuleList([Block(config) for _ in range(config.n_layer)]),
            )
        )
        if config.norm_position == "pre":
            # pre-norm leaves the residual stream unnormalised, so GPT-2 adds a final LayerNorm;
            # post-norm ends normalised.
            self.transformer["ln_f"] = nn.LayerNorm(config.n_embd, eps=config.layer_norm_epsilon)
        self.apply(self._init_weights)
        # GPT-2: scale the residual projections by 1/sqrt(2 * n_layer) so the residual stream's variance stays bounded.
        for name, p in self.named_parameters():
            if name.endswith("c_proj.weight"):
                nn.init.normal_(p, mean=0.0, std=0.02 / math.sqrt(2 * config.n_layer))

    @staticmethod
    def _init_weights(module):
        if isinstance(module, nn.Linear):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)
            nn.init.zeros_(module.bias)
        elif isinstance(module, nn.Embedding):
            nn.init.normal_(module.weight, mean=0.0, std=0.02)

    def empty_past(self, batch_size: int, device=None):
        """Past keys/values of length 0: what the first call passes."""
        c = self.config
        shape = (batch_size, c.n_head, 0, c.n_embd // c.n_head)
        return [(torch.zeros(shape, device=device), torch.zeros(shape, device=device)) for _ in range(c.n_layer)]

    def forward(self, input_ids, attention_mask=None, position_ids=None, past_key_values=None):
        """input_ids (B, T) -> logits (B, T, V), presents [(B, H, S, D) key, value] per layer.

        attention_mask (B, S): 1 for tokens to attend to, 0 for padding; position_ids (B, T): absolute positions.
        """
        B, T = input_ids.shape
        if past_key_values is None:
            past_key_values = self.empty_past(B, input_ids.device)
        P = past_key_values[0][0].shape[2]
        if attention_mask is None:
            attention_mask = torch.ones((B, P + T), dtype=torch.long, device=input_ids.device)
        if position_ids is None:
            position_ids = torch.arange(P, P + T, device=input_ids.device).unsqueeze(0).expand(B, T)
        # Query i (absolute position P + i) may see key j when j <= P + i and key j is not padding.
        q_pos = torch.arange(T, device=input_ids.device).unsqueeze(1) + P  # (T, 1)
        k_pos = torch.arange(attention_mask.shape[1], device=input_ids.device).unsqueeze(0)  # (1, S)
        allowed = (k_pos <= q_pos).unsqueeze(0).unsqueeze(0) & (attention_mask > 0)[:, None, None, :]  # (B, 1, T, S)

        x = self.transformer.wte(input_ids) + self.transformer.wpe(position_ids)  # (B, T, C)
        x = self.transformer.drop(x)
        presents = []
        for block, (past_key, past_value) in zip(self.transformer.h, past_key_values):
            x, k, v = block(x, past_key, past_value, allowed)
            presents.append((k, v))
        if "ln_f" in self.transformer:
            x = self.transformer.ln_f(x)
        logits = x @ self.transformer.wte.weight.t()  # (B, T, V) tied output
        return logits, presents

    def loss(self, input_ids, targets):
        """Mean cross-entropy in nats of targets (B, T) given input_ids (B, T); the training objective."""
        logits, _ = self(input_ids)
        return F.cross_entropy(logits.view(-1, logits.size(-1)), targets.reshape(-1))

    def num_parameters(self) -> int:
        return sum(p.numel() for p in self.parameters())

    def configure_optimizer(self, lr: float, weight_decay: float, betas=(0.9, 0.95)):
        """AdamW; weight decay on matrices and embeddings only, not on biases or LayerNorm gains (as in nanoGPT)."""
        decay = [p for n, p in self.named_parameters() if p.dim() >= 2]
        no_decay = [p for n, p in self.named_parameters() if p.dim() < 2]
        return torch.optim.AdamW(
            [
                {"params": decay, "weight_decay": weight_decay},
                {"params": no_decay, "weight_decay": 0.0},
            ],
            lr=lr,
            betas=betas,
        )
