"""Handing out a stored file (results, summary attachments, finished exports) once the caller's
view has checked that the person may have it. The same code serves local disk and object
storage: a file on disk is answered by the application (small ones from memory, so that no
file stays open for a client that drops the connection), a file in object storage by a redirect
to a short-lived signed URL that answers with the stored content type.
"""

import io

from django.core.files.storage import default_storage
from django.http import FileResponse, Http404, HttpResponseRedirect
from django.utils.http import content_disposition_header

SMALL_FILE_BYTES = 512 * 1024


def serve_stored(name: str, *, content_type: str, filename: str, inline: bool = False):
    """The stored file ``name`` as a response: ``inline`` shows it in the browser (pictures),
    otherwise it downloads as ``filename``. Never sniffed as another type; cached only by the
    person's own browser. Http404 when there is no such file."""
    if not name:
        raise Http404
    try:
        default_storage.path(name)
    except NotImplementedError:
        disposition = None if inline else content_disposition_header(True, filename)
        return HttpResponseRedirect(_signed_url(name, content_type, disposition))
    try:
        handle = default_storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404 from None
    if handle.size <= SMALL_FILE_BYTES:
        with handle:
            handle = io.BytesIO(handle.read())
    response = FileResponse(
        handle, content_type=content_type, as_attachment=not inline, filename=filename
    )
    response.headers["Cache-Control"] = "private, max-age=3600"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _signed_url(name: str, content_type: str, disposition: str | None) -> str:
    parameters = {"ResponseContentType": content_type}
    if disposition:
        parameters["ResponseContentDisposition"] = disposition
    try:
        return default_storage.url(name, parameters=parameters)
    except TypeError:  # a storage whose url() takes no parameters
        return default_storage.url(name)
