"""Each replicate's random generator, derived from the scenario seed and the replicate number."""

from __future__ import annotations

import numpy as np

MESA_SEED_DRAW = np.iinfo(np.int32).max


def replicate_seed(seed: int, replicate: int) -> np.random.SeedSequence:
    """Replicate r's seed: `SeedSequence(seed).spawn(n)[r]`, whatever n."""
    return np.random.SeedSequence(seed, spawn_key=(replicate,))


def replicate_rng(seed: int, replicate: int) -> np.random.Generator:
    """Replicate r's generator as the model uses it.

    Mesa's `Model` takes one integer from the generator to seed its stdlib `random`;
    taking the same draw here keeps a replicate identical in a Mesa model and in a batch.
    """
    gen = np.random.default_rng(replicate_seed(seed, replicate))
    gen.integers(MESA_SEED_DRAW)
    return gen
