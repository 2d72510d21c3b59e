"""Engine: the batched world, its array state, per-replicate parameters, seeds, streams, record."""
