"""Test-only peer: authenticate to 127.0.0.1:PORT with Python's smtplib and print the outcome.

usage: smtplib_client.py PORT MECHANISM IR
  MECHANISM  CRAM-MD5 | PLAIN | LOGIN, driven with smtp.auth(MECHANISM, smtp.auth_<mechanism>),
             or "login()" for smtp.login(), which picks CRAM-MD5, PLAIN, LOGIN in that order
  IR         "ir" to allow the RFC 4954 initial response, anything else not to
The user name and password come from SASL_TEST_USER and SASL_TEST_PASSWORD.
Prints one JSON object: {"code": <final reply code>, "text": <reply text>}.
"""

import json
import os
import smtplib
import sys


def main() -> None:
    port, mechanism, ir = int(sys.argv[1]), sys.argv[2], sys.argv[3] == "ir"
    user, password = os.environ["SASL_TEST_USER"], os.environ["SASL_TEST_PASSWORD"]
    smtp = smtplib.SMTP("127.0.0.1", port, timeout=10)
    try:
        smtp.ehlo("client.example")
        if mechanism == "login()":
            code, text = smtp.login(user, password)
        else:
            smtp.user, smtp.password = user, password
            auth_object = getattr(smtp, "auth_" + mechanism.lower().replace("-", "_"))
            code, text = smtp.auth(mechanism, auth_object, initial_response_ok=ir)
        result = {"code": code, "text": text.decode("utf-8", "replace")}
    except smtplib.SMTPAuthenticationError as error:
        result = {"code": error.smtp_code, "text": error.smtp_error.decode("utf-8", "replace")}
    finally:
        try:
            smtp.quit()
        except smtplib.SMTPException:
            pass
    print(json.dumps(result))


if __name__ == "__main__":
    main()
