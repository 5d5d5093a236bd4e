"""[audit] The desk's Audit view: the consistency flags of
:mod:`redactor.account.flags`, raised on the plan as it is now (accepted
findings, manual marks and terms; rejected findings are the texts left
readable), and, for a plan made by ``redactor reopen``, the release it
revises. Items are named by the desk's own keys, so the browser can go to
each one.
"""

from __future__ import annotations

from redactor.account.flags import items_from_plan, raise_flags


def audit_view(plan, senior: int | None = None) -> dict:
    items, left = items_from_plan(plan)
    flags = raise_flags(items, left, senior)
    wanted = {k for f in flags for k in f.items}
    return {
        "flags": [f.to_dict() for f in flags],
        "items": {i.key: {"d": i.d, "page": i.page, "kind": i.kind, "label": i.label()}
                  for i in items if i.key in wanted},
        "supersedes": [{"d": d, "document": doc.supersedes.document, "created": doc.supersedes.created,
                        "output_sha256": doc.supersedes.output_sha256, "items": len(doc.supersedes.items)}
                       for d, doc in enumerate(plan.documents) if doc.supersedes is not None],
    }
