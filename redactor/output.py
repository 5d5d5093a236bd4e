"""Where outputs go, and putting them there without writing where we must not.

**Release and internal folders.** What is for release (the redacted PDF and
its schedule) goes where ``-o`` says. What is internal (the audit log, which
holds the redacted text) goes to a separate *internal folder*: ``--internal
DIR``, by default a sibling of the release folder named
``<release folder>.NOT-FOR-RELEASE`` (``release/x.pdf`` gives
``release.NOT-FOR-RELEASE/x.NOT-FOR-RELEASE.log.jsonl``). Internal material
inside the release folder is refused (exit 2) unless ``--internal-in-release``
is given.

**Placing files.** Every destination is checked before any work (exit 5 if
one cannot be written, exit 2 for a contradiction such as an output named
``.docx``). Files are written to temporary files in their destination
folders, given the user's normal permissions (umask), and renamed into
place at the end, the PDF last, so a failure leaves no PDF without its log.
redactor never writes through a symbolic link that it did not get from the
user: the output file itself must not be a link, and no folder it creates
or enters below a release or internal root may be one.
"""

from __future__ import annotations

import os
import stat
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from redactor.errors import InputError, OutputError, UsageError

INTERNAL_SUFFIX = ".NOT-FOR-RELEASE"
#: bytes in one file or folder name (ext4, APFS, NTFS's 255 UTF-16 units are at least as many)
NAME_MAX = 255
LOG_SUFFIX = ".NOT-FOR-RELEASE.log.jsonl"
SCHEDULE_SUFFIX = ".schedule.csv"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def file_mode() -> int:
    """The mode a new file gets from the user's umask (what `open()` gives)."""
    return 0o666 & ~_umask()


def default_internal_dir(release_dir: Path) -> Path:
    release = Path(os.path.abspath(release_dir))
    return release.parent / (release.name + INTERNAL_SUFFIX)


def is_within(path: Path, folder: Path) -> bool:
    """``path`` is ``folder`` or below it (links resolved)."""
    try:
        return Path(os.path.realpath(path)).is_relative_to(os.path.realpath(folder))
    except (OSError, ValueError):
        return False


def _same(a: Path, b: Path) -> bool:
    try:
        return os.path.realpath(a) == os.path.realpath(b) or (b.exists() and os.path.samefile(a, b))
    except OSError:
        return False


@dataclass
class Destinations:
    """Every file one run writes."""

    output: Path
    log: Path
    schedule: Path
    schedule_html: Path
    internal_dir: Path


def plan_destinations(input_path: Path | None, output: Path, log: Path | None = None, schedule: Path | None = None,
                      internal_dir: Path | None = None, internal_in_release: bool = False,
                      placed_later: bool = False) -> Destinations:
    """Decide and check every destination of a run before any work
    (``placed_later``: the caller checks where the output goes as it puts it
    there, a batch under a masked name, see redactor.account.naming)."""
    if output.suffix.lower() != ".pdf":
        raise UsageError(f"the output must be a .pdf file (redactor writes PDF), not '{output.suffix or output.name}'",
                         output)
    if not placed_later:
        check_file_destination(output)
    release_dir = Path(os.path.abspath(output)).parent
    internal = Path(internal_dir) if internal_dir else (Path(log).parent if log else default_internal_dir(release_dir))
    log_path = Path(log) if log else internal / (output.stem + LOG_SUFFIX)
    sched = Path(schedule) if schedule else output.with_name(output.stem + SCHEDULE_SUFFIX)
    dest = Destinations(output=output, log=log_path, schedule=sched, schedule_html=sched.with_suffix(".html"),
                        internal_dir=internal)
    if not internal_in_release and is_within(log_path.parent if log else internal, release_dir):
        raise UsageError(f"the internal log would be inside the release folder {release_dir}; put it elsewhere "
                         "(--internal DIR or --log FILE) or pass --internal-in-release", log_path)
    if not log and not internal_dir:
        refuse_link(internal, "the internal folder")
    ensure_folder(log_path.parent)
    all_files = [dest.output, dest.log, dest.schedule, dest.schedule_html]
    for i, a in enumerate(all_files):
        if input_path is not None and _same(input_path, a):
            raise InputError(f"output {a} is the input file; choose another output path", input_path)
        for b in all_files[i + 1:]:
            if _same(a, b) or os.path.abspath(a) == os.path.abspath(b):
                raise UsageError(f"two outputs would be written to the same file {a}", a)
        if not (placed_later and a is dest.output):
            check_file_destination(a)
    return dest


def check_file_destination(path: Path) -> None:
    """A file can be written at ``path`` (OutputError, exit 5, if not)."""
    path = Path(path)
    if path.is_symlink():
        raise OutputError("is a symbolic link; redactor does not write through links (give the real path)", path)
    if path.is_dir():
        raise UsageError("is a folder; give a file name", path)
    if path.exists() and not stat.S_ISREG(path.stat().st_mode):
        raise OutputError("exists and is not a regular file", path)
    parent = Path(os.path.abspath(path)).parent
    if not parent.is_dir():
        raise OutputError("the output folder does not exist", parent)
    if not os.access(parent, os.W_OK | os.X_OK):
        raise OutputError("the output folder is not writable", parent)
    if path.exists() and not os.access(path, os.W_OK) and not os.access(parent, os.W_OK):
        raise OutputError("cannot be replaced (no permission)", path)


def refuse_link(path: Path, what: str) -> None:
    if Path(path).is_symlink():
        raise OutputError(f"{what} is a symbolic link; redactor does not write through links it did not "
                          "choose (remove it, or name a real folder)", path)


def ensure_folder(path: Path) -> None:
    """Create ``path`` (one level) if missing; OutputError if it cannot be."""
    path = Path(path)
    if path.is_dir():
        if not os.access(path, os.W_OK | os.X_OK):
            raise OutputError("the folder is not writable", path)
        return
    try:
        path.mkdir(parents=False)
    except FileExistsError:
        raise OutputError("exists and is not a folder", path) from None
    except OSError as e:
        raise OutputError(f"the folder cannot be created: {e.strerror or e}", path) from None


def ensure_tree(root: Path, rel_dir: Path) -> Path:
    """``root/rel_dir``, created as needed, refusing any symbolic link on the
    way below ``root`` (OutputError)."""
    here = Path(root)
    for part in Path(rel_dir).parts:
        if part in ("", "."):
            continue
        if part == "..":
            raise OutputError("a path leaves its folder", here)
        here = here / part
        if here.is_symlink():
            raise OutputError("is a symbolic link inside an output folder; redactor does not write through it", here)
        if not here.exists():
            try:
                here.mkdir()
            except FileExistsError:
                pass
            except OSError as e:
                raise OutputError(f"the folder cannot be created: {e.strerror or e}", here) from None
        elif not here.is_dir():
            raise OutputError("exists and is not a folder", here)
    return here


def cut_to_bytes(text: str, limit: int) -> str:
    """``text`` cut to at most ``limit`` bytes of UTF-8, never inside a character."""
    return text.encode("utf-8")[:max(0, limit)].decode("utf-8", "ignore")


def temp_beside(path: Path, folder: Path | None = None) -> Path:
    """A new temporary file in ``path``'s folder (not following a link at
    ``path``), or in ``folder`` with a name that does not say whose it is
    (a batch's: the output's name is masked only once it is redacted)."""
    # (cut so that the temporary name, 8 random letters and ".tmp" added, is one a file system allows)
    short = cut_to_bytes(Path(path).name, NAME_MAX - 16)
    prefix = f".{short}." if folder is None else ".redactor-pending."
    folder = Path(os.path.abspath(path)).parent if folder is None else Path(folder)
    try:
        fd, name = tempfile.mkstemp(dir=folder, prefix=prefix, suffix=".tmp")
    except OSError as e:
        raise OutputError(f"cannot write in the folder: {e.strerror or e}", folder) from None
    os.close(fd)
    return Path(name)


def finish_temp(tmp: Path) -> None:
    """Give a finished temporary file the user's normal permissions."""
    os.chmod(tmp, file_mode())


def place(tmp: Path, dest: Path) -> None:
    """Rename ``tmp`` onto ``dest`` (same folder, so atomic); OutputError on failure."""
    try:
        os.replace(tmp, dest)
    except OSError as e:
        Path(tmp).unlink(missing_ok=True)
        raise OutputError(f"cannot be written: {e.strerror or e}", dest) from None


def place_all(staged: list[tuple[Path, Path]]) -> None:
    """Rename staged files in order; on a failure remove the ones not yet placed."""
    for i, (tmp, dest) in enumerate(staged):
        try:
            place(tmp, dest)
        except OutputError:
            for t, _ in staged[i + 1:]:
                Path(t).unlink(missing_ok=True)
            raise


def stage_texts(files: list[tuple[Path, "str | Iterable[str]"]]) -> list[tuple[Path, Path]]:
    """Write each text (a string, or its pieces one after another, made as
    they are written) to a temporary file beside its destination, with the
    user's permissions; [(temporary, destination)] for :func:`place_all`.
    Nothing is left behind if one cannot be written (OutputError)."""
    staged: list[tuple[Path, Path]] = []
    try:
        for dest, text in files:
            tmp = temp_beside(dest)
            staged.append((tmp, Path(dest)))
            with open(tmp, "w", encoding="utf-8", newline="") as f:
                if isinstance(text, str):
                    f.write(text)
                else:
                    f.writelines(text)
            finish_temp(tmp)
    except OSError as e:
        discard(t for t, _ in staged)
        raise OutputError(f"cannot be written: {e.strerror or e}", staged[-1][1] if staged else None) from None
    except BaseException:
        discard(t for t, _ in staged)
        raise
    return staged


def discard(paths) -> None:
    for p in paths:
        Path(p).unlink(missing_ok=True)


def bundle_names(sources: list[Path]) -> list[str]:
    """Output names (relative) for a bundle, never two the same, even on a
    disk that ignores case: ``brief.redacted.pdf``; for ``a/brief.pdf`` and
    ``b/brief.pdf``, ``a/brief.redacted.pdf`` and ``b/brief.redacted.pdf``;
    for ``brief.pdf`` and ``brief.PDF``, ``brief.redacted.pdf`` and
    ``brief-2.redacted.pdf``."""
    stems = [s.stem + ".redacted.pdf" for s in sources]
    folded = [n.casefold() for n in stems]
    absolute = [Path(os.path.abspath(s)) for s in sources]
    names = list(stems)
    if len(set(folded)) != len(folded) and len({a.parent for a in absolute}) > 1:
        common = Path(os.path.commonpath([str(a.parent) for a in absolute]))
        names = [(a.parent.relative_to(common) / n).as_posix() for a, n in zip(absolute, stems)]
    seen: dict[str, int] = {}
    out = []
    for n in names:
        key = n.casefold()
        if key in seen:
            seen[key] += 1
            base = n[: -len(".redacted.pdf")]
            n = f"{base}-{seen[key]}.redacted.pdf"
            while n.casefold() in seen:
                seen[key] += 1
                n = f"{base}-{seen[key]}.redacted.pdf"
            seen[n.casefold()] = 1
        else:
            seen[key] = 1
        out.append(n)
    return out


def write_text(path: Path, text: str) -> None:
    """Write a small text file atomically with the user's permissions;
    OutputError (exit 5) naming the path if it cannot be written."""
    path = Path(path)
    check_file_destination(path)
    tmp = temp_beside(path)
    try:
        with open(tmp, "w", encoding="utf-8", newline="") as f:
            f.write(text)
        finish_temp(tmp)
    except OSError as e:
        tmp.unlink(missing_ok=True)
        raise OutputError(f"cannot be written: {e.strerror or e}", path) from None
    place(tmp, path)
