"""A real cohort hub (``python -m mlroles.launch.hub``, the code behind ``make hub``) for the hub tests and the
hub's load benchmark: start it on a free loopback port, talk to its REST API with the ``cohort-admin``
service's token, start and stop accounts' servers, run code in an account's kernel over the websocket,
and create or remove the system users a ``--system-users`` hub needs.

Nothing here asserts; the tests do.
"""
from __future__ import annotations

import asyncio
import json
import os
import pwd
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from course_helpers import REPO



class Hub:
    """``python -m mlroles.launch.hub`` as a child process; ``stop()`` ends it and with it every account's server."""

    def __init__(self, state: Path, roster: Path, port: int, system_users: bool = False,
                 env: Path | None = None):
        self.state, self.roster, self.port = Path(state), Path(roster), port
        self.system_users = system_users
        self.env = env
        self.proc: subprocess.Popen | None = None
        self.log_path = self.state.parent / f"{self.state.name}.log"

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def command(self) -> list[str]:
        cmd = [sys.executable, "-m", "mlroles.launch.hub", "--roster", str(self.roster), "--state", str(self.state),
               "--port", str(self.port)]
        if self.system_users:
            cmd.append("--system-users")
        if self.env:
            cmd += ["--env", str(self.env)]
        return cmd

    def start(self, timeout: float = 600) -> float:
        """Start and wait until the hub answers; returns the seconds that took (a first --system-users start
        builds the accounts' environment)."""
        started = time.perf_counter()
        env = {**os.environ, "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
        with open(self.log_path, "w") as log:
            self.proc = subprocess.Popen(self.command(), stdout=log, stderr=subprocess.STDOUT, env=env,
                                         stdin=subprocess.DEVNULL, cwd=REPO)
        while True:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the hub exited with code {self.proc.returncode}:\n{self.log_tail()}")
            try:
                self.api("GET", "/hub/api/", timeout=2)
                return time.perf_counter() - started
            except (OSError, urllib.error.URLError):
                if time.perf_counter() - started > timeout:
                    self.stop()
                    raise RuntimeError(f"the hub did not answer in {timeout} s:\n{self.log_tail()}")
                time.sleep(0.2)

    def log_tail(self, lines: int = 60) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no log)"

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()   # JupyterHub stops every account's server before it exits
            try:
                self.proc.wait(60)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(10)
        self.proc = None

    # -- the REST API (the cohort-admin service) -----------------------------------------------
    @property
    def token(self) -> str:
        return (self.state / "admin-token").read_text().strip()

    @property
    def password(self) -> str:
        return (self.state / "password").read_text().strip()

    def request(self, method: str, path: str, body=None, timeout: float = 30, token: str | None = None):
        data = None if body is None else json.dumps(body).encode()
        req = urllib.request.Request(self.url + path, data=data, method=method,
                                     headers={"Authorization": f"token {token or self.token}",
                                              "Content-Type": "application/json"})
        return urllib.request.urlopen(req, timeout=timeout)

    def api(self, method: str, path: str, body=None, timeout: float = 30, token: str | None = None):
        with self.request(method, path, body, timeout, token=token) as resp:
            text = resp.read().decode()
        return json.loads(text) if text else None

    def status(self, path: str, token: str | None = None) -> int:
        try:
            with self.request("GET", path, token=token) as resp:
                return resp.status
        except urllib.error.HTTPError as exc:
            return exc.code

    def fetch(self, path: str, token: str | None = None) -> tuple[int, str]:
        """GET ``path``: the status and the body, for errors too."""
        try:
            with self.request("GET", path, token=token) as resp:
                return resp.status, resp.read().decode(errors="replace")
        except urllib.error.HTTPError as exc:
            return exc.code, exc.read().decode(errors="replace")

    def user_token(self, user: str, note: str = "test") -> str:
        """A new API token of ``user`` (issued through the REST API by the cohort-admin service)."""
        return self.api("POST", f"/hub/api/users/{user}/tokens", {"note": note})["token"]

    def start_server(self, user: str, timeout: float = 180, token: str | None = None) -> float:
        """Start ``user``'s server through the REST API (with ``token``, as that user); wait until it is ready.
        Returns the seconds."""
        started = time.perf_counter()
        try:
            self.api("POST", f"/hub/api/users/{user}/server", token=token)
        except urllib.error.HTTPError as exc:
            if exc.code != 400:   # 400: already running
                raise
        while time.perf_counter() - started < timeout:
            info = self.api("GET", f"/hub/api/users/{user}")
            server = info.get("servers", {}).get("")
            if server and server.get("ready"):
                return time.perf_counter() - started
            time.sleep(0.25)
        raise RuntimeError(f"{user}'s server was not ready after {timeout} s:\n{self.log_tail()}")

    def stop_server(self, user: str) -> None:
        try:
            self.api("DELETE", f"/hub/api/users/{user}/server", timeout=60)
        except urllib.error.HTTPError:
            pass

    def server_pid(self, user: str) -> int | None:
        info = self.api("GET", f"/hub/api/users/{user}")
        state = (info.get("servers", {}).get("") or {}).get("state") or {}
        return state.get("pid")

    # -- code in an account's kernel ------------------------------------------------------------
    def run_code(self, user: str, code: str, timeout: float = 120) -> dict:
        """Run ``code`` in a new kernel of ``user``'s server over the websocket, as a notebook would; return
        ``{"stdout", "error", "seconds"}``. The kernel is shut down afterwards."""
        kernel = self.api("POST", f"/user/{user}/api/kernels", {"name": "python3"})
        try:
            return self.execute(user, kernel["id"], code, timeout)
        finally:
            try:
                self.api("DELETE", f"/user/{user}/api/kernels/{kernel['id']}")
            except urllib.error.HTTPError:
                pass

    def execute(self, user: str, kernel_id: str, code: str | list[str], timeout: float = 120,
                token: str | None = None) -> dict:
        """Run ``code`` (one cell, or a list of cells in order, stopping at the first error) in ``user``'s running
        kernel ``kernel_id`` over one websocket, as a notebook does; see ``run_code``."""
        cells = [code] if isinstance(code, str) else list(code)
        # in a thread of its own: the caller may already run an event loop (Playwright's sync API does)
        with ThreadPoolExecutor(1) as pool:
            return pool.submit(asyncio.run, self._execute(user, kernel_id, cells, timeout, token)).result()

    async def _execute(self, user: str, kernel_id: str, cells: list[str], timeout: float,
                       token: str | None = None) -> dict:
        from tornado.httpclient import HTTPRequest
        from tornado.websocket import websocket_connect

        url = self.url.replace("http", "ws", 1) + f"/user/{user}/api/kernels/{kernel_id}/channels"
        conn = await websocket_connect(HTTPRequest(url, headers={"Authorization": f"token {token or self.token}"},
                                                   connect_timeout=120, request_timeout=120))
        session = uuid.uuid4().hex
        started = time.perf_counter()
        stdout, error = [], None
        try:
            for code in cells:
                msg_id = uuid.uuid4().hex
                await conn.write_message(json.dumps({
                    "header": {"msg_id": msg_id, "username": user, "session": session,
                               "msg_type": "execute_request", "version": "5.3"},
                    "parent_header": {}, "metadata": {}, "channel": "shell", "buffers": [],
                    "content": {"code": code, "silent": False, "store_history": False, "user_expressions": {},
                                "allow_stdin": False, "stop_on_error": True}}))
                while True:
                    raw = await asyncio.wait_for(conn.read_message(), timeout)
                    if raw is None:
                        raise RuntimeError("the kernel's websocket closed")
                    msg = json.loads(raw)
                    if msg.get("parent_header", {}).get("msg_id") != msg_id:
                        continue
                    kind = msg["header"]["msg_type"]
                    if kind == "stream":
                        stdout.append(msg["content"]["text"])
                    elif kind == "error":
                        error = f"{msg['content']['ename']}: {msg['content']['evalue']}"
                    elif kind == "status" and msg["content"]["execution_state"] == "idle":
                        break
                if error:
                    break
        finally:
            conn.close()
        return {"stdout": "".join(stdout), "error": error, "seconds": time.perf_counter() - started}


# --- system users (a --system-users hub, as root) -------------------------------------------------

def create_user(name: str) -> None:
    remove_user(name)
    subprocess.run(["useradd", "--create-home", "--shell", "/bin/bash", name], check=True, capture_output=True)


def remove_user(name: str) -> None:
    try:
        pwd.getpwnam(name)
    except KeyError:
        return
    subprocess.run(["pkill", "-KILL", "-u", name], capture_output=True)
    time.sleep(0.2)
    subprocess.run(["userdel", "--remove", name], capture_output=True)


def run_as(user: str, cmd: list[str], cwd: Path, env: dict | None = None, timeout: float = 900):
    """Run ``cmd`` as system user ``user`` (from root), as that account would in a terminal of its server."""
    entry = pwd.getpwnam(user)
    full_env = {"HOME": entry.pw_dir, "USER": user, "LOGNAME": user, "PATH": os.environ.get("PATH", ""),
                "LANG": "C.UTF-8", **(env or {})}

    def demote():
        os.setgid(entry.pw_gid)
        os.setgroups([])
        os.setuid(entry.pw_uid)

    return subprocess.run(cmd, cwd=cwd, env=full_env, preexec_fn=demote, capture_output=True, text=True,
                          timeout=timeout)
