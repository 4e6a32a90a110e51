"""`steward users`: staff accounts, managed by the operator who holds the key file."""

from __future__ import annotations

import json
from typing import Annotated

import typer
from rich.table import Table

from steward.cli.runtime import (
    console,
    err_console,
    iso,
    load_settings,
    plain,
    read_password,
    unit_of_work,
)
from steward.core import auth, clock, keyfile
from steward.core.crypto import FileKeyring
from steward.core.permissions import Actor, Role

app = typer.Typer(
    help=(
        "Staff accounts: create, list, deactivate, reset passwords, unlock, two-factor, "
        "change roles and decide role grants."
    ),
    no_args_is_help=True,
)

Username = Annotated[str, typer.Option("--username", "-u", help="The account's username.")]
PasswordStdin = Annotated[
    bool,
    typer.Option(
        "--password-stdin",
        help="Read the password from one line of standard input instead of prompting.",
    ),
]


@app.command()
def create(
    username: Username,
    role: Annotated[Role, typer.Option("--role", "-r", help="The account's role.")],
    team: Annotated[
        str | None, typer.Option("--team", "-t", help="Team, for managers and caseworkers.")
    ] = None,
    password_stdin: PasswordStdin = False,
) -> None:
    """Create a staff account. The password is asked for twice, hidden, unless --password-stdin."""
    password = read_password(from_stdin=password_stdin)
    with unit_of_work() as db:
        user = auth.create_user(
            db, Actor.system(), username=username, role=role, password=password, team=team
        )
        user_id = user.id
    console.print(plain(f"Created account {username} (id {user_id}, role {role.value})."))


@app.command("list")
def list_(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array instead of a table.")
    ] = False,
) -> None:
    """List staff accounts with role, team, status, two-factor and last sign-in."""
    now = clock.now()
    with unit_of_work() as db:
        rows = [
            {
                "id": user.id,
                "username": user.username,
                "role": str(user.role),
                "team": user.team,
                "active": user.is_active,
                "locked": user.locked_until is not None and user.locked_until > now,
                "totp_enabled": user.totp_enabled,
                "last_signin_at": iso(user.last_signin_at),
            }
            for user in auth.list_users(db, Actor.system())
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Staff accounts ({len(rows)})")
    for column in ("Username", "Role", "Team", "Active", "2FA", "Last sign-in"):
        table.add_column(column)
    for row in rows:
        status = "locked" if row["locked"] else ("yes" if row["active"] else "no")
        table.add_row(
            plain(row["username"]),
            str(row["role"]),
            plain(row["team"] or ""),
            status,
            "on" if row["totp_enabled"] else "off",
            str(row["last_signin_at"] or "never")[:16].replace("T", " "),
        )
    console.print(table)


@app.command()
def deactivate(username: Username) -> None:
    """Deactivate an account: it can no longer sign in, and its sessions and API tokens end."""
    with unit_of_work() as db:
        user = auth.get_user(db, username=username)
        auth.deactivate_user(db, Actor.system(), user_id=user.id)
    console.print(plain(f"Deactivated {username}; its sessions and API tokens have ended."))


@app.command("set-password")
def set_password(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Set a new password for an account. This also clears a lockout, and ends every session
    and API token of the account."""
    password = read_password(from_stdin=password_stdin, prompt="New password")
    with unit_of_work() as db:
        user = auth.get_user(db, username=username)
        auth.set_password(db, Actor.system(), user_id=user.id, password=password)
    console.print(plain(f"Password changed for {username}; its sessions and API tokens ended."))


@app.command()
def unlock(username: Username, password_stdin: PasswordStdin = False) -> None:
    """Unlock an account locked after failed sign-ins, by giving it a new password.

    Someone may have been guessing the old password, so the lock is lifted only together with
    a password reset (tell the person the new one by another channel)."""
    with unit_of_work() as db:
        user = auth.get_user(db, username=username)
        locked = user.locked_until is not None and user.locked_until > clock.now()
    if not locked:
        console.print(plain(f"{username} is not locked; nothing changed."))
        return
    # Asked for only after the read above has committed, so no transaction (and, on SQLite,
    # no write lock) is held while the operator types.
    password = read_password(from_stdin=password_stdin, prompt="New password")
    with unit_of_work() as db:
        user = auth.get_user(db, username=username)
        auth.set_password(db, Actor.system(), user_id=user.id, password=password)
    console.print(plain(f"Unlocked {username} with a new password."))


@app.command()
def totp(username: Username) -> None:
    """Set up two-factor sign-in: shows a new secret, then asks for a code from the app. Any
    secret in use keeps working until the new one is confirmed."""
    settings = load_settings()
    kek = FileKeyring(keyfile.load_or_create(settings.resolved_key_file))
    with unit_of_work(settings) as db:
        user = auth.get_user(db, username=username)
        secret = auth.begin_totp(db, kek, Actor.system(), user_id=user.id)
        uri = auth.totp_uri(user, secret)
        user_id = user.id
    # The pending secret is committed (sealed) before the prompt, so nothing is locked while
    # the person sets up their app.
    console.print("Add this account to an authenticator app (the secret is shown only now):")
    console.print(plain(f"Secret: {secret}"), soft_wrap=True)
    console.print(plain(f"URI:    {uri}"), soft_wrap=True)
    try:
        code: str = typer.prompt("Current 6-digit code from the app")
    except typer.Abort:
        err_console.print("The new secret is not in use until a code is confirmed.")
        raise
    with unit_of_work(settings) as db:
        auth.confirm_totp(db, kek, Actor.system(), user_id=user_id, code=code)
    console.print(plain(f"Two-factor sign-in is on for {username}."))


@app.command("change-role")
def change_role(
    username: Username,
    role: Annotated[Role, typer.Option("--role", "-r", help="The new role.")],
) -> None:
    """Change an account's role at once (as the operator who holds the key file), ending its
    sessions and API tokens."""
    with unit_of_work() as db:
        user = auth.get_user(db, username=username)
        auth.change_role(db, Actor.system(), user_id=user.id, role=role)
    console.print(
        plain(f"{username} now has the role {role.value}; its sessions and tokens ended.")
    )


@app.command()
def grants(
    as_json: Annotated[
        bool, typer.Option("--json", help="Print a JSON array instead of a table.")
    ] = False,
) -> None:
    """List role grants awaiting a second person's approval."""
    with unit_of_work(read_only=True) as db:
        pending = auth.pending_grants(db, Actor.system())
        names = auth.usernames(
            db, [g.user_id for g in pending] + [g.requested_by for g in pending if g.requested_by]
        )
        rows = [
            {
                "id": g.id,
                "username": names.get(g.user_id),
                "role": str(g.role),
                "previous_role": g.previous_role and str(g.previous_role),
                "requested_by": names.get(g.requested_by) if g.requested_by else None,
                "requested_at": iso(g.requested_at),
            }
            for g in pending
        ]
    if as_json:
        typer.echo(json.dumps(rows, indent=2))
        return
    table = Table(title=f"Role grants awaiting approval ({len(rows)})")
    for column in ("Id", "Account", "Role asked for", "Role now", "Asked by", "Asked on"):
        table.add_column(column)
    for row in rows:
        table.add_row(
            str(row["id"]),
            plain(row["username"] or ""),
            str(row["role"]),
            str(row["previous_role"] or "new account"),
            plain(row["requested_by"] or "operator"),
            str(row["requested_at"])[:16].replace("T", " "),
        )
    console.print(table)


GrantId = Annotated[int, typer.Argument(help="Id of the grant (see `steward users grants`).")]


@app.command()
def approve(grant_id: GrantId) -> None:
    """Approve a role grant as the operator (for instance the first DPO, when there is none)."""
    with unit_of_work() as db:
        auth.approve_grant(db, Actor.system(), grant_id=grant_id)
    console.print(f"Role grant {grant_id} approved.")


@app.command()
def refuse(grant_id: GrantId) -> None:
    """Refuse a role grant; a new account refused its role is deactivated."""
    with unit_of_work() as db:
        auth.refuse_grant(db, Actor.system(), grant_id=grant_id)
    console.print(f"Role grant {grant_id} refused.")
