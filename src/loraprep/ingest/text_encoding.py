"""Decode caption text: byte-order mark, UTF-16/32 NUL pattern, strict UTF-8, the recipe's encoding; else suggest one."""

from __future__ import annotations

import codecs
import unicodedata

from loraprep.errors import SourceFileError

# UTF-32 LE's mark starts with UTF-16 LE's, so it is tried first.
_BOMS = ((codecs.BOM_UTF32_LE, "utf-32-le", "utf-32"), (codecs.BOM_UTF32_BE, "utf-32-be", "utf-32"),
         (codecs.BOM_UTF8, "utf-8", "utf-8-sig"), (codecs.BOM_UTF16_LE, "utf-16-le", "utf-16"),
         (codecs.BOM_UTF16_BE, "utf-16-be", "utf-16"))
# Legacy encodings a caption file from another tool is most likely in; tried strictly, only to suggest one.
# Order breaks ties: Korean text in euc-kr also reads as common Chinese characters in gbk.
CANDIDATES = ("cp1252", "shift_jis", "euc-kr", "gbk")
_PLAUSIBLE = 0.8  # share of the non-ASCII characters that must belong to the encoding's own script


def decode_text(data: bytes, fallback: str | None = None) -> tuple[str, str]:
    """(text, encoding) of caption bytes; SourceFileError, with a suggested encoding, when they are not text."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), label
            except UnicodeDecodeError as exc:
                name = codec.upper()[:6]
                raise SourceFileError(f"caption starts with a {name} byte-order mark but is not valid {name}: "
                                      f"{_where(exc, len(bom))}") from None
    wide = utf16_or_32(data)
    if wide:
        return wide
    if b"\x00" in data:
        raise SourceFileError("caption holds NUL bytes but is not UTF-16 or UTF-32 text: is it a binary file?")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        utf8_error = exc
    if fallback:
        try:
            return data.decode(fallback), fallback
        except UnicodeDecodeError as exc:
            problem = f"caption is neither UTF-8 nor {fallback} (the recipe's caption_encoding): {_where(exc)}"
    else:
        problem = f"caption is not valid UTF-8: {_where(utf8_error)}"
    raise SourceFileError(problem + _advice(data, fallback))


def utf16_or_32(data: bytes) -> tuple[str, str] | None:
    """(text, codec) of UTF-16 or UTF-32 without a byte-order mark, told by its NUL bytes: every ASCII character
    in UTF-16 LE is 'c\\0'. UTF-8 and the legacy encodings never hold a NUL in text, so none is misread."""
    if b"\x00" not in data:
        return None
    size, codecs_to_try = len(data), []
    if size % 4 == 0:
        codecs_to_try += [codec for codec, lanes in (("utf-32-le", (2, 3)), ("utf-32-be", (0, 1)))
                          if all(not any(data[lane::4]) for lane in lanes)]
    if size % 2 == 0:
        # The lane with more zeros holds the high bytes of ASCII; a few zeros in the other are characters
        # such as U+4E00, whose low byte is zero.
        le_first = data[1::2].count(0) >= data[0::2].count(0)
        codecs_to_try += ["utf-16-le", "utf-16-be"] if le_first else ["utf-16-be", "utf-16-le"]
    for codec in codecs_to_try:
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        # Some tools end the text with a NUL terminator; any other control code means binary data.
        if not any(_is_control(c) for c in text.rstrip("\x00")):
            return text.rstrip("\x00"), codec
    return None


def suggest_encodings(data: bytes) -> list[tuple[str, str]]:
    """(encoding, text) for each candidate that decodes ``data`` strictly into text of its own script, best first."""
    scored = []
    for rank, codec in enumerate(CANDIDATES):
        try:
            text = data.decode(codec)
        except UnicodeDecodeError:
            continue
        score = plausibility(codec, text)
        if score >= _PLAUSIBLE:
            scored.append((-score, rank, codec, text))
    return [(codec, text) for _score, _rank, codec, text in sorted(scored)]


def plausibility(codec: str, text: str) -> float:
    """Share of the non-ASCII characters of ``text`` that fit ``codec``'s script (0 when any is a control code)."""
    if any(_is_control(c) for c in text):
        return 0.0
    wide = [i for i, c in enumerate(text) if ord(c) > 0x7F]
    if not wide:
        return 0.0
    fits = _latin_in_word if codec == "cp1252" else _CJK_FITS[codec]
    return sum(1 for i in wide if fits(text, i)) / len(wide)


def _advice(data: bytes, fallback: str | None) -> str:
    found = [(codec, text) for codec, text in suggest_encodings(data) if codec != fallback]
    if not found:
        return "; convert it to UTF-8" if fallback else \
            "; convert it to UTF-8, or name its encoding with caption_encoding in loraprep.toml"
    shown = " or ".join(f"{codec} ({_sample(text)})" for codec, text in found[:3])
    return f"; it reads as {shown}: set caption_encoding = \"{found[0][0]}\" in loraprep.toml, or convert it to UTF-8"


def _where(exc: UnicodeDecodeError, offset: int = 0) -> str:
    return f"byte 0x{exc.object[exc.start]:02x} at offset {exc.start + offset}"


def _sample(text: str, width: int = 40) -> str:
    text = " ".join(text.split())
    return repr(text if len(text) <= width else text[:width - 1] + "…")


def _is_control(c: str) -> bool:
    return c not in "\t\n\r" and unicodedata.category(c) in ("Cc", "Cf", "Co", "Cn", "Cs")


def _ascii_letter(c: str) -> bool:
    return c.isascii() and c.isalpha()


_LATIN_EXTRA = set("ŒœŠšŽžŸ’‘“”–—…°·«»¡¿")
_WORD_ENDS = set(" \t\r\n,;:|()[]{}")


def _latin_in_word(text: str, i: int) -> bool:
    """An accented Latin letter in a word that also has plain letters ('café'), or alone ('à'): CJK bytes read
    as cp1252 give runs of accented letters and signs with no plain letter ('°í¾çÀÌ')."""
    c = text[i]
    if not (("\u00c0" <= c <= "\u00ff" and c not in "×÷") or c in _LATIN_EXTRA):
        return False
    start, end = i, i + 1
    while start > 0 and text[start - 1] not in _WORD_ENDS:
        start -= 1
    while end < len(text) and text[end] not in _WORD_ENDS:
        end += 1
    return end - start == 1 or any(_ascii_letter(ch) for ch in text[start:end])


def _in(*ranges: tuple[int, int]):
    """A CJK character of these ranges that is not wedged against a Latin letter: that is a misread accent
    ('pokémon' read as shift_jis)."""
    def fits(text: str, i: int) -> bool:
        return any(lo <= ord(text[i]) <= hi for lo, hi in ranges) and \
            not any(0 <= j < len(text) and _ascii_letter(text[j]) for j in (i - 1, i + 1))
    return fits


_IDEOGRAPHS = ((0x3400, 0x4DBF), (0x4E00, 0x9FFF), (0xF900, 0xFAFF))
_CJK_MARKS = ((0x3000, 0x303F), (0xFF01, 0xFF5E), (0x2010, 0x203B), (0x2190, 0x21FF), (0x25A0, 0x26FF))
_KANA = ((0x3040, 0x30FF), (0x31F0, 0x31FF))
_HANGUL = ((0xAC00, 0xD7A3),)  # syllables; lone jamo are what misread bytes give
_CJK_FITS = {
    "shift_jis": _in(*_KANA, *_IDEOGRAPHS, *_CJK_MARKS),
    "gbk": _in(*_IDEOGRAPHS, *_KANA, *_CJK_MARKS),
    # Hangul only: Chinese text read as euc-kr is a hangul-hanja mix that modern Korean captions never are.
    "euc-kr": _in(*_HANGUL, *_CJK_MARKS),
}
