"""Curation rules as pure functions over tag sets, and the recipe that configures them."""
