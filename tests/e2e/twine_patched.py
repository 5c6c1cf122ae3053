"""The real twine with one thing changed, for errors twine itself would not let through.

``PYPIDESK_TWINE_PATCH=wrong-digest`` sends digests of other bytes;
``PYPIDESK_TWINE_PATCH=metadata-from:<wheel>`` reads the core metadata from
another wheel, so a file that is not a zip archive at all reaches the server.
"""

from __future__ import annotations

import os
import sys
import zipfile

from twine import package, wheel
from twine.__main__ import main


def _patch(spec: str) -> None:
    if spec == "wrong-digest":

        def hexdigest(self: package.HashManager) -> package.Hexdigest:
            return package.Hexdigest("0" * 64, "0" * 64)

        package.HashManager.hexdigest = hexdigest  # type: ignore[method-assign]
    elif spec.startswith("metadata-from:"):
        source = spec.partition(":")[2]

        def read(self: wheel.Wheel) -> bytes:
            with zipfile.ZipFile(source) as archive:
                name = next(n for n in archive.namelist() if n.endswith("/METADATA"))
                return archive.read(name)

        wheel.Wheel.read = read  # type: ignore[method-assign]


if __name__ == "__main__":
    _patch(os.environ.get("PYPIDESK_TWINE_PATCH", ""))
    sys.argv[0] = "twine"
    sys.exit(main())
