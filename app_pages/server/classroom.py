"""Where a class joins: the server's address on the school network, and the one line
the server prints at start in classroom mode (the address and the class code)."""

from __future__ import annotations

import socket

from cnnviz.settings import Settings


def lan_ip() -> str:
    """This machine's address on its network (no packet is sent), else 127.0.0.1."""
    probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        probe.connect(("10.255.255.255", 1))
        return probe.getsockname()[0]
    except OSError:
        return "127.0.0.1"
    finally:
        probe.close()


def join_address() -> str:
    """The address students open: this server's scheme, network address and port."""
    from streamlit import config

    host = config.get_option("server.address") or ""
    if host in ("", "0.0.0.0", "::", "localhost", "127.0.0.1"):
        host = lan_ip() if host in ("", "0.0.0.0", "::") else host
    scheme = "https" if config.get_option("server.sslCertFile") else "http"
    return f"{scheme}://{host}:{config.get_option('server.port')}"


def announce(settings: Settings) -> None:
    """In classroom mode, print where students join and the class code (solo: nothing)."""
    if not settings.classroom:
        return
    print(
        f"cnnviz classroom: students open {join_address()} and join with the class code "
        f"{settings.class_code}",
        flush=True,
    )
    if settings.teacher_code is None:
        print(
            "cnnviz classroom: no teacher code: set CNNVIZ_TEACHER_CODE (12 characters or "
            "more) to use the Class page's controls",
            flush=True,
        )
