"""Drive smtp-server-core with Python's smtplib; print what was sent as JSON for byte comparison.

Usage: smtplib_client.py '<json config>'
  mode: "plain" | "starttls" | "ssl"; port; cafile; mechanism (optional: login() forced to it);
  user/password; scenario: "sendmail" | "send_message".
"""
import base64
import io
import json
import smtplib
import ssl
import sys
from email.generator import BytesGenerator
from email.message import EmailMessage

cfg = json.loads(sys.argv[1])
ctx = ssl.create_default_context(cafile=cfg["cafile"]) if cfg.get("cafile") else None
host = "127.0.0.1"
if cfg["mode"] == "ssl":
    s = smtplib.SMTP_SSL(host, cfg["port"], context=ctx, timeout=10)
else:
    s = smtplib.SMTP(host, cfg["port"], timeout=10)
s.ehlo("python.test")
if cfg["mode"] == "starttls":
    s.starttls(context=ctx)
    s.ehlo("python.test")
if cfg.get("mechanism"):
    # login() picks among the advertised mechanisms; advertising only one forces it.
    s.esmtp_features["auth"] = cfg["mechanism"]
    s.login(cfg["user"], cfg["password"])

sent = []
if cfg["scenario"] == "sendmail":
    body = (
        b"From: a@python.test\r\nTo: x@mx.test\r\nSubject: dots and 8 bits\r\n"
        b"MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n"
        b".leading dot\r\n..two dots\r\n.\r\n \r\n" + "Grüße, €\r\n".encode("utf-8") + b"\xff\xfe raw octets\r\n"
    )
    s.sendmail("a@python.test", ["x@mx.test"], body, mail_options=["BODY=8BITMIME"])
    sent.append(body)
else:
    msg = EmailMessage()
    msg["From"] = "a@python.test"
    msg["To"] = "x@mx.test, y@mx.test"
    msg["Cc"] = "z@mx.test"
    msg["Subject"] = "send_message to several"
    msg.set_content("Hello\n.\nA line with a dot alone above.\n")
    s.send_message(msg)
    copy = msg
    with io.BytesIO() as out:
        BytesGenerator(out).flatten(copy, linesep="\r\n")
        sent.append(out.getvalue())
s.quit()
print(json.dumps({"sent": [base64.b64encode(b).decode() for b in sent]}))
