"""aiosmtpd peer for smtp-client's interop tests.

Usage: aiosmtpd_server.py PORT OUTDIR CERT KEY
Listens on 127.0.0.1:PORT with STARTTLS required before AUTH (PLAIN, LOGIN; user "py",
password "snake-pass") and writes each message's bytes (as received after dot-unstuffing)
to OUTDIR/N.eml, with the envelope in OUTDIR/N.json. Runs until killed.
"""
import json
import os
import signal
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

port, outdir, cert, key = int(sys.argv[1]), sys.argv[2], sys.argv[3], sys.argv[4]
count = 0


class Handler:
    async def handle_DATA(self, server, session, envelope):
        global count
        count += 1
        with open(os.path.join(outdir, f"{count}.eml"), "wb") as f:
            f.write(envelope.original_content)
        with open(os.path.join(outdir, f"{count}.json"), "w") as f:
            json.dump(
                {
                    "from": envelope.mail_from,
                    "to": envelope.rcpt_tos,
                    "mail_options": envelope.mail_options,
                    "auth": session.authenticated,
                },
                f,
            )
        return f"250 OK queued as PY{count}"


def authenticator(server, session, envelope, mechanism, auth_data):
    ok = isinstance(auth_data, LoginPassword) and auth_data.login == b"py" and auth_data.password == b"snake-pass"
    return AuthResult(success=ok)


context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
context.load_cert_chain(cert, key)
controller = Controller(
    Handler(),
    hostname="127.0.0.1",
    port=port,
    tls_context=context,
    require_starttls=True,
    authenticator=authenticator,
    auth_require_tls=True,
    server_hostname="aiosmtpd.test",
)
controller.start()
try:
    signal.pause()
finally:
    controller.stop()
