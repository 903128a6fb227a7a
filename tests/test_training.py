"""The training helpers reproduce the seminar's logs and make optim.SGD's exact updates."""

import json
import math
import re

import pytest
import torch

from conftest import ROOT
from softmax_course.data import replay_seminar_draws, toy_data
from softmax_course.models import SoftmaxClassifierModel
from softmax_course.training import (
    SEMINAR_LOG_EVERY,
    SEMINAR_LR,
    SEMINAR_NB_EPOCHS,
    train,
    train_cross_entropy,
    train_hand_written,
    train_module,
)

#: What the seminar page printed (its source is named in the file), kept in the repository.
SEMINAR_LOGS_FILE = ROOT / "tests" / "data" / "seminar_logs.json"
SEMINAR_LOGS = json.loads(SEMINAR_LOGS_FILE.read_text(encoding="utf-8"))
NB_EPOCHS, LOG_EVERY = SEMINAR_LOGS["nb_epochs"], SEMINAR_LOGS["log_every"]

# The log lines where this course's float64 run prints another last digit than
# the seminar's float32 run: (epoch, seminar's cost, this course's cost); each pair
# differs by one in the sixth decimal.
FLOAT64_DIFFERENCES = {
    "hand-written": [],
    "F.cross_entropy": [(3500, "0.173168", "0.173169"), (5000, "0.132443", "0.132442")],
    "nn.Module": [(4000, "0.091213", "0.091212")],
}


def log_line(epoch, nb_epochs, cost):
    return f"Epoch {epoch:4d}/{nb_epochs} Cost: {cost:.6f}"


def seminar_log(style):
    """The log lines the seminar printed for ``style``."""
    epochs = range(0, NB_EPOCHS + 1, LOG_EVERY)
    costs = SEMINAR_LOGS["costs"][style]
    pairs = zip(epochs, costs, strict=True)
    return [log_line(epoch, NB_EPOCHS, float(cost)) for epoch, cost in pairs]


def logged_lines(costs, log_every=LOG_EVERY):
    """The log lines a run whose cost at every epoch is ``costs`` prints."""
    nb_epochs = len(costs) - 1
    epochs = range(0, nb_epochs + 1, log_every)
    return [log_line(epoch, nb_epochs, costs[epoch]) for epoch in epochs]


def run_style(style, **schedule):
    x_train, y_train = toy_data()
    if style == "hand-written":
        return train_hand_written(x_train, y_train, double_softmax=True, **schedule)
    if style == "F.cross_entropy":
        return train_cross_entropy(x_train, y_train, **schedule)
    replay_seminar_draws()
    return train_module(SoftmaxClassifierModel().to(torch.float64), x_train, y_train, **schedule)


def sgd_loop(x_train, y_train, nb_epochs, lr, log_every):
    """The seminar's second run written out with torch.optim.SGD."""
    W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=lr)
    costs = []
    for epoch in range(nb_epochs + 1):
        cost = torch.nn.functional.cross_entropy(x_train.matmul(W) + b, y_train)
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
        costs.append(cost.item())
        if epoch % log_every == 0:
            print(log_line(epoch, nb_epochs, cost.item()))
    return costs, W


def test_the_seminars_table_has_its_schedule_and_styles():
    # the helpers' default schedule is the one the seminar logged
    assert (NB_EPOCHS, SEMINAR_LOGS["lr"], LOG_EVERY) == (
        SEMINAR_NB_EPOCHS, SEMINAR_LR, SEMINAR_LOG_EVERY
    )
    assert list(SEMINAR_LOGS["costs"]) == list(FLOAT64_DIFFERENCES)
    assert "6_softmax_classification" in SEMINAR_LOGS["source"]
    assert all(len(costs) == NB_EPOCHS // LOG_EVERY + 1 for costs in SEMINAR_LOGS["costs"].values())


@pytest.mark.parametrize("style", FLOAT64_DIFFERENCES)
def test_each_style_prints_the_seminars_log_but_for_known_float64_digits(style):
    run = run_style(style, log_every=0)  # the helpers' default schedule
    assert len(run.costs) == NB_EPOCHS + 1
    differing_lines = [
        (int(ours.split()[1].split("/")[0]), theirs.split()[-1], ours.split()[-1])
        for theirs, ours in zip(seminar_log(style), logged_lines(run.costs), strict=True)
        if theirs != ours
    ]
    assert differing_lines == FLOAT64_DIFFERENCES[style]


def test_log_lines_have_the_seminars_format(capsys):
    run = run_style("F.cross_entropy", nb_epochs=1000, log_every=500)
    lines = capsys.readouterr().out.splitlines()
    assert [line[:15] for line in lines] == [
        "Epoch    0/1000",
        "Epoch  500/1000",
        "Epoch 1000/1000",
    ]
    assert all(re.fullmatch(r"Epoch +\d+/1000 Cost: \d\.\d{6}", line) for line in lines)
    assert logged_lines(run.costs) == lines


def test_log_every_zero_prints_nothing(capsys):
    run_style("nn.Module", nb_epochs=20, log_every=0)
    assert capsys.readouterr().out == ""


def test_corrected_loop_equals_cross_entropy():
    x_train, y_train = toy_data()
    fixed = train_hand_written(x_train, y_train, log_every=0, nb_epochs=300)
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
    run = run_style("F.cross_entropy", log_every=0, nb_epochs=10)
    x_train, _ = toy_data()
    assert run.forward(x_train).shape == (8, 3)


@pytest.mark.parametrize(
    ("nb_epochs", "lr", "log_every"), [(200, 0.1, 50), (300, 0.05, 100), (7, 0.7, 3)]
)
def test_train_makes_exactly_the_updates_of_optim_sgd(nb_epochs, lr, log_every, capsys):
    """The helper's costs, parameters and log equal a written-out optim.SGD loop's."""
    x_train, y_train = toy_data()
    helper = train_cross_entropy(
        x_train, y_train, nb_epochs=nb_epochs, lr=lr, log_every=log_every
    )
    helper_log = capsys.readouterr().out
    costs, W = sgd_loop(x_train, y_train, nb_epochs, lr, log_every)
    assert helper.costs == costs
    assert torch.equal(helper.parameters["W"], W)
    assert helper_log == capsys.readouterr().out


def test_a_divergent_learning_rate_stops_with_the_epoch_and_lr():
    x_train, y_train = toy_data()
    with pytest.raises(ValueError, match=r"the cost became nan at epoch 1 with lr=1000000.0"):
        train_hand_written(x_train, y_train, lr=1e6, log_every=0)


def test_an_infinite_cost_stops_training_too(capsys):
    x_train, _ = toy_data()
    W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
    with pytest.raises(ValueError, match=r"the cost became -inf at epoch 1 with lr=1e\+308"):
        train(lambda: x_train.matmul(W).sum(), [W], nb_epochs=10, lr=1e308, log_every=1)
    assert capsys.readouterr().out == "Epoch    0/10 Cost: 0.000000\n"


def test_the_module_style_returns_its_costs_its_model_and_its_parameters():
    """A few epochs of train_module against the same optim.SGD loop written out."""
    x_train, y_train = toy_data()
    replay_seminar_draws()
    model = SoftmaxClassifierModel().to(torch.float64)
    replay_seminar_draws()
    reference = SoftmaxClassifierModel().to(torch.float64)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    costs = []
    for _ in range(6):  # epochs 0..5
        cost = torch.nn.functional.cross_entropy(reference(x_train), y_train)
        costs.append(cost.item())
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    run = train_module(model, x_train, y_train, nb_epochs=5, log_every=0)
    assert run.costs == costs
    assert run.forward is model
    assert run.parameters == dict(model.named_parameters())
    assert torch.equal(run.parameters["linear.weight"], reference.linear.weight)


def test_the_double_softmax_run_is_the_seminars_loop_with_softmax_applied_twice():
    """A few epochs of the seminar's bug against the loop written out."""
    x_train, y_train = toy_data()
    W = torch.zeros((4, 3), dtype=torch.float64, requires_grad=True)
    b = torch.zeros(1, dtype=torch.float64, requires_grad=True)
    optimizer = torch.optim.SGD([W, b], lr=0.1)
    costs = []
    for _ in range(4):
        hypothesis = torch.nn.functional.softmax(x_train.matmul(W) + b, dim=1)
        probs = torch.nn.functional.softmax(hypothesis, dim=1)
        y_one_hot = torch.zeros_like(probs).scatter_(1, y_train.unsqueeze(1), 1)
        cost = (y_one_hot * -torch.log(probs)).sum(dim=1).mean()
        costs.append(cost.item())
        optimizer.zero_grad()
        cost.backward()
        optimizer.step()
    run = train_hand_written(x_train, y_train, double_softmax=True, nb_epochs=3, log_every=0)
    assert run.costs == costs
    assert torch.equal(run.parameters["W"], W)


def test_a_per_class_bias_is_added_to_the_logits_in_the_hand_written_style_too():
    x_train, y_train = toy_data()
    run = train_hand_written(x_train, y_train, per_class_bias=True, nb_epochs=50, log_every=0)
    W, b = run.parameters["W"], run.parameters["b"]
    assert b.shape == (3,) and b.detach().abs().max() > 0.01
    torch.testing.assert_close(run.forward(x_train), x_train.matmul(W) + b)


def test_the_divergence_message_names_the_cost_of_the_epoch_that_diverged():
    values = iter([1.0, 2.0, 3.0, math.inf])
    W = torch.zeros(1, requires_grad=True)
    with pytest.raises(ValueError, match=r"^the cost became inf at epoch 3 with lr=0.1: "):
        train(lambda: W.sum() + next(values), [W], nb_epochs=5, log_every=0)


@pytest.mark.parametrize("double_softmax", [False, True])
def test_a_training_style_warns_of_nothing(double_softmax):
    """A warning (PyTorch's of a softmax without ``dim``) would show under the lesson's cell."""
    import warnings

    x_train, y_train = toy_data()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        style = {"double_softmax": double_softmax, "nb_epochs": 1, "log_every": 0}
        train_hand_written(x_train, y_train, **style)
        train_cross_entropy(x_train, y_train, nb_epochs=1, log_every=0)
        model = SoftmaxClassifierModel().double()
        train_module(model, x_train, y_train, nb_epochs=1, log_every=0)
