"""An upload handler that stops storing a file once it is over the site's limit.

Django reads a multipart request to its end whatever we do, but without this
a 10 GB upload would be written to a temporary file in full before any form
could refuse it. Placed first in FILE_UPLOAD_HANDLERS, this handler passes on
at most UPLOAD_MAX_BYTES + 1 bytes of each file and drops the rest, so the
handlers after it (memory, then temporary file) hold a file one byte over the
limit: the form sees its size and refuses it with a clear message."""

from django.conf import settings
from django.core.files.uploadhandler import FileUploadHandler


class SizeLimitUploadHandler(FileUploadHandler):
    def new_file(self, *args, **kwargs) -> None:
        super().new_file(*args, **kwargs)
        self.passed_on = 0

    def receive_data_chunk(self, raw_data: bytes, start: int) -> bytes | None:
        room = settings.UPLOAD_MAX_BYTES + 1 - self.passed_on
        if room <= 0:
            return None  # later handlers never see the rest
        chunk = raw_data[:room]
        self.passed_on += len(chunk)
        return chunk

    def file_complete(self, file_size: int) -> None:
        return None  # the next handler builds the file from what it was given
