"""Character identity: CCIP embeddings, nearest reference character, density clusters of the rest."""
