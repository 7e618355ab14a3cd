"""The archive's manifest, and the checks an archive passes before anything is written.

An archive is a zip holding `manifest.json`, `data.json` and the stored files under
`files/<sha256>`. The manifest lists every other member with its SHA-256 and size, the format
version, the ptsm version, the date and the record counts per model. An archive comes from
outside (another instance, a backup drive): it is bounded like any upload (see
`organisations/tabular.py`) — its zip directory is checked first (member names, count, sizes,
compression ratio), then each member is decompressed in chunks, never beyond its declared size.
"""

import hashlib
import json
import re
import zipfile
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version

from django.core.exceptions import ValidationError

from ptsm.core.formatting import plural

FORMAT = "ptsm-archive-projet"
FORMAT_VERSION = 1
MANIFEST = "manifest.json"
DATA = "data.json"
FILES_DIR = "files/"

# Bounds: a demo project's archive is a few MB; a large project with every document generated
# a few hundred MB. Anything far above is refused before being unpacked.
MAX_MEMBERS = 100_000
MAX_MANIFEST_BYTES = 32 * 1024 * 1024
MAX_DATA_BYTES = 512 * 1024 * 1024
MAX_FILE_BYTES = 256 * 1024 * 1024
MAX_TOTAL_BYTES = 4 * 1024 * 1024 * 1024
MAX_COMPRESSION_RATIO = 200  # for members above one chunk; JSON compresses about 10 to 30 times
CHUNK = 1024 * 1024

_FILE_MEMBER = re.compile(r"files/[0-9a-f]{64}")


class ArchiveError(ValidationError):
    """An archive refused, with the reason in French."""


def ptsm_version() -> str:
    try:
        return version("ptsm")
    except PackageNotFoundError:  # running from a tree that was not installed
        return "inconnue"


@dataclass(frozen=True)
class Entry:
    path: str
    sha256: str
    size: int


def file_member(sha256: str) -> str:
    return f"{FILES_DIR}{sha256}"


def build_manifest(
    *, project_slug: str, exported_at: str, counts: dict[str, int], entries: list[Entry]
) -> dict:
    return {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "ptsm_version": ptsm_version(),
        "exported_at": exported_at,
        "project": project_slug,
        "counts": counts,
        "files": [{"path": e.path, "sha256": e.sha256, "size": e.size} for e in entries],
    }


def _safe_member_name(name: str) -> bool:
    """Only the names an archive writes: no directory climbing, no absolute or Windows path."""
    return name in (MANIFEST, DATA) or bool(_FILE_MEMBER.fullmatch(name))


def _member_limit(name: str) -> int:
    return {MANIFEST: MAX_MANIFEST_BYTES, DATA: MAX_DATA_BYTES}.get(name, MAX_FILE_BYTES)


def check_directory(archive: zipfile.ZipFile) -> dict[str, zipfile.ZipInfo]:
    """Refuse, from the zip's directory alone, names and sizes an archive never has."""
    infos = archive.infolist()
    if len(infos) > MAX_MEMBERS:
        raise ArchiveError(f"Archive refusée : plus de {MAX_MEMBERS} fichiers.")
    members: dict[str, zipfile.ZipInfo] = {}
    total = 0
    for info in infos:
        if not _safe_member_name(info.filename):
            raise ArchiveError(
                f"Archive refusée : nom de fichier inattendu « {info.filename[:120]} »."
            )
        if info.filename in members:
            raise ArchiveError(f"Archive refusée : « {info.filename} » y figure deux fois.")
        if info.flag_bits & 0x1:
            raise ArchiveError("Archive refusée : les fichiers chiffrés ne sont pas acceptés.")
        total += info.file_size
        ratio = info.file_size / max(info.compress_size, 1)
        if (
            info.file_size > _member_limit(info.filename)
            or total > MAX_TOTAL_BYTES
            or (info.file_size > CHUNK and ratio > MAX_COMPRESSION_RATIO)
        ):
            raise ArchiveError(
                f"Archive refusée : « {info.filename} » dépasse les tailles permises."
            )
        members[info.filename] = info
    return members


def _chunks(archive: zipfile.ZipFile, info: zipfile.ZipInfo):
    """The member decompressed in chunks, never beyond its declared size (a directory that lies
    about sizes is caught here)."""
    read = 0
    with archive.open(info) as handle:
        while chunk := handle.read(CHUNK):
            read += len(chunk)
            if read > info.file_size or read > _member_limit(info.filename):
                raise ArchiveError(
                    f"Archive refusée : « {info.filename} » est plus grand que déclaré."
                )
            yield chunk


def read_member(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> bytes:
    return b"".join(_chunks(archive, info))


def _digest(archive: zipfile.ZipFile, info: zipfile.ZipInfo) -> tuple[str, int]:
    digest, size = hashlib.sha256(), 0
    for chunk in _chunks(archive, info):
        digest.update(chunk)
        size += len(chunk)
    return digest.hexdigest(), size


def read_manifest(archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo]) -> dict:
    if MANIFEST not in members:
        raise ArchiveError("Archive refusée : manifest.json manquant.")
    try:
        manifest = json.loads(read_member(archive, members[MANIFEST]))
    except ValueError as exc:
        raise ArchiveError("Archive refusée : manifest.json illisible.") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise ArchiveError("Archive refusée : ce n'est pas une archive de projet ptsm.")
    if manifest.get("format_version") != FORMAT_VERSION:
        raise ArchiveError(
            f"Archive refusée : version de format {manifest.get('format_version')!r} inconnue "
            f"(cette instance lit la version {FORMAT_VERSION})."
        )
    return manifest


def check_members(
    archive: zipfile.ZipFile, members: dict[str, zipfile.ZipInfo], manifest: dict
) -> dict[str, str]:
    """Every file the manifest lists, present with its size and SHA-256, and nothing else
    (read in chunks, not kept). Returns the SHA-256 of each member by path."""
    listed: dict[str, tuple[str, int]] = {}
    for item in manifest.get("files", []):
        try:
            listed[str(item["path"])] = (str(item["sha256"]), int(item["size"]))
        except (KeyError, TypeError, ValueError) as exc:
            raise ArchiveError("Archive refusée : manifest.json mal formé.") from exc
    if DATA not in listed:
        raise ArchiveError("Archive refusée : data.json n'est pas listé dans le manifeste.")
    missing = sorted(set(listed) - set(members))
    if missing:
        raise ArchiveError(
            f"Archive refusée : {plural(len(missing), 'fichier', 'fichiers')} du manifeste "
            f"{'manque' if len(missing) < 2 else 'manquent'} ({', '.join(missing[:3])})."
        )
    unlisted = sorted(set(members) - set(listed) - {MANIFEST})
    if unlisted:
        raise ArchiveError(
            f"Archive refusée : {plural(len(unlisted), 'fichier', 'fichiers')} hors du "
            f"manifeste ({', '.join(unlisted[:3])})."
        )
    digests: dict[str, str] = {}
    for path, (sha256, size) in listed.items():
        actual_sha256, actual_size = _digest(archive, members[path])
        if actual_size != size:
            raise ArchiveError(
                f"Archive refusée : « {path} » fait {actual_size} octets, le manifeste en annonce {size}."
            )
        if actual_sha256 != sha256:
            raise ArchiveError(
                f"Archive refusée : l'empreinte SHA-256 de « {path} » ne correspond pas au manifeste."
            )
        if path.startswith(FILES_DIR) and path != file_member(sha256):
            raise ArchiveError(f"Archive refusée : « {path} » n'est pas nommé par son empreinte.")
        digests[path] = sha256
    return digests
