"""Names made comparable for screening, with a record of every step taken so a match can be explained.

No installed library maps the older romanisations of Chinese names (postal, Wade-Giles) to pinyin, or strips the
company-form words of several languages, so both are short tables here; accents go through unicodedata.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field

# Words that say what kind of body a party is, not which one: dropped before comparing.
COMPANY_FORMS = frozenset(
    [
        "co",
        "company",
        "corp",
        "corporation",
        "inc",
        "incorporated",
        "ltd",
        "limited",
        "llc",
        "lp",
        "plc",
        "gmbh",
        "ag",
        "sa",
        "group",
        "the",
        "of",
        "and",
    ]
)
CJK_COMPANY_FORMS = ("股份有限公司", "有限责任公司", "有限公司", "集团", "公司")
# Words shared by many unrelated parties: they count towards a name's similarity, never as evidence alone.
GENERIC_WORDS = frozenset(
    [
        "technology",
        "technologies",
        "tech",
        "digital",
        "international",
        "industries",
        "industry",
        "industrial",
        "systems",
        "system",
        "engineering",
        "electronics",
        "electronic",
        "information",
        "science",
        "sciences",
        "research",
        "institute",
        "university",
        "enterprises",
        "holdings",
        "defense",
        "defence",
        "aerospace",
        "semiconductor",
        "semiconductors",
        "microelectronics",
        "manufacturing",
        "shanghai",
        "beijing",
        "shenzhen",
        "hangzhou",
        "zhejiang",
    ]
)
# Postal and Wade-Giles spellings seen in the names of Chinese parties, read as pinyin.
ROMANISATIONS = {
    "peking": "beijing",
    "tsinghua": "qinghua",
    "canton": "guangzhou",
    "nanking": "nanjing",
    "tientsin": "tianjin",
    "chungking": "chongqing",
    "amoy": "xiamen",
    "szechwan": "sichuan",
    "szechuan": "sichuan",
    "hangchow": "hangzhou",
    "soochow": "suzhou",
    "kwangtung": "guangdong",
    "fukien": "fujian",
    "hupeh": "hubei",
    "chekiang": "zhejiang",
    "shenchen": "shenzhen",
    "hsinhua": "xinhua",
    "hsin": "xin",
    "chung": "zhong",
    "kuo": "guo",
}
_CJK = re.compile(r"[\u3400-\u9fff]")
_WORD = re.compile(r"[a-z0-9]+|[\u3400-\u9fff]+")


@dataclass(frozen=True)
class Name:
    """A name as compared: its words, the distinctive ones, and the steps that got there."""

    original: str
    words: tuple[str, ...]
    steps: tuple[str, ...] = field(default=())

    @property
    def compact(self) -> str:
        return "".join(self.words)

    @property
    def distinctive(self) -> tuple[str, ...]:
        return tuple(word for word in self.words if word not in GENERIC_WORDS)

    @property
    def core(self) -> str:
        return "".join(self.distinctive) or self.compact

    @property
    def is_chinese(self) -> bool:
        return bool(_CJK.search(self.original))


def strip_accents(text: str) -> str:
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(char for char in decomposed if not unicodedata.combining(char))


def normalise_name(text: str) -> Name:
    """Lower case, accents off, hyphenated syllables joined, old romanisations as pinyin, company forms dropped."""
    steps: list[str] = []
    plain = unicodedata.normalize("NFKC", text).strip()
    unaccented = strip_accents(plain)
    if unaccented != plain:
        steps.append(f"diacritics removed: {plain!r} read as {unaccented!r}")
    lowered = unaccented.lower().replace("&", " and ")
    for cjk_form in CJK_COMPANY_FORMS:
        if lowered.endswith(cjk_form) and len(lowered) > len(cjk_form):
            lowered = lowered[: -len(cjk_form)]
    # Syllables written apart with hyphens (Hua-wei, Da-Jiang) are one word in pinyin.
    joined = re.sub(r"(?<=[a-z])-(?=[a-z])", "", lowered)
    words: list[str] = []
    for word in _WORD.findall(joined):
        pinyin = ROMANISATIONS.get(word)
        if pinyin is not None:
            steps.append(f"transliteration: {word!r} (postal/Wade-Giles romanisation) read as pinyin {pinyin!r}")
            word = pinyin
        if word in COMPANY_FORMS:
            continue
        words.append(word)
    return Name(original=text, words=tuple(words), steps=tuple(steps))
