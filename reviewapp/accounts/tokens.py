"""The invitation link's token: the invitation's id, signed with the secret key and a time.

The signature stops anyone from guessing or altering a link; the time makes it expire after
INVITATION_MAX_AGE whatever the database says. Single use and revocation are the row's
state (Invitation.accepted_at, revoked_at), checked by
reviewapp.accounts.services.invitation_for_token."""

from django.conf import settings
from django.core import signing

_SALT = "reviewapp.invitation"


class InvalidInvitationToken(Exception):
    """The token was altered, made with another key, or is too old."""

    def __init__(self, reason: str):
        super().__init__(reason)
        self.reason = reason  # "expired" or "invalid"


def invitation_token(invitation_id: int) -> str:
    return signing.TimestampSigner(salt=_SALT).sign_object({"invitation": invitation_id})


def invitation_id_from_token(token: str) -> int:
    signer = signing.TimestampSigner(salt=_SALT)
    try:
        data = signer.unsign_object(token, max_age=settings.INVITATION_MAX_AGE)
    except signing.SignatureExpired:
        raise InvalidInvitationToken("expired") from None
    except signing.BadSignature:
        raise InvalidInvitationToken("invalid") from None
    if not isinstance(data, dict) or not isinstance(data.get("invitation"), int):
        raise InvalidInvitationToken("invalid")
    return data["invitation"]
