"""Exact and near-duplicate detection: encode (descriptors) -> search (candidates) -> verify -> group -> policy.

Public API (import from here):
    describe_file(path) -> Descriptor          decode once; ImageError with a one-line reason
    describe_bytes(data) -> Descriptor
    loraprep.dedup.batch.describe_paths(paths, workers) -> iterator of (blob | None, reason | None), in order,
        decoded and described in worker processes (threads for small batches)
    Descriptor.to_bytes() / Descriptor.from_bytes(blob)
    find_duplicate_groups(records, threshold=, across_concepts=, decisions=, policy=) -> list[DupGroup]
    loraprep.dedup.verify.compare_many(keepers, members) -> list[Verdict]   strict verification, many pairs per numpy pass
    DedupInput, DupGroup, DupMember, UserDecisions, KeeperPolicy, PRESETS, resolve_threshold
    loraprep.dedup.contact_sheet.contact_sheet(group, open_image) -> PNG bytes (import the module: it needs PIL drawing)
"""

from __future__ import annotations

from loraprep.model.lazy_names import importer

# name -> the module it comes from, imported on first use: importing one module of the package (`frames`
# needs the descriptor, the encoder and the verification) no longer brings the whole search and grouping
_FROM = {"Descriptor": "descriptor", "describe_bytes": "encode", "describe_file": "encode", "describe_image": "encode",
         "DedupInput": "find", "DupGroup": "find", "DupMember": "find", "find_duplicate_groups": "find",
         "group_id_for": "find", "PRESETS": "policy", "KeeperPolicy": "policy", "UserDecisions": "policy",
         "resolve_threshold": "policy"}

__all__ = ["Descriptor", "describe_bytes", "describe_file", "describe_image", "DedupInput", "DupGroup", "DupMember",
           "find_duplicate_groups", "group_id_for", "PRESETS", "KeeperPolicy", "UserDecisions", "resolve_threshold"]

__getattr__ = importer(__name__, _FROM)
