"""A BERT encoder in plain torch, read straight from ``model.safetensors``: no transformers import.

Importing transformers' modeling code costs seconds of start-up (it pulls in torch._dynamo and
torch.distributed), and sentence-transformers more (datasets, pyarrow, scikit-learn). The project's
models are plain BERTs (the NLI model is a ``BertForSequenceClassification``, the embedder a
``BertModel``), so ``load_bert`` runs them with a few torch functions: the same arithmetic as
transformers' eager BERT (tests check the logits against transformers). ``unsupported`` says why a
config is not a plain BERT; callers then fall back to transformers.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import torch
import torch.nn.functional as F

__all__ = ["BertConfig", "BertModule", "WEIGHTS_FILE", "load_bert", "read_config", "unsupported"]

WEIGHTS_FILE = "model.safetensors"
_ACTIVATIONS = {"gelu": "none", "gelu_pytorch_tanh": "tanh", "gelu_new": "tanh"}


@dataclass(frozen=True)
class BertConfig:
    """The parts of a BERT ``config.json`` the forward pass needs."""

    hidden_size: int
    num_hidden_layers: int
    num_attention_heads: int
    layer_norm_eps: float
    hidden_act: str
    num_labels: int

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> BertConfig:
        return cls(int(data["hidden_size"]), int(data["num_hidden_layers"]), int(data["num_attention_heads"]),
                   float(data.get("layer_norm_eps", 1e-12)), str(data.get("hidden_act", "gelu")),
                   len(data.get("id2label") or {}))


def read_config(model_dir: str | Path) -> dict[str, Any]:
    """``config.json`` of a model folder as a dict (OSError/ValueError when missing or not JSON)."""
    return json.loads((Path(model_dir) / "config.json").read_text(encoding="utf-8"))


def unsupported(config: dict[str, Any], head: bool) -> str | None:
    """Why this config is not a BERT ``load_bert`` can run (None: it can)."""
    if config.get("model_type") != "bert":
        return f"model_type {config.get('model_type')!r} is not bert"
    if config.get("position_embedding_type", "absolute") != "absolute":
        return "relative position embeddings"
    if config.get("is_decoder") or config.get("add_cross_attention"):
        return "a decoder"
    if config.get("hidden_act", "gelu") not in _ACTIVATIONS:
        return f"activation {config.get('hidden_act')!r}"
    if head and (config.get("problem_type") not in (None, "single_label_classification") or not config.get("id2label")):
        return "not a single-label classifier"
    return None


class BertModule(torch.nn.Module):
    """BERT's forward pass over a flat dict of weights (post-LayerNorm, absolute positions).

    ``hidden(ids, mask, types)`` gives the last hidden states ``(b, t, h)``; calling the module gives
    an object with ``.logits`` (pooler + classifier), as a transformers classifier does.
    """

    def __init__(self, config: BertConfig, weights: dict[str, torch.Tensor], prefix: str) -> None:
        super().__init__()
        self.config = config
        self.prefix = prefix
        self.weights = torch.nn.ParameterDict(
            {k.replace(".", "__"): torch.nn.Parameter(v, requires_grad=False) for k, v in weights.items()})
        self._approximate = _ACTIVATIONS[config.hidden_act]
        self._packed: dict[str, torch.Tensor] = {}

    def pack_for_cpu(self) -> bool:
        """Pre-pack bf16 linear weights for oneDNN on a CPU (what torch.compile's CPU backend does).

        The packed matmul gives the same numbers as ``F.linear`` (tests check) about 1.4x faster on
        a CPU with AVX-512 BF16, and fuses the GELU (computed before rounding to bf16). Returns
        whether it packed; any failure (no oneDNN, another dtype or device) leaves plain ``F.linear``.
        """
        self._packed = {}
        weights = {k.replace("__", "."): v for k, v in self.weights.items()}
        if any(v.dtype != torch.bfloat16 or v.device.type != "cpu" for v in weights.values()):
            return False
        try:
            if not (torch.backends.mkldnn.is_available() and torch.ops.mkldnn._is_mkldnn_bf16_supported()):
                return False
            packed = {name.removesuffix(".weight"): torch.ops.mkldnn._reorder_linear_weight(w, None)
                      for name, w in weights.items() if name.endswith(".weight") and w.dim() == 2
                      and (".attention." in name or ".intermediate." in name or ".output.dense" in name)}
            probe = torch.zeros(1, 2, self.config.hidden_size, dtype=torch.bfloat16)
            name = next(iter(packed))
            torch.ops.mkldnn._linear_pointwise(probe, packed[name], weights[name + ".bias"], "none", [], "")
        except (AttributeError, RuntimeError, StopIteration):
            return False
        self._packed = packed
        return True

    def _w(self, name: str) -> torch.Tensor:
        return self.weights[(self.prefix + name).replace(".", "__")]

    def _linear(self, x: torch.Tensor, name: str, gelu: bool = False) -> torch.Tensor:
        packed = self._packed.get(self.prefix + name)
        if packed is not None:
            act, algorithm = ("gelu", self._approximate) if gelu else ("none", "")
            return torch.ops.mkldnn._linear_pointwise(x, packed, self._w(name + ".bias"), act, [], algorithm)
        out = F.linear(x, self._w(name + ".weight"), self._w(name + ".bias"))
        return F.gelu(out, approximate=self._approximate) if gelu else out

    def _norm(self, x: torch.Tensor, name: str) -> torch.Tensor:
        return F.layer_norm(x, (x.shape[-1],), self._w(name + ".weight"), self._w(name + ".bias"),
                            self.config.layer_norm_eps)

    def hidden(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
               token_type_ids: torch.Tensor | None = None) -> torch.Tensor:
        """Last hidden states ``(b, t, h)`` for right-padded ids."""
        cfg = self.config
        b, t = input_ids.shape
        if token_type_ids is None:
            token_type_ids = torch.zeros_like(input_ids)
        x = (F.embedding(input_ids, self._w("embeddings.word_embeddings.weight"))
             + self._w("embeddings.position_embeddings.weight")[:t]
             + F.embedding(token_type_ids, self._w("embeddings.token_type_embeddings.weight")))
        x = self._norm(x, "embeddings.LayerNorm")
        keep = None if attention_mask is None else attention_mask.bool()[:, None, None, :]
        heads, size = cfg.num_attention_heads, cfg.hidden_size // cfg.num_attention_heads
        for k in range(cfg.num_hidden_layers):
            layer = f"encoder.layer.{k}."

            def split(y: torch.Tensor) -> torch.Tensor:
                return y.view(b, t, heads, size).transpose(1, 2)

            q, kk, v = (split(self._linear(x, layer + f"attention.self.{n}")) for n in ("query", "key", "value"))
            context = F.scaled_dot_product_attention(q, kk, v, attn_mask=keep).transpose(1, 2).reshape(b, t, -1)
            x = self._norm(self._linear(context, layer + "attention.output.dense") + x, layer + "attention.output.LayerNorm")
            inner = self._linear(x, layer + "intermediate.dense", gelu=True)
            x = self._norm(self._linear(inner, layer + "output.dense") + x, layer + "output.LayerNorm")
        return x

    def forward(self, input_ids: torch.Tensor, attention_mask: torch.Tensor | None = None,
                token_type_ids: torch.Tensor | None = None) -> SimpleNamespace:
        x = self.hidden(input_ids, attention_mask, token_type_ids)
        pooled = torch.tanh(self._linear(x[:, 0], "pooler.dense"))
        return SimpleNamespace(logits=F.linear(pooled, self.weights["classifier__weight"], self.weights["classifier__bias"]))


def load_bert(model_dir: str | Path, dtype: torch.dtype = torch.float32, head: bool = False,
              config: dict[str, Any] | None = None) -> BertModule:
    """The BERT in ``model_dir`` (config.json + model.safetensors) with weights cast to ``dtype``.

    ``head``: the model is a sequence classifier (``bert.*`` weights, pooler and ``classifier.*``).
    Raises OSError/ValueError/KeyError when files or weights are missing (callers turn these into
    ModelError); checks ``unsupported`` first.
    """
    from safetensors.torch import load_file

    model_dir = Path(model_dir)
    config = config if config is not None else read_config(model_dir)
    why = unsupported(config, head)
    if why:
        raise ValueError(f"not a plain BERT: {why}")
    try:
        weights = load_file(str(model_dir / WEIGHTS_FILE))
    except FileNotFoundError:
        raise
    except Exception as exc:  # safetensors raises its own SafetensorError for a damaged file
        raise ValueError(f"{WEIGHTS_FILE} cannot be read: {exc}") from None
    prefix = "bert." if "bert.embeddings.word_embeddings.weight" in weights else ""
    needed = [f"{prefix}embeddings.word_embeddings.weight", f"{prefix}embeddings.LayerNorm.weight"]
    if head:
        needed += [f"{prefix}pooler.dense.weight", "classifier.weight", "classifier.bias"]
    missing = [n for n in needed if n not in weights]
    if missing:
        raise KeyError(f"{WEIGHTS_FILE} lacks {', '.join(missing)}")
    keep = {k: v.to(dtype) for k, v in weights.items() if k.startswith(prefix) or (head and k.startswith("classifier."))
            if not k.endswith("position_ids")}
    module = BertModule(BertConfig.from_dict(config), keep, prefix)
    n_layers = module.config.num_hidden_layers
    if f"{prefix}encoder.layer.{n_layers - 1}.output.LayerNorm.bias" not in weights:
        raise KeyError(f"{WEIGHTS_FILE} has fewer than the {n_layers} layers config.json declares")
    return module.eval()
