"""``redactor review``: walk a plan's proposals in the terminal and decide.

For each finding still ``proposed``: its document, page, category,
exemption, rule, confidence and the words around it. Keys: [a]ccept,
[r]eject, [e]xemption (change it, and accept), [t]erm (add a term redacted
everywhere), [n]ote, [s]kip, [q]uit. Every decision is stored with the
reviewer's name and the time, and the plan is saved after each one, so
quitting (or a crash) loses nothing. Ctrl-C or Ctrl-D saves and stops
(``redactor review`` then exits with 130).
"""

from __future__ import annotations

from pathlib import Path

import click

from redactor.review.plan import FindingEntry, Plan, Term, now
from redactor.foia import problem as exemption_problem

KEYS = "[a]ccept  [r]eject  [e]xemption  [t]erm  [n]ote  [s]kip  [q]uit"


def decide(f: FindingEntry, status: str, reviewer: str, note: str | None = None) -> None:
    f.status, f.reviewer, f.decided_at = status, reviewer, now()
    if note:
        f.note = note


def run(plan: Plan, plan_path: Path, reviewer: str, all_findings: bool = False) -> dict[str, int]:
    """Review in the terminal. Ctrl-C or Ctrl-D (end of input) saves the
    plan and returns with ``tally["interrupted"] = 1``."""
    tally = {"accepted": 0, "rejected": 0, "skipped": 0}
    try:
        return _run(plan, plan_path, reviewer, all_findings, tally)
    except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
        plan.save(plan_path)
        tally["interrupted"] = 1
        return tally


def _run(plan: Plan, plan_path: Path, reviewer: str, all_findings: bool, tally: dict[str, int]) -> dict[str, int]:
    todo = [(d, f) for d, f in plan.entries() if all_findings or f.status == "proposed"]
    click.echo(f"{len(todo)} finding(s) to review in {plan_path} as {reviewer}.")
    for n, (doc, f) in enumerate(todo, start=1):
        click.echo("")
        click.secho(f"[{n}/{len(todo)}] {Path(doc.path).name} page {f.page}  {f.category}  {f.exemption}  "
                    f"(rule {f.rule}, confidence {f.confidence:.2f}, now {f.status})", bold=True)
        click.echo("  ..." + f.context_before + " " + click.style(f"[{f.text}]", fg="red", bold=True) + " "
                   + f.context_after + "...")
        if f.hidden:
            click.echo(f"  note: hidden text ({f.hidden})")
        while True:
            key = click.prompt(KEYS, default="s", show_default=False).strip().lower()[:1]
            if key == "a":
                decide(f, "accepted", reviewer)
                tally["accepted"] += 1
            elif key == "r":
                decide(f, "rejected", reviewer, click.prompt("reason (optional)", default="", show_default=False))
                tally["rejected"] += 1
            elif key == "e":
                ex = click.prompt("exemption (e.g. S40(2), S31(1)(a), S24(1))").strip()
                if exemption_problem(ex):
                    click.echo(f"  {exemption_problem(ex)}")
                    continue
                f.exemption = ex
                decide(f, "accepted", reviewer)
                tally["accepted"] += 1
            elif key == "t":
                text = click.prompt("term to redact everywhere", default=f.text)
                ex = click.prompt("exemption", default=f.exemption).strip()
                if exemption_problem(ex):
                    click.echo(f"  {exemption_problem(ex)}")
                    continue
                plan.terms.append(Term(text=text, exemption=ex, reviewer=reviewer, decided_at=now()))
                plan.save(plan_path)
                click.echo(f"  term added: {text!r} ({ex})")
                continue
            elif key == "n":
                f.note = click.prompt("note")
                plan.save(plan_path)
                continue
            elif key == "q":
                plan.save(plan_path)
                return tally
            elif key == "s":
                tally["skipped"] += 1
            else:
                click.echo("  " + KEYS)
                continue
            break
        plan.save(plan_path)
    return tally
