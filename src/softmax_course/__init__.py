"""Helpers for the softmax-classification course.

Each module holds one concept and names the lesson that introduces it:
``data`` (the seed's toy data and random stream), ``validation`` (clear errors
on bad input), ``functional`` (softmax, one-hot, cross-entropy), ``models``,
``training`` (one loop for three training styles), ``plotting`` and
``exercises``.
"""

__version__ = "0.1.0"
