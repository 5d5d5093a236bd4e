"""The UNO side of the warm converter. NOT imported by redactor.

Run by the Python that has LibreOffice's ``uno`` module (Debian:
``python3-uno`` for ``/usr/bin/python3``), which need not be redactor's
Python. It connects to one ``soffice`` listening on a private pipe and
serves one JSON request per line on stdin, one JSON answer per line on
stdout::

    {"in": "/tmp/x.docx", "out": "/tmp/x.pdf", "filter": "writer_pdf_Export",
     "data": {"ExportNotesPages": true}, "password": null}
    -> {"ok": true} | {"error": "..."}

Every document is loaded hidden, read-only, with macros never executed and
links never updated (MacroExecutionMode NEVER_EXECUTE, UpdateDocMode
NO_UPDATE). Only the standard library and ``uno``: keep it that way.
"""

import json
import os
import shutil
import signal
import sys
import threading
import time

import uno
from com.sun.star.beans import PropertyValue

NEVER_EXECUTE = 0  # com.sun.star.document.MacroExecMode.NEVER_EXECUTE
NO_UPDATE = 0  # com.sun.star.document.UpdateDocMode.NO_UPDATE


def prop(name, value):
    p = PropertyValue()
    p.Name, p.Value = name, value
    return p


def connect(pipe, seconds):
    local = uno.getComponentContext()
    resolver = local.ServiceManager.createInstanceWithContext("com.sun.star.bridge.UnoUrlResolver", local)
    deadline = time.monotonic() + seconds
    while True:
        try:
            return resolver.resolve(f"uno:pipe,name={pipe};urp;StarOffice.ComponentContext")
        except Exception:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.1)


def version(ctx):
    provider = ctx.ServiceManager.createInstanceWithContext("com.sun.star.configuration.ConfigurationProvider", ctx)
    access = provider.createInstanceWithArguments(
        "com.sun.star.configuration.ConfigurationAccess", (prop("nodepath", "/org.openoffice.Setup/Product"),))
    return f"{access.getByName('ooName')} {access.getByName('ooSetupVersionAboutBox')}"


def convert(desktop, req):
    props = [prop("Hidden", True), prop("MacroExecutionMode", NEVER_EXECUTE),
             prop("UpdateDocMode", NO_UPDATE), prop("Silent", True)]
    if req.get("password"):
        props.append(prop("Password", req["password"]))
    if req.get("in_filter"):
        props.append(prop("FilterName", req["in_filter"]))
    if req.get("in_options"):
        props.append(prop("FilterOptions", req["in_options"]))
    doc = desktop.loadComponentFromURL(uno.systemPathToFileUrl(req["in"]), "_blank", 0, tuple(props))
    if doc is None:
        return {"error": "LibreOffice could not open the file"}
    try:
        out = [prop("FilterName", req["filter"]), prop("Overwrite", True)]
        data = req.get("data") or {}
        if data:
            out.append(prop("FilterData", uno.Any("[]com.sun.star.beans.PropertyValue",
                                                  tuple(prop(k, v) for k, v in data.items()))))
        doc.storeToURL(uno.systemPathToFileUrl(req["out"]), tuple(out))
    finally:
        try:
            doc.close(True)
        except Exception:
            doc.dispose()
    return {"ok": True}


def watchdog(parent, soffice_pid, pipe, home):
    """If redactor dies (killed by a batch timeout, say), take soffice with us."""
    while os.getppid() == parent:
        time.sleep(0.5)
    orphaned(soffice_pid, pipe, home)


def orphaned(soffice_pid, pipe, home):
    """redactor died: end soffice, and remove what redactor would have
    removed: soffice's pipe and the converter's private folder (its profile
    and temporary files)."""
    try:
        os.killpg(soffice_pid, signal.SIGKILL)
    except OSError:
        pass
    for _ in range(20):  # soffice gone, nothing writes in the folder any more
        try:
            os.kill(soffice_pid, 0)
        except OSError:
            break
        time.sleep(0.1)
    for folder in ("/tmp", "/var/tmp"):
        try:
            os.unlink(os.path.join(folder, f"OSL_PIPE_{os.getuid()}_{pipe}"))
        except OSError:
            pass
    if home and os.path.basename(home).startswith("redactor-lo-"):
        shutil.rmtree(home, ignore_errors=True)
    os._exit(0)


def main():
    pipe, seconds, soffice_pid = sys.argv[1], float(sys.argv[2]), int(sys.argv[3])
    home = sys.argv[4] if len(sys.argv) > 4 else None
    parent = os.getppid()
    threading.Thread(target=watchdog, args=(parent, soffice_pid, pipe, home), daemon=True).start()
    try:
        ctx = connect(pipe, seconds)
        desktop = ctx.ServiceManager.createInstanceWithContext("com.sun.star.frame.Desktop", ctx)
        answer = {"ready": True, "version": version(ctx)}
    except Exception as e:
        answer = {"error": f"cannot reach LibreOffice: {type(e).__name__}: {e}"}
    print(json.dumps(answer), flush=True)
    if "error" in answer:
        return 1
    for line in sys.stdin:
        try:
            req = json.loads(line)
            answer = convert(desktop, req)
        except Exception as e:
            msg = getattr(e, "Message", "") or str(e)
            answer = {"error": f"{type(e).__name__}: {msg.strip().splitlines()[0] if msg.strip() else ''}"[:300]}
        print(json.dumps(answer), flush=True)
    try:  # stdin closed: redactor is done with us, or died (its files close before it is gone)
        desktop.terminate()
    except Exception:
        pass
    deadline = time.monotonic() + 0.5
    while time.monotonic() < deadline:
        if os.getppid() != parent:
            orphaned(soffice_pid, pipe, home)
        time.sleep(0.05)
    return 0


if __name__ == "__main__":
    sys.exit(main())
