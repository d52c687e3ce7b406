"""Private storage for attachments: files live under PRIVATE_MEDIA_ROOT and have no URL.

The location follows `settings.MEDIA_ROOT`, which the settings point at the private root;
no URL route serves it. Files are read only by the permission-checked view.
"""

from __future__ import annotations

from typing import NoReturn

from django.core.files.storage import FileSystemStorage


class PrivateStorage(FileSystemStorage):
    def url(self, name: str | None) -> NoReturn:
        raise ValueError(
            "private attachments have no public URL; serve them through tickets:attachment"
        )


_storage = PrivateStorage()


def get_private_storage() -> FileSystemStorage:
    return _storage
