"""The recipe as frozen dataclasses: every curation, balance and export choice of a dataset (DESIGN §5)."""

from __future__ import annotations

from dataclasses import dataclass, field, replace


STRATEGIES = ("all", "absorb", "only-learned")
PRUNE_MODES = ("none", "minimal", "character_core", "character")
ORDERS = ("score", "original", "alphabetical", "shuffle")
STYLES = ("plain", "a1111")
# Whose tags a caption starts from ([tagger] use): the tagger's beside imported ones, the tagger's only where
# nothing was imported (guide 004's "If Empty"), or imported ones only (docs/recipe.md says exactly).
TAGGER_USES = ("always", "if-empty", "never")
# What `absorb` lets the trigger take by default: the traits guides 000, 003 and 004 all prune. Hair style stays
# tagged (guide 000: "for finnicky things like hairstyle, having it tagged will give you better flexibility").
DEFAULT_LEARNED_CATEGORIES = ("hair color", "hair length", "eye color", "skin", "body")


@dataclass(frozen=True)
class TaggerSettings:
    model: str | None = None
    # None: the guides' value (model/thresholds.py); "model": the model card's (the registry's); else this value.
    general: float | str | None = None
    character: float | str | None = None
    mcut: bool = False
    include_rating: bool = False
    use: str = "always"


@dataclass(frozen=True)
class RuleSettings:
    """Rules of one concept (the top-level [rules] table, overridden per concept)."""

    default_blacklist: bool = True
    blacklist: tuple[str, ...] = ()
    blacklist_file: str | None = None
    protect: tuple[str, ...] = ()
    aliases: tuple[tuple[str, str], ...] = ()     # (pattern, target); pattern may hold '*' or start with 're:'
    overlap: bool = True
    overlap_file: str | None = None
    overlap_pairs: tuple[tuple[str, tuple[str, ...]], ...] = ()   # from overlap_file: tag -> tags it implies
    core_frequency: float = 0.4
    learned: tuple[str, ...] = ()
    learned_categories: tuple[str, ...] = DEFAULT_LEARNED_CATEGORIES
    absorb_core: bool = True
    prune_mode: str = "minimal"
    drop_difficulty: int = 2
    drop_all_core: bool = False
    order: str = "score"
    seed: int = 0
    max_tags: int = 30
    separator: str = ", "
    style: str = "plain"


@dataclass(frozen=True)
class ConceptRecipe:
    """Everything that decides one concept's captions, with overrides already resolved."""

    name: str
    trigger: tuple[str, ...] = ()
    fixed: tuple[str, ...] = ()                    # the second fixed slot, right after the trigger
    strategy: str = "all"
    keep_tokens: int | None = None                 # None = auto: trigger + fixed
    keep_tokens_separator: str | None = None       # e.g. '|||' (kohya)
    rules: RuleSettings = field(default_factory=RuleSettings)
    repeats: int | None = None
    weight: float = 1.0
    base_dir: str = ""                             # folder the recipe came from, for relative rule files
    caption_encoding: str | None = None            # captions that are not UTF-8: scan reads them in this

    @property
    def fixed_tags(self) -> tuple[str, ...]:
        return tuple(dict.fromkeys(self.trigger + self.fixed))

    @property
    def effective_keep_tokens(self) -> int:
        return len(self.fixed_tags) if self.keep_tokens is None else self.keep_tokens


@dataclass(frozen=True)
class ExportSettings:
    format: str = "kohya"
    target_steps: int = 1500
    batch_size: int = 2
    epochs: int | None = None
    resolution: int = 768
    shuffle_caption: bool = True
    preset: str | None = None
    tier_weights: tuple[tuple[str, float], ...] = ()
    ai_toolkit_shuffle: bool = False
    folder_repeats: str = "keep"     # kohya `N_name` folders: keep the user's N, or "rebalance"


CROP_WHATS = ("person", "halfbody", "head", "face")
CROP_MODES = ("each", "union")


@dataclass(frozen=True)
class CropSettings:
    """Detection and crops (guide 002's cropping stage): what to cut out and which crops are worth making."""

    enabled: bool = False            # `loraprep run` detects and crops
    what: str = "person"             # person | halfbody | head | face
    model: str = ""                  # detector: registry name, hub repo or folder; "" = the registry's for `what`
    score: float | None = None       # None: the model card's score threshold
    margin: float = 0.1              # grown by this share of the box's width/height on every side
    min_size: int | None = None      # shorter side in pixels; None: the export resolution
    min_aspect: float = 0.5          # width / height limits: a box outside is widened, or skipped
    max_aspect: float = 2.0
    mode: str = "each"               # each: one crop per box | union: one crop around all boxes
    min_people: int = 1              # crop only pictures with at least this many boxes
    keep_source: bool = True         # export the uncropped picture too


@dataclass(frozen=True)
class ClassifySettings:
    """[classify]: sort images by character (guide 002). ``enabled`` when the recipe has the table: `run` then
    classifies. ``refs`` is the reference folder (refs/<character>/*.png), relative to the recipe."""

    enabled: bool = False
    refs: str | None = None
    model: str | None = None
    assign_concepts: bool = False


@dataclass(frozen=True)
class CaptionSettings:
    """[caption]: captions built from fields (guide 002). ``ordering`` None keeps the plain tag captions."""

    ordering: tuple[str, ...] | None = None
    inner_separator: str | None = None          # joins a field's items (two characters) into one element
    keep_tokens_before: str | None = None       # the kept prefix ends where this field starts
    field_probs: tuple[tuple[str, float], ...] = ()   # use_<field>_prob
    seed: int = 0
    append_dropped_character_tags: bool = False
    append_dropped_character_tags_wildcard: bool = False
    drop_all_core: bool = False                 # copied into [rules] (the rule engine reads it there)

    def prob(self, name: str) -> float:
        return dict(self.field_probs).get(name, 1.0)


@dataclass(frozen=True)
class FramesSettings:
    blur: float = 0.45    # `loraprep frames` drops a frame whose blur score (0 sharp .. 1 blurry) is over this


@dataclass(frozen=True)
class Recipe:
    """A dataset's recipe; ``for_concept`` resolves per-concept overrides."""

    base: ConceptRecipe = field(default_factory=lambda: ConceptRecipe(name=""))
    tagger: TaggerSettings = field(default_factory=TaggerSettings)
    export: ExportSettings = field(default_factory=ExportSettings)
    classify: ClassifySettings = field(default_factory=ClassifySettings)
    caption: CaptionSettings = field(default_factory=CaptionSettings)
    frames: FramesSettings = field(default_factory=FramesSettings)
    overrides: tuple[tuple[str, dict], ...] = ()   # (concept, {field: value}) with 'rules' as a dict of its own
    path: str | None = None
    crop: CropSettings = field(default_factory=CropSettings)

    def for_concept(self, name: str) -> ConceptRecipe:
        changes = dict(next((o for c, o in self.overrides if c == name), {}))
        rules = changes.pop("rules", None)
        concept = replace(self.base, name=name, **changes)
        if rules:
            concept = replace(concept, rules=replace(self.base.rules, **rules))
        return concept

    @property
    def concepts(self) -> tuple[str, ...]:
        return tuple(c for c, _ in self.overrides)
