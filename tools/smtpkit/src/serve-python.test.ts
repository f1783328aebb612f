/**
 * `smtpkit serve` against Python's smtplib over real sockets on 127.0.0.1: plain, STARTTLS,
 * SMTP_SSL, login() with each of its mechanisms, send_message to several recipients, dot lines
 * and 8-bit bodies. Every test reads back what was stored, byte for byte.
 */
import { describe, expect, test } from "vitest";
import { PYTHON, requirePeer, runPython, storedMessages } from "./serve/test-support/cli.js";
import { useServeSandbox } from "./serve/test-support/sandbox.js";

const hasPython = requirePeer(PYTHON);

/**
 * The client side. Modes pick the connection and login; the message is sent with sendmail (bytes
 * as given) or send_message (an EmailMessage). Prints JSON: the octets the server must store after
 * its trace fields (what smtplib puts between DATA and the final dot, dot-unstuffed), base64.
 */
const CLIENT = String.raw`
import base64, copy, io, json, smtplib, ssl, sys
from email.generator import BytesGenerator
from email.message import EmailMessage

mode, port = sys.argv[1], int(sys.argv[2])
args = json.loads(sys.argv[3])
ctx = ssl.create_default_context()
ctx.check_hostname = False
ctx.verify_mode = ssl.CERT_NONE

if mode == "ssl":
    s = smtplib.SMTP_SSL("127.0.0.1", port, context=ctx, timeout=15)
else:
    s = smtplib.SMTP("127.0.0.1", port, timeout=15)
s.ehlo("client.python.test")
if args.get("starttls"):
    s.starttls(context=ctx)
    s.ehlo("client.python.test")
result = {"esmtp": s.esmtp_features}
if args.get("mechanism"):
    s.user, s.password = args["user"], args["password"]
    mech = args["mechanism"]
    auth = {"CRAM-MD5": s.auth_cram_md5, "PLAIN": s.auth_plain, "LOGIN": s.auth_login}[mech]
    try:
        result["auth"] = list(s.auth(mech, auth))
        result["auth"][1] = result["auth"][1].decode()
    except smtplib.SMTPAuthenticationError as e:
        result["auth"] = [e.smtp_code, e.smtp_error.decode()]
        print(json.dumps(result)); sys.exit(0)
elif args.get("login"):
    s.login(args["user"], args["password"])

def wire(data):
    # smtplib.data(): bytes go as they are, a CRLF is added when missing.
    return data if data.endswith(b"\r\n") else data + b"\r\n"

try:
    if "raw" in args:
        data = base64.b64decode(args["raw"])
        refused = s.sendmail(args["from"], args["to"], data)
        expected = wire(data)
    else:
        msg = EmailMessage()
        msg["From"] = args["from"]
        msg["To"] = ", ".join(args["to"])
        msg["Bcc"] = "hidden@bcc.test"
        msg["Subject"] = "smtpkit serve interop: caf\u00e9"
        msg.set_content(args["text"], cte="8bit")
        # What send_message() flattens: the message without Bcc, CRLF line ends.
        copy_ = copy.copy(msg)
        del copy_["Bcc"]
        buf = io.BytesIO()
        BytesGenerator(buf).flatten(copy_, linesep="\r\n")
        expected = wire(buf.getvalue())
        refused = s.send_message(msg)
    result["refused"] = {k: [v[0], v[1].decode()] for k, v in refused.items()}
    result["expected"] = base64.b64encode(expected).decode()
except smtplib.SMTPRecipientsRefused as e:
    result["refused"] = {k: [v[0], v[1].decode()] for k, v in e.recipients.items()}
except smtplib.SMTPSenderRefused as e:
    result["senderRefused"] = [e.smtp_code, e.smtp_error.decode()]
s.quit()
print(json.dumps(result))
`;

interface ClientResult {
  readonly esmtp: Record<string, string>;
  readonly auth?: [number, string];
  readonly refused?: Record<string, [number, string]>;
  readonly senderRefused?: [number, string];
  readonly expected?: string;
}

async function python(mode: "plain" | "ssl", port: number, args: Record<string, unknown>): Promise<ClientResult> {
  return JSON.parse(await runPython(CLIENT, [mode, String(port), JSON.stringify(args)])) as ClientResult;
}

/** A body with what transparency and 8-bit handling must get right. */
const RAW = Buffer.concat([
  Buffer.from("From: a@python.test\r\nTo: b@x.test\r\nSubject: dots\r\nContent-Type: text/plain; charset=iso-8859-1\r\n\r\n"),
  Buffer.from(".\r\n..\r\n.leading dot\r\n. \r\nline\r\n"),
  Buffer.from([0x63, 0x61, 0x66, 0xe9, 0x0d, 0x0a, 0xff, 0xfe, 0x80, 0x0d, 0x0a]),
  Buffer.from("last line without the final CRLF"),
]);

describe.skipIf(!hasPython)("smtpkit serve with Python smtplib", { timeout: 60_000 }, () => {
  const sandbox = useServeSandbox("smtpkit-serve-py-");
  const serve = (name: string, args: string[], listeners = 1) => sandbox.serveMaildir(name, ["--hostname", "mx.smtpkit.test", ...args], listeners);

  test("plain: sendmail of dot lines and 8-bit octets to several recipients, stored once each, exactly", async () => {
    const { maildir, served } = await serve("plain", []);
    const to = ["Ann@Example.test", "bob@other.test", "\"odd/../name\"@x.test"];
    const result = await python("plain", served.ports[0] as number, { from: "a@python.test", to, raw: RAW.toString("base64") });
    expect(result.refused).toEqual({});
    const expected = Buffer.from(result.expected as string, "base64");
    expect(expected.subarray(0, RAW.length)).toEqual(RAW);
    const stored = await storedMessages(maildir);
    // The quoted local part "odd/../name" is one safe directory name, inside the Maildir root.
    expect([...stored.keys()]).toEqual(["ann@example.test", "bob@other.test", "odd%2F..%2Fname@x.test"]);
    for (const [box, messages] of stored) {
      expect(messages).toHaveLength(1);
      const m = messages[0];
      expect(m?.returnPath).toBe("<a@python.test>");
      expect(m?.received).toMatch(/^from client\.python\.test \(\[127\.0\.0\.1\]\) by mx\.smtpkit\.test with ESMTP id \S+ for <[^>]+>; \w{3}, \d\d \w{3} \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
      expect(m?.body.equals(expected), `${box}: body differs`).toBe(true);
    }
    expect(stored.get("ann@example.test")?.[0]?.received).toContain("for <Ann@Example.test>;");
    expect(stored.get("odd%2F..%2Fname@x.test")?.[0]?.received).toContain('for <"odd/../name"@x.test>;');
  });

  test("send_message with Bcc, to several recipients", async () => {
    const { maildir, served } = await serve("send-message", []);
    const text = "Hello \u00e9t\u00e9,\n.\n..two dots\nend\n";
    const result = await python("plain", served.ports[0] as number, { from: "py@python.test", to: ["one@x.test", "two@y.test"], text });
    expect(result.refused).toEqual({});
    const expected = Buffer.from(result.expected as string, "base64");
    const stored = await storedMessages(maildir);
    expect([...stored.keys()]).toEqual(["hidden@bcc.test", "one@x.test", "two@y.test"]);
    for (const messages of stored.values()) {
      expect(messages[0]?.body.equals(expected)).toBe(true);
      expect(messages[0]?.body.toString("utf8")).not.toContain("Bcc:");
    }
  });

  test("STARTTLS with --self-signed: stored 'with ESMTPS' and the TLS version in a comment", async () => {
    const { maildir, served } = await serve("starttls", ["--self-signed"]);
    const result = await python("plain", served.ports[0] as number, { starttls: true, from: "tls@python.test", to: ["t@x.test"], raw: RAW.toString("base64") });
    expect(result.refused).toEqual({});
    const m = (await storedMessages(maildir)).get("t@x.test")?.[0];
    expect(m?.received).toMatch(/ by mx\.smtpkit\.test with ESMTPS \(TLSv1\.[23] [A-Z0-9_-]+\) id /);
    expect(m?.body.equals(Buffer.from(result.expected as string, "base64"))).toBe(true);
  });

  test("SMTP_SSL on --tls-listen (implicit TLS), next to a plain listener", async () => {
    const { maildir, served } = await serve("implicit", ["--tls-listen", "127.0.0.1:0", "--self-signed"], 2);
    expect(served.ports).toHaveLength(2);
    const result = await python("ssl", served.ports[1] as number, { from: "ssl@python.test", to: ["s@x.test"], raw: RAW.toString("base64") });
    expect(result.refused).toEqual({});
    const m = (await storedMessages(maildir)).get("s@x.test")?.[0];
    expect(m?.received).toContain(" with ESMTPS (TLSv1.");
    expect(m?.body.equals(Buffer.from(result.expected as string, "base64"))).toBe(true);
  });

  test.each(["CRAM-MD5", "PLAIN", "LOGIN"])("login() with %s after STARTTLS, with --user: stored 'with ESMTPSA'", async (mechanism) => {
    const { maildir, served } = await serve(`auth-${mechanism}`, ["--self-signed", "--user", "ann:s3cret pass:!", "--user", "bob:other"]);
    const port = served.ports[0] as number;
    const bad = await python("plain", port, { starttls: true, mechanism, user: "ann", password: "wrong", from: "a@x.test", to: ["r@x.test"], raw: "eA==" });
    expect(bad.auth?.[0]).toBe(535);
    const good = await python("plain", port, {
      starttls: true,
      mechanism,
      user: "ann",
      password: "s3cret pass:!",
      from: "ann@x.test",
      to: ["r@x.test"],
      raw: RAW.toString("base64"),
    });
    expect(good.auth?.[0]).toBe(235);
    const m = (await storedMessages(maildir)).get("r@x.test")?.[0];
    expect(m?.received).toContain(" with ESMTPSA (TLSv1.");
    expect(m?.body.equals(Buffer.from(good.expected as string, "base64"))).toBe(true);
  });

  test("AUTH is not offered before STARTTLS; login() without TLS works only with --allow-insecure-auth", async () => {
    const secure = await serve("no-insecure", ["--self-signed", "--user", "ann:pw"]);
    const before = await python("plain", secure.served.ports[0] as number, { from: "a@x.test", to: ["r@x.test"], raw: "eA==" });
    expect(before.esmtp).not.toHaveProperty("auth");
    expect(before.esmtp).toHaveProperty("starttls");
    await secure.served.stop();

    const insecure = await serve("insecure", ["--user", "ann:pw", "--allow-insecure-auth"]);
    const result = await python("plain", insecure.served.ports[0] as number, { login: true, user: "ann", password: "pw", from: "a@x.test", to: ["r@x.test"], raw: RAW.toString("base64") });
    expect(result.esmtp.auth).toMatch(/PLAIN/);
    const m = (await storedMessages(insecure.maildir)).get("r@x.test")?.[0];
    expect(m?.received).toContain(" with ESMTPA id ");
  });

  test("--require-auth: MAIL without login gets 530, with login it is stored", async () => {
    const { maildir, served } = await serve("require-auth", ["--user", "ann:pw", "--allow-insecure-auth", "--require-auth"]);
    const port = served.ports[0] as number;
    const anonymous = await python("plain", port, { from: "a@x.test", to: ["r@x.test"], raw: "eA==" });
    expect(anonymous.senderRefused?.[0]).toBe(530);
    expect((await storedMessages(maildir)).size).toBe(0);
    const result = await python("plain", port, { login: true, user: "ann", password: "pw", from: "a@x.test", to: ["r@x.test"], raw: RAW.toString("base64") });
    expect(result.refused).toEqual({});
    expect((await storedMessages(maildir)).get("r@x.test")).toHaveLength(1);
  });

  test("--domains: other domains get 550 5.7.1, <Postmaster> and the served domains are stored", async () => {
    const { maildir, served } = await serve("domains", ["--domains", "a.test,B.test"]);
    const result = await python("plain", served.ports[0] as number, {
      from: "x@elsewhere.test",
      to: ["one@A.test", "two@b.test", "three@c.test", "four@sub.a.test", "Postmaster"],
      raw: RAW.toString("base64"),
    });
    expect(result.refused).toEqual({
      "three@c.test": [550, expect.stringMatching(/^5\.7\.1 /)],
      "four@sub.a.test": [550, expect.stringMatching(/^5\.7\.1 /)],
    });
    const stored = await storedMessages(maildir);
    expect([...stored.keys()]).toEqual(["one@a.test", "postmaster", "two@b.test"]);
    expect(stored.get("postmaster")?.[0]?.received).toContain("for <Postmaster>;");
  });
});
