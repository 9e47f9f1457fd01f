"""WD tagger family in ONNX Runtime: registry, loading, pre/postprocessing, batched inference."""
