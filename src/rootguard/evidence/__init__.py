"""Evidence bundles (contract §5): the on-disk seam between collection and evaluation."""
