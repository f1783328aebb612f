import { readFileSync } from "node:fs";
import type { AddressInfo } from "node:net";
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from "smtp-server";
import { afterEach, describe, expect, test } from "vitest";
import { connect } from "./connection.js";

const fixture = (n: string) => readFileSync(new URL(`../test/fixtures/${n}`, import.meta.url));
const CA = fixture("ca.crt");

const open: SMTPServer[] = [];
afterEach(async () => {
  await Promise.all(open.splice(0).map((s) => new Promise<void>((r) => s.close(() => r()))));
});

interface Got {
  bytes: Buffer;
  session: SMTPServerSession;
}

async function serve(o: SMTPServerOptions = {}) {
  const got: Got[] = [];
  const server = new SMTPServer({
    disableReverseLookup: true,
    key: fixture("server.key"),
    cert: fixture("server.crt"),
    authOptional: true,
    logger: false,
    onAuth(auth, _session, cb) {
      if (auth.username === "nm" && auth.password === "mailer-pass") cb(null, { user: "nm" });
      else cb(new Error("Invalid username or password"));
    },
    onData(stream, session, cb) {
      const parts: Buffer[] = [];
      stream.on("data", (d: Buffer) => parts.push(d));
      stream.on("end", () => {
        got.push({ bytes: Buffer.concat(parts), session: JSON.parse(JSON.stringify(session)) as SMTPServerSession });
        cb(null, "Message queued as NM42");
      });
    },
    ...o,
  });
  open.push(server);
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", () => r()));
  return { port: (server.server.address() as AddressInfo).port, got };
}

const MSG = Buffer.from("Subject: nodemailer\r\n\r\n.first dot\r\n..two dots\r\nlast line\r\n");

describe("interop: Nodemailer smtp-server", () => {
  test("STARTTLS + AUTH PLAIN, stored byte for byte, message id from the 250", async () => {
    const { port, got } = await serve();
    const c = await connect({
      host: "127.0.0.1",
      port,
      tls: "required",
      tlsOptions: { ca: CA, servername: "localhost" },
      auth: { username: "nm", password: "mailer-pass" },
    });
    expect(c.secure).toBe(true);
    expect(c.authenticated).toBe("PLAIN");
    const r = await c.send({ from: "a@x.test", to: ["b@y.test", "c@y.test"], message: MSG });
    await c.quit();
    expect(r.accepted).toEqual(["b@y.test", "c@y.test"]);
    expect(r.messageId).toBe("NM42");
    expect(got[0]?.bytes.equals(MSG)).toBe(true);
    expect(got[0]?.session.user).toBe("nm");
  });

  test("LOGIN when it is the only mechanism; wrong password is auth-failed 535", async () => {
    const { port } = await serve({ authMethods: ["LOGIN"] });
    const ok = await connect({
      host: "127.0.0.1",
      port,
      tls: "required",
      tlsOptions: { ca: CA, servername: "localhost" },
      auth: { username: "nm", password: "mailer-pass" },
    });
    expect(ok.authenticated).toBe("LOGIN");
    await ok.quit();
    const e = await connect({
      host: "127.0.0.1",
      port,
      tls: "required",
      tlsOptions: { ca: CA, servername: "localhost" },
      auth: { username: "nm", password: "wrong" },
    }).catch((x: unknown) => x);
    expect(e).toMatchObject({ code: "auth-failed", phase: "auth", reply: { code: 535 } });
  });

  test("DSN parameters and SMTPUTF8 reach the server", async () => {
    const { port, got } = await serve({ hideDSN: false, hideSMTPUTF8: false } as SMTPServerOptions);
    const c = await connect({ host: "127.0.0.1", port, tls: "none" });
    expect(c.capabilities.dsn).toBe(true);
    expect(c.capabilities.smtputf8).toBe(true);
    const r = await c.send({
      from: "sénder@x.test",
      to: "b@y.test",
      message: MSG,
      dsn: { ret: "FULL", envid: "env=1", notify: ["FAILURE", "DELAY"], orcpt: true },
    });
    await c.quit();
    expect(r.accepted).toEqual(["b@y.test"]);
    const env = got[0]?.session.envelope as unknown as {
      mailFrom: { address: string; args: Record<string, string> };
      rcptTo: { args: Record<string, string> }[];
      dsn?: { ret?: string; envid?: string };
    };
    expect(env.mailFrom.address).toBe("sénder@x.test");
    expect(env.mailFrom.args).toMatchObject({ SMTPUTF8: true, RET: "FULL", ENVID: "env=1" }); // xtext "env+3D1" on the wire, decoded by the server
    expect(env.rcptTo[0]?.args).toMatchObject({ NOTIFY: "FAILURE,DELAY", ORCPT: "rfc822;b@y.test" });
    expect(got[0]?.bytes.equals(MSG)).toBe(true);
  });
});
