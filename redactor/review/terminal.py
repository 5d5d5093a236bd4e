"""``redactor review``: walk a plan's proposals in the terminal and decide.

For each finding still ``proposed``: its document, page, category,
exemption, rule, confidence and the words around it. Keys: [a]ccept,
[r]eject, [e]xemption (change it, and accept), [t]erm (add a term redacted
everywhere), [n]ote, [s]kip, [q]uit. Every decision is stored with the
reviewer's name and the time, and the plan is saved after each one, so
quitting (or a crash) loses nothing. If the plan file changes under it (the
desk, another review), the next save stops the review with a conflict
message instead of overwriting the other decisions. Ctrl-C or Ctrl-D stops
(every decision made is saved; ``redactor review`` then exits with 130).
"""

from __future__ import annotations

from pathlib import Path

import click

from redactor.foia import problem as exemption_problem
from redactor.review.plan import FindingEntry, Plan, PlanConflict, Term, now

KEYS = "[a]ccept  [r]eject  [e]xemption  [t]erm  [n]ote  [s]kip  [q]uit"


def decide(f: FindingEntry, status: str, reviewer: str, note: str | None = None) -> None:
    f.status, f.reviewer, f.decided_at = status, reviewer, now()
    if note:
        f.note = note


def run(plan: Plan, plan_path: Path, reviewer: str, all_findings: bool = False,
        version: str | None = None) -> dict[str, int]:
    """Review in the terminal. ``version``: that of the plan file ``plan``
    was read from (:func:`~redactor.review.plan.load_plan_versioned`); saves
    refuse to overwrite a file that has changed since. Ctrl-C or Ctrl-D (end
    of input) stops, with every decision made saved, and returns with
    ``tally["interrupted"] = 1``."""
    tally = {"accepted": 0, "rejected": 0, "skipped": 0}
    try:
        return _run(plan, plan_path, reviewer, all_findings, version, tally)
    except (click.exceptions.Abort, KeyboardInterrupt, EOFError):
        tally["interrupted"] = 1  # each decision was saved when it was made
        return tally


def _run(plan: Plan, plan_path: Path, reviewer: str, all_findings: bool, version: str | None,
         tally: dict[str, int]) -> dict[str, int]:
    last = ""

    def save() -> None:
        nonlocal version
        try:
            version = plan.save(plan_path, expect=version)
        except PlanConflict as e:
            raise PlanConflict(f"{e.problem}: your last decision ({last}) was not saved, the ones before it were; "
                               "run `redactor review` again to go on from the saved plan", plan_path) from None

    todo = [(d, f) for d, f in plan.entries() if all_findings or f.status == "proposed"]
    click.echo(f"{len(todo)} finding(s) to review in {plan_path} as {reviewer}.")
    for n, (doc, f) in enumerate(todo, start=1):
        click.echo("")
        name = doc.converted.name if doc.converted is not None else Path(doc.path).name  # [convert]
        click.secho(f"[{n}/{len(todo)}] {name} page {f.page}  {f.category}  {f.exemption}  "
                    f"(rule {f.rule}, confidence {f.confidence:.2f}, now {f.status})", bold=True)
        click.echo("  ..." + f.context_before + " " + click.style(f"[{f.text}]", fg="red", bold=True) + " "
                   + f.context_after + "...")
        if f.hidden:
            click.echo(f"  note: hidden text ({f.hidden})")
        while True:
            key = click.prompt(KEYS, default="s", show_default=False).strip().lower()[:1]
            last = {"a": "accept", "r": "reject", "e": "change exemption", "t": "add a term",
                    "n": "note"}.get(key, key) + f" {f.id}"
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
                save()
                click.echo(f"  term added: {text!r} ({ex})")
                continue
            elif key == "n":
                f.note = click.prompt("note")
                save()
                continue
            elif key == "q":  # every decision is already saved
                return tally
            elif key == "s":
                tally["skipped"] += 1
            else:
                click.echo("  " + KEYS)
                continue
            break
        if key != "s":
            save()
    return tally
