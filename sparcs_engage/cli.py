# Over 500 lines because it is the one command line: a short function per command and its parser.
"""The `sparcs-engage` command: database, demo data, accounts and city data, for operators and
for cities that automate."""

from __future__ import annotations

import argparse
import getpass
import json
import os
import sys
import tempfile
from datetime import date, timedelta
from pathlib import Path

from sparcs_engage import __version__
from sparcs_engage.answer_export import FORMATS, SHAPES, ExportError, export_answers
from sparcs_engage.auth import (
    AccountError,
    audit,
    create_account,
    is_locked,
    list_accounts,
    remove_account,
    verify_audit_chain,
)
from sparcs_engage.auth import set_password as set_account_password
from sparcs_engage.cities import CITY_ID, load_cities, load_city
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
from sparcs_engage.i18n import LANGUAGES, SOURCE_LANGUAGE
from sparcs_engage.kpis import (
    CHANNELS,
    MIN_GROUP,
    KpiFilter,
    KpiFilterError,
    compute,
    filter_text,
    report_dict,
)
from sparcs_engage.models import ROLES
from sparcs_engage.privacy import delete_by_code, purge
from sparcs_engage.settings import load_settings


class CommandError(Exception):
    """A failure to report in one line, without a traceback."""


# Exit status of a command that failed with a one-line error (as argparse's usage errors).
ERROR_EXIT = 2
# A retention period longer than this is not a retention period (and would overflow a date).
MAX_RETENTION_DAYS = 36_500


def cmd_audit(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    with session_scope(engine) as session:
        result = verify_audit_chain(session=session)
    if result.broken_id is not None:
        raise CommandError(
            f"audit log broken at entry {result.broken_id}: {result.problem} "
            f"({result.entries - 1} entries before it are intact)"
        )
    print(f"audit log intact: {result.entries} entries")
    return 0


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
            settings = load_settings()
            with session_scope(engine) as session:
                for account in list_accounts(session=session):
                    paused = is_locked(
                        session=session,
                        username=account.username,
                        lockout=timedelta(minutes=settings.login_lockout_minutes),
                        max_failures=settings.login_max_failures,
                    )
                    locked = " (locked)" if paused else ""
                    print(f"{account.username}\t{account.role}{locked}")
    except AccountError as exc:
        raise CommandError(str(exc)) from exc
    return 0


def cmd_cities(args: argparse.Namespace) -> int:
    """List the cities and check each one's files: city.toml, the map data (texts in the
    city's languages, boundaries around the city's centre, indicators and sites naming only its
    districts) and the footprint plans."""
    from sparcs_engage.energy import check_city_files  # pandas, shapely: here, not at start
    from sparcs_engage.footprint import plans_problem

    data_dir = load_settings().data_dir
    registry = load_cities(data_dir)
    for city in registry.cities.values():
        name, languages = city.name(city.default_language), " ".join(city.languages)
        print(f"{city.id}\t{city.country}\t{name}\t{languages}\tpopulation {city.population}")
    errors = [*registry.errors, *check_city_files(data_dir, registry)]
    errors += filter(
        None, [plans_problem(c.folder, c.id, c.country) for c in registry.cities.values()]
    )
    for error in errors:
        print(f"error: {error}", file=sys.stderr)
    return ERROR_EXIT if errors else 0


def _missing_rows(indicators: Path, frame, district_ids: list[str]) -> str | None:
    """A warning when a district has no indicator rows (the map shows it without data)."""
    present = set(frame["district"])
    without = [d for d in district_ids if d not in present]
    if not without:
        return None
    more = f" (and {len(without) - 1} more)" if len(without) > 1 else ""
    return f"{indicators}: no rows for district {without[0]!r}{more}"


def _check_fit(
    data_dir: Path, indicators: Path, sites: Path, district_ids: list[str]
) -> str | None:
    """Raise EnergyDataError when indicators.csv or sites.toml names a district the new
    boundaries do not have (the app could not show the city); return a warning for districts
    without indicator rows."""
    from sparcs_engage.energy import load_indicator_registry, load_indicators, load_sites

    registry = load_indicator_registry(data_dir / "indicators.toml")
    frame = load_indicators(indicators, registry, district_ids)
    if sites.exists():
        load_sites(sites, district_ids)
    return _missing_rows(indicators, frame, district_ids)


def _districts(count: int) -> str:
    return f"{count} district" if count == 1 else f"{count} districts"


def cmd_import_districts(args: argparse.Namespace) -> int:
    # Imported here: pandas and shapely would slow every other command's start by a second.
    from sparcs_engage.energy import EnergyDataError, import_districts, load_districts
    from sparcs_engage.energy.districts import write_text_atomic

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
    city = load_city(folder)
    target = folder / "districts.geojson"
    indicators = Path(args.indicators) if args.indicators else folder / "indicators.csv"
    sites = Path(args.sites) if args.sites else folder / "sites.toml"
    with tempfile.TemporaryDirectory(dir=folder) as tmp:
        scratch = Path(tmp) / target.name
        try:
            count = import_districts(
                Path(args.file),
                scratch,
                id_field=args.id_field,
                name_field=args.name_field,
                center=city.center,
                languages=city.languages,
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
        # The scratch file has no city.toml beside it: name the city's languages.
        ids = [d.id for d in load_districts(scratch, city.languages)]
        try:
            warning = _check_fit(data_dir, indicators, sites, ids)
        except EnergyDataError as exc:
            raise CommandError(
                f"{exc}; nothing was written. Give files that fit the new district ids with "
                "--indicators and --sites"
            ) from exc
        if args.dry_run:
            print(f"dry run: {_districts(count)} would be imported into {target}; nothing written")
        else:
            # The data files first, the boundaries last: all were checked together above.
            for given, name in ((args.indicators, "indicators.csv"), (args.sites, "sites.toml")):
                if given:
                    write_text_atomic(folder / name, Path(given).read_text(encoding="utf-8"))
            os.replace(scratch, target)
            print(f"imported {_districts(count)} into {target}")
    if warning:
        print(f"sparcs-engage: warning: {warning}", file=sys.stderr)
    return 0


def _operator() -> str:
    """Who ran a command, for the audit log: the operating-system user."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):
        return "cli"


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a date (YYYY-MM-DD): {value}") from exc


def _kpi_filter(args: argparse.Namespace) -> KpiFilter:
    channels = tuple(args.channel) if args.channel else CHANNELS
    try:
        return KpiFilter(args.city, args.district, args.start, args.end, channels)
    except KpiFilterError as exc:
        raise CommandError(str(exc)) from exc


def _format_kpi(value: dict) -> str:
    if value["status"] != "ok":
        shown = {
            "suppressed": f"(fewer than {MIN_GROUP})",
            "small_group": f"(a group under {MIN_GROUP})",
            "no_data": "(no data)",
        }.get(value["status"], "(not by district)")
    elif value["unit"] == "share":
        shown = f"{value['value'] * 100:.1f} %"
    else:
        shown = f"{value['value']:.2f}".rstrip("0").rstrip(".")
        if value["top"]:
            shown += f" ({value['top']})"
    n = "–" if value["n"] is None else value["n"]
    return f"{value['id']:<24} {shown:<22} n={n:<7} {value['unit']}"


def cmd_kpis(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    flt = _kpi_filter(args)
    with session_scope(engine) as session:
        try:
            report = compute(session, flt)
        except KpiFilterError as exc:
            raise CommandError(str(exc)) from exc
        data = report_dict(report, args.lang)
        audit(
            session=session,
            actor=_operator(),
            action="export",
            detail=f"kpi report ({'json' if args.json else 'table'}), {filter_text(flt)}",
        )
    if args.json:
        print(json.dumps(data, ensure_ascii=False, indent=2))
    else:
        for value in data["kpis"]:
            print(_format_kpi(value))
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    flt = _kpi_filter(args)
    out_path = Path(args.out)
    if out_path.is_dir():
        raise CommandError(f"{out_path} is a folder: give the name of the file to write")
    if not out_path.parent.is_dir():
        raise CommandError(f"no such folder: {out_path.parent}")
    # Written next to the target and moved into place inside the transaction that audits it:
    # a failed export leaves no half file, and only an export that landed is in the log.
    part = landed = None
    try:
        with (
            tempfile.NamedTemporaryFile(dir=out_path.parent, delete=False, suffix=".part") as tmp,
            session_scope(engine) as session,
        ):
            part = Path(tmp.name)
            result = export_answers(session, flt, fmt=args.format, shape=args.shape, out=tmp)
            audit(
                session=session,
                actor=_operator(),
                action="export",
                detail=f"{args.format} {args.shape}, {filter_text(flt)}: "
                f"{result.respondents} respondent(s), {result.rows} row(s)",
            )
            session.flush()
            tmp.close()
            part.replace(out_path)
            part, landed = None, out_path
        landed = None  # committed: the file and its log entry stand together
    except ExportError as exc:
        raise CommandError(str(exc)) from exc
    except OSError as exc:
        raise CommandError(f"cannot write {out_path}: {exc.strerror or exc}") from exc
    finally:
        if part is not None:
            part.unlink(missing_ok=True)
        if landed is not None:  # moved, but its log entry did not commit: take it back
            landed.unlink(missing_ok=True)
    print(f"wrote {result.rows} rows ({result.respondents} respondents) to {out_path}")
    return 0


def cmd_delete_respondent(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    with session_scope(engine) as session:
        deleted = delete_by_code(session=session, code=args.code, actor=_operator())
    if deleted is None:
        raise CommandError("no respondent has this code (nothing deleted)")
    print(
        f"deleted: {deleted.survey_responses} survey response(s), "
        f"{deleted.footprints} footprint result(s)"
    )
    return 0


def cmd_results(args: argparse.Namespace) -> int:
    """results rebuild: recompute the running totals that /results reads from the answers."""
    from sparcs_engage.surveys.totals import rebuild

    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    if args.city and args.city not in load_cities(load_settings().data_dir):
        raise CommandError(f"unknown city {args.city!r} (see `sparcs-engage cities`)")
    with session_scope(engine) as session:
        rows = rebuild(session, city=args.city)
    print(f"results rebuilt: {rows} row(s) of totals for {args.city or 'every city'}")
    return 0


def cmd_purge(args: argparse.Namespace) -> int:
    engine = get_engine(load_settings().database_url)
    check_schema(engine)
    if not 1 <= args.older_than <= MAX_RETENTION_DAYS:
        raise CommandError(f"--older-than must be between 1 and {MAX_RETENTION_DAYS} days")
    with session_scope(engine) as session:
        purged = purge(
            session=session,
            older_than_days=args.older_than,
            actor=_operator(),
            dry_run=args.dry_run,
        )
    verb = "would delete" if args.dry_run else "deleted"
    print(
        f"{verb} {purged.respondents} respondent(s) and {purged.workshops} workshop(s) "
        f"from before {purged.before:%Y-%m-%d}"
    )
    return 0


def _filter_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--city", required=True, help="city id (see `sparcs-engage cities`)")
    parser.add_argument("--district", help="district id")
    parser.add_argument("--from", dest="start", type=_date, help="first day, YYYY-MM-DD")
    parser.add_argument("--to", dest="end", type=_date, help="last day, YYYY-MM-DD")
    parser.add_argument(
        "--channel", action="append", choices=CHANNELS, help="only this channel (repeatable)"
    )


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
    districts.add_argument(
        "--indicators", help="an indicators.csv for the new ids, checked and written with them"
    )
    districts.add_argument(
        "--sites", help="a sites.toml for the new ids, checked and written with them"
    )
    districts.add_argument("--dry-run", action="store_true", help="check and report, write nothing")
    districts.set_defaults(func=cmd_import_districts)

    kpis = commands.add_parser("kpis", help="the social KPIs of a city (as on /staff)")
    _filter_arguments(kpis)
    kpis.add_argument("--json", action="store_true", help="as JSON, with trend and breakdown")
    kpis.add_argument("--lang", choices=LANGUAGES, default=SOURCE_LANGUAGE, help="names' language")
    kpis.set_defaults(func=cmd_kpis)

    export = commands.add_parser("export", help="export the survey answers to a file (audited)")
    _filter_arguments(export)
    export.add_argument("--format", choices=FORMATS, default="csv")
    export.add_argument("--shape", choices=SHAPES, default="long")
    export.add_argument("--out", required=True, help="file to write")
    export.set_defaults(func=cmd_export)

    delete = commands.add_parser(
        "delete-respondent", help="delete everything a resident gave, by their code (audited)"
    )
    delete.add_argument("code", help="the resident's code, e.g. K7QM-4TXA")
    delete.set_defaults(func=cmd_delete_respondent)

    purge_parser = commands.add_parser(
        "purge", help="retention: delete respondents and workshops older than DAYS (audited)"
    )
    purge_parser.add_argument("--older-than", type=int, required=True, metavar="DAYS")
    purge_parser.add_argument("--dry-run", action="store_true", help="count, delete nothing")
    purge_parser.set_defaults(func=cmd_purge)

    results_parser = commands.add_parser(
        "results", help="the running totals /results reads (rebuild: recompute from the answers)"
    )
    results_parser.add_argument("action", choices=["rebuild"])
    results_parser.add_argument("--city", help="only this city (default: every city)")
    results_parser.set_defaults(func=cmd_results)

    audit_parser = commands.add_parser("audit", help="the audit log")
    audit_parser.add_argument(
        "action", choices=["verify"], help="verify: check the hash chain, name the first break"
    )
    audit_parser.set_defaults(func=cmd_audit)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except (CommandError, DatabaseError, ValueError) as exc:
        print(f"sparcs-engage: error: {exc}", file=sys.stderr)
        return ERROR_EXIT
    except BrokenPipeError:
        # The reader went away (`kpis | head`): say so once, and keep Python from printing a
        # second error while flushing the closed pipe at exit.
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        print("sparcs-engage: error: the output was closed before it was complete", file=sys.stderr)
        return ERROR_EXIT
    except KeyboardInterrupt:
        return 130
