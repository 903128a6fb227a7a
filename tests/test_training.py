"""Each training style reproduces the seminar's printed costs (within 2e-6)."""

import re

import pytest
import torch

from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.training import train_cross_entropy, train_low_level, train_module

# First and last printed costs of the seminar's three runs.
SEMINAR_COSTS = {
    "low_level": (1.098612, 0.685888),
    "cross_entropy": (1.098612, 0.132443),
    "module": (1.849513, 0.075151),
}


def run_style(style, **schedule):
    x_train, y_train = toy_data()
    if style == "low_level":
        return train_low_level(x_train, y_train, double_softmax=True, **schedule)
    if style == "cross_entropy":
        return train_cross_entropy(x_train, y_train, **schedule)
    replay_seminar_draws()
    return train_module(SoftmaxClassifierModel().to(torch.float64), x_train, y_train, **schedule)


@pytest.mark.parametrize("style", SEMINAR_COSTS)
def test_first_and_last_cost_match_the_seed(style):
    run = run_style(style, log_every=0)
    first, last = SEMINAR_COSTS[style]
    assert len(run.costs) == 5001
    assert abs(run.costs[0] - first) < 2e-6
    assert abs(run.costs[-1] - last) < 2e-6


def test_log_lines_have_the_seeds_format(capsys):
    run_style("cross_entropy", nb_epochs=1000, log_every=500)
    lines = capsys.readouterr().out.splitlines()
    assert [line[:15] for line in lines] == [
        "Epoch    0/1000",
        "Epoch  500/1000",
        "Epoch 1000/1000",
    ]
    assert all(re.fullmatch(r"Epoch +\d+/1000 Cost: \d\.\d{6}", line) for line in lines)


def test_corrected_loop_equals_cross_entropy():
    x_train, y_train = toy_data()
    fixed = train_low_level(x_train, y_train, log_every=0, nb_epochs=300)
    reference = train_cross_entropy(x_train, y_train, log_every=0, nb_epochs=300)
    torch.testing.assert_close(fixed.costs, reference.costs)


def test_shared_bias_never_trains_and_per_class_bias_does():
    x_train, y_train = toy_data()
    shared = train_cross_entropy(x_train, y_train, log_every=0, nb_epochs=300)
    per_class = train_cross_entropy(
        x_train, y_train, per_class_bias=True, log_every=0, nb_epochs=300
    )
    assert abs(shared.parameters["b"].item()) < 1e-12
    assert per_class.parameters["b"].shape == (3,)
    assert per_class.parameters["b"].detach().abs().max() > 0.1


def test_trained_forward_gives_logits():
    run = run_style("cross_entropy", log_every=0, nb_epochs=10)
    x_train, _ = toy_data()
    assert run.forward(x_train).shape == (8, 3)


def test_train_makes_exactly_the_updates_of_optim_sgd():
    """The helper's written-out update equals torch.optim.SGD's, cost for cost."""
    x_train, y_train = toy_data()
    helper = train_cross_entropy(x_train, y_train, nb_epochs=200, log_every=0)
    W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=0.1)
    costs = []
    for _ in range(201):
        cost = torch.nn.functional.cross_entropy(x_train.matmul(W) + b, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
    assert helper.costs == costs
    assert torch.equal(helper.parameters["W"], W)
