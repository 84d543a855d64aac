"""Build the whole handout set into out/: every sheet x variant, one PDF each, plus a manifest.

Reads and resolves everything first (a broken sheet stops the build before anything is
written), then renders only the variants whose inputs changed, across warm worker processes.
One failing variant does not stop the others; every file is written atomically and the
manifest is rewritten after each PDF, so an interrupted build leaves out/ consistent and the
next build finishes the job. One build runs per folder at a time (a lock in out/), and a disk
problem (full, read-only, no permission) stops the build with a plain message.
"""

from __future__ import annotations

import fcntl
import hashlib
import importlib
import os
from collections.abc import Callable, Generator, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

from factsheets.build.index import thumbnail, write_index
from factsheets.build.manifest import Manifest, PacketEntry, SheetEntry, SourceRef
from factsheets.build.packets import Packet, Shortened, packet_hash, plan_packets, render_shortened, write_packet
from factsheets.build.plan import FileHashes, Job, look_hash, plan
from factsheets.content.cancer_types import CANCER_TYPES
from factsheets.errors import FactsheetsError, Problem
from factsheets.files import disk_error, make_folder, remove, write_atomic
from factsheets.project import Content, Project, load_content
from factsheets.render import workers
from factsheets.render.options import RenderOptions

W = TypeVar("W")  # a piece of work for the workers: a sheet's Job, or a packet's Shortened sheet
R = TypeVar("R")

LOCK = ".build.lock"  # in out/; stays after the build, harmless
SMALL_REBUILD = 2  # this many PDFs or fewer render in this process, without starting workers


@dataclass(frozen=True)
class Failed:
    """A variant that could not be made, and why (its old PDF, if any, was removed)."""

    message: str


Outcome = SheetEntry | Failed


@dataclass
class BuildReport:
    built: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)
    failed: list[tuple[str, str]] = field(default_factory=list)  # (sheet/variant, message)
    removed: list[str] = field(default_factory=list)
    packets: list[str] = field(default_factory=list)  # packets rewritten this build


Progress = Callable[[str, str], None]  # (sheet/variant, "built" | "failed: ...")


def build(
    project: Project,
    options: RenderOptions | None = None,
    jobs: int | None = None,
    force: bool = False,
    progress: Progress | None = None,
    content: Content | None = None,
) -> BuildReport:
    """Bring out/ up to date; returns what was built, left alone, failed and removed."""
    options = options or RenderOptions()
    content = content or load_content(project)
    content.fill_all()  # every selection of every variant resolves, or nothing is touched
    _ = project.clinic  # loaded and checked now: clinic problems stop the build before any render
    with build_lock(project.out_dir):
        return _build_locked(project, content, options, jobs, force, progress)


def _build_locked(
    project: Project, content: Content, options: RenderOptions, jobs: int | None, force: bool, progress: Progress | None
) -> BuildReport:
    """The build proper: everything that reads or writes out/, run under the build lock."""
    out = project.out_dir
    files = FileHashes()
    look = look_hash(project, options, files)
    planned = plan(content, look, files)
    last = Manifest.load(out)
    previous = last.sheets_by_path()
    todo = [j for j in planned if force or not _up_to_date(out, j, previous.get(j.path))]
    report = BuildReport(unchanged=[j.name for j in planned if j not in todo])
    entries = {j.path: previous[j.path] for j in planned if j not in todo}
    report.removed = _remove_stale(out, {j.path for j in planned})
    cores = jobs or os.cpu_count() or 1
    outcomes = _run(project, content, options, look.hexdigest(), todo, cores, _render_job)
    with closing(outcomes):  # on an error below, workers stop now (before the lock is released), not at exit
        for job, outcome in outcomes:
            if isinstance(outcome, Failed):
                report.failed.append((job.name, outcome.message))
                entries.pop(job.path, None)
            else:
                report.built.append(job.name)
                entries[job.path] = outcome
            _manifest(planned, entries, last.packets).save(out)
            if progress:
                progress(job.name, f"failed: {outcome.message}" if isinstance(outcome, Failed) else "built")
    packets = _build_packets(
        project, content, options, look.hexdigest(), cores, entries, last.packets_by_path(), force, report
    )
    manifest = _manifest(planned, entries, packets)
    if manifest != last or not _index_whole(out, manifest):  # nothing changed: nothing to write (or load Jinja for)
        manifest.save(out)
        write_index(project, manifest.sheets, packets)
    return report


def _index_whole(out: Path, manifest: Manifest) -> bool:
    """out/index.html and every thumbnail it shows are there."""
    thumbs = [out / entry.thumb for entry in [*manifest.sheets, *manifest.packets]]
    return (out / "index.html").is_file() and all(thumb.is_file() for thumb in thumbs)


def _manifest(planned: list[Job], entries: dict[str, SheetEntry], packets: list[PacketEntry]) -> Manifest:
    """Sheets in build order; written after every PDF, packets kept from the last build until redone."""
    return Manifest(sheets=[entries[j.path] for j in planned if j.path in entries], packets=packets)


@contextmanager
def build_lock(out_dir: Path) -> Iterator[None]:
    """Hold out/.build.lock for one build: two builds in one folder delete and rewrite each other's files.

    flock is released when the holder exits, even on SIGKILL (its workers die with it, see
    workers.die_with_parent, and they share the lock's open file), so a lock never goes stale.
    """
    make_folder(out_dir)
    path = out_dir / LOCK
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as err:
        raise disk_error(path, err) from None
    try:
        _take(fd, path)
        yield
    finally:
        fcntl.flock(fd, fcntl.LOCK_UN)  # also for forked workers that still hold a copy of `fd`
        os.close(fd)


def _take(fd: int, path: Path) -> None:
    """Lock without waiting, then leave our pid in the file for the message another build prints."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = os.pread(fd, 32, 0).decode(errors="replace").strip()
        raise FactsheetsError(
            Problem(
                f"another build is running in this folder{f' (pid {holder})' if holder else ''}",
                "wait for it to finish or stop it, then run again.",
            )
        ) from None
    try:
        os.ftruncate(fd, 0)
        os.pwrite(fd, str(os.getpid()).encode(), 0)
    except OSError as err:
        raise disk_error(path, err) from None


def _build_packets(
    project: Project,
    content: Content,
    options: RenderOptions,
    look: str,
    jobs: int,
    entries: dict[str, SheetEntry],
    previous: dict[str, PacketEntry],
    force: bool,
    report: BuildReport,
) -> list[PacketEntry]:
    """Rebuild each type's packet when what it prints changed (a tagged merge: see merging.merge).

    Its sheets that leave out repeats (build.packets) are rendered first, across the workers,
    each once however many packets print it; a packet one of them fails for is not made.
    """
    out = project.out_dir
    packets = plan_packets(content, entries)
    made: dict[str, PacketEntry] = {}  # by path: kept from the last build, or written now
    todo: list[tuple[Packet, str]] = []  # (packet, its input hash) to write
    for packet in packets:
        if packet.missing:  # a packet without one of its sheets must not go out as if complete
            remove(out / packet.path)
            report.failed.append((packet.path, f"not made: sheet(s) {', '.join(packet.missing)} failed"))
            continue
        digest = packet_hash(packet, entries)
        entry = previous.get(packet.path)
        if force or not entry or entry.input_hash != digest or not (out / packet.path).is_file():
            todo.append((packet, digest))
        else:
            made[packet.path] = entry
    wanted = list({cut.key: cut for packet, _ in todo for cut in packet.shortened}.values())
    with closing(_run(project, content, options, look, wanted, jobs, _render_shortened)) as outcomes:
        renders = {cut.key: outcome for cut, outcome in outcomes}
    for packet, digest in todo:
        failed = [
            f"{cut.variant}: {r.message}" for cut in packet.shortened if isinstance(r := renders[cut.key], Failed)
        ]
        if failed:
            remove(out / packet.path)
            report.failed.append((packet.path, f"not made: {'; '.join(failed)}"))
            continue
        pdf = write_packet(out, packet, {key: r for key, r in renders.items() if isinstance(r, bytes)})
        made[packet.path] = PacketEntry(
            path=packet.path,
            cancer_type=packet.cancer_type,
            input_hash=digest,
            title=f"{CANCER_TYPES[packet.cancer_type].title} packet",
            sheets=[m.path for m in packet.members],
            shortened={m.path: m.shortened.version for m in packet.members if m.shortened},
            pages=len(packet.members),
            sha256=hashlib.sha256(pdf).hexdigest(),
        )
        report.packets.append(packet.path)
    return [made[packet.path] for packet in packets if packet.path in made]


def _render_shortened(cut: Shortened, options: RenderOptions) -> bytes | Failed:
    """In a worker: one packet's shortened sheet; a problem with it is a `Failed` outcome (its packet is not made)."""
    try:
        return render_shortened(cut, options)
    except FactsheetsError as err:
        return Failed(str(err))


def _up_to_date(out_dir: Path, job: Job, entry: SheetEntry | None) -> bool:
    """Same inputs as last time, and the PDF on disk is the one the manifest recorded."""
    if entry is None or entry.input_hash != job.input_hash:
        return False
    pdf = out_dir / job.path
    return pdf.is_file() and pdf.stat().st_size == entry.bytes and _sha256(pdf) == entry.sha256


def _sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _run(
    project: Project,
    content: Content,
    options: RenderOptions,
    look: str,
    todo: list[W],
    jobs: int,
    work: Callable[[W, RenderOptions], R],
) -> Generator[tuple[W, R], None, None]:
    """`work` on each of `todo` (render a sheet, or a packet's shortened sheet): in this process for a
    few, else across warm workers.

    A disk problem raised in a worker stops the build. Closing the generator early (an error in
    the caller) shuts the pool down, so workers stop before the build lock is released.
    """
    if not todo:
        return
    if jobs <= 1 or len(todo) <= SMALL_REBUILD:
        _warm_here(project, content, options, look)
        for item in todo:
            yield item, work(item, options)
        return
    importlib.import_module("factsheets.render.renderer")  # loaded once, here: forked workers inherit WeasyPrint
    with ProcessPoolExecutor(
        max_workers=min(jobs, len(todo)), initializer=workers.init_worker, initargs=(project,)
    ) as pool:
        futures = {pool.submit(work, item, options): item for item in todo}
        try:
            for future in as_completed(futures):
                yield futures[future], future.result()
        except BaseException:
            pool.shutdown(wait=True, cancel_futures=True)
            raise


def _warm_here(project: Project, content: Content, options: RenderOptions, look: str) -> None:
    """Set up this process for rendering, keeping the Renderer while the look is unchanged.

    Watch mode rebuilds one or two PDFs per edit; a warm Renderer (fonts, parsed CSS) is most
    of the difference between an edit showing up at once and after a pause.
    """
    workers.init_worker(project, key=(project, options, look))
    workers.set_content(content)


def _render_job(job: Job, options: RenderOptions) -> Outcome:
    """Render and write one PDF; a problem with the sheet is a `Failed` outcome.

    Disk problems (full, read-only) are raised instead: they stop the whole build.
    """
    out = workers.project().out_dir
    target = out / job.path
    try:
        filled = workers.content().fill(job.variant)
        result = workers.renderer().render(filled, options)
    except FactsheetsError as err:
        remove(target)  # never leave an out-of-date PDF standing in for a failed one
        return Failed(str(err))
    write_atomic(target, result.pdf)
    entry = SheetEntry(
        sheet=filled.sheet.id,
        variant=filled.variant.type_key,
        title=filled.sheet.title,
        path=job.path,
        pages=result.pages,
        body_pt=result.body_pt,
        renders=result.renders,
        content_version=result.content_version,
        input_hash=job.input_hash,
        sha256=hashlib.sha256(result.pdf).hexdigest(),
        bytes=len(result.pdf),
        sources=[SourceRef(id=s.id, url=s.url, reviewed=s.reviewed) for s in filled.sources],
    )
    thumbnail(target, out / entry.thumb)  # here, so workers share the work
    return entry


def _remove_stale(out_dir: Path, wanted: set[str]) -> list[str]:
    """PDFs of sheets or variants that no longer exist, and leftovers of interrupted writes."""
    removed = []
    for pdf in sorted(out_dir.glob("*/*.pdf")):
        rel = pdf.relative_to(out_dir).as_posix()
        if rel not in wanted and pdf.parent.name != "packets":
            remove(pdf)
            removed.append(rel)
    for part in out_dir.glob("**/.*.part"):
        remove(part)
    return removed
