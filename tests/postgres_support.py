"""A real PostgreSQL server for a test: Debian's ``initdb`` and ``pg_ctl`` (the newest version in
/usr/lib/postgresql/*/bin), run as the ``postgres`` system user (PostgreSQL refuses to run as root, and
the tests run as root in CI), in a folder of its own under /tmp that is removed afterwards.

The server listens on 127.0.0.1 only, on a free port, with its unix socket inside that folder. Every login,
over TCP and over the socket, takes a password (scram-sha-256; no ``trust`` line anywhere): the superuser's
and the gradebook role's are generated here and kept in memory, so a grading kernel could never log in
(the sandbox gives it no network either). ``start()`` creates a role and a database for the gradebook
and returns the server; ``url`` is the SQLAlchemy URL nbgrader takes.

Nothing here asserts; the tests do.
"""
from __future__ import annotations

import os
import pwd
import re
import secrets
import shutil
import subprocess
import tempfile
import time
from pathlib import Path

from mlroles.launch.hub import free_port

PG_ROOT = Path("/usr/lib/postgresql")
SYSTEM_USER = "postgres"
SUPERUSER = "postgres"
ROLE = "grader"
DATABASE = "gradebook"
# only password logins, on the socket and on 127.0.0.1; nothing else may connect
HBA = ("local   all  all                scram-sha-256\n"
       "host    all  all  127.0.0.1/32  scram-sha-256\n")


class PostgresUnavailable(RuntimeError):
    """This machine cannot run the server; the message says what it needs."""


def pg_bin() -> Path:
    """The bin folder of the newest PostgreSQL installed the Debian way."""
    found = [p.parent for p in PG_ROOT.glob("*/bin/initdb") if (p.parent / "pg_ctl").exists()]
    if not found:
        raise PostgresUnavailable(
            f"The PostgreSQL gradebook test needs a PostgreSQL server ({PG_ROOT}/<version>/bin/initdb and pg_ctl), "
            "which is not installed: apt-get install -y postgresql (Debian; .ci/run installs it).")

    def version(folder: Path) -> tuple:
        return tuple(int(n) for n in re.findall(r"\d+", folder.parent.name)) or (0,)

    return max(found, key=version)


def as_postgres_prefix() -> list[str]:
    """The words that run a command as the ``postgres`` system user from here (none when we already are it)."""
    me = pwd.getpwuid(os.geteuid()).pw_name
    if me == SYSTEM_USER:
        return []
    if os.geteuid() != 0:
        raise PostgresUnavailable(
            f"The PostgreSQL gradebook test runs its server as the {SYSTEM_USER!r} system user (PostgreSQL refuses "
            f"root), which needs root to switch to (CI runs as root); this runs as {me!r}: run the test as root "
            f"(or as {SYSTEM_USER!r}).")
    try:
        pwd.getpwnam(SYSTEM_USER)
    except KeyError:
        raise PostgresUnavailable(
            f"The PostgreSQL gradebook test runs its server as the {SYSTEM_USER!r} system user, which does not "
            "exist: apt-get install -y postgresql creates it (.ci/run does).") from None
    if shutil.which("runuser"):
        return ["runuser", "-u", SYSTEM_USER, "--"]
    if shutil.which("setpriv"):
        return ["setpriv", f"--reuid={SYSTEM_USER}", f"--regid={SYSTEM_USER}", "--init-groups", "--"]
    raise PostgresUnavailable("The PostgreSQL gradebook test needs runuser or setpriv (util-linux) to start the "
                              f"server as {SYSTEM_USER!r}: apt-get install -y util-linux.")


class PostgresServer:
    """One throw-away server: ``PostgresServer.start()``, then ``url``; ``stop()`` ends it and removes its folder."""

    def __init__(self):
        self.bin = pg_bin()
        self.prefix = as_postgres_prefix()
        self.folder: Path | None = None
        self.port = 0
        self.superuser_password = secrets.token_urlsafe(24)
        self.password = secrets.token_urlsafe(24)   # the gradebook role's
        self.running = False

    # -- paths -----------------------------------------------------------------------------
    @property
    def data(self) -> Path:
        return self.folder / "data"

    @property
    def socket_dir(self) -> Path:
        return self.folder / "socket"

    @property
    def log(self) -> Path:
        return self.folder / "server.log"

    @property
    def url(self) -> str:
        """The gradebook's URL for nbgrader (SQLAlchemy with psycopg 3)."""
        return f"postgresql+psycopg://{ROLE}:{self.password}@127.0.0.1:{self.port}/{DATABASE}"

    def log_tail(self, lines: int = 40) -> str:
        try:
            return "\n".join(self.log.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"

    # -- life cycle ------------------------------------------------------------------------
    @classmethod
    def start(cls, tries: int = 3) -> "PostgresServer":
        server = cls()
        try:
            server._init()
            server._run(tries)
            server._create_gradebook()
        except BaseException:
            server.stop()
            raise
        return server

    def _as_postgres(self, cmd: list, timeout: float = 120) -> subprocess.CompletedProcess:
        result = subprocess.run(self.prefix + [str(c) for c in cmd], cwd=self.folder, capture_output=True, text=True,
                                timeout=timeout, stdin=subprocess.DEVNULL,
                                env={**os.environ, "LANG": "C.UTF-8", "LC_ALL": "C.UTF-8"})
        if result.returncode != 0:
            raise RuntimeError(f"{Path(str(cmd[0])).name} failed ({result.returncode}):\n{result.stdout}{result.stderr}"
                               f"\n{self.log_tail()}")
        return result

    def _own(self, path: Path, mode: int) -> None:
        entry = pwd.getpwnam(SYSTEM_USER) if self.prefix else pwd.getpwuid(os.geteuid())
        os.chown(path, entry.pw_uid, entry.pw_gid)
        os.chmod(path, mode)

    def _init(self) -> None:
        # under /tmp, which the postgres user can reach (pytest's own temporary folder is root's alone)
        self.folder = Path(tempfile.mkdtemp(prefix="mlroles-postgres-", dir="/tmp"))
        self._own(self.folder, 0o700)
        self.socket_dir.mkdir()
        self._own(self.socket_dir, 0o700)
        pwfile = self.folder / "superuser-password"
        pwfile.write_text(self.superuser_password + "\n")
        self._own(pwfile, 0o600)
        try:
            self._as_postgres([self.bin / "initdb", "-D", self.data, "-U", SUPERUSER, f"--pwfile={pwfile}",
                               "--auth-local=scram-sha-256", "--auth-host=scram-sha-256",
                               "--encoding=UTF8", "--locale=C.UTF-8", "--no-sync"])
        finally:
            pwfile.unlink()
        hba = self.data / "pg_hba.conf"
        hba.write_text(HBA)
        self._own(hba, 0o600)

    def _run(self, tries: int) -> None:
        """pg_ctl start on a free port (another, when something took the port in between)."""
        for attempt in range(tries):
            self.port = free_port()
            conf = self.data / "postgresql.auto.conf"
            conf.write_text("# this test's server\n"
                            "listen_addresses = '127.0.0.1'\n"
                            f"port = {self.port}\n"
                            f"unix_socket_directories = '{self.socket_dir}'\n"
                            "unix_socket_permissions = 0700\n"
                            "password_encryption = 'scram-sha-256'\n"
                            # a throw-away server: no need to survive a power cut
                            "fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")
            self._own(conf, 0o600)
            try:
                self._as_postgres([self.bin / "pg_ctl", "-D", self.data, "-l", self.log, "-w", "-t", "60", "start"])
                self.running = True
                return
            except RuntimeError:
                if attempt == tries - 1 or "could not bind" not in self.log_tail():
                    raise
                time.sleep(0.5)

    def connect_superuser(self, dbname: str = "postgres"):
        import psycopg

        return psycopg.connect(host="127.0.0.1", port=self.port, user=SUPERUSER, password=self.superuser_password,
                               dbname=dbname, autocommit=True, connect_timeout=10)

    def _create_gradebook(self) -> None:
        from psycopg import sql

        with self.connect_superuser() as conn:
            conn.execute(sql.SQL("CREATE ROLE {} LOGIN PASSWORD {}").format(sql.Identifier(ROLE),
                                                                          sql.Literal(self.password)))
            conn.execute(sql.SQL("CREATE DATABASE {} OWNER {}").format(sql.Identifier(DATABASE), sql.Identifier(ROLE)))

    def stop(self) -> None:
        """Stop the server (fast shutdown: open sessions are ended) and remove its folder."""
        try:
            if self.running:
                try:
                    self._as_postgres([self.bin / "pg_ctl", "-D", self.data, "-w", "-t", "60", "stop", "-m", "fast"])
                except (RuntimeError, subprocess.TimeoutExpired):
                    self._as_postgres([self.bin / "pg_ctl", "-D", self.data, "-w", "-t", "30", "stop", "-m", "immediate"])
                self.running = False
        finally:
            if self.folder is not None:
                shutil.rmtree(self.folder, ignore_errors=True)
                self.folder = None
