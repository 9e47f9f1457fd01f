"""Crops as derived images: which boxes to cut (pure planning) and cutting their pixels."""
