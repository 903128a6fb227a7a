"""Helpers for the softmax-classification course.

Each module holds one concept: ``data`` (the seminar's toy data and random
draws, the digits), ``functional`` (softmax, one-hot, cross-entropy),
``models``, ``training`` (one loop for three training styles), ``plotting`` and
``exercises``. The private ``_validation`` turns bad input into clear errors
for all of them.
"""

__version__ = "0.1.0"
