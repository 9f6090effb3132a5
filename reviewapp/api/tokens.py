"""Personal API tokens: created, named and revoked by their owner; stored as a digest.

A token reads ``rva_<prefix>_<secret>``. The prefix (hex, no underscore) is kept in clear to
find the row by index; the whole token is compared by its SHA-256 digest in constant time.
"""

import hashlib
import hmac
import secrets
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from reviewapp.audit import audit_record
from reviewapp.models import ApiToken

TOKEN_START = "rva"  # noqa: S105 - the fixed start of every token, not a secret
# A token's last use is written at most this often: not a write on every request.
LAST_USED_PRECISION = timedelta(minutes=1)


def _digest(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


@transaction.atomic
def api_token_create(*, user, name: str) -> tuple[ApiToken, str]:
    """A new token for the user; returns the row and the token itself (shown once)."""
    prefix = secrets.token_hex(6)
    raw = f"{TOKEN_START}_{prefix}_{secrets.token_urlsafe(32)}"
    token = ApiToken(user=user, name=name.strip(), prefix=prefix, digest=_digest(raw))
    token.full_clean()
    token.save()
    audit_record(
        actor=user, project=None, action="api_token.create", obj=token, after={"name": token.name}
    )
    return token, raw


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor) -> ApiToken:
    if token.revoked_at is None:
        token.revoked_at = timezone.now()
        token.save(update_fields=["revoked_at"])
        audit_record(
            actor=actor,
            project=None,
            action="api_token.revoke",
            obj=token,
            after={"name": token.name},
        )
    return token


def api_token_authenticate(raw: str) -> ApiToken | None:
    """The active token of an active user that `raw` is, or None."""
    start, _sep, rest = raw.partition("_")
    prefix, _sep, secret = rest.partition("_")
    if start != TOKEN_START or not prefix or not secret:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(prefix=prefix, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if token is None or not hmac.compare_digest(token.digest, _digest(raw)):
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > LAST_USED_PRECISION:
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
        token.last_used_at = now
    return token
