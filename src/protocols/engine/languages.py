"""Language codes as a person reads them: ``es`` → ``Spanish (español)``.

Content stores IETF language tags (``en``, ``es``, ``es-MX``, ``ase``). Job aids show
names, with the language's own name after the English one so a victim can point at it.
A code this table does not know is shown as the code itself.
"""

from __future__ import annotations

LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "es": "Spanish (español)",
    "vi": "Vietnamese (Tiếng Việt)",
    "zh": "Chinese (中文)",
    "tl": "Tagalog",
    "ko": "Korean (한국어)",
    "ar": "Arabic (العربية)",
    "ru": "Russian (русский)",
    "fa": "Persian (فارسی)",
    "pa": "Punjabi (ਪੰਜਾਬੀ)",
    "hy": "Armenian (հայերեն)",
    "ase": "American Sign Language",
    "fr": "French (français)",
    "ht": "Haitian Creole (kreyòl ayisyen)",
    "pt": "Portuguese (português)",
    "so": "Somali (Soomaali)",
    "hmn": "Hmong (Hmoob)",
    "ja": "Japanese (日本語)",
    "km": "Khmer (ខ្មែរ)",
    "uk": "Ukrainian (українська)",
}


def language_name(code: str) -> str:
    """The name of a language code; ``es-MX`` reads as ``Spanish (español), MX``."""
    primary, _, region = code.partition("-")
    name = LANGUAGE_NAMES.get(primary, code if not region else primary)
    return f"{name}, {region}" if region else name


def language_options(codes: list[str] | tuple[str, ...]) -> list[tuple[str, str]]:
    """``(name, code)`` pairs for a choice list: English first, then by name, no repeats."""
    seen = sorted({c.split("-")[0] for c in codes}, key=lambda c: (c != "en", language_name(c)))
    return [(language_name(c), c) for c in seen]
