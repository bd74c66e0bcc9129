"""A JupyterHub for one cohort on this machine: ``make hub``.

    python -m mlroles.launch.hub                   the demo hub: accounts from hub/roster.csv, on 127.0.0.1:8000
    python -m mlroles.launch.hub --system-users    each account runs as its own system user (as root; the users must exist)
    python -m mlroles.launch.hub singleuser        what the hub's spawner runs: one account's JupyterLab

The hub listens on 127.0.0.1 only. Everything it keeps is in its state folder (default ``hub/state/``,
which git ignores):

    exchange/          nbgrader's exchange (release, fetch, submit, collect, feedback), shared by every account
    learner-config/    the learners' nbgrader settings: the course id, the exchange, and that fetched
                       exercises go to ``~/exercises/``, beside ``~/course/``, so the exercises' links reach the lessons
    homes/<username>/  each account's home (demo mode; with --system-users, the system user's home)
    hub.json           how this hub was started (read by hub/jupyterhub_config.py)
    password, admin-token, jupyterhub.sqlite, jupyterhub_cookie_secret   the hub's own, readable by its owner only

A learner's home holds ``course/`` (the lessons; later course updates never overwrite a lesson the learner
changed, see mlroles.launch.workspace) and ``exercises/`` (filled from the Assignments tab). The datasets come with the
package. Never ``solutions/``. The instructor's home holds ``course-root/``: a copy of the course root (solutions,
releases, nbgrader_config.py), served with the formgrader.

Demo mode runs every account as the user who started the hub: convenient on a laptop, and no file permission can
keep one account out of another's files. With ``--system-users`` every account's server runs as its own system
user, in a Python environment every account can read (``hub/env/``, built on first use from the course's own
install files), the homes are private (0700) and the course's ``solutions/`` is made readable by its owner only.
"""
from __future__ import annotations

import argparse
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import stat
import subprocess
import sys
from dataclasses import asdict, dataclass
from pathlib import Path

from mlroles.instructor import course_root
from mlroles.launch.lab import port_is_free

HUB_FOLDER = "hub"            # the hub's files, in the course root (hub/roster.csv, hub/state/, hub/env/)
DEFAULT_PORT = 8000
PROXY = "node_modules/.bin/configurable-http-proxy"   # in hub/, from npm ci


def hub_path(name: str, repo: Path | None = None) -> Path:
    """``hub/<name>`` in the course root ``repo`` (default: the working directory's course root)."""
    return Path(repo or course_root.find()) / HUB_FOLDER / name
COURSE_ID = "mlroles"

ROSTER_COLUMNS = ("username", "role", "name")
ROLES = ("instructor", "learner")
# What JupyterHub, the exchange's file names and useradd all accept: lowercase, starting with a letter.
USERNAME = re.compile(r"^[a-z][a-z0-9_-]{0,31}$")
# What the instructor's home gets: the course root as the formgrader expects it.
INSTRUCTOR_PARTS = ("course", "exercises", "solutions", "nbgrader_config.py")
START_PAGE = "course/00_start_here.ipynb"
SYSTEM_PATH = ("/usr/local/sbin", "/usr/local/bin", "/usr/sbin", "/usr/bin", "/sbin", "/bin")


class HubError(RuntimeError):
    """Something to fix before the hub can start; the message says what."""


# --- the roster ---------------------------------------------------------------------------

@dataclass(frozen=True)
class Account:
    username: str
    role: str
    name: str
    line: int


def read_roster(path: Path) -> list[Account]:
    """The accounts in ``path`` (CSV: username, role, name). Every problem is reported with its line; none is skipped."""
    from mlroles.instructor.roster import RosterError, numbered_rows

    path = Path(path)
    try:
        numbered = numbered_rows(path, "its first line is username,role,name, then one line per account")
    except RosterError as exc:
        raise HubError(f"{exc} (hub/roster.csv is an example).") from None
    header_line, header = numbered[0]
    if [cell.strip().lower() for cell in header] != list(ROSTER_COLUMNS):
        raise HubError(f"{path}, line {header_line}: the first line must be the header username,role,name "
                       f"(found {','.join(header)}).")
    problems, accounts, seen = [], [], {}
    for n, row in numbered[1:]:
        cells = [cell.strip() for cell in row] + ["", "", ""]
        username, role, name = cells[0], cells[1].lower(), cells[2]
        where = f"{path}, line {n}"
        if len([c for c in row]) > 3 and any(c.strip() for c in row[3:]):
            problems.append(f"{where}: more than three fields; quote a name that holds a comma.")
            continue
        if not USERNAME.match(username):
            problems.append(f"{where}: username {username!r} is not valid: use 1 to 32 lowercase letters, digits, "
                            "- or _, starting with a letter.")
        elif username in seen:
            problems.append(f"{where}: username {username!r} is already on line {seen[username]}; give each account "
                            "one line.")
        if not role:
            problems.append(f"{where}: the role is missing: write instructor or learner.")
        elif role not in ROLES:
            problems.append(f"{where}: role {cells[1]!r} is not known: write instructor or learner.")
        if USERNAME.match(username) and username not in seen:
            seen[username] = n
        accounts.append(Account(username, role, name or username, n))
    if not problems and not accounts:
        problems.append(f"{path} has a header and no accounts: add one line per account.")
    if not problems and not any(a.role == "instructor" for a in accounts):
        problems.append(f"{path}: no account has the role instructor; a cohort needs one to release and grade.")
    if problems:
        raise HubError("\n".join(problems))
    return accounts


# --- what one start of the hub needs -------------------------------------------------------

@dataclass
class HubSettings:
    """How the hub runs; written to ``<state>/hub.json`` for hub/jupyterhub_config.py."""

    state: str
    port: int
    hub_port: int
    proxy_api_port: int
    system_users: bool
    python: str            # the Python the accounts' servers run
    repo: str
    proxy: str
    accounts: list

    @property
    def exchange(self) -> Path:
        return Path(self.state) / "exchange"

    @property
    def learner_config(self) -> Path:
        return Path(self.state) / "learner-config"

    def account(self, username: str) -> dict | None:
        return next((a for a in self.accounts if a["username"] == username), None)

    def home(self, username: str) -> Path:
        if self.system_users:
            import pwd

            return Path(pwd.getpwnam(username).pw_dir)
        return Path(self.state) / "homes" / username

    def write(self) -> Path:
        path = Path(self.state) / "hub.json"
        path.write_text(json.dumps(asdict(self), indent=1), encoding="utf-8")
        return path

    @classmethod
    def read(cls, state: Path) -> "HubSettings":
        return cls(**json.loads((Path(state) / "hub.json").read_text(encoding="utf-8")))


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _secret(path: Path, make) -> str:
    """The secret kept at ``path`` (readable by its owner only), made once."""
    if not path.exists():
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as f:
            f.write(make())
    os.chmod(path, 0o600)
    return path.read_text().strip()


def password(state: Path) -> str:
    """The demo's shared password (every account logs in with it), made once per state folder."""
    return _secret(Path(state) / "password", lambda: secrets.token_urlsafe(12))


def admin_token(state: Path) -> str:
    """The token of the hub's ``cohort-admin`` service (REST API: users, servers, their kernels)."""
    return _secret(Path(state) / "admin-token", lambda: secrets.token_hex(32))


LEARNER_NBGRADER_CONFIG = '''\
# The learners' nbgrader settings on this hub (written by mlroles.launch.hub; found through JUPYTER_CONFIG_PATH).
import os

c = get_config()  # noqa: F821
c.CourseDirectory.course_id = {course_id!r}
c.Exchange.root = {exchange!r}
# Fetched exercises go to ~/exercises/<assignment>/, beside ~/course/: the exercises' links ../../course/ reach the lessons.
c.Exchange.assignment_dir = os.path.join(os.environ.get("HOME") or os.getcwd(), "exercises")
'''


def prepare_state(settings: HubSettings) -> None:
    """The state folder, the exchange (writable by every account, as nbgrader expects) and the learners' settings."""
    state = Path(settings.state)
    state.mkdir(parents=True, exist_ok=True)
    os.chmod(state, 0o755)   # every account must reach the exchange and its settings inside
    settings.exchange.mkdir(exist_ok=True)
    os.chmod(settings.exchange, 0o777)
    settings.learner_config.mkdir(exist_ok=True)
    (settings.learner_config / "nbgrader_config.py").write_text(
        LEARNER_NBGRADER_CONFIG.format(course_id=COURSE_ID, exchange=str(settings.exchange)), encoding="utf-8")
    os.chmod(settings.learner_config, 0o755)
    os.chmod(settings.learner_config / "nbgrader_config.py", 0o644)
    if not settings.system_users:
        (state / "homes").mkdir(exist_ok=True)
    password(state)
    admin_token(state)
    # the hub's database (accounts, hashed tokens, servers) is created 0644 by default: make it the owner's only
    database = state / "jupyterhub.sqlite"
    if not database.exists():
        os.close(os.open(database, os.O_WRONLY | os.O_CREAT, 0o600))
    os.chmod(database, 0o600)
    settings.write()


def protect_keys(repo: Path) -> list[Path]:
    """With system users: the course's ``solutions/`` (keys, worked solutions) readable by its owner only."""
    changed = []
    folder = Path(repo) / "solutions"
    if folder.is_dir() and stat.S_IMODE(folder.stat().st_mode) & 0o077:
        os.chmod(folder, 0o700)
        changed.append(folder)
    return changed


def fill_home(settings: HubSettings, username: str) -> Path:
    """Give an account's home what its role needs (see the module docstring); return the folder its server serves.

    Runs in the hub before each start of the account's server. Nothing the account changed is overwritten."""
    from mlroles.launch import workspace

    account = settings.account(username)
    repo = Path(settings.repo)
    home = settings.home(username)
    home.mkdir(parents=True, exist_ok=True)
    if account["role"] == "instructor":
        root = home / "course-root"
        if not (root / "nbgrader_config.py").exists():
            root.mkdir(exist_ok=True)
            ignore = shutil.ignore_patterns(".ipynb_checkpoints", "__pycache__", "*.choices.json", "gradebook.db")
            for name in INSTRUCTOR_PARTS:
                src = repo / name
                if src.is_dir():
                    shutil.copytree(src, root / name, ignore=ignore, dirs_exist_ok=True)
                else:
                    shutil.copy2(src, root / name)
    else:
        root = home
        workspace.sync(home, repo, with_exercises=False)
        (home / "exercises").mkdir(exist_ok=True)
    if settings.system_users:
        import pwd

        entry = pwd.getpwnam(username)
        for folder, _dirs, files in os.walk(home):
            os.chown(folder, entry.pw_uid, entry.pw_gid)
            for name in files:
                os.chown(os.path.join(folder, name), entry.pw_uid, entry.pw_gid, follow_symlinks=False)
        os.chmod(home, 0o700)   # another account cannot list or read it
    return root


# --- the Python environment the accounts' servers run -----------------------------------------

def _readable_by_all(path: Path) -> bool:
    """Can any account run ``path``: every folder on the way is searchable by others, the file executable by them."""
    path = Path(path).resolve()
    for folder in path.parents:
        if not folder.stat().st_mode & stat.S_IXOTH:
            return False
    return bool(path.stat().st_mode & stat.S_IXOTH)


def base_python() -> str:
    """A Python 3.11+ every account can run: this one, else the system's ``python3``."""
    candidates = [sys.executable, getattr(sys, "_base_executable", sys.executable), "/usr/bin/python3",
                  shutil.which("python3") or ""]
    for candidate in candidates:
        if candidate and os.path.exists(candidate) and _readable_by_all(Path(candidate)):
            probe = subprocess.run([candidate, "-c", "import sys, venv; print(sys.version_info >= (3, 11))"],
                                   capture_output=True, text=True)
            if probe.stdout.strip() == "True":
                return candidate
    raise HubError("No Python 3.11+ that every account can run was found (this one lies in a folder other users "
                   "cannot enter): install Debian's python3 and python3-venv, then run make hub again.")


def _tree_hash(repo: Path, parts=("pyproject.toml", "mlroles", "datasets")) -> str:
    digest = hashlib.sha256()
    for part in parts:
        base = repo / part
        files = [base] if base.is_file() else sorted(p for p in base.rglob("*") if p.is_file()
                                                     and "__pycache__" not in p.parts)
        for path in files:
            digest.update(str(path.relative_to(repo)).encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()


def _install_commands(python: Path, env: Path, repo: Path, fresh: bool) -> list[list[str]]:
    """The commands that build (``fresh``) or update the environment, with uv from the hub's extra: seconds where
    pip took over a minute. The bytecode is compiled at install time: the accounts, who only read the environment,
    could not write it."""
    try:
        from uv import find_uv_bin
        uv = find_uv_bin()
    except (ImportError, FileNotFoundError):
        raise HubError("uv is missing: install the course with its hub extra (pip install -e '.[hub]'; make hub does), "
                       "then run make hub again.") from None
    if fresh:
        return [[uv, "venv", "--quiet", "--python", base_python(), str(env)],
                [uv, "pip", "install", "--quiet", "--compile-bytecode", "--python", str(python), f"{repo}[hub]"]]
    return [[uv, "pip", "install", "--quiet", "--compile-bytecode", "--no-deps", "--reinstall-package", "mlroles",
             "--python", str(python), str(repo)]]


def ensure_env(env: Path, repo: Path, out=print) -> str:
    """The accounts' environment at ``env``: the course installed from its own files (not editable, as a cohort gets
    it), readable by every account. Built when missing, reinstalled when the course's code changed. Returns its python."""
    env, repo = Path(env), Path(repo)
    python = env / "bin" / "python"
    stamp = env / ".course-stamp"
    deps = hashlib.sha256((repo / "pyproject.toml").read_bytes()).hexdigest()
    code = _tree_hash(repo)
    old = json.loads(stamp.read_text()) if stamp.exists() else {}
    if old.get("code") == code and python.exists():
        return str(python)
    old_umask = os.umask(0o022)   # every account reads the environment
    try:
        fresh = old.get("deps") != deps or not python.exists()
        commands = _install_commands(python, env, repo, fresh)
        if fresh:
            out(f"Building the cohort's Python environment in {env} (once)...")
            shutil.rmtree(env, ignore_errors=True)
        else:
            out(f"Reinstalling the course into {env} (its code changed)...")
        # setuptools builds in <repo>/build/ and keeps what an earlier install put there: a module since moved or
        # deleted would be installed again beside its new home
        shutil.rmtree(repo / "build", ignore_errors=True)
        for cmd in commands:
            done = subprocess.run(cmd, capture_output=True, text=True)
            if done.returncode != 0:
                raise HubError(f"Installing the course into {env} failed: {done.stderr.strip().splitlines()[-1:]}. "
                               "Fix the install (see the message), or remove the folder and run make hub again.")
        stamp.write_text(json.dumps({"deps": deps, "code": code}))
    finally:
        os.umask(old_umask)
    if not _readable_by_all(python):
        raise HubError(f"{env} lies in a folder other users cannot enter: pass --env with a folder they can read "
                       "(for example /opt/mlroles-env).")
    return str(python)


# --- what hub/jupyterhub_config.py calls ------------------------------------------------------

def configure(c, state: Path | None = None) -> HubSettings:
    """Fill JupyterHub's config ``c`` from ``<state>/hub.json`` (written by ``main``)."""
    state = Path(state or os.environ.get("MLROLES_HUB_STATE") or hub_path("state"))
    settings = HubSettings.read(state)
    accounts = settings.accounts
    c.JupyterHub.bind_url = f"http://127.0.0.1:{settings.port}"
    c.JupyterHub.hub_ip = "127.0.0.1"
    c.JupyterHub.hub_port = settings.hub_port
    c.ConfigurableHTTPProxy.api_url = f"http://127.0.0.1:{settings.proxy_api_port}"
    c.ConfigurableHTTPProxy.command = [settings.proxy, "--log-level", "warn"]
    c.JupyterHub.db_url = f"sqlite:///{state / 'jupyterhub.sqlite'}"
    c.JupyterHub.cookie_secret_file = str(state / "jupyterhub_cookie_secret")
    c.JupyterHub.pid_file = str(state / "jupyterhub.pid")
    c.JupyterHub.log_level = "WARN"

    c.JupyterHub.authenticator_class = "shared-password"
    c.SharedPasswordAuthenticator.user_password = password(state)
    c.Authenticator.allowed_users = {a["username"] for a in accounts}
    # no account is a hub admin: an instructor works in the formgrader and never opens a learner's server
    c.JupyterHub.services = [{"name": "cohort-admin", "api_token": admin_token(state)}]
    c.JupyterHub.load_roles = [{"name": "cohort-admin", "services": ["cohort-admin"],
                                "scopes": ["admin:users", "admin:servers", "access:servers", "tokens", "read:users"]}]

    if settings.system_users:
        c.JupyterHub.spawner_class = "jupyterhub.spawner.LocalProcessSpawner"
    else:
        c.JupyterHub.spawner_class = "jupyterhub.spawner.SimpleLocalProcessSpawner"
        c.SimpleLocalProcessSpawner.home_dir_template = str(state / "homes" / "{username}")
    c.Spawner.cmd = [settings.python, "-m", "mlroles.launch.hub", "singleuser"]
    c.Spawner.default_url = f"/lab/tree/{START_PAGE}"
    # twenty learners starting at once on two cores: a server may need more than the default 30 s
    c.Spawner.http_timeout = 120
    c.Spawner.start_timeout = 120

    def pre_spawn(spawner):
        account = settings.account(spawner.user.name)
        root = fill_home(settings, spawner.user.name)
        env = {"MLROLES_HUB_ROLE": account["role"], "MLROLES_HUB_ROOT": str(root),
               # the accounts' environment first (nbgrader runs alembic by name), then the system's folders only:
               # the hub's own PATH may name folders another account cannot enter
               "PATH": os.pathsep.join([str(Path(settings.python).parent), *SYSTEM_PATH])}
        if account["role"] == "instructor":
            env["NBGRADER_EXCHANGE"] = str(settings.exchange)
        else:
            env["JUPYTER_CONFIG_PATH"] = str(settings.learner_config)
        spawner.environment = {**spawner.environment, **env}

    c.Spawner.pre_spawn_hook = pre_spawn
    return settings


# --- one account's server (the spawner's command) -----------------------------------------------

def singleuser(argv: list[str]) -> int:
    """Start one account's JupyterLab as ``mlroles.launch.lab`` would, behind the hub."""
    from mlroles.launch import lab

    role = os.environ.get("MLROLES_HUB_ROLE", "learner")
    root = Path(os.environ.get("MLROLES_HUB_ROOT") or os.getcwd())
    source = os.environ.get("MLROLES_COURSE_SOURCE")
    if source and role == "learner":
        # where the hub cannot reach the homes (a container per learner), the server fills its own home with
        # the lessons from the image, as fill_home would: nothing the learner changed is overwritten
        from mlroles.launch import workspace

        workspace.sync(root, Path(source), with_exercises=False)
        (root / "exercises").mkdir(exist_ok=True)
    plan = lab.plan(instructor=role == "instructor", root=root, port=1, token="-", extra_args=argv)
    plan.write_settings()
    os.chdir(plan.root)   # nbgrader reads nbgrader_config.py from the folder it starts in
    cmd = plan.singleuser_command()
    os.execv(cmd[0], cmd)
    return 0  # not reached


# --- make hub -----------------------------------------------------------------------------------

def check_users(accounts: list[Account]) -> None:
    import pwd

    missing = []
    for account in accounts:
        try:
            pwd.getpwnam(account.username)
        except KeyError:
            missing.append(account.username)
    if missing:
        raise HubError(f"With --system-users every account needs a system user; missing: {', '.join(missing)}. "
                       f"Create them (for example: useradd -m {missing[0]}) or start the demo without --system-users.")


def plan_hub(*, roster: Path, state: Path, port: int, system_users: bool, env: Path, repo: Path,
             proxy: Path | None = None, out=print) -> HubSettings:
    """Check everything that can be checked before JupyterHub starts; prepare the state folder. ``repo``: the
    course root the hub serves; ``proxy`` defaults to the one npm installed in its hub/."""
    proxy = Path(proxy or hub_path(PROXY, repo))
    accounts = read_roster(roster)
    if not port_is_free(port):
        raise HubError(f"Port {port} on 127.0.0.1 is in use: stop what runs there, or pick another port: "
                       f"make hub HUB_ARGS='--port {port + 1}'.")
    if not Path(proxy).is_file():
        npm = shutil.which("npm")
        raise HubError("The proxy (configurable-http-proxy) is not installed: "
                       + ("run `make hub`, which installs it with npm ci into hub/node_modules/." if npm else
                          "npm is missing; install Node.js and npm (Debian: apt-get install -y npm), then run make hub."))
    if system_users:
        if os.geteuid() != 0:
            raise HubError("--system-users starts each account's server as its own system user, which needs root: "
                           "run it as root, or start the demo without --system-users.")
        check_users(accounts)
        python = ensure_env(env, repo, out=out)
        for folder in protect_keys(repo):
            out(f"{folder} is now readable by its owner only (the keys must not reach the learners' accounts).")
    else:
        python = sys.executable
    settings = HubSettings(state=str(Path(state).resolve()), port=port, hub_port=free_port(),
                           proxy_api_port=free_port(), system_users=system_users, python=python,
                           repo=str(Path(repo).resolve()), proxy=str(Path(proxy).resolve()),
                           accounts=[asdict(a) for a in accounts])
    prepare_state(settings)
    return settings


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["singleuser"]:
        return singleuser(argv[1:])
    parser = argparse.ArgumentParser(prog="python -m mlroles.launch.hub", description=__doc__.split("\n\n")[0])
    parser.add_argument("--roster", type=Path, default=None, help="CSV: username,role,name (default: hub/roster.csv)")
    parser.add_argument("--port", type=int, default=DEFAULT_PORT, help=f"the hub's port on 127.0.0.1 (default {DEFAULT_PORT})")
    parser.add_argument("--state", type=Path, default=None, help="the hub's state folder (default hub/state/)")
    parser.add_argument("--system-users", action="store_true", help="each account runs as its own system user (root)")
    parser.add_argument("--env", type=Path, default=None,
                        help="with --system-users: the accounts' Python environment (default hub/env/)")
    args = parser.parse_args(argv)
    try:
        repo = course_root.find()
        settings = plan_hub(roster=args.roster or hub_path("roster.csv", repo), state=args.state or hub_path("state", repo),
                            port=args.port, system_users=args.system_users, env=args.env or hub_path("env", repo),
                            repo=repo)
    except course_root.NoCourseRoot as exc:
        print(exc)
        return 2
    except HubError as exc:
        print(exc)
        return 2
    instructors = [a["username"] for a in settings.accounts if a["role"] == "instructor"]
    learners = [a["username"] for a in settings.accounts if a["role"] == "learner"]
    print(f"Cohort hub: open http://127.0.0.1:{settings.port}/ and log in as an instructor ({', '.join(instructors)}) "
          f"or a learner ({', '.join(learners)}) with the password in {Path(settings.state) / 'password'}   "
          "(Ctrl+C to stop)", flush=True)
    if not settings.system_users:
        print("Demo mode: every account runs as this system user, so accounts can read each other's files. "
              "For a graded cohort see the README (--system-users, or PAM/OAuth with one system user per learner).",
              flush=True)
    jupyterhub = Path(sys.executable).parent / "jupyterhub"
    os.environ["MLROLES_HUB_STATE"] = settings.state
    os.chdir(settings.state)
    config_file = hub_path("jupyterhub_config.py", repo)
    os.execv(str(jupyterhub), [str(jupyterhub), "-f", str(config_file)])
    return 0  # not reached


if __name__ == "__main__":
    sys.exit(main())
