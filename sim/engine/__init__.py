"""Engine: the batched world, its array state, seeds, random streams and the record."""
