"""URL arguments for the route × role matrix (kepu/core/tests/test_route_matrix.py)."""

import contextlib
import os
import weakref

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def summary_a(world) -> int:
    from kepu.reports.services import start_summary

    summary = start_summary(
        world.campaign, organisation=world.tree.unit_a, actor=world.tree.reporter_a
    )
    return summary.pk


def attachment_a(world) -> int:
    from kepu.reports.models import SummaryAttachment

    item = SummaryAttachment(
        summary_id=summary_a(world),
        kind="document",
        extension="pdf",
        content_type="application/pdf",
    )
    item.file.save("matrix", ContentFile(b"%PDF-1.4 matrix"), save=True)
    # The matrix has no temporary MEDIA_ROOT: the file goes with the test's objects.
    weakref.finalize(world.activity, _delete, item.file.name)
    return item.pk


def _delete(name: str) -> None:
    with contextlib.suppress(OSError):
        path = default_storage.path(name)
        default_storage.delete(name)
        os.removedirs(os.path.dirname(path))  # the folders it made, while empty
