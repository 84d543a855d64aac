"""Records what the shipped sheets print in sheets/approved.lock.json, with no approver.

For the project's maintainers, after changing a shipped sheet or source: the lock then holds the
text as shipped, so `check` shows a clinic exactly what a later version changes. It approves
nothing: no clinic's committee has read it, so no sheet prints "Approved"; a clinic approves with
`factsheets lock --approved-by NAME`.
    .venv/bin/python scripts/record-shipped.py
"""

from pathlib import Path

from factsheets.project import Project, load_content
from factsheets.selection.approval import Lock, passages, save_lock

ROOT = Path(__file__).resolve().parent.parent

project = Project(ROOT)
content = load_content(project, approved=False)
shipped = Lock(variants={f.variant.key: passages(f) for f in content.fill_all()})
print(f"Wrote {save_lock(project.sheets_dir, shipped)}: {len(shipped.variants)} variants, as shipped (no approver).")
