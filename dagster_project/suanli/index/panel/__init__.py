"""Expert panels: questionnaires out, judgements in (Saaty's scale, incomplete matrices,
consistency feedback, group aggregation by AIJ or AIP, dispersion of the panel)."""
