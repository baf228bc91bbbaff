"""URL arguments for the route × role matrix (kepu/core/tests/test_route_matrix.py)."""

import contextlib
import os
import weakref
from collections.abc import Callable

from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile

from . import media


def _photo(world) -> int:
    from kepu.results.services import add_file_result

    upload = SimpleUploadedFile("合影.jpg", media.jpeg_with_gps())
    item = add_file_result(world.activity, actor=world.tree.reporter_a, upload=upload)
    # The matrix has no temporary MEDIA_ROOT: the files go with the test's objects (or at exit).
    weakref.finalize(world.activity, _delete, [item.file.name, item.thumbnail.name])
    return item.pk


def _link(world) -> int:
    from kepu.results.services import add_link_result

    item = add_link_result(
        world.activity, actor=world.tree.reporter_a, url="https://example.org/a", title="报道"
    )
    return item.pk


def _delete(names: list[str]) -> None:
    for name in names:
        with contextlib.suppress(OSError):
            path = default_storage.path(name)
            default_storage.delete(name)
            os.removedirs(os.path.dirname(path))  # the folders it made, while empty


def matrix_kwargs(name: str) -> Callable:
    make = _link if name == "results:work-result-remove" else _photo
    return lambda world: {"pk": make(world)}
