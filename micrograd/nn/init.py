"""Random initialisation: micrograd's own generator, `manual_seed`, and per-layer seeds.

The global `random` module is never touched.

Imports nothing from micrograd.
"""

from __future__ import annotations

import random

# ---------------------------------------------------------------------------
# Random initialisation

#: What layers accept as `seed`: an int for a private generator, a
#: `random.Random` to share one, or None for micrograd's shared generator.
Seed = int | random.Random | None

_shared_generator = random.Random()


def manual_seed(seed: int) -> None:
    """Reset micrograd's shared random generator, as `torch.manual_seed` does.

    Layers built afterwards without a ``seed=`` argument get the same initial
    values on every run. Python's global `random` module is left alone.

    >>> import micrograd as mg
    >>> mg.manual_seed(0); a = mg.nn.Neuron(2).w[0].data
    >>> mg.manual_seed(0); b = mg.nn.Neuron(2).w[0].data
    >>> a == b
    True
    """
    if isinstance(seed, bool) or not isinstance(seed, int):
        raise TypeError(f"manual_seed: expected an int, got {type(seed).__name__} ({seed!r})")
    _shared_generator.seed(seed)


def _generator(seed: Seed, where: str) -> random.Random:
    if seed is None:
        return _shared_generator
    if isinstance(seed, random.Random):
        return seed
    if isinstance(seed, int) and not isinstance(seed, bool):
        return random.Random(seed)
    raise TypeError(
        f"{where}: seed must be an int, a random.Random or None, got {type(seed).__name__}"
    )
