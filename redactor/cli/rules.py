"""Commands about detection: rules list/test, eval."""

from __future__ import annotations

from pathlib import Path

import click

from redactor.cli.common import (EPILOG, _detector, detection_options,
                                 handle_errors)


@click.command("eval", epilog=EPILOG)
@click.argument("corpora", nargs=-1, type=click.Path(file_okay=False, exists=True, path_type=Path))
@click.option("--tab", "tab", type=click.Path(dir_okay=False, path_type=Path),
              help="Also score person mentions on the Text Anonymization Benchmark (JSON lines).")
@click.option("--tab-split", type=click.Choice(["train", "dev", "test", "all"]), default="dev", show_default=True,
              help="Which TAB split to score (rules are developed on train; report dev).")
@click.option("--no-presidio", is_flag=True, help="Do not run Presidio beside redactor on --tab.")
@click.option("--json", "json_path", type=click.Path(dir_okay=False, path_type=Path),
              help="Also write the full result (with every miss and false positive) as JSON.")
@click.option("--no-redact", is_flag=True, help="Score findings only; do not redact and re-read the PDFs.")
@click.option("--show", type=click.IntRange(0), default=10, show_default=True,
              help="List this many misses, false positives and leaks.")
@detection_options
@handle_errors
def eval_(corpora, tab, tab_split, no_presidio, json_path, no_redact, show, packs, allow, nlp_model, no_nlp):
    """Score detection and redaction on CORPORA (folders of PDFs with
    *.truth.json) and, with --tab, on real text.

    Precision, recall and F1 per category and overall for findings, and for
    the redacted PDFs whether each truth item is still readable and each
    non-sensitive sentence still whole. With two or more corpora (the train
    and test phrasebooks) a side-by-side summary follows. Generate corpora
    with `python corpora/generate.py corpus DIR --split heldout` and
    `python corpora/phrasebook.py corpus DIR`.
    """
    import json as jsonlib

    from rich.console import Console

    from redactor.errors import UsageError
    from redactor.evaluate import NEUTRAL_TARGET, evaluate, render_table
    from redactor.evaluate.corpus import render_side_by_side

    if not corpora and tab is None:
        raise UsageError("give a corpus folder, --tab FILE, or both")
    detector = _detector(packs, allow, nlp_model, no_nlp)
    console = Console()
    results = {}
    from redactor.evaluate import scanned as evaluate_ocr  # a scanned corpus is scored by OCR of its output

    for corpus in corpora:
        scanned = evaluate_ocr.is_scanned(corpus)
        result = (evaluate_ocr.evaluate if scanned else evaluate)(corpus, detector, redact=not no_redact)
        results[corpus.name] = result
        console.print(render_table(result, title=corpus.name))
        if scanned:
            for line in evaluate_ocr.targets_text(result, evaluate_ocr.corpus_dpi(corpus)):
                console.print(line)
            for u in getattr(result, "unreadable_pages", []):
                console.print(f"  unreadable: {u['document']} p{u['page']}: {u['reason']}", markup=False,
                              highlight=False)
        if not no_redact:
            mark = "ok" if result.neutral_rate >= NEUTRAL_TARGET else "BELOW TARGET"
            console.print(f"non-sensitive sentences kept whole: {result.neutral_kept}/{result.neutral} "
                          f"= {result.neutral_rate:.3f} (target {NEUTRAL_TARGET}: {mark})")
            for r in result.refused:
                console.print(f"[bold red]refused by redact[/bold red] {r['document']}: {r['reason']}",
                              highlight=False)
        for title, rows in (("missed", result.misses), ("false positives", result.false_positives),
                            ("still readable after redaction", result.leaks), ("sentences broken", result.broken)):
            if rows and show:
                console.print(f"[bold]{title}[/bold] ({len(rows)}):")
                for r in rows[:show]:
                    console.print(f"  {r['document']} p{r['page']}: {r['text']!r} ({r.get('category', '')}"
                                  f"{' ' + r['rule'] if 'rule' in r else ''})", markup=False, highlight=False)
    if len(results) > 1:
        console.print(render_side_by_side(results, redacted=not no_redact))
    realtext = None
    if tab is not None:
        realtext = _eval_tab(console, detector, tab, tab_split, not no_presidio, show)
    if json_path:
        if len(results) == 1 and realtext is None:
            result = next(iter(results.values()))
            data = result.as_dict()
            if hasattr(result, "unreadable_pages"):  # a scanned corpus
                data["unreadable_pages"] = result.unreadable_pages
                data["after_redaction"] = getattr(result, "after_redaction", {})
        else:
            data = {"corpora": {k: v.as_dict() for k, v in results.items()}}
            if len(results) == 1:
                data.update(next(iter(results.values())).as_dict())
            if realtext is not None:
                data["realtext"] = realtext
        json_path.write_text(jsonlib.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        console.print(f"JSON written to {json_path}")


def _eval_tab(console, detector, path: Path, split: str, presidio: bool, show: int) -> dict:
    from redactor.detect import nlp
    from redactor.evaluate import realtext

    docs = realtext.load(path, split)
    scores = [realtext.score("redactor", docs, realtext.redactor_predictor(detector))]
    notes = [f"redactor: spaCy {nlp.model_name() if detector.nlp is not None else 'off (rules only)'}"]
    if presidio:
        predict, why = realtext.presidio_predictor(nlp.model_name() if detector.nlp is not None else None)
        if predict is None:
            notes.append(f"Presidio not run: {why}")
        else:
            scores.append(realtext.score("presidio", docs, predict))
            notes.append(why)
    console.print(realtext.render(scores, split, notes))
    ours = scores[0]
    for title, rows in (("missed mentions", ours.misses), ("name spans outside a mention", ours.false_positives)):
        if rows and show:
            console.print(f"[bold]{title}[/bold] ({len(rows)}):")
            for r in rows[:show]:
                console.print(f"  {r['document']}: ...{r['before'][-30:]!r} [{r['text']}]", markup=False,
                              highlight=False)
    return {"file": path.name, "split": split, "systems": {s.system: s.as_dict() for s in scores}, "notes": notes}


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
    """Show which rules of PACK fire on --text, and why: for each span the
    shape that matched, the context words that raised (or lowered) its
    score, each validator's verdict, and what became of it."""
    from redactor.detect.engine import FOUND, Detector
    from redactor.detect.rulepack import load_packs

    detector = Detector(load_packs([pack]), nlp_model=nlp_model, use_nlp=not no_nlp)
    candidates = detector.explain(text)
    if not candidates:
        click.echo("no rule matched")
    for c in candidates:
        verdict = "FINDING" if c.outcome == FOUND else f"dropped: {c.outcome}"
        click.echo(f"{c.start:>4}-{c.end:<4} {c.text!r:32} {c.compiled.rule.id:28} {c.compiled.exemption:10} "
                   f"score {c.confidence:.2f}  {verdict}")
        details = [f"shape: {c.shape}"]
        if c.context is not None:
            details.append(f"context: {', '.join(c.context_words)}" if c.context_words else "no context word")
        if c.negative_words:
            details.append(f"against: {', '.join(c.negative_words)}")
        details += c.verdicts()
        click.echo("           " + "; ".join(details))
    names = detector.names_in(detector.find_in_text(text, propagate=False))
    if names:
        click.echo(f"names looked for elsewhere in the document: {', '.join(sorted(names))}")
