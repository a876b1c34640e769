#!/usr/bin/python3
"""Writes the benchmark site: a deterministic set of static HTML pages (same arguments, same
bytes) for nginx to serve.

Pages: "/" (file index.html) and "/s<S>/p<N>.html" for N = 1..pages-1, 100 pages per section
(S = (N - 1) // 100 + 1). Every page is reachable from "/" through a random spanning tree; random
extra links, duplicates, fragments, links to missing pages (404) and external links are added
until a page has its 20-40 links (about one missing page per 200 pages, each linked from
several pages). Link forms: relative to the page ("p7.html", "./p7.html",
"../s3/p40.html"), root-relative ("/s3/p40.html"), absolute ("http://127.0.0.1:PORT/s3/p40.html"),
and about one page in 20 has a <base href> to another section, its relative links then written
relative to that base (a fragment-only link there resolves to the base's folder, which nginx
answers 403: a crawler following the HTML rules requests it). Bodies are filler text padded to a size drawn from 15-30 KB.

Usage: gen_site.py --out DIR --pages N --origin http://127.0.0.1:PORT [--seed S]
Prints one JSON line: {"pages": N, "bytes": total, "missing": count of distinct 404 paths}.
"""

import argparse
import json
import os
import random
import sys

PAGES_PER_SECTION = 100


def page_path(n):
    """URL path of page n (0 is the home page)."""
    if n == 0:
        return "/"
    return "/s%d/p%d.html" % ((n - 1) // PAGES_PER_SECTION + 1, n)


def page_dir(n):
    """The folder part of page n's URL path, with the trailing slash."""
    if n == 0:
        return "/"
    return "/s%d/" % ((n - 1) // PAGES_PER_SECTION + 1)


def relative(from_dir, target):
    """`target` (a root-relative path) written relative to the folder `from_dir`."""
    if target == "/":
        return "./" if from_dir == "/" else "../"
    if from_dir == "/":
        return target[1:]
    tdir, name = target.rsplit("/", 1)
    if tdir + "/" == from_dir:
        return name
    return ".." + target


def make_corpus(rng):
    """A few thousand pseudo-words and a long text of sentences made from them."""
    syllables = ["ka", "lo", "mi", "ren", "sa", "tor", "vel", "qui", "dan", "pe", "ul", "zor",
                 "ni", "bra", "co", "fen", "gal", "hu", "ix", "jo", "mar", "ost", "ry", "tes"]
    words = ["".join(rng.choice(syllables) for _ in range(rng.randint(1, 4)))
             for _ in range(4000)]
    sentences = []
    for _ in range(12000):
        ws = rng.choices(words, k=rng.randint(6, 18))
        sentences.append(" ".join(ws).capitalize() + ".")
    return words, sentences


def link_count_targets(rng, pages):
    """Spanning tree: each page n > 0 has a random earlier parent, so all are reachable."""
    children = [[] for _ in range(pages)]
    for n in range(1, pages):
        children[rng.randrange(0, n)].append(n)
    return children


def write_site(out, pages, origin, seed):
    rng = random.Random(seed)
    words, sentences = make_corpus(rng)
    children = link_count_targets(rng, pages)
    total_bytes = 0
    missing = set()
    sections = (pages - 2) // PAGES_PER_SECTION + 1 if pages > 1 else 0

    for n in range(pages):
        prng = random.Random(seed * 1000003 + n)
        own_dir = page_dir(n)
        # Links are resolved against the base when the page has one.
        base_dir = own_dir
        base_tag = ""
        if n > 0 and sections > 1 and prng.random() < 0.05:
            base_dir = "/s%d/" % prng.randint(1, sections)
            base_tag = '<base href="%s%s">' % (origin, base_dir)

        def form(target):
            """One of the link forms for a root-relative target, as written in this page."""
            r = prng.random()
            if r < 0.45:
                href = relative(base_dir, target)
                if r < 0.08 and not href.startswith("."):
                    href = "./" + href
            elif r < 0.75:
                href = target
            else:
                href = origin + target
            if prng.random() < 0.1:
                href += "#s%d" % prng.randint(1, 9)
            return href

        hrefs = [form(page_path(c)) for c in children[n]]
        want = prng.randint(20, 40)
        while len(hrefs) < want:
            r = prng.random()
            if r < 0.80 or pages == 1:
                hrefs.append(form(page_path(prng.randrange(pages))))
            elif r < 0.88 and hrefs:
                hrefs.append(prng.choice(hrefs))  # the same target twice on a page
            elif r < 0.93:
                hrefs.append("#s%d" % prng.randint(1, 9))
            elif r < 0.97:
                hrefs.append(prng.choice([
                    "http://example.invalid/p%d.html" % prng.randint(1, 99),
                    "https://www.example.org/", "mailto:someone@example.invalid"]))
            elif prng.random() < 0.3:
                # A few missing pages (one per 200 pages), each linked from several pages.
                m = "/gone/p%d.html" % prng.randint(1, max(10, pages // 200))
                missing.add(m)
                hrefs.append(form(m))
            else:
                hrefs.append(form(page_path(prng.randrange(pages))))
        prng.shuffle(hrefs)

        # A paragraph is under 1 KB, so pages end between 15 and 30 KB.
        size = prng.randint(15 * 1024, 29 * 1024)
        title = "Page %d" % n if n else "Home"
        head = ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">%s'
                '<title>%s</title></head>\n<body><h1 id="top">%s</h1>\n' % (base_tag, title, title))
        tail = "</body></html>\n"
        parts = [head]
        length = len(head) + len(tail)
        li = 0
        para = 0
        while li < len(hrefs) or length < size:
            para += 1
            if para % 6 == 1:
                h = '<h2 id="s%d">%s</h2>\n' % ((para // 6) % 9 + 1, prng.choice(sentences)[:40])
                parts.append(h)
                length += len(h)
            bits = []
            for _ in range(prng.randint(2, 6)):
                bits.append(prng.choice(sentences))
                if li < len(hrefs) and prng.random() < 0.5:
                    q = "'" if prng.random() < 0.1 else '"'
                    bits.append("<a href=%s%s%s>%s</a>" % (q, hrefs[li], q, prng.choice(words)))
                    li += 1
            p = "<p>" + " ".join(bits) + "</p>\n"
            parts.append(p)
            length += len(p)
        parts.append(tail)
        body = "".join(parts).encode()

        rel = "index.html" if n == 0 else page_path(n)[1:]
        path = os.path.join(out, rel)
        if n % PAGES_PER_SECTION == 1:
            os.makedirs(os.path.dirname(path), exist_ok=True)
        with open(path, "wb") as f:
            f.write(body)
        total_bytes += len(body)
    return {"pages": pages, "bytes": total_bytes, "missing": len(missing)}


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--out", required=True)
    ap.add_argument("--pages", type=int, required=True)
    ap.add_argument("--origin", required=True, help="http://127.0.0.1:PORT (no trailing slash)")
    ap.add_argument("--seed", type=int, default=1)
    a = ap.parse_args()
    if a.pages < 1:
        sys.exit("gen_site.py: --pages must be >= 1")
    os.makedirs(a.out, exist_ok=True)
    print(json.dumps(write_site(a.out, a.pages, a.origin.rstrip("/"), a.seed)))


if __name__ == "__main__":
    main()
