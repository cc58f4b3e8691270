"""Serve exactly the design-system files the templates use from node_modules.

Exposing whole npm `dist` folders would also publish files that point at assets the
packages do not ship (the manifest storage of production refuses those), so only
the files listed in settings.NPM_STATIC_FILES are found and collected.
"""

from pathlib import Path

from django.conf import settings
from django.contrib.staticfiles.finders import BaseFinder
from django.core.checks import Error
from django.core.files.storage import FileSystemStorage


class NpmFileFinder(BaseFinder):
    def __init__(self, *args, **kwargs):
        self.files: dict[str, Path] = {
            url_path: Path(source) for url_path, source in settings.NPM_STATIC_FILES.items()
        }

    def check(self, **kwargs):
        return [
            Error(f"{source} is missing; run `npm ci`.", id="rtc.E001")
            for source in self.files.values()
            if not source.is_file()
        ]

    def find(self, path, find_all=False, **kwargs):
        source = self.files.get(path)
        if source is None or not source.is_file():
            return [] if find_all else None
        return [str(source)] if find_all else str(source)

    def list(self, ignore_patterns):
        for url_path, source in self.files.items():
            if not source.is_file():
                continue
            prefix, _, name = url_path.rpartition("/")
            storage = FileSystemStorage(location=str(source.parent))
            storage.prefix = prefix
            yield name, storage
