"""Who made a change: the id the audit log and exports record.

A job-aid kernel started by ``handbook serve`` gets the signed-in user's id in the user
setting (:data:`protocols.settings.USER`); the CLI takes ``--user``, else that setting, else
the operating system's login name. An id must be printable text of at most 64 characters
(it is stored and shown as it is); anything else is refused, never cut or cleaned.

A job aid's user is read when each change is saved (:func:`aid_user`, called by the store),
never once when its store is opened: a kernel can open its store before it is told who is
signed in (a warm or preheated kernel), and the change must still name that user.
"""

from __future__ import annotations

import getpass
import os

from protocols.settings import USER

MAX_LENGTH = 64
AID_DEFAULT = "job-aid"
"""Recorded when a job aid runs without a signed-in user (the user setting is unset)."""


class ActorError(ValueError):
    """A user id that cannot be recorded; the message says where it came from and how to fix it."""


def check_user(value: str, source: str) -> str:
    """``value`` as a user id, or ``ActorError`` naming ``source`` (e.g. ``--user``)."""
    if not value.strip():
        raise ActorError(f"{source} is empty; give the user's id (printable text, at most {MAX_LENGTH} "
                         "characters)")
    if len(value) > MAX_LENGTH:
        raise ActorError(f"{source} is {len(value)} characters long; a user id may have at most "
                         f"{MAX_LENGTH}")
    if not value.isprintable():
        raise ActorError(f"{source} holds a control character (e.g. a line break or tab); a user id "
                         "must be printable text")
    return value


def user_from_env() -> str | None:
    """The user setting as it is now, checked; ``None`` when it is not set.

    Read from the environment at each call, never cached: the server sets it per kernel.
    """
    value = os.environ.get(USER.name)  # as given: a blank value is refused, not ignored
    return None if value is None else check_user(value, USER.shown)


def aid_user() -> str:
    """Who a job aid records: the signed-in user, else :data:`AID_DEFAULT`."""
    return user_from_env() or AID_DEFAULT


def cli_user(option: str | None) -> str:
    """Who a ``handbook`` command records: ``--user``, the user setting, else the login name."""
    if option is not None:
        return check_user(option, "--user")
    from_env = user_from_env()
    if from_env is not None:
        return from_env
    try:
        login = getpass.getuser()
    except (KeyError, OSError):  # no login name for this uid (e.g. a bare container)
        raise ActorError("cannot tell who you are (no login name); pass --user ID or set "
                         f"{USER.shown}") from None
    return check_user(login, "the login name")


NO_SIGN_IN = "job aid (no user sign-in configured)"
"""How an export names :data:`AID_DEFAULT`."""


def recorded_by(actors: list[str]) -> str:
    """Who recorded a run, as an export shows it (the audit log's actors, first one first)."""
    named = [NO_SIGN_IN if actor == AID_DEFAULT else actor for actor in actors]
    return ", ".join(named) if named else NO_SIGN_IN
