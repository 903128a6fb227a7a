"""The seed's model: a linear layer whose outputs are the class logits; lesson 04."""

from __future__ import annotations

import torch
from torch import nn


class SoftmaxClassifierModel(nn.Module):
    """``nn.Linear(in_features, num_classes)``; the softmax lives in the loss.

    The forward pass returns logits, not probabilities: ``F.cross_entropy``
    applies ``log_softmax`` itself (lesson 03), so a softmax here would be
    applied twice (lesson 04's pitfall).
    """

    def __init__(self, in_features: int = 4, num_classes: int = 3) -> None:
        super().__init__()
        self.linear = nn.Linear(in_features, num_classes)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return self.linear(x)
