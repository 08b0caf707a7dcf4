"""A throwaway PostgreSQL server (Debian's postgresql package): a new cluster in a temporary
folder, listening on 127.0.0.1 on a free port, stopped and removed at the end. The tests
(conftest's `postgres_server`) and `make bench` both start one this way."""

from __future__ import annotations

import contextlib
import os
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from pathlib import Path


def program(name: str) -> str | None:
    """A PostgreSQL server program, or None where the package is not installed."""
    found = sorted(Path("/usr/lib/postgresql").glob(f"*/bin/{name}")) or [shutil.which(name)]
    return found[-1] and str(found[-1])


@contextlib.contextmanager
def postgres() -> Iterator[str]:
    """The server's SQLAlchemy URL (without a database name), while the block runs.
    PostgreSQL refuses to run as root, so as root it runs as the `postgres` user the package
    creates."""
    initdb, pg_ctl = program("initdb"), program("pg_ctl")
    if initdb is None or pg_ctl is None:
        raise FileNotFoundError("PostgreSQL is not installed (apt-get install postgresql)")
    run_as = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
    folder = Path(tempfile.mkdtemp(prefix="scorecard-postgres-"))
    if run_as:
        shutil.chown(folder, "postgres", "postgres")
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    data, log = folder / "data", folder / "server.log"
    try:
        subprocess.run(
            [*run_as, initdb, "-D", str(data), "-U", "scorecard", "-A", "trust"],
            check=True,
            capture_output=True,
        )
        options = f"-p {port} -k {folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-l", str(log), "-o", options, "-w", "start"],
            check=True,
            capture_output=True,
        )
        yield f"postgresql+psycopg://scorecard@127.0.0.1:{port}"
    finally:
        subprocess.run(
            [*run_as, pg_ctl, "-D", str(data), "-m", "fast", "-w", "stop"], capture_output=True
        )
        shutil.rmtree(folder, ignore_errors=True)
