"""Private storage for attachments: files live under PRIVATE_MEDIA_ROOT and have no URL."""

from __future__ import annotations

from typing import NoReturn

from django.conf import settings
from django.core.files.storage import FileSystemStorage
from django.utils.functional import LazyObject


class PrivateStorage(FileSystemStorage):
    def __init__(self) -> None:
        super().__init__(location=str(settings.PRIVATE_MEDIA_ROOT), base_url=None)

    def url(self, name: str | None) -> NoReturn:
        raise ValueError(
            "private attachments have no public URL; serve them through tickets:attachment"
        )


class _LazyPrivateStorage(LazyObject):
    def _setup(self) -> None:
        self._wrapped = PrivateStorage()


private_storage = _LazyPrivateStorage()


def get_private_storage() -> FileSystemStorage:
    return PrivateStorage()
