"""Scanned versions of the generated documents, with the same ground truth.

Each page of a document made by ``generate.py`` is rendered to an image
(150, 200 or 300 dpi; grey or bi-tonal), degraded as a scanner and a
photocopier would (noise, blur, JPEG compression, a skew of up to ±3°, and
now and then a page fed sideways or upside down: turned 90 or 180 degrees),
and put back as an image-only PDF page. The ground truth is the original's
(same pages, same texts). ``slide`` makes a born-digital slide that carries
a picture of text: a screenshot of a CAD log or of a form, with
sensitive items both in the picture and in the slide's own text.

    python corpora/scan.py corpus OUTDIR --split heldout --docs 20 --dpi 300
    python corpora/scan.py one IN.pdf OUT.pdf --dpi 200 --skew 2
"""

from __future__ import annotations

import argparse
import io
import json
import random
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

import numpy as np
import pymupdf
from PIL import Image, ImageFilter

sys.path.insert(0, str(Path(__file__).resolve().parent))

import generate  # noqa: E402


@dataclass
class Scanner:
    dpi: int = 200
    bitonal: bool = False
    noise: float = 0.0  #: standard deviation of grey noise (0-255 scale)
    blur: float = 0.0  #: Gaussian blur radius in pixels
    jpeg: int | None = None  #: JPEG quality; None for lossless
    skew: float = 0.0  #: degrees, anticlockwise
    turn: dict[int, int] | None = None  #: 1-based page -> 90 or 180 (fed sideways / upside down)


def scan_page(page: pymupdf.Page, s: Scanner, rng: random.Random) -> tuple[bytes, bool]:
    """(image bytes, turned sideways) for one page."""
    pix = page.get_pixmap(dpi=s.dpi, colorspace=pymupdf.csGRAY, alpha=False)
    img = Image.frombytes("L", (pix.width, pix.height), pix.samples)
    if s.skew:
        img = img.rotate(s.skew, resample=Image.Resampling.BICUBIC, expand=False, fillcolor=255)
    if s.blur:
        img = img.filter(ImageFilter.GaussianBlur(s.blur))
    if s.noise:
        arr = np.asarray(img, dtype=np.float32)
        arr = arr + np.random.default_rng(rng.randrange(1 << 30)).normal(0, s.noise, arr.shape)
        img = Image.fromarray(np.clip(arr, 0, 255).astype(np.uint8))
    turn = (s.turn or {}).get(page.number + 1, 0)
    if turn == 90:
        img = img.transpose(Image.Transpose.ROTATE_270)
    elif turn == 180:
        img = img.transpose(Image.Transpose.ROTATE_180)
    buf = io.BytesIO()
    if s.bitonal:
        img.point(lambda v: 255 if v > 150 else 0).convert("1").save(buf, "TIFF", compression="group4")
    elif s.jpeg:
        img.save(buf, "JPEG", quality=s.jpeg)
    else:
        img.save(buf, "PNG")
    return buf.getvalue(), turn == 90


def scan_pdf(src: Path, out: Path, s: Scanner, seed: int = 0) -> None:
    """An image-only PDF of ``src`` as ``s`` would scan it."""
    rng = random.Random(seed)
    doc = pymupdf.open(src)
    res = pymupdf.open()
    for page in doc:
        data, sideways = scan_page(page, s, rng)
        w, h = page.rect.width, page.rect.height
        if sideways:
            w, h = h, w
        new = res.new_page(width=w, height=h)
        new.insert_image(new.rect, stream=data)
    res.set_metadata({"title": "", "creator": "redactor corpora/scan.py"})
    out.parent.mkdir(parents=True, exist_ok=True)
    res.save(out, garbage=3, deflate=True)


def scanned(src_pdf: Path, out_pdf: Path, s: Scanner, seed: int = 0) -> dict:
    """Scan ``src_pdf`` (made by generate.py, with its .truth.json) to ``out_pdf``; write its truth."""
    scan_pdf(src_pdf, out_pdf, s, seed)
    truth = json.loads(src_pdf.with_suffix(".truth.json").read_text(encoding="utf-8"))
    truth.update({"document": out_pdf.name, "original": src_pdf.name,
                  "scan": {**asdict(s), "turn": {str(k): v for k, v in (s.turn or {}).items()}}})
    out_pdf.with_suffix(".truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth


def variant(rng: random.Random, dpi: int, pages: int) -> Scanner:
    """A scanner setting drawn at random: grey or bi-tonal, noise, blur,
    JPEG, ±3° skew, and on one document in four a page turned 90 or 180."""
    bitonal = rng.random() < 0.3
    turn = {}
    if rng.random() < 0.25:
        turn[rng.randint(1, pages)] = rng.choice([90, 180])
    return Scanner(dpi=dpi, bitonal=bitonal, noise=0.0 if bitonal else rng.choice([0.0, 4.0, 8.0]),
                   blur=rng.choice([0.0, 0.0, 0.6, 1.0]) * dpi / 300,
                   jpeg=None if bitonal else rng.choice([None, 85, 60]),
                   skew=round(rng.uniform(-3.0, 3.0), 2), turn=turn)


def corpus(out_dir: Path, split: str, docs: int, start_seed: int, dpi: int) -> list[dict]:
    """``docs`` generated documents, each scanned with a random setting at ``dpi``."""
    originals = out_dir / "born-digital"
    truths = []
    for i in range(docs):
        kind = "briefing" if i % 2 == 0 else "report"
        seed = start_seed + i
        src = originals / f"{split}-{kind}-{seed:04d}.pdf"
        truth = generate.build(src, kind, seed, split)
        rng = random.Random(f"scan:{split}:{seed}:{dpi}")
        s = variant(rng, dpi, truth["pages"])
        truths.append(scanned(src, out_dir / f"{split}-{kind}-{seed:04d}-{dpi}dpi.pdf", s, seed))
    for i in range(max(1, docs // 5)):
        seed = start_seed + 500 + i
        truths.append(slide(out_dir / f"{split}-slide-{seed:04d}.pdf", seed, split))
    return truths


# --- a born-digital slide carrying a picture of text ---------------------------------

def _picture_of_text(lines: list[str], mono: bool, scale: float = 1.6) -> bytes:
    """A screenshot-like PNG of ``lines`` (as a screen shows them: ~14 px text)."""
    width = 30 + 7.2 * max(len(x) for x in lines) if mono else 30 + 6.0 * max(len(x) for x in lines)
    height = 20 + 15 * len(lines)
    doc = pymupdf.open()
    page = doc.new_page(width=width, height=height)
    page.draw_rect(page.rect, color=None, fill=(0.96, 0.96, 0.93) if mono else (1, 1, 1))
    for i, line in enumerate(lines):
        page.insert_text((12, 22 + 15 * i), line, fontname="cour" if mono else "helv", fontsize=11)
    return page.get_pixmap(matrix=pymupdf.Matrix(scale, scale), alpha=False).tobytes("png")


def slide(out_pdf: Path, seed: int, split: str = "heldout") -> dict:
    """One slide: a title and a line of its own text, and a screenshot of a
    CAD log (or a form) holding names, phones, a VRM and a postcode."""
    r = random.Random(f"slide:{split}:{seed}")
    c = generate.Composer(r, split)
    p1, p2 = c.person(), c.person()
    vrm, postcode = c.vrm(), c.postcode()
    cad = f"{r.randint(1000, 9999)}/{r.randint(1, 28)}{r.choice(['Jan', 'Feb', 'Mar'])}"
    S = generate.S
    if r.random() < 0.5:
        marked = [
            f"CAD {S('reference_number', cad)}  LOG",
            f"09:14 Caller {S('person_name', p1['name'])} tel {S('phone', p1['phone'])}",
            f"09:16 Vehicle {S('vrm', vrm)} seen near {S('postcode', postcode)}",
            f"09:21 Attending officer {p2['rank']} {S('person_name', p2['name'])}",
            "09:30 Units released, no further action",
        ]
        mono = True
    else:
        marked = [
            "WITNESS CONTACT FORM",
            f"Name: {S('person_name', p1['name'])}",
            f"Telephone: {S('phone', p1['phone'])}",
            f"Postcode: {S('postcode', postcode)}",
            f"Vehicle: {S('vrm', vrm)}",
        ]
        mono = False
    plain = [generate.unmark(m) for m in marked]
    neutral = c.neutral()
    doc = pymupdf.open()
    page = doc.new_page(width=720, height=405)
    page.draw_rect(pymupdf.Rect(0, 0, 720, 48), color=None, fill=(0.0, 0.19, 0.42))
    page.insert_text((24, 32), "Incident review", fontname="hebo", fontsize=18, color=(1, 1, 1))
    own = f"Reviewed by {p2['rank']} {p2['name']} with the duty inspector."
    page.insert_text((24, 80), own, fontname="helv", fontsize=11)
    page.insert_text((24, 380), neutral, fontname="helv", fontsize=11)
    shot = _picture_of_text([t for t, _ in plain], mono)
    img = Image.open(io.BytesIO(shot))
    w = min(620.0, img.width * 0.62)
    h = w * img.height / img.width
    page.insert_image(pymupdf.Rect(24, 100, 24 + w, 100 + h), stream=shot)
    items = [{"page": 1, "text": p2["name"], "category": "person_name", "exemption": "S40(2)", "where": "text"}]
    for text, spans in plain:
        for s in spans:
            items.append({"page": 1, "text": text[s.start:s.end], "category": s.category,
                          "exemption": generate.EXEMPTION[s.category], "where": "picture"})
    out_pdf.parent.mkdir(parents=True, exist_ok=True)
    doc.save(out_pdf, garbage=3, deflate=True)
    truth = {"document": out_pdf.name, "kind": "slide", "pages": 1, "items": items,
             "neutral": [{"page": 1, "text": neutral}], "seed": seed, "split": split,
             "scan": {"picture_of_text": "cad log" if mono else "form"}}
    out_pdf.with_suffix(".truth.json").write_text(json.dumps(truth, indent=1) + "\n", encoding="utf-8")
    return truth


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    c = sub.add_parser("corpus", help="generated documents, scanned, with ground truth")
    c.add_argument("out_dir", type=Path)
    c.add_argument("--split", choices=("train", "heldout"), default="heldout")
    c.add_argument("--docs", type=int, default=20)
    c.add_argument("--start-seed", type=int, default=2000)
    c.add_argument("--dpi", type=int, default=300)
    o = sub.add_parser("one", help="scan one PDF")
    o.add_argument("input", type=Path)
    o.add_argument("output", type=Path)
    o.add_argument("--dpi", type=int, default=200)
    o.add_argument("--skew", type=float, default=0.0)
    o.add_argument("--bitonal", action="store_true")
    args = ap.parse_args()
    if args.cmd == "corpus":
        truths = corpus(args.out_dir, args.split, args.docs, args.start_seed, args.dpi)
        print(f"wrote {len(truths)} documents ({sum(t['pages'] for t in truths)} pages) to {args.out_dir}")
    else:
        scan_pdf(args.input, args.output, Scanner(dpi=args.dpi, skew=args.skew, bitonal=args.bitonal))
        print(f"wrote {args.output}")


if __name__ == "__main__":
    main()
