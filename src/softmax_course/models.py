"""The seminar's model, a linear layer whose outputs are the class logits, for any sizes."""

from __future__ import annotations

import torch
from torch import nn

from softmax_course._validation import require_tensor


class SoftmaxClassifierModel(nn.Module):
    """``nn.Linear(in_features, num_classes)``; the softmax lives in the loss.

    The forward pass returns logits, not probabilities: ``F.cross_entropy``
    applies ``log_softmax`` itself, so a softmax here would be applied twice
    (the seminar's double-softmax bug).
    """

    def __init__(self, in_features: int = 4, num_classes: int = 3) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        # Shape and dtype only: a NaN scan on every forward pass would slow training.
        require_tensor(x, "x")
        if x.dim() != 2 or x.shape[1] != self.linear.in_features:
            raise ValueError(
                f"x must have shape (samples, {self.linear.in_features}), got {tuple(x.shape)}"
            )
        if x.dtype != self.linear.weight.dtype:
            raise TypeError(
                f"x is {x.dtype} but the model's weights are {self.linear.weight.dtype}; "
                f"use x.to({self.linear.weight.dtype}) or model.to({x.dtype})"
            )
        return self.linear(x)
