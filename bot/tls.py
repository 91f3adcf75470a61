"""TLS for the connections privacybot makes (IMAP, the SMTP relay).

Certificates are always checked. A company with its own CA, or a test server with a
self-signed certificate, names the one file to trust (``imap.ca_file``,
``relay.ca_file``); there is deliberately no switch to turn verification off.
"""

from __future__ import annotations

import ssl


class TlsSetupError(Exception):
    """The configured CA file cannot be used; the operator must fix the setting."""


def client_context(ca_file: str = "", *, setting: str = "ca_file") -> ssl.SSLContext:
    """A verifying client context: the system's CAs, or only ``ca_file`` when given.

    Only the named file, not the system's store as well: an operator who names a CA
    means "this server's certificate comes from here", and a public CA signing the name
    instead would be a surprise, not a convenience.
    """
    if not ca_file:
        return ssl.create_default_context()
    try:
        return ssl.create_default_context(cafile=ca_file)
    except FileNotFoundError:
        raise TlsSetupError(f"{setting} {ca_file} does not exist") from None
    except (OSError, ssl.SSLError) as exc:
        reason = getattr(exc, "strerror", None) or type(exc).__name__
        raise TlsSetupError(f"{setting} {ca_file} is not a readable PEM file ({reason})") from None
