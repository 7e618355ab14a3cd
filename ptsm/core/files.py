"""Stored files follow the transaction that records them.

A service that writes a file (a generated document, a signed PDF) and then fails — a refusal, a
constraint, a rollback — must not leave the file behind. `atomic_with_files` wraps a service in a
transaction and deletes the files it wrote if it fails; `store_file` writes through it.
Anything that still escapes (a rollback by a caller after the service returned, a crash between
the write and the commit) is found by `manage.py purge_orphan_files`, which lists — and with
`--supprimer` removes — the files no record points to.
"""

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from functools import wraps
from pathlib import PurePosixPath

from django.apps import apps
from django.core.files.base import ContentFile
from django.db import models, transaction

_scopes = threading.local()


def _stack() -> list[list]:
    if not hasattr(_scopes, "stack"):
        _scopes.stack = []
    return _scopes.stack


@contextmanager
def files_written_on_success() -> Iterator[None]:
    """Within the block, files written by `store_file` are deleted again if the block raises."""
    written: list = []
    _stack().append(written)
    try:
        yield
    except BaseException:
        for storage, name in written:
            storage.delete(name)
        raise
    finally:
        _stack().pop()
        if _stack():
            _stack()[-1].extend(written)  # an enclosing scope that fails removes them too


def atomic_with_files(func):
    """`transaction.atomic` for a service that stores files: a failure removes them."""

    @wraps(func)
    def wrapper(*args, **kwargs):
        with files_written_on_success(), transaction.atomic():
            return func(*args, **kwargs)

    return wrapper


def store_file(field_file, name: str, data: bytes, *, content_addressed: bool = False) -> None:
    """Save `data` into a FileField (without saving the model). A content-addressed name that
    already exists holds the same bytes: it is reused, not written twice."""
    storage = field_file.storage
    target = field_file.field.generate_filename(field_file.instance, name)
    if content_addressed and storage.exists(target):
        field_file.name = target
        return
    field_file.save(name, ContentFile(data), save=False)
    if _stack():
        _stack()[-1].append((storage, field_file.name))


def referenced_files() -> set[str]:
    """Every file name a record points to, over all FileFields of all models."""
    names: set[str] = set()
    for model in apps.get_models():
        for field in model._meta.concrete_fields:
            if isinstance(field, models.FileField):
                names.update(
                    model._base_manager.exclude(**{field.name: ""})
                    .values_list(field.name, flat=True)
                    .iterator()
                )
    return names


def stored_files(storage, directory: str = "") -> Iterator[str]:
    subdirectories, files = storage.listdir(directory)
    for name in files:
        yield str(PurePosixPath(directory, name)) if directory else name
    for sub in subdirectories:
        yield from stored_files(storage, str(PurePosixPath(directory, sub)) if directory else sub)
