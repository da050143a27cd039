"""The evidence: the claims ledger, the source register, the disagreements found between sources, and
the pages generated from them (the seed appendix, the register, where the sources disagree)."""
