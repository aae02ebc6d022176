"""A local cluster of the production layout (deploy/): N app processes behind nginx, on one
PostgreSQL database. `make cluster` starts it; the cluster test and the capacity bench use the
same code.

    python scripts/cluster.py start [--processes 3] [--port 8080] [--database-url URL]
    python scripts/cluster.py status | stop
    python scripts/cluster.py restart PORT [--kill]      one app process (SIGTERM, or SIGKILL)
    python scripts/cluster.py rolling-restart            every app process, one at a time

In order, `start`: finds nginx (installs Debian's with apt-get when missing), creates the
database when missing, runs the migrations once (never one per process), loads the demo data
into an empty database, starts the app processes on 127.0.0.1 and waits until each answers
/_stcore/health, then starts nginx with its own prefix, configuration, pid and logs in the
cluster's folder (var/cluster by default), never the system's.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import time
import urllib.request
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PROXY_RULES = ROOT / "deploy" / "nginx" / "sparcs-engage-proxy.conf"
DEFAULT_DATABASE_URL = "postgresql+psycopg://postgres@127.0.0.1:5432/sparcs_cluster"
DEFAULT_FOLDER = ROOT / "var" / "cluster"
STATE_FILE = "cluster.json"


class ClusterError(RuntimeError):
    """Something the operator must fix; said in one line."""


def find_nginx(install: bool = True) -> str:
    """The nginx binary: $NGINX, on the PATH or /usr/sbin; Debian's installed when missing."""
    for candidate in (os.environ.get("NGINX"), shutil.which("nginx"), "/usr/sbin/nginx"):
        if candidate and Path(candidate).is_file() and os.access(candidate, os.X_OK):
            return candidate
    if install and shutil.which("apt-get") and os.geteuid() == 0:
        print("nginx not found: installing Debian's nginx with apt-get ...", file=sys.stderr)
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        subprocess.run(["apt-get", "update", "-q"], check=False, env=env, stdout=sys.stderr)
        subprocess.run(
            ["apt-get", "install", "-y", "-q", "--no-install-recommends", "nginx"],
            check=True,
            env=env,
            stdout=sys.stderr,
        )
        return find_nginx(install=False)
    raise ClusterError("nginx is needed: apt-get install nginx, or set NGINX=/path/to/nginx")


def ensure_database(url: str) -> None:
    """Create the URL's PostgreSQL database when it does not exist yet."""
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    if parsed.get_backend_name() != "postgresql":
        raise ClusterError("the cluster needs PostgreSQL: several processes share one database")
    admin = sa.create_engine(
        parsed.set(database="postgres"),
        isolation_level="AUTOCOMMIT",
        connect_args={"connect_timeout": 5},
    )
    try:
        with admin.connect() as connection:
            exists = connection.scalar(
                sa.text("SELECT 1 FROM pg_database WHERE datname = :name"),
                {"name": parsed.database},
            )
            if not exists:
                connection.exec_driver_sql(f'CREATE DATABASE "{parsed.database}"')
    except sa.exc.OperationalError as exc:
        where = parsed.render_as_string(hide_password=True)
        raise ClusterError(f"cannot reach PostgreSQL at {where}") from exc
    finally:
        admin.dispose()


def drop_database(url: str) -> None:
    import sqlalchemy as sa

    parsed = sa.engine.make_url(url)
    admin = sa.create_engine(parsed.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.exec_driver_sql(f'DROP DATABASE IF EXISTS "{parsed.database}" WITH (FORCE)')
    admin.dispose()


def healthy(port: int, timeout: float = 2) -> bool:
    try:
        with urllib.request.urlopen(
            f"http://127.0.0.1:{port}/_stcore/health", timeout=timeout
        ) as response:
            return response.read() == b"ok"
    except OSError:
        return False


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A child of this process that exited stays a zombie until it is reaped.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return True
    return done == 0


@dataclass
class Cluster:
    """N `streamlit run server.py` on 127.0.0.1 ports, nginx in front, state kept in `folder`."""

    folder: Path
    database_url: str = DEFAULT_DATABASE_URL
    app_ports: list[int] = field(default_factory=lambda: [8601, 8602, 8603])
    proxy_port: int = 8080
    upstream_header: bool = True  # the local cluster tells which process served a request
    nginx: str = ""
    env: dict[str, str] = field(default_factory=dict)  # more SPARCS_* settings for the apps

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.proxy_port}"

    # ---------------------------------------------------------------- state on disk

    def save(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        data = {**asdict(self), "folder": str(self.folder)}
        (self.folder / STATE_FILE).write_text(json.dumps(data, indent=2) + "\n")

    @classmethod
    def load(cls, folder: Path) -> Cluster:
        path = Path(folder) / STATE_FILE
        if not path.exists():
            raise ClusterError(f"no cluster in {folder} (start one first)")
        data = json.loads(path.read_text())
        data["folder"] = Path(data["folder"])
        return cls(**data)

    def _pid_file(self, port: int) -> Path:
        return self.folder / f"app-{port}.pid"

    def app_pid(self, port: int) -> int | None:
        path = self._pid_file(port)
        if not path.exists():
            return None
        pid = int(path.read_text())
        return pid if _alive(pid) else None

    # ---------------------------------------------------------------- the database, once

    def app_environment(self) -> dict[str, str]:
        # nginx sets X-Forwarded-For to the client's address: one proxy hop to trust. Every
        # process shares the keys in var/secret.key (one machine), so codes and cookies match.
        return {
            **os.environ,
            "SPARCS_TRUSTED_PROXY_HOPS": "1",
            **self.env,
            "SPARCS_DATABASE_URL": self.database_url,
        }

    def migrate(self, demo_data: bool = True) -> None:
        """Migrations (and demo data into an empty database) once per deploy, by the CLI."""
        ensure_database(self.database_url)
        cli = [sys.executable, "-m", "sparcs_engage"]
        env = self.app_environment()
        subprocess.run([*cli, "db", "upgrade"], cwd=ROOT, env=env, check=True)
        if demo_data:
            subprocess.run(
                [*cli, "demo-data", "--if-empty"], cwd=ROOT, env=env, check=True, stdout=sys.stderr
            )

    # ---------------------------------------------------------------- app processes

    def start_app(self, port: int, wait: bool = True) -> int:
        if self.app_pid(port):
            raise ClusterError(f"an app process already runs on port {port}")
        log = (self.folder / f"app-{port}.log").open("ab")
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "streamlit",
                "run",
                "server.py",
                "--server.port",
                str(port),
                "--server.address",
                "127.0.0.1",
                "--server.headless",
                "true",
                "--server.fileWatcherType",
                "none",
                "--browser.gatherUsageStats",
                "false",
            ],
            cwd=ROOT,
            env=self.app_environment(),
            stdin=subprocess.DEVNULL,
            stdout=log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # outlives `make cluster`; stopped by its pid
        )
        log.close()
        self._pid_file(port).write_text(str(process.pid))
        if wait:
            self.wait_healthy(port, process.pid)
        return process.pid

    def wait_healthy(self, port: int, pid: int | None = None, timeout: float = 90) -> None:
        deadline = time.monotonic() + timeout
        while not healthy(port):
            if pid is not None and not _alive(pid):
                tail = (self.folder / f"app-{port}.log").read_text(errors="replace")[-2000:]
                raise ClusterError(f"the app process on port {port} exited:\n{tail}")
            if time.monotonic() > deadline:
                raise ClusterError(f"the app process on port {port} is not healthy")
            time.sleep(0.25)

    def stop_app(self, port: int, kill: bool = False, timeout: float = 20) -> None:
        """SIGTERM (Streamlit closes its sessions and exits) or SIGKILL (a crash)."""
        pid = self.app_pid(port)
        if pid is None:
            return
        os.kill(pid, signal.SIGKILL if kill else signal.SIGTERM)
        deadline = time.monotonic() + timeout
        while _alive(pid):
            if time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
            time.sleep(0.1)
        self._pid_file(port).unlink(missing_ok=True)

    def restart_app(self, port: int, kill: bool = False, down_s: float = 0) -> None:
        self.stop_app(port, kill=kill)
        time.sleep(down_s)
        self.start_app(port)

    def ensure_running(self) -> None:
        """Start any app process that is not running (after a crash, or a test that stopped one)."""
        for port in self.app_ports:
            if not self.app_pid(port):
                self.start_app(port)

    def rolling_restart(self, pause_s: float = 2) -> None:
        """Every app process in turn, the next one only once the last answers its health check:
        nginx sends the visitors of the one that is down to the others meanwhile."""
        for port in self.app_ports:
            self.restart_app(port)
            time.sleep(pause_s)

    # ---------------------------------------------------------------- nginx

    @property
    def nginx_folder(self) -> Path:
        return self.folder / "nginx"

    def nginx_conf(self) -> str:
        servers = "\n".join(
            f"        server 127.0.0.1:{port} max_fails=1 fail_timeout=5s;"
            for port in self.app_ports
        )
        prefix = self.nginx_folder
        upstream = (
            "map $upstream_addr $sparcs_upstream { default $upstream_addr; }"
            if self.upstream_header
            else 'map $host $sparcs_upstream { default ""; }'
        )
        return f"""# Made by scripts/cluster.py: the local stand-in for
# deploy/nginx/sparcs-engage.conf, plain HTTP on 127.0.0.1, with the same proxy rules
# (deploy/nginx/sparcs-engage-proxy.conf).
worker_processes 2;
pid {prefix}/nginx.pid;
error_log {prefix}/logs/error.log warn;
events {{ worker_connections 4096; }}
http {{
    access_log {prefix}/logs/access.log;
    client_body_temp_path {prefix}/temp/client_body;
    proxy_temp_path {prefix}/temp/proxy;
    fastcgi_temp_path {prefix}/temp/fastcgi;
    uwsgi_temp_path {prefix}/temp/uwsgi;
    scgi_temp_path {prefix}/temp/scgi;
    map $cookie_sparcs_route $sparcs_route {{
        ""      $request_id;
        default $cookie_sparcs_route;
    }}
    map $cookie_sparcs_route $sparcs_route_cookie {{
        ""      "sparcs_route=$request_id; Path=/; HttpOnly; SameSite=Lax";
        default "";
    }}
    map $http_upgrade $sparcs_connection {{
        default upgrade;
        ""      "";
    }}
    {upstream}
    upstream sparcs_engage {{
        hash $sparcs_route consistent;
{servers}
        keepalive 32;
    }}
    server {{
        listen 127.0.0.1:{self.proxy_port};
        server_name localhost;
        include {PROXY_RULES};
    }}
}}
"""

    def _nginx_command(self, *extra: str) -> list[str]:
        conf = self.nginx_folder / "nginx.conf"
        error_log = str(self.nginx_folder / "logs" / "error.log")
        return [self.nginx, "-p", f"{self.nginx_folder}/", "-c", str(conf), "-e", error_log, *extra]

    def start_nginx(self) -> None:
        for sub in ("logs", "temp"):
            (self.nginx_folder / sub).mkdir(parents=True, exist_ok=True)
        (self.nginx_folder / "nginx.conf").write_text(self.nginx_conf())
        test = subprocess.run(self._nginx_command("-t", "-q"), capture_output=True, text=True)
        if test.returncode != 0:
            raise ClusterError(f"nginx refused its configuration:\n{test.stderr}")
        subprocess.run(self._nginx_command(), check=True)
        deadline = time.monotonic() + 15
        while not healthy(self.proxy_port):
            if time.monotonic() > deadline:
                raise ClusterError("nginx does not answer /_stcore/health on the proxy port")
            time.sleep(0.2)

    def nginx_pid(self) -> int | None:
        path = self.nginx_folder / "nginx.pid"
        if not path.exists():
            return None
        pid = int(path.read_text().strip() or 0)
        return pid if pid and _alive(pid) else None

    def stop_nginx(self) -> None:
        pid = self.nginx_pid()
        if pid is None:
            return
        subprocess.run(self._nginx_command("-s", "quit"), check=False, capture_output=True)
        deadline = time.monotonic() + 10
        while _alive(pid) and time.monotonic() < deadline:
            time.sleep(0.1)
        if _alive(pid):
            os.kill(pid, signal.SIGTERM)

    # ---------------------------------------------------------------- the whole layout

    def start(self, demo_data: bool = True) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        running = [p for p in self.app_ports if self.app_pid(p)]
        if running or self.nginx_pid():
            raise ClusterError(f"a cluster already runs from {self.folder}: stop it first")
        self.nginx = self.nginx or find_nginx()
        self.save()
        self.migrate(demo_data)
        for port in self.app_ports:  # started together, then waited for
            self.start_app(port, wait=False)
        for port in self.app_ports:
            self.wait_healthy(port, self.app_pid(port))
        self.start_nginx()

    def stop(self) -> None:
        self.stop_nginx()
        for port in self.app_ports:
            self.stop_app(port)

    def status(self) -> list[str]:
        lines = [f"proxy    {self.url}  nginx pid {self.nginx_pid() or '-'}"]
        for port in self.app_ports:
            state = "healthy" if healthy(port) else "down"
            lines.append(f"app      127.0.0.1:{port}  pid {self.app_pid(port) or '-'}  {state}")
        lines.append(f"database {self.database_url}")
        return lines


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--folder", type=Path, default=DEFAULT_FOLDER)
    commands = parser.add_subparsers(dest="command", required=True)
    start = commands.add_parser("start", help="migrate, start the app processes and nginx")
    start.add_argument("--processes", type=int, default=3)
    start.add_argument("--port", type=int, default=8080, help="nginx's port")
    start.add_argument("--first-app-port", type=int, default=8601)
    start.add_argument(
        "--database-url",
        default=os.environ.get("SPARCS_CLUSTER_DATABASE_URL", DEFAULT_DATABASE_URL),
    )
    start.add_argument("--no-demo-data", action="store_true")
    commands.add_parser("stop", help="stop nginx and the app processes")
    commands.add_parser("status", help="the processes and their health")
    restart = commands.add_parser("restart", help="restart one app process")
    restart.add_argument("port", type=int)
    restart.add_argument("--kill", action="store_true", help="SIGKILL: as if it crashed")
    commands.add_parser("rolling-restart", help="restart every app process, one at a time")
    args = parser.parse_args(argv)
    try:
        if args.command == "start":
            ports = [args.first_app_port + i for i in range(args.processes)]
            cluster = Cluster(args.folder, args.database_url, app_ports=ports, proxy_port=args.port)
            cluster.start(demo_data=not args.no_demo_data)
            print("\n".join(cluster.status()))
            print(f"SPARCS Engage runs at {cluster.url} (stop it: make cluster-stop)")
            return 0
        cluster = Cluster.load(args.folder)
        if args.command == "stop":
            cluster.stop()
        elif args.command == "restart":
            cluster.restart_app(args.port, kill=args.kill)
        elif args.command == "rolling-restart":
            cluster.rolling_restart()
        print("\n".join(cluster.status()))
        return 0
    except (ClusterError, subprocess.CalledProcessError) as exc:
        print(f"cluster: {exc}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    raise SystemExit(main())
