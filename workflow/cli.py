"""The `thidua` command line: validate, diagram, database, audit, repair and migrate."""

from __future__ import annotations

import datetime as dt
import functools
import signal
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

import click

from workflow.bootstrap import Services, bootstrap
from workflow.config import load_settings
from workflow.domain.roles import Actor
from workflow.errors import DefinitionError, DefinitionErrors, NotFound, WorkflowError

F = TypeVar("F", bound=Callable[..., Any])


def friendly_errors(func: F) -> F:
    """Print a WorkflowError as its message and exit 1, never as a stack trace."""

    @functools.wraps(func)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return func(*args, **kwargs)
        except DefinitionErrors as exc:
            for err in exc.errors:
                click.echo(str(err), err=True)
            click.echo(f"{len(exc.errors)} error(s)", err=True)
            sys.exit(1)
        except WorkflowError as exc:
            click.echo(f"error: {exc}", err=True)
            sys.exit(1)

    return wrapper  # type: ignore[return-value]


def _services(ctx: click.Context, *, migrated: bool = True) -> Services:
    if ctx.obj is None:
        ctx.obj = bootstrap(load_settings())
        ctx.call_on_close(ctx.obj.close)
    services: Services = ctx.obj
    if migrated:
        _require_schema(services)
    return services


def _require_schema(services: Services) -> None:
    from workflow.adapters import migrate

    if migrate.pending(services.engine):
        raise WorkflowError(
            f"the database {services.engine.url.render_as_string()} is not at the current "
            "schema: run `thidua db upgrade` first")


def _actor(services: Services, username: str) -> Actor:
    from workflow.services.people import actor_by_username

    actor = actor_by_username(services.uow(), username)
    if actor is None:
        raise NotFound(f"no active user named '{username}'")
    return actor


@click.group()
def cli() -> None:
    """thidua: workflows of emulation and commendation (thi đua – khen thưởng)."""


# --- definitions ----------------------------------------------------------------------------


@cli.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@friendly_errors
def validate(paths: tuple[Path, ...]) -> None:
    """Check definition files and criteria tables (default: the definitions folder);
    exit 1 listing every error."""
    from workflow.bootstrap import default_registry
    from workflow.definitions.calendar_loader import load_calendar_paths
    from workflow.definitions.criteria_loader import load_criteria_paths
    from workflow.definitions.rulesets_loader import load_ruleset_paths
    from workflow.definitions.workflow_loader import load_paths
    from workflow.domain.criteria import CriteriaTable

    settings = load_settings()
    targets = list(paths) or [settings.definitions_dir]
    missing = [p for p in targets if not p.exists()]
    if missing:
        raise NotFound(", ".join(f"{p}: no such file or folder" for p in missing))
    criteria = [p / "criteria" for p in targets if (p / "criteria").is_dir()]
    holidays = [p / "holidays" for p in targets if (p / "holidays").is_dir()]
    rule_dirs = [p / "rules" for p in targets if (p / "rules").is_dir()]
    errors: list[DefinitionError] = []
    tables: dict[str, CriteriaTable] = {}
    try:
        tables = load_criteria_paths(criteria, base=Path.cwd()) if criteria else {}
    except DefinitionErrors as exc:
        errors += exc.errors
    rulebook = None
    try:
        rulebook = load_ruleset_paths(rule_dirs, base=Path.cwd()) if rule_dirs else None
    except DefinitionErrors as exc:
        errors += exc.errors
    calendar = None
    try:
        calendar = load_calendar_paths(holidays, base=Path.cwd()) if holidays else None
    except DefinitionErrors as exc:
        errors += exc.errors
    try:
        specs = load_paths(targets, default_registry(), base=Path.cwd())
    except DefinitionErrors as exc:
        raise DefinitionErrors(errors + exc.errors) from None
    if errors:
        raise DefinitionErrors(errors)
    for code in sorted(tables):
        table = tables[code]
        click.echo(f"ok  {table.source_path}: criteria table {code} ({len(table.groups)} groups, "
                   f"{len(table.criteria)} criteria, {table.scale} points)")
    for rs in rulebook.sets if rulebook else ():
        unverified = len(rs.unverified())
        click.echo(f"ok  {rs.source_path}: rule set {rs.code} v{rs.version} ({rs.period}, "
                   f"{len(rs.titles)} titles, {unverified} values not yet verified)")
    for y in sorted(calendar.years.values(), key=lambda c: c.year) if calendar else ():
        note = "" if y.verified else ", not yet checked against the official notice"
        click.echo(f"ok  {y.source_path}: holidays {y.year} ({len(y.holidays)} days off{note})")
    for name in sorted(specs):
        spec = specs[name]
        click.echo(f"ok  {spec.source_path}: {name} ({len(spec.states)} states, "
                   f"{len(spec.transitions)} transitions)")


@cli.command()
@click.argument("name")
@click.option("--version", "version", type=int, help="Definition version (default: newest).")
@click.option("--instance", "instance_id", type=int, help="Highlight this instance's state.")
@click.option("--locale", default="vi", show_default=True, type=click.Choice(["vi", "en"]))
@click.option("-o", "--output", type=click.Path(path_type=Path), required=True)
@click.pass_context
@friendly_errors
def diagram(
    ctx: click.Context, name: str, version: int | None, instance_id: int | None, locale: str,
    output: Path,
) -> None:
    """Draw a workflow as SVG (or DOT when the file ends in .dot)."""
    from workflow.engine.diagram import render_svg, to_dot

    services = _services(ctx)
    current = None
    if instance_id is not None:
        inst = services.workflows.get(instance_id)
        if inst.workflow != name:
            raise NotFound(f"instance {instance_id} is a {inst.workflow}, not a {name}")
        wf = services.catalog.compiled(inst.definition_id)
        current = inst.state
    elif version is not None:
        wf = services.catalog.version(name, version)
    else:
        wf = services.catalog.latest(name)
    dot = to_dot(wf.spec, current=current, locale=locale)
    if output.suffix == ".dot":
        output.write_text(dot, encoding="utf-8")
    else:
        output.write_bytes(render_svg(dot))
    click.echo(f"wrote {output} ({name} version {wf.version})")


@cli.group()
def definitions() -> None:
    """Published definition versions."""


@definitions.command("sync")
@click.pass_context
@friendly_errors
def definitions_sync(ctx: click.Context) -> None:
    """Validate the definitions folder and publish a new version of each changed definition
    and criteria table (definitions/criteria); an unchanged one keeps its version."""
    services = _services(ctx)
    for r in services.sync_definitions(author="cli"):
        click.echo(f"{'new' if r.created else 'same'}  {r.name} version {r.version}")


@definitions.command("list")
@click.pass_context
@friendly_errors
def definitions_list(ctx: click.Context) -> None:
    """List every workflow with its versions."""
    services = _services(ctx)
    for name in services.catalog.names():
        rows = services.catalog.versions(name)
        versions = ", ".join(f"v{r['version']} ({r['created_at']:%Y-%m-%d})" for r in rows)
        click.echo(f"{name}: {versions}")


# --- database and audit --------------------------------------------------------------------


@cli.group()
def db() -> None:
    """The database schema."""


@db.command("upgrade")
@click.pass_context
@friendly_errors
def db_upgrade(ctx: click.Context) -> None:
    """Create or migrate the database schema to the newest version."""
    services = _services(ctx, migrated=False)
    services.upgrade_schema()
    click.echo(f"database is up to date: {services.engine.url.render_as_string()}")


@cli.group()
def audit() -> None:
    """The tamper-evident history."""


@audit.command("verify")
@click.pass_context
@friendly_errors
def audit_verify(ctx: click.Context) -> None:
    """Check every history chain; exit 1 listing each altered, inserted or removed entry."""
    from workflow.services.audit import verify

    services = _services(ctx)
    report = verify(services.uow(), services.chain)
    for problem in report.problems:
        click.echo(str(problem), err=True)
    click.echo(f"{report.instances} instances, {report.entries} history entries, "
               f"{len(report.problems)} problem(s)")
    if not report.ok:
        sys.exit(1)


@audit.command("reseal")
@click.option("--old-key-file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              required=True, help="A file holding the chain key the history was sealed with.")
@click.option("--as", "username", required=True, help="The admin doing it.")
@click.option("--reason", required=True, help="Why; kept in every chain.")
@click.pass_context
@friendly_errors
def audit_reseal(ctx: click.Context, old_key_file: Path, username: str, reason: str) -> None:
    """After rotating audit.chain_key: verify every chain with the old key, rehash it with the
    current one and record the re-seal in each chain. Stop the web app and scheduler first."""
    from workflow.engine.hashing import HistoryChain
    from workflow.services.audit import reseal

    services = _services(ctx)
    old = HistoryChain(old_key_file.read_text(encoding="utf-8").strip())
    chains, entries = reseal(services.uow(), services.clock, old, services.chain,
                             _actor(services, username), reason)
    click.echo(f"re-sealed {chains} chains ({entries} entries) with the current key; "
               "each records the re-seal")


# --- admin repair and migration --------------------------------------------------------------


def _repair_command(action: str, help_text: str) -> None:
    @cli.command(action, help=help_text)
    @click.argument("instance_id", type=int)
    @click.option("--as", "username", required=True, help="The admin doing it.")
    @click.option("--reason", required=True, help="Why; kept in the history.")
    @click.option("--state", help="With move: the state to put the instance in.")
    @click.pass_context
    @friendly_errors
    def command(
        ctx: click.Context, instance_id: int, username: str, reason: str, state: str | None
    ) -> None:
        services = _services(ctx)
        actor = _actor(services, username)
        wf = services.workflows
        if action == "move":
            if not state:
                raise click.UsageError("move needs --state")
            inst = wf.move_to(instance_id, state, actor, reason)
        else:
            inst = getattr(wf, action)(instance_id, actor, reason)
        click.echo(
            f"{inst.workflow} {inst.id}: {inst.state} ({inst.status}), version {inst.version}"
        )


_repair_command("suspend", "Suspend an instance (admin, with a reason).")
_repair_command("resume", "Resume a suspended instance (admin, with a reason).")
_repair_command("cancel", "Cancel an instance and its running children (admin, with a reason).")
_repair_command("move", "Move an instance to a named state (admin, with a reason).")


@cli.command()
@click.argument("name")
@click.option("--to", "to_version", type=int, required=True, help="Target version.")
@click.option("--from", "from_version", type=int, help="Only instances on this version.")
@click.option("--map", "mappings", multiple=True, metavar="OLD=NEW", help="State mapping.")
@click.option("--dry-run", is_flag=True, help="Report what would move where; change nothing.")
@click.option("--as", "username", help="The admin doing it (not needed for a dry run).")
@click.option("--reason", default="", help="Why; kept in each instance's history.")
@click.option("--campaign", "campaign_id", type=int,
              help="Only this campaign (its id) and every item under it.")
@click.option("--cluster", "cluster_code", help="Only the items of this cluster (its code; "
              "with --year, as clusters are formed each year).")
@click.option("--year", type=int, help="Only the items of this year.")
@click.pass_context
@friendly_errors
def migrate(
    ctx: click.Context, name: str, to_version: int, from_version: int | None,
    mappings: tuple[str, ...], dry_run: bool, username: str | None, reason: str,
    campaign_id: int | None, cluster_code: str | None, year: int | None,
) -> None:
    """Move running instances of a workflow to a newer version (all of them, or only those of a
    campaign, a cluster or a year); --dry-run counts them first."""
    from workflow.services import migration, organisations
    from workflow.services.ports import MigrationScope

    mapping = {}
    for item in mappings:
        old, sep, new = item.partition("=")
        if not sep or not old.strip() or not new.strip():
            raise click.BadParameter(f"'{item}' is not OLD=NEW", param_hint="--map")
        mapping[old.strip()] = new.strip()
    services = _services(ctx)
    cluster_id = None
    if cluster_code is not None:
        if year is None:
            raise click.UsageError("--cluster needs --year (a cluster is formed each year)")
        cluster_id = organisations.find_cluster(services.uow(), cluster_code, year).id
    if campaign_id is not None:
        campaign = services.workflows.get(campaign_id)
        if campaign.workflow != "campaign":
            raise click.BadParameter(f"item {campaign_id} is a {campaign.workflow}, not a "
                                     "campaign", param_hint="--campaign")
    scope = MigrationScope(campaign_id, cluster_id, year)
    if dry_run:
        plan = migration.plan(services.workflows, name, to_version, mapping, from_version,
                              scope)
    else:
        if not username:
            raise click.UsageError("a migration needs --as ADMIN")
        actor = _actor(services, username)
        plan = migration.migrate(
            services.workflows, name, to_version, mapping, actor, reason, from_version, scope
        )
    for line in plan.summary():
        click.echo(line)
    for problem in plan.problems:
        click.echo(f"refused: {problem}", err=True)
    verb = "would move" if dry_run else "moved"
    where = ", ".join(f"{label} {value}" for label, value in (
        ("campaign", campaign_id), ("cluster", cluster_code), ("year", year)) if value)
    click.echo(f"{verb} {len(plan.moves)} instance(s) of {name} to version {to_version}"
               + (f" ({where})" if where else ""))
    if not plan.ok:
        sys.exit(1)


# --- organisations ---------------------------------------------------------------------------


@cli.group()
def rotation() -> None:
    """Yearly rotation of a cluster's leader and deputy (luân phiên cụm trưởng)."""


@rotation.command("propose")
@click.option("--cluster", "code", required=True, help="Cluster code, e.g. KNC.")
@click.option("--year", type=int, required=True, help="The year that is ending.")
@click.option("--as", "username", required=True)
@click.pass_context
@friendly_errors
def rotation_propose(ctx: click.Context, code: str, year: int, username: str) -> None:
    """Propose next year's leader and deputy by the rotation rule."""
    from workflow.services import organisations as orgs

    services = _services(ctx)
    cluster = orgs.find_cluster(services.uow(), code, year)
    proposal = orgs.propose_rotation(services.uow(), services.clock, cluster.id,
                                     _actor(services, username))
    names = {u: _unit_name(services, u) for u in (proposal.leader_unit_id,
                                                  proposal.deputy_unit_id)}
    click.echo(f"proposal {proposal.id} for {proposal.next_year}: leader "
               f"{names[proposal.leader_unit_id]}, deputy {names[proposal.deputy_unit_id]}")


@rotation.command("decide")
@click.argument("proposal_id", type=int)
@click.option("--confirm/--reject", required=True)
@click.option("--as", "username", required=True)
@click.pass_context
@friendly_errors
def rotation_decide(ctx: click.Context, proposal_id: int, confirm: bool, username: str) -> None:
    """The council office confirms or rejects a rotation proposal."""
    from workflow.services import organisations as orgs

    services = _services(ctx)
    cluster_id = orgs.decide_rotation(services.uow(), services.clock, proposal_id,
                                      _actor(services, username), confirm=confirm)
    click.echo(f"proposal {proposal_id} " + (
        f"confirmed: cluster {cluster_id} set for next year" if confirm else "rejected"))


def _unit_name(services: Services, unit_id: int) -> str:
    from workflow.services import people

    return people.unit_name(services.uow(), unit_id)


@cli.command()
@click.option("--campaign", "campaign_id", type=int, required=True)
@click.pass_context
@friendly_errors
def ranking(ctx: click.Context, campaign_id: int) -> None:
    """Print the ranking of a campaign's final scores (bảng xếp hạng)."""
    from workflow.services import year

    result = year.ranking(_services(ctx).workflows, campaign_id)
    click.echo(f"{'#':>3}  {'unit':40} {'criteria':>9} {'bonus':>6} {'penalty':>8} "
               f"{'total':>7}  gaps")
    for s in result.standings:
        click.echo(f"{s.rank:>3}  {s.unit_name[:40]:40} {s.base:>9} {s.bonus:>6} "
                   f"{s.penalty:>8} {s.total:>7}  {s.gap_flags}")
    if result.pending_units:
        click.echo(f"not final yet: {len(result.pending_units)} unit(s)")


@cli.command()
@click.pass_context
@friendly_errors
def public(ctx: click.Context) -> None:
    """What anyone may read: dossiers under public posting (open to objections) and announced
    results."""
    from workflow.services import dossiers

    listing = dossiers.public_listing(_services(ctx).workflows)
    if not listing:
        click.echo("nothing is published yet")
    for d in listing:
        status = "đang công khai, nhận ý kiến" if d.objections_open else f"đã công bố ({d.outcome})"
        click.echo(f"{d.id:>5}  {d.year}  {d.title} – {d.unit}: {status}")


# --- scheduler ------------------------------------------------------------------------------


@cli.command()
@click.option("--now", "now_text", metavar="YYYY-MM-DDTHH:MM",
              help="Sweep as of this local time (settings app.timezone) instead of the "
                   "clock's.")
@click.option("--batch", type=int, help="Rows per transaction.")
@click.pass_context
@friendly_errors
def sweep(ctx: click.Context, now_text: str | None, batch: int | None) -> None:
    """Run one sweep of the due deadlines: reminders, escalations and timeouts."""
    from workflow.clock import FakeClock

    settings = load_settings()
    clock = None
    if now_text:
        try:
            moment = dt.datetime.fromisoformat(now_text)
        except ValueError:
            raise click.BadParameter(f"{now_text!r} is not YYYY-MM-DDTHH:MM",
                                     param_hint="--now") from None
        if moment.tzinfo is None:
            moment = moment.replace(tzinfo=settings.tz)
        clock = FakeClock(moment, settings.tz)
    services = bootstrap(settings, clock=clock)
    ctx.call_on_close(services.close)
    _require_schema(services)
    sweeper = services.sweeper()
    if batch:
        sweeper.batch_size = batch
    report = sweeper.sweep()
    click.echo(f"sweep at {services.clock.local():%Y-%m-%d %H:%M} local: {report}")
    for note in report.notes:
        click.echo(f"  {note}", err=True)


@cli.command()
@click.pass_context
@friendly_errors
def scheduler(ctx: click.Context) -> None:
    """Run the background job in the foreground: lead, sweep and deliver every interval."""
    from workflow.adapters.background import start_background

    services = _services(ctx)
    interval = services.settings.scheduler.sweep_interval_seconds
    click.echo(f"sweeping every {interval} s (Ctrl+C to stop)")

    def tick() -> None:
        report = services.tick()
        if report is not None and report.processed:
            click.echo(f"{services.clock.local():%H:%M:%S} {report}")

    # SIGTERM (from `thidua serve`, systemd, docker) ends it as Ctrl+C does: cleanly, saying so
    signal.signal(signal.SIGTERM, _exit_on_signal)
    try:
        start_background(tick, interval, blocking=True)
    except (KeyboardInterrupt, SystemExit):
        click.echo("stopped")


def _exit_on_signal(signum: int, frame: object) -> None:
    raise SystemExit(0)


# --- backup and restore ----------------------------------------------------------------------


def _echo_counts(counts: dict[str, int]) -> None:
    for table, rows in sorted(counts.items()):
        click.echo(f"  {table:<28} {rows:>9}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.pass_context
@friendly_errors
def backup(ctx: click.Context, file: Path) -> None:
    """Back up the database to FILE (SQLite: online backup; PostgreSQL: pg_dump), with
    FILE.manifest.json: row counts, history chain check, schema revision and SHA-256."""
    from workflow.services import backup as backups

    services = _services(ctx, migrated=False)  # a backup before `db upgrade` is the point
    report = backups.backup(services, file)
    _echo_counts(report.counts)
    history = report.history
    for problem in history.problems:
        click.echo(f"warning: history chain: {problem}", err=True)
    if history.problems:
        click.echo(f"warning: backed up a database whose history chain has "
                   f"{len(history.problems)} problem(s)", err=True)
    click.echo(f"backed up {services.engine.url.render_as_string()} to {report.path}: "
               f"{len(report.counts)} tables, {report.rows} rows, {history.instances} instances, "
               f"{history.entries} history entries, {len(history.problems)} problem(s); "
               f"manifest {report.manifest_path}")


@cli.command()
@click.argument("file", type=click.Path(path_type=Path))
@click.option("--yes", is_flag=True, help="Replace the data without asking.")
@click.pass_context
@friendly_errors
def restore(ctx: click.Context, file: Path, yes: bool) -> None:
    """Replace ALL data of the database with the backup FILE, then verify the row counts and
    the history chain against FILE.manifest.json (exit 1 when they differ). Stop the web app
    and the scheduler first."""
    from workflow.services import backup as backups

    services = _services(ctx, migrated=False)
    manifest = backups.check(services, file)
    target = services.engine.url.render_as_string()
    if not yes:
        click.confirm(f"Replace all data in {target} with the backup {file} made "
                      f"{manifest.created_at}?", abort=True)
    try:
        report = backups.restore(services, file)
    except backups.RestoreFailed as exc:
        _echo_counts(exc.report.counts)
        raise
    _echo_counts(report.counts)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(f"restored {file} into {target}: {len(report.counts)} tables, {report.rows} rows, "
               f"{report.history.instances} instances, {report.history.entries} history "
               "entries: verified")


# --- users ------------------------------------------------------------------------------------


@cli.group()
def users() -> None:
    """People who sign in."""


@users.command("create-admin")
@click.argument("username")
@click.option("--full-name", default="Quản trị hệ thống", show_default=True,
              help="The name shown on the pages.")
@click.option("--email", default=None, help="Where notifications go (optional).")
@click.pass_context
@friendly_errors
def users_create_admin(ctx: click.Context, username: str, full_name: str,
                       email: str | None) -> None:
    """Create the first administrator of an empty installation. The password is asked twice,
    or read from the environment variable THIDUA_ADMIN_PASSWORD (for automation)."""
    import os

    from workflow.services import people

    services = _services(ctx)
    password = os.environ.get(ADMIN_PASSWORD_ENV) or ""
    if not password:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    user_id = people.create_admin(services.uow(), username, full_name, password, email=email)
    click.echo(f"administrator '{username.strip()}' created (user {user_id}); sign in at "
               f"{services.settings.app.base_url or 'the web app'}")


ADMIN_PASSWORD_ENV = "THIDUA_ADMIN_PASSWORD"


# --- API tokens: the first one of an installation, before anyone can sign in to make one --------
# A token is printed once when created and never again: only its hash is kept.


@cli.group()
def tokens() -> None:
    """API tokens: create (shown once), list, revoke."""


def _by(ctx: click.Context, username: str | None) -> Actor | None:
    """The admin recorded in the history of admin changes (None: 'the command line')."""
    return None if username is None else _actor(_services(ctx), username)


@tokens.command("create")
@click.argument("username")
@click.option("--name", required=True, help="What the token is for, e.g. the client using it.")
@click.option("--expires", "expires_on", type=click.DateTime(["%Y-%m-%d", "%d/%m/%Y"]),
              help="The last day it works (YYYY-MM-DD or DD/MM/YYYY).")
@click.option("--days", type=click.IntRange(1, 730), default=90, show_default=True,
              help="Or: how many days from today it works.")
@click.option("--as", "by", help="The admin doing it (kept in the history of admin changes).")
@click.pass_context
@friendly_errors
def tokens_create(ctx: click.Context, username: str, name: str,
                  expires_on: dt.datetime | None, days: int, by: str | None) -> None:
    """Create a token for USERNAME and print it once (it works at most 730 days)."""
    from workflow.services import api_tokens, people

    services = _services(ctx)
    user = people.user_id(services.uow(), username)
    last_day = (expires_on.date() if expires_on is not None
                else services.clock.today() + dt.timedelta(days=days))
    token = api_tokens.create_token(services.uow(), services.clock, user, name,
                                    expires_on=last_day, by=_by(ctx, by))
    click.echo(token)
    click.echo(f"token '{name.strip()}' of '{username}' works through {last_day:%d/%m/%Y}; "
               "it is shown only now: keep it in a safe place", err=True)


@tokens.command("list")
@click.option("--user", "username", help="Only this user's tokens.")
@click.pass_context
@friendly_errors
def tokens_list(ctx: click.Context, username: str | None) -> None:
    """List tokens (never the tokens themselves): id, owner, name, dates and state."""
    from workflow.services import api_tokens, people

    services = _services(ctx)
    if username is not None:
        uid = people.user_id(services.uow(), username)
        found = [api_tokens.TokenInfo(t.id, t.user_id, t.name, t.created_at, t.last_used_at,
                                      t.revoked_at, t.expires_at, username)
                 for t in api_tokens.tokens_of(services.uow(), uid)]
    else:
        found = api_tokens.every_token(services.uow())
    now = services.clock.now()
    labels = {"live": "active", "expired": "expired", "revoked": "revoked"}
    click.echo("id\tuser\tname\tcreated\tlast used\texpires\tstate")
    for t in found:
        click.echo("\t".join((
            str(t.id), t.username, t.name, _day(services, t.created_at),
            _day(services, t.last_used_at) or "never",
            _day(services, t.expires_at - dt.timedelta(seconds=1)) if t.expires_at else "never",
            labels[t.state(now)])))
    click.echo(f"{len(found)} token(s)", err=True)


def _day(services: Services, moment: dt.datetime | None) -> str:
    return "" if moment is None else f"{services.clock.local(moment):%d/%m/%Y}"


@tokens.command("revoke")
@click.argument("token_id", type=int)
@click.option("--as", "by", help="The admin doing it (kept in the history of admin changes).")
@click.pass_context
@friendly_errors
def tokens_revoke(ctx: click.Context, token_id: int, by: str | None) -> None:
    """Stop token TOKEN_ID from working, for good."""
    from workflow.services import api_tokens

    services = _services(ctx)
    try:
        done = api_tokens.revoke(services.uow(), services.clock, token_id, by=_by(ctx, by))
    except NotFound:
        raise NotFound(f"no API token with id {token_id} (see `thidua tokens list`)") from None
    click.echo(f"token {token_id} revoked" if done else f"token {token_id} was already revoked")


# --- demo ------------------------------------------------------------------------------------


@cli.command()
@click.option("--reset", is_flag=True, help="Delete the SQLite database first.")
@click.pass_context
@friendly_errors
def demo(ctx: click.Context, reset: bool) -> None:
    """Create the schema, publish the definitions and seed the demo bloc."""
    from workflow import demo as demo_module

    settings = load_settings()
    if reset:
        demo_module.delete_sqlite_database(settings.database_url)
    services = _services(ctx, migrated=False)
    demo_module.run(services, echo=click.echo)


def main() -> None:
    cli(prog_name="thidua")


if __name__ == "__main__":
    main()
