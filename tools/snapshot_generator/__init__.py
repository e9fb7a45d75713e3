"""Deterministic generator of the bundled demonstration snapshot (`seeds/snapshot/`).

The snapshot is synthetic except where it reproduces published figures: every row of
`seeds/reference/published_facts.csv` holds, by construction, when the warehouse computes the
indicator from the generated records. Run `python -m snapshot_generator.generate [--out DIR]`.
"""
