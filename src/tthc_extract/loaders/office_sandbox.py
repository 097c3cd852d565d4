"""Run LibreOffice on an untrusted document without letting it reach the network or run macros.

A .doc/.odt/.rtf or HTML file can link remote images, style sheets and OLE data; LibreOffice's import
fetches them, so a hostile document learns that and where it was opened, and can reach hosts of the
user's network. Three layers keep a conversion offline, each enough on its own:

1. a network namespace of its own (``unshare --user --map-root-user --net``) where the OS allows
   unprivileged namespaces: the process has only a loopback interface that is down, so no request
   can leave, whatever LibreOffice decides to load (the ``soffice_netns`` setting turns it off);
2. the conversion's private profile blocks links from untrusted documents
   (``BlockUntrustedRefererLinks``), sets the macro security level to "very high" and disables
   macro execution;
3. the profile and the environment send HTTP(S) through a proxy at 0.0.0.0:9, which refuses every
   connection, so a fetch the link block does not cover (style sheets of HTML) fails at once.
"""

from __future__ import annotations

import functools
import os
import shutil
import subprocess
from pathlib import Path

from tthc_extract.settings import current

UNSHARE_ARGS = ("--user", "--map-root-user", "--net")
# An address no connection to which can succeed: port 9 (discard) on the unspecified address.
DEAD_PROXY_HOST = "0.0.0.0"
DEAD_PROXY_PORT = 9

_SETTINGS: tuple[tuple[str, str, str, str], ...] = (
    # (configuration path, property, type, value)
    ("/org.openoffice.Office.Common/Security/Scripting", "BlockUntrustedRefererLinks", "xs:boolean", "true"),
    ("/org.openoffice.Office.Common/Security/Scripting", "MacroSecurityLevel", "xs:int", "3"),
    ("/org.openoffice.Office.Common/Security/Scripting", "DisableMacrosExecution", "xs:boolean", "true"),
    ("/org.openoffice.Inet/Settings", "ooInetProxyType", "xs:int", "1"),  # 1 = manual proxy
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyName", "xs:string", DEAD_PROXY_HOST),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPProxyPort", "xs:int", str(DEAD_PROXY_PORT)),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyName", "xs:string", DEAD_PROXY_HOST),
    ("/org.openoffice.Inet/Settings", "ooInetHTTPSProxyPort", "xs:int", str(DEAD_PROXY_PORT)),
    ("/org.openoffice.Inet/Settings", "ooInetNoProxy", "xs:string", ""),
)


def profile_settings() -> str:
    """Return the ``registrymodifications.xcu`` of a conversion profile: no links, macros or network."""
    items = "".join(
        f'<item oor:path="{path}"><prop oor:name="{name}" oor:op="fuse" oor:type="{kind}">'
        f"<value>{value}</value></prop></item>\n"
        for path, name, kind, value in _SETTINGS)
    return ('<?xml version="1.0" encoding="UTF-8"?>\n'
            '<oor:items xmlns:oor="http://openoffice.org/2001/registry" '
            'xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">\n'
            f"{items}</oor:items>\n")


def write_profile(profile: Path) -> str:
    """Create the private LibreOffice profile folder ``profile`` with :func:`profile_settings`; return its URI."""
    user = profile / "user"
    user.mkdir(parents=True, exist_ok=True)
    (user / "registrymodifications.xcu").write_text(profile_settings(), encoding="utf-8")
    return profile.as_uri()


def offline_env(base: dict[str, str] | None = None) -> dict[str, str]:
    """Return ``base`` (default: this process's environment) with every proxy variable set to a dead proxy."""
    env = dict(os.environ if base is None else base)
    dead = f"http://{DEAD_PROXY_HOST}:{DEAD_PROXY_PORT}"
    for name in ("http_proxy", "https_proxy", "ftp_proxy", "all_proxy"):
        env[name] = env[name.upper()] = dead
    env["no_proxy"] = env["NO_PROXY"] = ""
    return env


@functools.cache
def _unshare_works(unshare: str) -> bool:
    """Return whether ``unshare`` can make a user and network namespace here (containers may forbid it)."""
    try:
        return subprocess.run([unshare, *UNSHARE_ARGS, "true"], capture_output=True, timeout=10,
                              check=False).returncode == 0
    except (OSError, subprocess.TimeoutExpired):
        return False


def network_jail() -> list[str]:
    """Return the command prefix that runs a program with no network, or [] where the OS does not allow it."""
    if not current().soffice_netns:
        return []
    unshare = shutil.which("unshare")
    if unshare is None or not _unshare_works(unshare):
        return []
    return [unshare, *UNSHARE_ARGS]
