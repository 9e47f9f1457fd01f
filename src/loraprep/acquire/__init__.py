"""Acquire: bring new files into a concept folder (booru downloads, video frames) with their provenance in the store."""
