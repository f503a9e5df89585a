"""Verify plugin URIs by really importing them, as the framework does (stdlib only).

Run with the project's interpreter, isolated (``-I``) so neither this file's directory nor
``PYTHONPATH`` is on ``sys.path``::

    python -I [-B] bench/import_check.py SPOC_PARENT ROOT URIS_FILE OUT_FILE START

``SPOC_PARENT`` is a directory holding the ``spoc`` package; it is appended to ``sys.path``,
after everything else, so it can shadow nothing. ``spoc.importer.Importer(ROOT).setup_path()``
puts the project's roots in front, then every URI of ``URIS_FILE`` (one a line) from index
``START`` on is loaded with ``load_from_uri``. Each result is appended to ``OUT_FILE`` as
``index<TAB>ok`` or ``index<TAB>fail<TAB>ExceptionType: message`` and flushed at once, so the
caller can restart after a crash at the next index.
"""

from __future__ import annotations

import contextlib
import io
import signal
import sys
import warnings
from pathlib import Path
from types import FrameType

PER_URI_TIMEOUT = 30


def _timeout(signum: int, frame: FrameType | None) -> None:
    raise TimeoutError(f"import took more than {PER_URI_TIMEOUT} s")


def _root_cause(error: BaseException) -> BaseException:
    while error.__cause__ is not None:
        error = error.__cause__
    return error


def main(argv: list[str]) -> int:
    spoc_parent, root, uris_file, out_file, start = argv
    sys.path.append(spoc_parent)
    from spoc.importer import Importer

    importer = Importer(Path(root))
    importer.setup_path()
    uris = Path(uris_file).read_text(encoding="utf-8").split("\n")
    warnings.simplefilter("ignore")
    signal.signal(signal.SIGALRM, _timeout)
    sink = io.StringIO()
    with open(out_file, "a", encoding="utf-8") as out:
        for index in range(int(start), len(uris)):
            uri = uris[index]
            signal.alarm(PER_URI_TIMEOUT)
            try:
                with contextlib.redirect_stdout(sink), contextlib.redirect_stderr(sink):
                    importer.load_from_uri(uri)
            except BaseException as error:  # SystemExit and friends count as failures too
                signal.alarm(0)
                cause = _root_cause(error)
                message = f"{type(cause).__name__}: {cause}".replace("\n", " ")[:300]
                out.write(f"{index}\tfail\t{message}\n")
            else:
                signal.alarm(0)
                out.write(f"{index}\tok\n")
            out.flush()
            sink.seek(0)
            sink.truncate()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
