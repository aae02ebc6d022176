"""The `sparcs-engage` command: database, demo data, accounts and city data, for operators and
for cities that automate."""

from __future__ import annotations

import argparse
import getpass
import sys
import tempfile
from pathlib import Path

from sparcs_engage import __version__
from sparcs_engage.auth import AccountError, create_account, list_accounts, remove_account
from sparcs_engage.auth import set_password as set_account_password
from sparcs_engage.cities import CITY_ID, load_cities
from sparcs_engage.db import (
    DatabaseError,
    check_schema,
    current_revision,
    get_engine,
    head_revision,
    session_scope,
    upgrade,
)
from sparcs_engage.demo import DemoOptions, database_is_empty, load_demo_data
from sparcs_engage.models import ROLES
from sparcs_engage.settings import load_settings


class CommandError(Exception):
    """A failure to report in one line, without a traceback."""


def _read_password(args: argparse.Namespace) -> str:
    if args.password_stdin or not sys.stdin.isatty():
        line = sys.stdin.readline()
        return line.rstrip("\r\n")
    first = getpass.getpass("Password: ")
    second = getpass.getpass("Password again: ")
    if first != second:
        raise CommandError("the two passwords differ")
    return first


def cmd_db(args: argparse.Namespace) -> int:
    url = load_settings().database_url
    if args.action == "upgrade":
        upgrade(url, args.revision)
        print(f"database at revision {current_revision(get_engine(url))}")
    elif args.action == "current":
        print(current_revision(get_engine(url)) or "empty (no migrations applied)")
    elif args.action == "check":
        check_schema(get_engine(url))
        print(f"database ok at revision {head_revision()}")
    return 0


def cmd_demo_data(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    if args.if_empty and not database_is_empty(engine):
        print("database already has data; demo data not loaded")
        return 0
    if args.respondents < 0:
        raise CommandError("--respondents must be zero or more")
    for line in load_demo_data(engine, DemoOptions(respondents=args.respondents)):
        print(line)
    return 0


def cmd_user(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    try:
        if args.action == "add":
            password = _read_password(args)
            with session_scope(engine) as session:
                create_account(
                    session=session, username=args.name, password=password, role=args.role
                )
            print(f"added {args.name.strip().lower()} ({args.role})")
        elif args.action == "passwd":
            password = _read_password(args)
            with session_scope(engine) as session:
                set_account_password(session=session, username=args.name, password=password)
            print(f"password changed for {args.name.strip().lower()}")
        elif args.action == "remove":
            with session_scope(engine) as session:
                remove_account(session=session, username=args.name)
            print(f"removed {args.name.strip().lower()}")
        elif args.action == "list":
            with session_scope(engine) as session:
                for account in list_accounts(session=session):
                    locked = " (locked)" if account.locked_until else ""
                    print(f"{account.username}\t{account.role}{locked}")
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    return 0


def cmd_cities(args: argparse.Namespace) -> int:
    registry = load_cities(load_settings().data_dir)
    for city in registry.cities.values():
        print(f"{city.id}\t{city.country}\t{city.names['en']}\tpopulation {city.population}")
    for error in registry.errors:
        print(f"error: {error}", file=sys.stderr)
    return 1 if registry.errors else 0


def _fit_problem(data_dir: Path, folder: Path, district_ids: list[str]) -> tuple[Path, str] | None:
    """The file and first way the city's indicators.csv or sites.toml no longer fits the
    districts, or None when both fit."""
    from sparcs_engage.energy import (
        EnergyDataError,
        load_indicator_registry,
        load_indicators,
        load_sites,
    )

    indicators = folder / "indicators.csv"
    try:
        registry = load_indicator_registry(data_dir / "indicators.toml")
        frame = load_indicators(indicators, registry, district_ids)
        sites = folder / "sites.toml"
        if sites.exists():
            load_sites(sites, district_ids)
    except EnergyDataError as exc:
        return exc.path, str(exc)
    present = set(frame["district"])
    without = [d for d in district_ids if d not in present]
    if without:
        more = f" (and {len(without) - 1} more)" if len(without) > 1 else ""
        return indicators, f"{indicators}: no rows for district {without[0]!r}{more}"
    return None


def _districts(count: int) -> str:
    return f"{count} district" if count == 1 else f"{count} districts"


def cmd_import_districts(args: argparse.Namespace) -> int:
    # Imported here: pandas and shapely would slow every other command's start by a second.
    from sparcs_engage.energy import EnergyDataError, import_districts, load_districts

    data_dir = load_settings().data_dir
    folder = data_dir / "cities" / args.city
    if not CITY_ID.match(args.city) or not (folder / "city.toml").is_file():
        known = sorted(
            p.name for p in (data_dir / "cities").glob("*") if (p / "city.toml").is_file()
        )
        raise CommandError(
            f"unknown city {args.city!r}: there is no {folder / 'city.toml'} "
            f"(known: {', '.join(known) or 'none'})"
        )
    source = Path(args.file)
    target = folder / "districts.geojson"
    if args.dry_run:
        with tempfile.TemporaryDirectory() as tmp:
            scratch = Path(tmp) / target.name
            try:
                count = import_districts(
                    source, scratch, id_field=args.id_field, name_field=args.name_field
                )
            except EnergyDataError as exc:
                if exc.path != scratch:
                    raise
                # A problem found in the converted file: name the file it would have been.
                raise EnergyDataError(
                    target,
                    exc.code,
                    line=exc.line,
                    field=exc.field,
                    feature=exc.feature,
                    feature_id=exc.feature_id,
                    detail=exc.detail,
                ) from exc
            ids = [d.id for d in load_districts(scratch)]
        print(f"dry run: {_districts(count)} would be imported into {target}; nothing written")
    else:
        count = import_districts(source, target, id_field=args.id_field, name_field=args.name_field)
        ids = [d.id for d in load_districts(target)]
        print(f"imported {_districts(count)} into {target}")
    problem = _fit_problem(data_dir, folder, ids)
    if problem:
        path, text = problem
        print(
            f"sparcs-engage: warning: {text}; update {path.name} to the new district ids",
            file=sys.stderr,
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="sparcs-engage",
        description="SPARCS Engage: database, demo data, accounts and city data.",
    )
    parser.add_argument("--version", action="version", version=f"%(prog)s {__version__}")
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    db = commands.add_parser("db", help="database migrations (upgrade, current, check)")
    db.add_argument("action", choices=["upgrade", "current", "check"])
    db.add_argument("--revision", default="head", help="target revision for upgrade")
    db.set_defaults(func=cmd_db)

    demo = commands.add_parser("demo-data", help="load plausible demo data (idempotent)")
    demo.add_argument("--if-empty", action="store_true", help="only into an empty database")
    demo.add_argument("--respondents", type=int, default=300, help="survey respondents to make")
    demo.set_defaults(func=cmd_demo_data)

    user = commands.add_parser("user", help="staff and facilitator accounts")
    user_actions = user.add_subparsers(dest="action", required=True, metavar="ACTION")
    add = user_actions.add_parser("add", help="add an account (password asked twice)")
    add.add_argument("name")
    add.add_argument("--role", required=True, choices=ROLES)
    add.add_argument("--password-stdin", action="store_true", help="read the password from stdin")
    passwd = user_actions.add_parser("passwd", help="set a new password and lift a lockout")
    passwd.add_argument("name")
    passwd.add_argument("--password-stdin", action="store_true")
    remove = user_actions.add_parser("remove", help="remove an account")
    remove.add_argument("name")
    user_actions.add_parser("list", help="list accounts")
    user.set_defaults(func=cmd_user)

    cities = commands.add_parser("cities", help="list the cities and check their data files")
    cities.set_defaults(func=cmd_cities)

    districts = commands.add_parser(
        "import-districts",
        help="load a city's official district boundaries (GeoJSON, EPSG:4326)",
    )
    districts.add_argument("city", help="city id, a folder under data/cities/")
    districts.add_argument("file", help="the official GeoJSON FeatureCollection")
    districts.add_argument(
        "--id-field", required=True, help="the feature property holding the district id"
    )
    districts.add_argument(
        "--name-field", required=True, help="the feature property holding the district name"
    )
    districts.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    districts.set_defaults(func=cmd_import_districts)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CommandError, DatabaseError, ValueError) as exc:
        print(f"sparcs-engage: error: {exc}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
