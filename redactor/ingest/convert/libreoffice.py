"""LibreOffice, headless, behind one small wrapper.

A :class:`LibreOffice` is one ``soffice`` process with a private user
profile (so several can run side by side, one per worker) and a small UNO
bridge (``_uno_bridge.py``, run by the Python that has LibreOffice's
``uno`` module: Debian's ``python3-uno``). It stays warm across a batch:
the start-up cost (about a second) is paid once per worker, not per file.
Without a ``uno`` Python it falls back to a cold ``soffice --convert-to``
per file, which is slower and says so (:attr:`LibreOffice.mode`).

Safety:

* every file is converted from a private copy in the converter's own
  folder, never from where the user keeps it (LibreOffice writes lock
  files beside what it opens);
* documents load hidden and read-only, with macros never executed and
  links never updated; the private profile also sets macro security to
  "very high", disables macros and blocks untrusted linked content;
* where the kernel allows (``unshare``), soffice runs in a network
  namespace of its own with no network at all, so a linked image or
  external data source cannot be fetched whatever the document says;
* a conversion past its timeout, or a crash, kills soffice and all its
  children (its own process group) and the bridge; the next file starts a
  fresh one. If redactor itself dies, the bridge notices and kills soffice.
"""

from __future__ import annotations

import atexit
import functools
import json
import os
import select
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

from redactor.errors import InputError

BRIDGE = Path(__file__).with_name("_uno_bridge.py")
DEFAULT_TIMEOUT = 120.0
START_TIMEOUT = 60.0
#: where LibreOffice makes a named pipe's socket (osl: /tmp, else /var/tmp)
PIPE_DIRS = ("/tmp", "/var/tmp")
#: Interpreters that may have LibreOffice's ``uno`` module (env var first).
UNO_PYTHONS = ("/usr/bin/python3", "/usr/lib/libreoffice/program/python", "/opt/libreoffice/program/python")

#: Written into each private profile: no macros, no untrusted links, no
#: recovery files, no lock files.
PROFILE_SETTINGS = """<?xml version="1.0" encoding="UTF-8"?>
<oor:items xmlns:oor="http://openoffice.org/2001/registry" xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="MacroSecurityLevel" oor:op="fuse"><value>3</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="DisableMacrosExecution" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Security/Scripting"><prop oor:name="BlockUntrustedRefererLinks" oor:op="fuse"><value>true</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="UseLocking" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Common/Misc"><prop oor:name="FirstRun" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Recovery/AutoSave"><prop oor:name="Enabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Recovery/RecoveryInfo"><prop oor:name="Enabled" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
<item oor:path="/org.openoffice.Office.Writer/Content/Display"><prop oor:name="Note" oor:op="fuse"><value>false</value></prop></item>
<item oor:path="/org.openoffice.Office.Calc/Content/Update"><prop oor:name="Link" oor:op="fuse"><value>2</value></prop></item>
</oor:items>
"""


class ConverterUnavailable(InputError):
    """LibreOffice is not installed."""


class ConversionFailed(InputError):
    """LibreOffice could not convert the file (damaged, protected, crashed, timed out)."""


class _Crashed(ConversionFailed):
    """soffice died during a warm conversion."""


class _Refused(ConversionFailed):
    """The warm converter answered with an error that is not about a password
    (a damaged file, or the long-lived office in a bad state: "illegal object
    given" under load). A cold conversion decides."""


def soffice_binary() -> str | None:
    return os.environ.get("REDACTOR_SOFFICE") or shutil.which("soffice") or shutil.which("libreoffice")


@functools.lru_cache(maxsize=1)
def uno_python() -> str | None:
    """An interpreter that can ``import uno``, or None."""
    candidates = [os.environ.get("REDACTOR_UNO_PYTHON")] + list(UNO_PYTHONS)
    for exe in filter(None, candidates):
        if os.access(exe, os.X_OK):
            try:
                ok = subprocess.run([exe, "-c", "import uno"], capture_output=True, timeout=20).returncode == 0
            except (OSError, subprocess.TimeoutExpired):
                ok = False
            if ok:
                return exe
    return None


@functools.lru_cache(maxsize=1)
def network_jail() -> tuple[str, ...]:
    """A command prefix that runs a program with no network, if the kernel
    lets us make one (``unshare -n`` as root, ``unshare -rn`` otherwise)."""
    if os.environ.get("REDACTOR_NO_NETNS"):
        return ()
    exe = shutil.which("unshare")
    if not exe:
        return ()
    for prefix in ((exe, "-n"), (exe, "-rn")):
        try:
            if subprocess.run([*prefix, "true"], capture_output=True, timeout=10).returncode == 0:
                return prefix
        except (OSError, subprocess.TimeoutExpired):
            continue
    return ()


def _group_members(pgid: int) -> list[int]:
    pids = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                if os.getpgid(int(entry)) == pgid:
                    pids.append(int(entry))
            except OSError:
                continue
    return pids


def _kill_group(proc: subprocess.Popen | None, grace: float = 0.0) -> None:
    """End ``proc`` (a process-group leader) and everything in its group.

    The leader's children go first, so that the leader (oosplash, which
    waits for soffice.bin) can reap them: no zombie is left behind."""
    if proc is None:
        return
    if grace and proc.poll() is None:
        try:
            proc.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            pass
    for pid in _group_members(proc.pid):
        if pid != proc.pid:
            try:
                os.kill(pid, signal.SIGKILL)
            except OSError:
                pass
    try:
        proc.wait(timeout=2)
    except subprocess.TimeoutExpired:
        pass
    try:
        os.killpg(proc.pid, signal.SIGKILL)
    except OSError:
        pass
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:  # pragma: no cover
        pass


class LibreOffice:
    """A warm, private LibreOffice. Use one per process (see :func:`shared`)."""

    def __init__(self, timeout: float = DEFAULT_TIMEOUT, warm: bool | None = None, isolate_network: bool = True):
        self.timeout = timeout
        self.isolate_network = isolate_network
        self.binary = soffice_binary()
        self.python = uno_python() if warm is not False else None
        self.mode = "warm" if self.python else "cold"
        self.home = Path(tempfile.mkdtemp(prefix="redactor-lo-"))
        self.profile = self.home / "profile"
        (self.profile / "user").mkdir(parents=True)
        (self.profile / "user" / "registrymodifications.xcu").write_text(PROFILE_SETTINGS, encoding="utf-8")
        self.work = self.home / "work"
        self.work.mkdir()
        # LibreOffice's temporary files go here, not in the system's temp folder
        (self.home / "tmp").mkdir()
        self.pipe: str | None = None
        self.soffice: subprocess.Popen | None = None
        self.bridge: subprocess.Popen | None = None
        self._version: str | None = None
        self.conversions = 0
        self.starts = 0
        self.cold_retries = 0

    # --- life cycle ---------------------------------------------------------

    def _soffice_args(self) -> list[str]:
        if not self.binary:
            raise ConverterUnavailable(
                "LibreOffice (soffice) is not installed; install libreoffice-writer-nogui, "
                "-calc-nogui and -impress-nogui (make demo does)")
        jail = network_jail() if self.isolate_network else ()
        return [*jail, self.binary, "--headless", "--invisible", "--nocrashreport", "--nodefault",
                "--nologo", "--nofirststartwizard", "--norestore", "--nolockcheck",
                f"-env:UserInstallation={self.profile.as_uri()}"]

    def start(self) -> None:
        if self.bridge is not None and self.bridge.poll() is None and self.soffice.poll() is None:
            return
        self.stop()
        if self.python is None:
            return
        pipe = self.pipe = f"redactor-{os.getpid()}-{uuid.uuid4().hex[:8]}"
        self.soffice = subprocess.Popen(
            [*self._soffice_args(), f"--accept=pipe,name={pipe};urp;StarOffice.ComponentContext"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
            start_new_session=True, env=self._env())
        self.bridge = subprocess.Popen(
            [self.python, str(BRIDGE), pipe, str(START_TIMEOUT), str(self.soffice.pid), str(self.home)],
            stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
            start_new_session=True, env=self._env(), text=True)
        self.starts += 1
        hello = self._read(START_TIMEOUT + 5)
        if hello is None or "error" in hello:
            self.stop()
            raise ConversionFailed("LibreOffice did not start" + (f": {hello['error']}" if hello else ""))
        self._version = hello.get("version")

    def stop(self, graceful: bool = False) -> None:
        """End soffice, its children and the bridge; nothing is left running.
        ``graceful``: ask LibreOffice to quit first (the bridge does, when its
        input closes), then kill whatever is left."""
        bridge, soffice = self.bridge, self.soffice
        self.bridge = self.soffice = None
        if bridge is not None:
            try:
                bridge.stdin.close()
            except OSError:
                pass
        _kill_group(soffice, grace=5.0 if graceful else 0.0)
        _kill_group(bridge, grace=1.0 if graceful else 0.0)
        if soffice is not None and self.pipe:  # a killed soffice leaves its pipe's socket behind
            for folder in PIPE_DIRS:
                Path(folder, f"OSL_PIPE_{os.getuid()}_{self.pipe}").unlink(missing_ok=True)
            self.pipe = None

    def close(self) -> None:
        self.stop(graceful=True)
        shutil.rmtree(self.home, ignore_errors=True)

    def __enter__(self) -> "LibreOffice":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def pids(self) -> list[int]:
        return [p.pid for p in (self.soffice, self.bridge) if p is not None and p.poll() is None]

    def _env(self) -> dict:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("PYTHON", "VIRTUAL_ENV"))}
        env["HOME"] = str(self.home)  # nothing of the user's profile is read or written
        env["SAL_USE_VCLPLUGIN"] = "svp"
        env["TMPDIR"] = str(self.home / "tmp")
        return env

    @property
    def version(self) -> str:
        """'LibreOffice 7.4.7.2', or what ``soffice --version`` says."""
        if self._version is None:
            try:
                out = subprocess.run([self.binary or "soffice", "--version"], capture_output=True, text=True,
                                     timeout=60, env=self._env()).stdout.split()
                self._version = " ".join(out[:2]) if out else "LibreOffice (version unknown)"
            except (OSError, subprocess.TimeoutExpired):
                self._version = "LibreOffice (version unknown)"
        return self._version

    @property
    def description(self) -> str:
        return f"{self.version} ({self.mode} headless converter)"

    # --- conversion -----------------------------------------------------------

    def convert(self, data: bytes, suffix: str, export_filter: str, filter_data: dict | None = None,
                out_suffix: str = ".pdf", password: str | None = None, in_filter: str | None = None,
                in_options: str | None = None, timeout: float | None = None, name: str = "input") -> bytes:
        """Convert ``data`` (a file ending in ``suffix``) with ``export_filter``; return the result's bytes."""
        timeout = timeout or self.timeout
        job = Path(tempfile.mkdtemp(dir=self.work))
        src = job / f"in{suffix}"
        dst = job / f"out{out_suffix}"
        src.write_bytes(data)
        try:
            if self.python is None:
                self._convert_cold(src, dst, export_filter, filter_data, in_filter, in_options, timeout, name)
            else:
                try:
                    self._convert_warm(src, dst, export_filter, filter_data, password, in_filter, in_options,
                                       timeout, name)
                except _Crashed:
                    # LibreOffice 7.4 "-nogui" aborts when a loaded view builds some
                    # widgets (Writer's comment windows); --convert-to closes the
                    # document before that. One cold retry; a second crash is final.
                    self.cold_retries += 1
                    self._convert_cold(src, dst, export_filter, filter_data, in_filter, in_options, timeout, name)
                except _Refused as refused:
                    self.cold_retries += 1
                    self.stop()  # the next file gets a fresh office
                    try:
                        self._convert_cold(src, dst, export_filter, filter_data, in_filter, in_options, timeout,
                                           name)
                    except ConversionFailed:
                        raise refused from None
            if not dst.is_file() or dst.stat().st_size == 0:
                raise ConversionFailed("LibreOffice produced no output (damaged or unsupported file?)", name)
            self.conversions += 1
            return dst.read_bytes()
        finally:
            shutil.rmtree(job, ignore_errors=True)

    def _convert_warm(self, src, dst, export_filter, filter_data, password, in_filter, in_options, timeout, name):
        try:
            self.start()
        except ConversionFailed as e:
            raise ConversionFailed(e.problem, name) from None
        request = {"in": str(src), "out": str(dst), "filter": export_filter, "data": filter_data or {},
                   "password": password, "in_filter": in_filter, "in_options": in_options}
        try:
            self.bridge.stdin.write(json.dumps(request) + "\n")
            self.bridge.stdin.flush()
        except OSError:
            self.stop()
            raise ConversionFailed("LibreOffice crashed (the converter had stopped)", name) from None
        answer = self._read(timeout)
        if answer is None:
            timed_out = self.bridge is not None and self.bridge.poll() is None and self.soffice.poll() is None
            self.stop()
            if timed_out:
                raise ConversionFailed(f"conversion timed out after {timeout:.0f} s; LibreOffice was stopped", name)
            raise _Crashed("LibreOffice crashed while converting it", name)
        if "error" in answer:
            if "disposed" in answer["error"].lower() or (self.soffice is not None and self.soffice.poll() is not None):
                self.stop()
                raise _Crashed("LibreOffice crashed while converting it", name)
            explained = _explain(answer["error"], password)
            if "password" in explained or password:
                raise ConversionFailed(explained, name)
            raise _Refused(explained, name)

    def _convert_cold(self, src, dst, export_filter, filter_data, in_filter, in_options, timeout, name):
        target = dst.suffix.lstrip(".") + ":" + export_filter
        if filter_data:
            target += ":" + json.dumps({k: {"type": _uno_type(v), "value": _uno_value(v)} for k, v in filter_data.items()})
        args = [*self._soffice_args(), "--convert-to", target, "--outdir", str(src.parent)]
        if in_filter:
            args.append(f"--infilter={in_filter}" + (f":{in_options}" if in_options else ""))
        args.append(str(src))
        proc = subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True, env=self._env(), cwd=src.parent)
        self.starts += 1
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _kill_group(proc)
            raise ConversionFailed(f"conversion timed out after {timeout:.0f} s; LibreOffice was stopped", name) from None
        _kill_group(proc)  # oosplash may leave soffice.bin behind
        if proc.returncode and proc.returncode < 0 or proc.returncode in (134, 139):
            raise ConversionFailed("LibreOffice crashed while converting it", name)
        produced = src.with_suffix(dst.suffix)
        if produced.exists() and produced != dst:
            produced.replace(dst)

    def _read(self, timeout: float) -> dict | None:
        """One JSON line from the bridge, or None on timeout or end of file."""
        bridge = self.bridge
        if bridge is None:
            return None
        deadline = time.monotonic() + timeout
        while True:
            left = deadline - time.monotonic()
            if left <= 0:
                return None
            ready, _, _ = select.select([bridge.stdout], [], [], min(left, 0.5))
            if ready:
                line = bridge.stdout.readline()
                if not line:
                    return None
                try:
                    return json.loads(line)
                except json.JSONDecodeError:
                    continue
            elif bridge.poll() is not None or (self.soffice is not None and self.soffice.poll() is not None):
                return None


def _explain(error: str, password: str | None) -> str:
    low = error.lower()
    if "password" in low or "encrypt" in low or "wrongpassword" in low:
        return "the password given was not accepted" if password else "password-protected: give its password with --password"
    if "ioexception" in low or "illegalargument" in low or "could not open" in low:
        return "LibreOffice cannot open it (damaged, or not what its name says)"
    return f"LibreOffice could not convert it ({error})"


def _uno_type(v) -> str:
    return {bool: "boolean", int: "long", float: "double"}.get(type(v), "string")


def _uno_value(v) -> str:
    return ("true" if v else "false") if isinstance(v, bool) else str(v)


# --- one warm converter per process ------------------------------------------------------

_SHARED: dict[float, LibreOffice] = {}


def shared(timeout: float = DEFAULT_TIMEOUT) -> LibreOffice:
    """This process's warm converter (a batch worker keeps one for all its files)."""
    lo = _SHARED.get(timeout)
    if lo is None:
        lo = _SHARED[timeout] = LibreOffice(timeout=timeout)
    return lo


@atexit.register
def _close_shared() -> None:
    for lo in _SHARED.values():
        lo.close()
    _SHARED.clear()


def close_all() -> None:
    """End this process's converters (a batch worker calls it on its way out)."""
    _close_shared()
