"""Complaint descriptions for the bench: Khmer sentences written without spaces between words
(two in three) and English ones, so that the officer's search is measured on text like the
real thing. Every word the search bench looks for has a known share of the cases:

- common: "ប្រាក់" (money) and "payment" are in about a third of the Khmer / English texts;
- middling: a commune name (one of 60) — each in roughly 1 % of the cases;
- rare: a village name (one of 3,000) — each in about 0.03 % (some 300 of a million).

The generator has its own random stream (`Descriptions(seed)`), so the other columns the bench
generates stay as they were.
"""

from __future__ import annotations

import random

KM_OPENINGS = ("ខ្ញុំ", "គ្រួសារខ្ញុំ", "ម្ដាយខ្ញុំ", "ឪពុកខ្ញុំ", "កូនខ្ញុំ", "អ្នកជិតខាងខ្ញុំ")
KM_COMMON = ("មិនទាន់ទទួលបានប្រាក់ឧបត្ថម្ភទេ", "មិនទាន់បានទទួលប្រាក់សោធននិវត្តន៍")  # both hold ប្រាក់
KM_OTHER = (
    "ត្រូវបានគេបដិសេធមិនឱ្យចុះឈ្មោះ",
    "មិនមានប័ណ្ណសមធម៌ទេ",
    "រង់ចាំយូរពេកនៅមន្ទីរពេទ្យ",
    "មន្ត្រីសុំលុយដើម្បីជួយ",
    "ឈ្មោះខុសនៅក្នុងបញ្ជី",
    "កាតលេខកូដមិនដំណើរការ",
)
KM_ENDINGS = ("សូមជួយពិនិត្យផង", "សូមដោះស្រាយឱ្យបានឆាប់", "អរគុណ", "ខ្ញុំបានរង់ចាំបីខែហើយ")
EN_OPENINGS = ("I", "My family", "My mother", "My father", "Our household")
EN_COMMON = ("did not receive the cash payment", "never got the payment for this quarter")  # both hold "payment"
EN_OTHER = (
    "was refused registration",
    "has no equity card",
    "waited too long at the health centre",
    "was asked for money by an official",
    "has the wrong name on the list",
)
EN_ENDINGS = ("please check", "please help us soon", "thank you", "we have waited three months")

# Syllables for place names: Khmer consonant + vowel clusters, so that names are real Khmer script.
_KM_SYLLABLES = (
    "ក", "កា", "គោ", "ចំ", "ជា", "ដូ", "តា", "ត្រ", "ទួល", "ថ្ម", "នា", "ប៉ោ", "ពោធិ៍", "ភ្នំ", "ម៉ា", "រកា",
    "លៀ", "វាល", "ស្រែ", "សំ", "ហ៊ា", "អូរ", "ព្រៃ", "ស្វាយ", "ក្រ", "ចេក", "ដើម", "ត្បែង", "បឹង", "ឫស្សី",
)  # fmt: skip
COMMUNES = 60
VILLAGES = 3_000


def _names(count: int, syllables: int, seed: int, prefix: str) -> list[str]:
    rng = random.Random(seed)
    seen: set[str] = set()
    names: list[str] = []
    while len(names) < count:
        name = prefix + "".join(rng.choice(_KM_SYLLABLES) for _ in range(syllables))
        if name not in seen:
            seen.add(name)
            names.append(name)
    return names


COMMUNE_NAMES = _names(COMMUNES, 2, 101, "ឃុំ")
VILLAGE_NAMES = _names(VILLAGES, 3, 202, "ភូមិ")
LATIN_VILLAGES = [f"Phum{n:04d}x" for n in range(VILLAGES)]  # the same villages, romanised (rare Latin words)


class Descriptions:
    """description() → one complaint text; its own random stream (seeded)."""

    def __init__(self, seed: int = 16) -> None:
        self.rng = random.Random(seed)

    def description(self) -> str:
        rng = self.rng
        village = rng.randrange(VILLAGES)
        commune = COMMUNE_NAMES[rng.randrange(COMMUNES)]
        common = rng.random() < 0.33
        if rng.random() < 2 / 3:
            middle = rng.choice(KM_COMMON) if common else rng.choice(KM_OTHER)
            return (
                f"{rng.choice(KM_OPENINGS)}រស់នៅ{VILLAGE_NAMES[village]}{commune}"
                f"{middle}{rng.choice(KM_ENDINGS)}។"  # no spaces: Khmer separates phrases, not words
            )
        middle = rng.choice(EN_COMMON) if common else rng.choice(EN_OTHER)
        return (
            f"{rng.choice(EN_OPENINGS)} from {LATIN_VILLAGES[village]} village, {commune} commune, "
            f"{middle}; {rng.choice(EN_ENDINGS)}."
        )
