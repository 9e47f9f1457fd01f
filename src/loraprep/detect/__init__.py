"""Object detection (deepghs' YOLO anime detectors): files, preprocessing, decoding, NMS, batched pipeline."""
