"""Enforcing the role table (amina.domain.roles): one function, :func:`require`.

Use it first thing in every staff use case and endpoint::

    require(actor, Permission.person_search)

The web adapter turns :class:`PermissionDenied` into a 403: a problem document under
``/api/``, a console page elsewhere.
"""

from __future__ import annotations

from typing import Protocol

from amina.domain.roles import Permission, allows
from amina.i18n import N_
from amina.services.errors import AminaError, ErrorKind

__all__ = ["Permission", "PermissionDenied", "StaffLike", "require"]


class StaffLike(Protocol):
    """Anything that carries a role: ``services.audit.Actor``, a signed-in staff member."""

    @property
    def role(self) -> str: ...


class PermissionDenied(AminaError):
    """The staff member's role does not include the permission (403, code ``forbidden``)."""

    def __init__(self, permission: Permission) -> None:
        super().__init__(
            "forbidden",
            ErrorKind.forbidden,
            N_("Not allowed"),
            N_("Your role does not allow this action."),
        )
        self.permission = permission


def require(actor: StaffLike, permission: Permission) -> None:
    """Raise :class:`PermissionDenied` unless ``actor``'s role includes ``permission``.

    The 'system' actor is no staff role and is refused too: jobs and CLI commands that act as
    the system call the use cases that need no staff permission.
    """
    if not allows(actor.role, permission):
        raise PermissionDenied(permission)
