"""The one ONNX model layer: known hub models, finding their files (hub cache, offline, local folder), sessions."""
