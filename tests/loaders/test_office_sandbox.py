"""LibreOffice conversions stay offline and run no macros (issue 15, item 3).

A local HTTP listener stands in for a remote host: a Word-HTML .doc links an image and a style sheet
on it. Converted the plain way, LibreOffice fetches both (the control, which shows the listener would
see a request); converted by the loader, nothing arrives, with the network namespace and, separately,
with the profile's link block and dead proxy alone.
"""

from __future__ import annotations

import http.server
import subprocess
import threading
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.loaders.test_office import needs_soffice
from tthc_extract.loaders.office import find_soffice, load_office
from tthc_extract.loaders.office_sandbox import network_jail, offline_env, profile_settings
from tthc_extract.settings import SOFFICE_NETNS_ENV as NETNS_ENV


class _Listener(http.server.BaseHTTPRequestHandler):
    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - the stdlib's name
        self.hits.append(self.path)
        self.send_response(200)
        self.end_headers()
        self.wfile.write(b"body { color: red }")

    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture
def listener() -> Iterator[tuple[int, list[str]]]:
    """Serve on a free local port; yield the port and the list of paths requested."""
    handler = type("Handler", (_Listener,), {"hits": []})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], handler.hits
    finally:
        server.shutdown()
        server.server_close()


def _linking_doc(folder: Path, port: int) -> Path:
    """Write a Word-HTML .doc that links a remote style sheet and image; return its path."""
    path = folder / "ke_hoach.doc"
    path.write_text(
        f'<html><head><link rel="stylesheet" href="http://127.0.0.1:{port}/style.css"></head><body>'
        "<p>KẾ HOẠCH Kiểm soát thủ tục hành chính năm 2025</p>"
        f'<p><img src="http://127.0.0.1:{port}/image.png" width="10" height="10"></p></body></html>',
        encoding="utf-8")
    return path


def test_profile_settings_are_valid_registry_xml() -> None:
    root = ET.fromstring(profile_settings())
    props = {p.get("{http://openoffice.org/2001/registry}name"): p.findtext("value")
             for p in root.iter("prop")}
    assert props["BlockUntrustedRefererLinks"] == "true"
    assert props["MacroSecurityLevel"] == "3"
    assert props["DisableMacrosExecution"] == "true"
    assert props["ooInetHTTPProxyName"] == "0.0.0.0"


def test_offline_env_points_every_proxy_at_a_dead_port() -> None:
    env = offline_env({"PATH": "/bin", "NO_PROXY": "127.0.0.1"})
    assert env["PATH"] == "/bin"
    assert env["http_proxy"] == env["HTTPS_PROXY"] == "http://0.0.0.0:9"
    assert env["no_proxy"] == env["NO_PROXY"] == ""


@needs_soffice
def test_plain_conversion_would_fetch_the_links(tmp_path: Path, listener: tuple[int, list[str]]) -> None:
    """The control: LibreOffice run without the sandbox requests the linked files."""
    port, hits = listener
    src = _linking_doc(tmp_path, port)
    binary = find_soffice()
    assert binary is not None
    subprocess.run([binary, "--headless", "--norestore", f"-env:UserInstallation={(tmp_path / 'p').as_uri()}",
                    "--convert-to", "docx:MS Word 2007 XML", "--outdir", str(tmp_path / "out"), str(src)],
                   check=True, capture_output=True, timeout=180)
    assert any(h.endswith(("style.css", "image.png")) for h in hits), hits


@needs_soffice
@pytest.mark.parametrize("netns", ["auto", "0"])
def test_loader_conversion_sends_no_request(tmp_path: Path, listener: tuple[int, list[str]],
                                            monkeypatch: pytest.MonkeyPatch, netns: str) -> None:
    port, hits = listener
    if netns == "0":  # the profile and proxy settings alone, as on a machine without namespaces
        monkeypatch.setenv(NETNS_ENV, "0")
        assert network_jail() == []
    doc = load_office(_linking_doc(tmp_path, port))
    assert "Kiểm soát thủ tục hành chính" in " ".join(p.text for p in doc.paragraphs())
    assert hits == []


_MACRO_CONTENT = """<?xml version="1.0" encoding="UTF-8"?>
<office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0"
 xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0"
 xmlns:script="urn:oasis:names:tc:opendocument:xmlns:script:1.0" xmlns:xlink="http://www.w3.org/1999/xlink"
 office:version="1.2"><office:scripts><office:event-listeners>
<script:event-listener script:language="ooo:script" script:event-name="dom:load"
 xlink:href="vnd.sun.star.script:Standard.Module1.Main?language=Basic&amp;location=document"/>
</office:event-listeners></office:scripts>
<office:body><office:text><text:p>KẾ HOẠCH rà soát thủ tục hành chính</text:p></office:text></office:body>
</office:document-content>"""
_MACRO_MODULE = """<?xml version="1.0" encoding="UTF-8"?>
<script:module xmlns:script="http://openoffice.org/2000/script" script:name="Module1"
 script:language="StarBasic">Sub Main
  Open "{target}" For Output As #1
  Print #1, "ran"
  Close #1
End Sub
</script:module>"""
_MACRO_LIBRARY = """<?xml version="1.0" encoding="UTF-8"?>
<library:library xmlns:library="http://openoffice.org/2000/library" library:name="Standard"
 library:readonly="false" library:passwordprotected="false"><library:element library:name="Module1"/>
</library:library>"""
_MACRO_LIBRARIES = """<?xml version="1.0" encoding="UTF-8"?>
<library:libraries xmlns:library="http://openoffice.org/2000/library" xmlns:xlink="http://www.w3.org/1999/xlink">
<library:library library:name="Standard" xlink:href="Standard/script-lb.xml/" xlink:type="simple"
 library:link="false"/></library:libraries>"""
_MACRO_MANIFEST = """<?xml version="1.0" encoding="UTF-8"?>
<manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2">
<manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.text"/>
<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="Basic/script-lc.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="Basic/Standard/script-lb.xml" manifest:media-type="text/xml"/>
<manifest:file-entry manifest:full-path="Basic/Standard/Module1.xml" manifest:media-type="text/xml"/>
</manifest:manifest>"""


@needs_soffice
def test_document_macro_does_not_run(tmp_path: Path) -> None:
    """An .odt whose Basic macro, bound to the document's load event, would write a file."""
    target = tmp_path / "macro_ran.txt"
    src = tmp_path / "macro.odt"
    with zipfile.ZipFile(src, "w") as zf:
        zf.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.text")
        zf.writestr("META-INF/manifest.xml", _MACRO_MANIFEST, zipfile.ZIP_DEFLATED)
        zf.writestr("content.xml", _MACRO_CONTENT, zipfile.ZIP_DEFLATED)
        zf.writestr("Basic/script-lc.xml", _MACRO_LIBRARIES, zipfile.ZIP_DEFLATED)
        zf.writestr("Basic/Standard/script-lb.xml", _MACRO_LIBRARY, zipfile.ZIP_DEFLATED)
        zf.writestr("Basic/Standard/Module1.xml", _MACRO_MODULE.format(target=target), zipfile.ZIP_DEFLATED)
    doc = load_office(src)
    assert "rà soát thủ tục hành chính" in " ".join(p.text for p in doc.paragraphs())
    assert not target.exists()
