"""Acquire: fetch new files into a concept folder (booru posts) with their provenance; `scan` takes over after."""
