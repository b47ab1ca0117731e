"""Text people write for others to read may not hide or reorder what it shows.

Names, titles, posts, recaps and messages are read by other people, so a
character that changes how the text around it is displayed without being seen
(a bidi override: "Alice" + U+202E + "nimda" is displayed as "Aliceadmin") or
that is itself invisible (U+200B zero-width space, U+2060 word joiner, U+FEFF
byte-order mark, a Hangul filler) lets one person pass for another or hide
words. This module is the one place that decides which characters those are:

- `invisible_characters(text)` finds them; `validate_name` and `validate_text`
  (single-line and multi-line text) refuse them with a message naming the
  character, and `VisibleTextFormMixin` puts those validators on every text field
  of a form;
- `strip_invisible(text)` removes them, for the entry points that cannot show a
  form (names from an identity provider, the HR system's roster sync).

Not refused, because writing systems and emoji need them (the tests spell the
examples out with escapes):

- ZWJ (U+200D) and ZWNJ (U+200C) after a letter or mark of a script that uses
  them: Persian writes ZWNJ inside words ("mi" + ZWNJ + "khaham"), Devanagari
  half forms and Sinhala's "Sri" use ZWJ after a virama, Malayalam's older
  chillus end a word with virama + ZWJ; and ZWJ between two emoji (woman + ZWJ +
  laptop is one "woman technologist", families, the rainbow flag). Between Latin
  letters, at either end, or next to a space or another invisible character
  they do nothing visible and are refused;
- the tag characters of a subdivision flag after U+1F3F4 (Scotland's flag);
- variation selectors (the U+FE0F of a red heart), which are marks;
- the bidi *marks* LRM, RLM and ALM (U+200E, U+200F, U+061C): writers of Arabic
  and Hebrew use them to place punctuation; they cannot reverse letters as the
  overrides and isolates do;
- the Arabic and other prepended concatenation marks (U+0600-U+0605, ...), which
  are visible signs spanning the digits after them.
"""

import unicodedata

from django import forms
from django.core.exceptions import ValidationError

# Embeddings and overrides (LRE, RLE, PDF, LRO, RLO) and isolates (LRI, RLI, FSI, PDI).
BIDI_CONTROLS = frozenset(map(chr, [*range(0x202A, 0x202F), *range(0x2066, 0x206A)]))
JOINERS = frozenset({"\u200c", "\u200d"})  # ZWNJ, ZWJ
BIDI_MARKS = frozenset({"\u200e", "\u200f", "\u061c"})  # LRM, RLM, ALM
PREPENDED_MARKS = frozenset(map(chr, [*range(0x0600, 0x0606), 0x06DD, 0x070F, 0x0890, 0x0891, 0x08E2, 0x110BD,
                                      0x110CD]))  # fmt: skip
# Letters and symbols that draw nothing, though they are not format characters.
BLANK_LETTERS = frozenset(map(chr, [0x034F, 0x115F, 0x1160, 0x17B4, 0x17B5, 0x2800, 0x3164, 0xFFA0]))
TAGS = range(0xE0020, 0xE0080)
BLACK_FLAG = "\U0001f3f4"
# Scripts whose spelling uses ZWJ/ZWNJ (the first word of their characters' Unicode names).
JOINING_SCRIPTS = frozenset(
    {
        "ARABIC", "SYRIAC", "NKO", "MANDAIC", "MONGOLIAN", "PHAGS-PA", "HANIFI", "ADLAM", "DEVANAGARI",
        "BENGALI", "GURMUKHI", "GUJARATI", "ORIYA", "TAMIL", "TELUGU", "KANNADA", "MALAYALAM", "SINHALA",
        "TIBETAN", "MYANMAR", "KHMER", "BALINESE", "JAVANESE", "KAITHI", "LIMBU", "NEWA", "SHARADA",
    }
)  # fmt: skip
LINE_BREAKS = frozenset("\n\r\u2028\u2029")


def _is_visible(char: str) -> bool:
    return not char.isspace() and unicodedata.category(char) not in ("Cc", "Cf", "Zs", "Zl", "Zp")


def _in_joining_script(char: str) -> bool:
    return unicodedata.category(char)[0] in "LM" and unicodedata.name(char, "").split(" ", 1)[0] in JOINING_SCRIPTS


def _is_emoji_part(char: str) -> bool:
    """Emoji (So), their skin-tone modifiers (Sk) and the emoji variation selector."""
    return char == "\ufe0f" or unicodedata.category(char) in ("So", "Sk")


def _joiner_allowed(text: str, i: int) -> bool:
    before = text[i - 1] if i > 0 else ""
    after = text[i + 1] if i + 1 < len(text) else ""
    if not before or not _is_visible(before):
        return False
    if _in_joining_script(before):
        # A script that uses it; Malayalam's older chillu ends a word with virama + ZWJ.
        return not after or _is_visible(after) or after.isspace()
    return text[i] == "\u200d" and _is_emoji_part(before) and bool(after) and _is_emoji_part(after)


def _tag_allowed(text: str, i: int) -> bool:
    """A tag character belongs to a subdivision flag: a run of tags after U+1F3F4."""
    while i > 0 and ord(text[i - 1]) in TAGS:
        i -= 1
    return i > 0 and text[i - 1] == BLACK_FLAG


def invisible_characters(text: str, *, multiline: bool = False) -> list[tuple[int, str]]:
    """(position, character) of every character `text` may not hold. `multiline`
    text may hold line breaks and tabs; a name or a title may not."""
    found = []
    for i, char in enumerate(text):
        category = unicodedata.category(char)
        if char in LINE_BREAKS or char == "\t":
            refused = not multiline
        elif category == "Cc":
            refused = True
        elif char in JOINERS:
            refused = not _joiner_allowed(text, i)
        elif ord(char) in TAGS:
            refused = not _tag_allowed(text, i)
        elif char in BIDI_MARKS or char in PREPENDED_MARKS:
            refused = False
        else:
            refused = category == "Cf" or char in BLANK_LETTERS
        if refused:
            found.append((i, char))
    return found


def describe(char: str) -> str:
    """ "U+202E (RIGHT-TO-LEFT OVERRIDE)"."""
    name = unicodedata.name(char, "")
    return f"U+{ord(char):04X}" + (f" ({name})" if name else "")


def problem(text: str, *, multiline: bool = False) -> str | None:
    """A sentence saying what to remove from `text`, or None when it may be kept."""
    found = invisible_characters(text, multiline=multiline)
    if not found:
        return None
    char = found[0][1]
    if char in BIDI_CONTROLS:
        return (
            f"Remove the direction-changing character {describe(char)}: "
            "it makes the text read differently from what it is."
        )
    if char in LINE_BREAKS or char == "\t":
        return "Keep this on one line: remove the line breaks and tabs."
    return f"Remove the invisible character {describe(char)}: it could make this text look like something else."


def validate_name(value: str) -> None:
    """For single-line text others read: names, titles, programme and department names."""
    message = problem(value)
    if message:
        raise ValidationError(message, code="invisible_characters")


def validate_text(value: str) -> None:
    """For multi-line text others read: posts, recaps, messages, descriptions."""
    message = problem(value, multiline=True)
    if message:
        raise ValidationError(message, code="invisible_characters")


def strip_invisible(text: str, *, multiline: bool = False) -> str:
    """`text` without the characters it may not hold, for text that comes from
    another system and cannot be sent back to be fixed. Line breaks and tabs in
    single-line text become spaces."""
    refused = {i for i, _ in invisible_characters(text, multiline=multiline)}
    return "".join(
        (" " if char in LINE_BREAKS or char == "\t" else "") if i in refused else char for i, char in enumerate(text)
    )


class VisibleTextFormMixin:
    """Puts validate_name (one-line inputs) or validate_text (text areas) on every
    text field of the form when it is cleaned, fields added in __init__ included.
    Email, URL and password fields, hidden inputs and choices are not text people
    read, and keep their own validation."""

    def full_clean(self):
        for field in self.fields.values():
            validator = visible_text_validator(field)
            if validator and validator not in field.validators:
                field.validators.append(validator)
        super().full_clean()


def visible_text_validator(field: forms.Field):
    """The validator a form field gets from VisibleTextFormMixin, or None."""
    if not isinstance(field, forms.CharField) or isinstance(
        field, forms.EmailField | forms.URLField | forms.SlugField | forms.RegexField | forms.UUIDField
    ):
        return None
    if isinstance(field.widget, forms.PasswordInput | forms.HiddenInput):
        return None
    return validate_text if isinstance(field.widget, forms.Textarea) else validate_name
