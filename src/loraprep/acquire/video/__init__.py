"""Frames from video episodes: open -> sample (shots or a step) -> drop black/fade/blur/similar -> write -> record.

Entry point: loraprep.acquire.video.extract.extract_episode(path, FrameSettings, Target) -> EpisodeReport
(ops/frames.py builds the Target: the concept folder, the store's Recorder, the similar-frame filter).
PyAV is imported lazily (container.import_av), so the package imports without it.
"""
