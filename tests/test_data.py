"""The seminar's random stream and toy data come back exactly."""

import torch
import torch.nn.functional as F

from softmax_course.data import NUM_CLASSES, replay_seminar_draws, toy_data
from softmax_course.models import SoftmaxClassifierModel


def test_replay_gives_the_seeds_z_and_y():
    z, y = replay_seminar_draws()
    assert z.requires_grad and z.shape == (3, 5)
    torch.testing.assert_close(
        z.detach(),
        torch.tensor(
            [
                [0.7576, 0.2793, 0.4031, 0.7347, 0.0293],
                [0.7999, 0.3971, 0.7544, 0.5695, 0.4388],
                [0.6387, 0.5247, 0.6826, 0.3051, 0.4635],
            ]
        ),
        atol=5e-5,
        rtol=0,
    )
    assert y.tolist() == [0, 2, 1] and y.dtype == torch.long


def test_replay_is_repeatable():
    first, second = replay_seminar_draws(), replay_seminar_draws()
    assert torch.equal(first.z, second.z) and torch.equal(first.y, second.y)


def test_model_after_replay_has_the_seeds_first_cost():
    x_train, y_train = toy_data()
    replay_seminar_draws()
    model = SoftmaxClassifierModel().to(torch.float64)
    cost = F.cross_entropy(model(x_train), y_train)
    assert abs(cost.item() - 1.849513) < 2e-6


def test_toy_data_shapes_and_labels():
    x_train, y_train = toy_data()
    assert x_train.shape == (8, 4) and x_train.dtype == torch.float64
    assert y_train.tolist() == [2, 2, 2, 1, 1, 1, 0, 0]
    assert int(y_train.max()) == NUM_CLASSES - 1
    assert toy_data(torch.float32)[0].dtype == torch.float32
