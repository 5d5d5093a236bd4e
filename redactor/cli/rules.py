"""Commands about detection: rules list/test, eval."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import (EPILOG, _detector, detection_options,
                                 handle_errors)


@click.command("eval", epilog=EPILOG)
@click.argument("corpus", type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full result (with every miss and false positive) as JSON.")
@click.option("--no-redact", is_flag=True, help="Score findings only; do not redact and re-read the PDFs.")
@click.option("--show", type=click.IntRange(0), default=10, show_default=True,
              help="List this many misses, false positives and leaks.")
@detection_options
@handle_errors
def eval_(corpus, json_path, no_redact, show, packs, allow, nlp_model, no_nlp):
    """Score detection and redaction on CORPUS (PDFs with *.truth.json).

    Precision, recall and F1 per category and overall for findings, and for
    the redacted PDFs whether each truth item is still readable and each
    non-sensitive sentence still whole. Generate a corpus with
    `python corpora/generate.py corpus DIR --split heldout`.
    """
    import json as jsonlib

    from rich.console import Console

    from redactor.evaluate import NEUTRAL_TARGET, evaluate, render_table

    from redactor import evaluate_ocr  # [ocr branch hook] a scanned corpus is scored by OCR

    scanned = evaluate_ocr.is_scanned(corpus)
    run = evaluate_ocr.evaluate if scanned else evaluate
    result = run(corpus, _detector(packs, allow, nlp_model, no_nlp), redact=not no_redact)
    console = Console()
    console.print(render_table(result))
    if scanned:
        for line in evaluate_ocr.targets_text(result, evaluate_ocr.corpus_dpi(corpus)):
            console.print(line)
        for u in getattr(result, "unreadable_pages", []):
            console.print(f"  unreadable: {u['document']} p{u['page']}: {u['reason']}", markup=False, highlight=False)
    if not no_redact:
        mark = "ok" if result.neutral_rate >= NEUTRAL_TARGET else "BELOW TARGET"
        console.print(f"non-sensitive sentences kept whole: {result.neutral_kept}/{result.neutral} "
                      f"= {result.neutral_rate:.3f} (target {NEUTRAL_TARGET}: {mark})")
    for title, rows in (("missed", result.misses), ("false positives", result.false_positives),
                        ("still readable after redaction", result.leaks), ("sentences broken", result.broken)):
        if rows and show:
            console.print(f"[bold]{title}[/bold] ({len(rows)}):")
            for r in rows[:show]:
                console.print(f"  {r['document']} p{r['page']}: {r['text']!r} ({r.get('category', '')}"
                              f"{' ' + r['rule'] if 'rule' in r else ''})", markup=False, highlight=False)
    if json_path:
        data = result.as_dict()
        if scanned:
            data["unreadable_pages"] = getattr(result, "unreadable_pages", [])
            data["after_redaction"] = getattr(result, "after_redaction", {})
        json_path.write_text(jsonlib.dumps(data, indent=2) + "\n", encoding="utf-8")
        console.print(f"JSON written to {json_path}")


@click.group()
def rules() -> None:
    """Rule packs: list them, and test them on a text."""


@rules.command("list")
@click.option("--rules", "packs", multiple=True, metavar="PACK", help="Pack name or YAML file (default: all).")
@handle_errors
def rules_list(packs):
    """List every rule: id, kind, category, exemption, confidence."""
    from rich.console import Console
    from rich.table import Table

    from redactor.detect.rulepack import load_packs

    table = Table()
    for col in ("pack", "rule", "kind", "category", "exemption", "confidence", "context", "validators"):
        table.add_column(col)
    for pack in load_packs(list(packs) or None):
        for r in pack.rules:
            ctx = ("required: " if r.require_context else "") + ", ".join(r.context[:4]) + ("..." if len(r.context) > 4 else "")
            table.add_row(f"{pack.pack} {pack.version}", r.id, r.kind, r.category, pack.exemption_for(r),
                          f"{r.confidence:.2f}", ctx, ", ".join(r.validators))
    Console(width=200).print(table)


@rules.command("test")
@click.argument("pack")
@click.option("--text", required=True, help="Text to run the pack's rules on.")
@click.option("--nlp-model", envvar="REDACTOR_SPACY_MODEL", metavar="NAME", help="spaCy pipeline to load.")
@click.option("--no-nlp", is_flag=True, help="Rules only; do not load spaCy.")
@handle_errors
def rules_test(pack, text, nlp_model, no_nlp):
    """Show which rules of PACK fire on --text, and why (context, validators)."""
    from redactor.detect.engine import FOUND, Detector
    from redactor.detect.rulepack import load_packs

    detector = Detector(load_packs([pack]), nlp_model=nlp_model, use_nlp=not no_nlp)
    candidates = detector.explain(text)
    if not candidates:
        click.echo("no rule matched")
    for c in candidates:
        verdict = "FINDING" if c.outcome == FOUND else f"dropped: {c.outcome}"
        details = []
        if c.context is not None:
            details.append("context word found" if c.context else "no context word")
        details += [f"{v} {'ok' if ok else 'failed'}" for v, ok in c.validators.items()]
        click.echo(f"{c.start:>4}-{c.end:<4} {c.text!r:32} {c.compiled.rule.id:28} {c.compiled.exemption:10} "
                   f"conf {c.confidence:.2f}  {verdict}" + (f"  ({'; '.join(details)})" if details else ""))
    names = detector.names_in(detector.find_in_text(text, propagate=False))
    if names:
        click.echo(f"names looked for elsewhere in the document: {', '.join(sorted(names))}")
