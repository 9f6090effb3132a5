"""Typed readers for environment variables.

Each reader fails loudly with the variable's name and the offending value, so a
typo in a deployment stops the process at start instead of running with a
silently different configuration.
"""

import os
from collections.abc import Mapping
from urllib.parse import parse_qsl, unquote, urlsplit


class ImproperlyConfiguredEnv(ValueError):
    """An environment variable holds a value that cannot be used."""


_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str, environ: Mapping[str, str] | None = None) -> str:
    environ = os.environ if environ is None else environ
    return environ.get(name, default)


def env_bool(name: str, default: bool, environ: Mapping[str, str] | None = None) -> bool:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return default
    value = environ[name].strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfiguredEnv(
        f"{name}={environ[name]!r} is not a boolean; use one of 1/0, true/false, yes/no, on/off."
    )


def env_int(
    name: str, default: int, environ: Mapping[str, str] | None = None, minimum: int = 0
) -> int:
    environ = os.environ if environ is None else environ
    if name not in environ:
        return default
    try:
        value = int(environ[name])
    except ValueError:
        raise ImproperlyConfiguredEnv(f"{name}={environ[name]!r} is not a whole number.") from None
    if value < minimum:
        raise ImproperlyConfiguredEnv(f"{name}={value} must be at least {minimum}.")
    return value


def env_list(name: str, default: list[str], environ: Mapping[str, str] | None = None) -> list[str]:
    """A comma-separated list; blank items are dropped."""
    environ = os.environ if environ is None else environ
    if name not in environ:
        return list(default)
    return [item.strip() for item in environ[name].split(",") if item.strip()]


_DATABASE_SCHEMES = {"postgres", "postgresql", "pgsql", "sqlite"}


def env_database_url(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    """The database URL if set, after checking that it names a supported database."""
    environ = os.environ if environ is None else environ
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    parts = urlsplit(raw)
    if parts.scheme not in _DATABASE_SCHEMES:
        raise ImproperlyConfiguredEnv(
            f"{name} has scheme {parts.scheme or '(none)'!r}; expected "
            "postgres://user:password@host:port/name or sqlite:///path."
        )
    if parts.scheme != "sqlite":
        try:
            parts.port  # noqa: B018 - raises ValueError on a port that is not a number
        except ValueError:
            raise ImproperlyConfiguredEnv(f"{name} has a port that is not a number.") from None
        if not parts.hostname or not parts.path.strip("/"):
            raise ImproperlyConfiguredEnv(
                f"{name} must name a host and a database, e.g. "
                "postgres://postgres@127.0.0.1:5432/reviewapp."
            )
    return raw


_BROKER_SCHEMES = {"redis", "rediss", "memory"}


def env_broker_url(name: str, environ: Mapping[str, str] | None = None) -> str | None:
    environ = os.environ if environ is None else environ
    raw = environ.get(name, "").strip()
    if not raw:
        return None
    scheme = urlsplit(raw).scheme
    if scheme not in _BROKER_SCHEMES:
        raise ImproperlyConfiguredEnv(
            f"{name} has scheme {scheme or '(none)'!r}; expected redis://host:port/db."
        )
    return raw


def env_choice(
    name: str, default: str, *, choices: tuple[str, ...], environ: Mapping[str, str] | None = None
) -> str:
    environ = os.environ if environ is None else environ
    value = environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfiguredEnv(
            f"{name}={environ[name]!r} is not one of {', '.join(choices)}."
        )
    return value


_SMTP = "django.core.mail.backends.smtp.EmailBackend"
_CONSOLE = "django.core.mail.backends.console.EmailBackend"


def env_email(environ: Mapping[str, str]) -> dict:
    """Django's EMAIL_* settings from EMAIL_URL or from the separate EMAIL_* variables.

    EMAIL_URL is smtp://user:password@host:port (add ?tls=1 for STARTTLS) or smtps://... for
    TLS from the first byte; user and password are URL-quoted. Neither set: the console."""
    raw = environ.get("EMAIL_URL", "").strip()
    if raw:
        parts = urlsplit(raw)
        if parts.scheme not in {"smtp", "smtps"}:
            raise ImproperlyConfiguredEnv(
                f"EMAIL_URL has scheme {parts.scheme or '(none)'!r}; expected "
                "smtp://user:password@host:587?tls=1 or smtps://user:password@host:465."
            )
        try:
            port = parts.port
        except ValueError:
            raise ImproperlyConfiguredEnv("EMAIL_URL has a port that is not a number.") from None
        if not parts.hostname:
            raise ImproperlyConfiguredEnv("EMAIL_URL must name a host.")
        query = dict(parse_qsl(parts.query))
        use_tls = env_bool("tls", False, query)
        use_ssl = parts.scheme == "smtps" or env_bool("ssl", False, query)
        if use_tls and use_ssl:
            raise ImproperlyConfiguredEnv("EMAIL_URL asks for both STARTTLS and SSL.")
        return {
            "EMAIL_BACKEND": _SMTP,
            "EMAIL_HOST": parts.hostname,
            "EMAIL_PORT": port or (465 if use_ssl else 25),
            "EMAIL_HOST_USER": unquote(parts.username or ""),
            "EMAIL_HOST_PASSWORD": unquote(parts.password or ""),
            "EMAIL_USE_TLS": use_tls,
            "EMAIL_USE_SSL": use_ssl,
        }
    host = environ.get("EMAIL_HOST", "").strip()
    if not host:
        return {"EMAIL_BACKEND": environ.get("EMAIL_BACKEND", _CONSOLE)}
    use_tls = env_bool("EMAIL_USE_TLS", False, environ)
    use_ssl = env_bool("EMAIL_USE_SSL", False, environ)
    if use_tls and use_ssl:
        raise ImproperlyConfiguredEnv("EMAIL_USE_TLS and EMAIL_USE_SSL are both on; choose one.")
    return {
        "EMAIL_BACKEND": _SMTP,
        "EMAIL_HOST": host,
        "EMAIL_PORT": env_int("EMAIL_PORT", 465 if use_ssl else 25, environ, minimum=1),
        "EMAIL_HOST_USER": env_str("EMAIL_HOST_USER", environ.get("EMAIL_USER", ""), environ),
        "EMAIL_HOST_PASSWORD": env_str(
            "EMAIL_HOST_PASSWORD", environ.get("EMAIL_PASSWORD", ""), environ
        ),
        "EMAIL_USE_TLS": use_tls,
        "EMAIL_USE_SSL": use_ssl,
    }
