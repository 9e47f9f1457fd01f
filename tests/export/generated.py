"""Generated datasets for the trainer's-eye tests: varied names, sizes, tags and settings, planned by loraprep."""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path
from types import SimpleNamespace

from hypothesis import strategies as st

from loraprep.export import ExportItem, ExportOptions
from loraprep.model.recipe import ExportSettings, Recipe
from loraprep.ops.plan import make_dataset_plan
from tests.conftest import make_image

VOCAB = ["smile", "long hair", "school uniform", "pantyhose", "from side", "outdoors", "holding cup", "1girl",
         "solo", "beach", "night sky", "red dress", "hair ornament", "(armor) v2", "ゼータ", "t-shirt", "blue eyes"]
CONCEPTS = ["outfit casual", "_controls", "test", "ゼータ", "cache", "concepts.json", "armor", "img", "train"]
TIERS = ["", "primary", "supporting"]
STEMS = ["001", "a", "A", "img_0001_a_b_c_d", "x-masklabel", "y-condlabel", "train", "validation", "test",
         "フレーム", "my photo", "metadata"]
SIZES = [(512, 512), (768, 512), (512, 768), (1024, 576), (300, 1200), (200, 150), (900, 700), (640, 480)]
TRIGGERS = ["zetasummer", "hsr_kafka", "HaileyGrice", "mychar"]
FIXED = ["armor outfit", "casual wear"]


@dataclass(frozen=True)
class GenImage:
    stem: str
    fmt: str
    size: tuple[int, int]
    tags: tuple[str, ...]


@dataclass(frozen=True)
class Spec:
    separator: str
    keep_separator: str | None
    shuffle: bool
    resolution: int
    batch: int
    groups: tuple[tuple[str, str, tuple[GenImage, ...]], ...]   # (concept, tier, images)
    fixed: dict                                                # concept -> fixed tags (trigger first)


images = st.lists(st.builds(GenImage, st.sampled_from(STEMS), st.sampled_from(["PNG", "JPEG"]), st.sampled_from(SIZES),
                            st.lists(st.sampled_from(VOCAB), min_size=0, max_size=5, unique=True).map(tuple)),
                  min_size=1, max_size=4, unique_by=lambda i: (i.stem.casefold(), i.fmt))
groups = st.lists(st.tuples(st.sampled_from(CONCEPTS), st.sampled_from(TIERS), images), min_size=1, max_size=3,
                  unique_by=lambda g: (g[0], g[1]))


@st.composite
def specs(draw) -> Spec:
    chosen = tuple(draw(groups))
    fixed = {}
    for concept in sorted({g[0] for g in chosen}):
        extra = draw(st.lists(st.sampled_from(FIXED), max_size=1))
        fixed[concept] = (draw(st.sampled_from(TRIGGERS)), *extra)
    return Spec(draw(st.sampled_from([", ", "; ", ","])), draw(st.sampled_from([None, "|||"])), draw(st.booleans()),
                draw(st.sampled_from([192, 512, 768, 1024])), draw(st.integers(1, 4)), chosen, fixed)


def expected_tags(spec: Spec, concept: str, image: GenImage) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(fixed, other): what loraprep decided for the image, the fixed tags first."""
    fixed = spec.fixed[concept]
    return fixed, tuple(t for t in image.tags if t not in fixed)


def caption(spec: Spec, fixed, other) -> str:
    """loraprep's kohya-style caption (rules' render_caption): keep_tokens_separator after the fixed tags."""
    if spec.keep_separator and other:
        return f"{spec.separator.join(fixed)} {spec.keep_separator} {spec.separator.join(other)}"
    return spec.separator.join(fixed + other)


def build(spec: Spec, root: Path, cache: Path, **overrides):
    """Write the images under root; return (items, options, plan, expected tags by image id)."""
    files, placed = [], []
    for concept, tier, imgs in spec.groups:
        for image in imgs:
            ext = ".png" if image.fmt == "PNG" else ".jpg"
            cached = cache / f"{image.size[0]}x{image.size[1]}{ext}"
            if not cached.exists():
                make_image(cached, image.size, fmt=image.fmt)
            source = root / concept / tier / f"{image.stem}{ext}"
            source.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(cached, source)
            files.append(SimpleNamespace(concept=concept, tier=tier, width=image.size[0], height=image.size[1],
                                         path=source.relative_to(root).as_posix()))  # the plan reads kohya N_ folders
            placed.append((concept, tier, image, source))
    recipe = Recipe(export=ExportSettings(resolution=spec.resolution, batch_size=spec.batch))
    plan = make_dataset_plan(files, recipe)
    items, expected = [], {}
    for n, (concept, tier, image, source) in enumerate(placed):
        fixed, other = expected_tags(spec, concept, image)
        items.append(ExportItem(f"i{n}", source, concept, tier, caption(spec, fixed, other),
                                plan.repeats_for(concept, tier), image.fmt, "RGB", False,
                                width=image.size[0], height=image.size[1]))
        expected[f"i{n}"] = (fixed, other)
    values = dict(out_dir=root.parent / "out", dataset_root=root, keep_tokens_separator=spec.keep_separator,
                  shuffle_caption=spec.shuffle, trigger_words=(), concept_triggers=dict(spec.fixed),
                  resolution=spec.resolution, batch_size=spec.batch, epochs=plan.epochs,
                  caption_separator=spec.separator.strip() or ",")
    values.update(overrides)
    return items, ExportOptions(**values), plan, expected
