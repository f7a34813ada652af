"""Pure loss functions for NLI training (tensors in, scalar out; no model)."""

from __future__ import annotations


def set_valued_nll(logits, allowed, per_row: bool = False):
    """Mean over rows of -log(sum of the probabilities of the allowed labels) (``per_row``: the (n,) values).

    ``logits``: float tensor (n, k); ``allowed``: bool tensor (n, k), at least one True per row. For a
    singleton set this is cross-entropy; for FEVER's not_entailment it is -log(P(neutral) + P(contradiction)).
    """
    import torch

    if logits.shape != allowed.shape:
        raise ValueError(f"logits {tuple(logits.shape)} and label mask {tuple(allowed.shape)} differ in shape")
    if not bool(allowed.any(dim=1).all()):
        raise ValueError("every row of the label mask must allow at least one label")
    log_probs = torch.log_softmax(logits.float(), dim=-1)
    masked = log_probs.masked_fill(~allowed.bool(), float("-inf"))
    nll = -torch.logsumexp(masked, dim=-1)
    return nll if per_row else nll.mean()
