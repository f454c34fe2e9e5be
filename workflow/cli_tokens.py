"""`thidua tokens create|list|revoke`: API tokens from the command line (the first one of an
installation, before anyone can sign in to make one in the pages).

A token is printed once when created and never again: only its hash is kept.
"""

from __future__ import annotations

import datetime as dt

import click

from workflow.bootstrap import Services
from workflow.cli import _actor, _services, cli, friendly_errors
from workflow.domain.roles import Actor
from workflow.errors import NotFound
from workflow.services import api_tokens, people


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
@click.option("--days", type=click.IntRange(1, api_tokens.MAX_DAYS),
              default=api_tokens.DEFAULT_DAYS, show_default=True,
              help="Or: how many days from today it works.")
@click.option("--as", "by", help="The admin doing it (kept in the history of admin changes).")
@click.pass_context
@friendly_errors
def tokens_create(ctx: click.Context, username: str, name: str,
                  expires_on: dt.datetime | None, days: int, by: str | None) -> None:
    """Create a token for USERNAME and print it once."""
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
    services = _services(ctx)
    try:
        done = api_tokens.revoke(services.uow(), services.clock, token_id, by=_by(ctx, by))
    except NotFound:
        raise NotFound(f"no API token with id {token_id} (see `thidua tokens list`)") from None
    click.echo(f"token {token_id} revoked" if done else f"token {token_id} was already revoked")
