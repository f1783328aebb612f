/**
 * `smtpkit serve` against Nodemailer's SMTP transport over 127.0.0.1: a pool of connections with
 * messages sent concurrently (Nodemailer pipelines the envelope when PIPELINING is offered), DSN
 * parameters, and SMTPUTF8 over STARTTLS. Messages are sent `raw`, so the stored bytes are checked
 * exactly.
 */
import nodemailer from "nodemailer";
import { describe, expect, test } from "vitest";
import { storedMessages } from "./serve/test-support/cli.js";
import { useServeSandbox } from "./serve/test-support/sandbox.js";

/** A raw message (CRLF line ends, as Nodemailer sends them) with dot lines and 8-bit text. */
function rawMessage(n: number): Buffer {
  return Buffer.concat([
    Buffer.from(`From: pool@nodemailer.test\r\nTo: a@x.test\r\nSubject: message ${n}\r\nContent-Type: text/plain; charset=utf-8\r\n\r\n`),
    Buffer.from(`.\r\n..${n}\r\nr\u00e9sum\u00e9 ${n}\r\n`, "utf8"),
    Buffer.from("x".repeat(100 * n)),
    Buffer.from("\r\n"),
  ]);
}

describe("smtpkit serve with Nodemailer", { timeout: 60_000 }, () => {
  const sandbox = useServeSandbox("smtpkit-serve-nodemailer-");

  test("pooled transport: 12 messages sent at once over 3 connections, to two recipients each", async () => {
    const { maildir, served } = await sandbox.serveMaildir("pool", []);
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port: served.ports[0] as number, pool: true, maxConnections: 3, maxMessages: 5, ignoreTLS: true });
    try {
      const infos = await Promise.all(
        Array.from({ length: 12 }, (_, n) =>
          transport.sendMail({ envelope: { from: "pool@nodemailer.test", to: ["a@x.test", "B@y.test"] }, raw: rawMessage(n) }),
        ),
      );
      for (const info of infos) expect(info.accepted).toEqual(["a@x.test", "B@y.test"]);
    } finally {
      transport.close();
    }
    const stored = await storedMessages(maildir);
    expect([...stored.keys()]).toEqual(["a@x.test", "b@y.test"]);
    const expected = Array.from({ length: 12 }, (_, n) => rawMessage(n).toString("latin1")).sort();
    for (const messages of stored.values()) {
      expect(messages.map((m) => m.body.toString("latin1")).sort()).toEqual(expected);
      for (const m of messages) expect(m.returnPath).toBe("<pool@nodemailer.test>");
    }
  });

  test("DSN: RET, ENVID, NOTIFY and ORCPT are accepted and the message stored", async () => {
    const { maildir, served } = await sandbox.serveMaildir("dsn", []);
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port: served.ports[0] as number, ignoreTLS: true });
    const raw = rawMessage(1);
    const info = await transport.sendMail({
      envelope: { from: "dsn@nodemailer.test", to: ["dsn-rcpt@x.test"] },
      raw,
      dsn: { id: "envelope+id=42", return: "headers", notify: ["failure", "delay"], recipient: "original@x.test" },
    });
    expect(info.accepted).toEqual(["dsn-rcpt@x.test"]);
    const m = (await storedMessages(maildir)).get("dsn-rcpt@x.test")?.[0];
    expect(m?.body.equals(raw)).toBe(true);
  });

  test("SMTPUTF8 over STARTTLS with --self-signed: UTF-8 addresses, mailbox named after the address", async () => {
    const { maildir, served } = await sandbox.serveMaildir("smtputf8", ["--self-signed"]);
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port: served.ports[0] as number,
      requireTLS: true,
      tls: { rejectUnauthorized: false },
    });
    const raw = Buffer.from("From: s\u00e9nder@ex\u00e4mple.test\r\nTo: j\u00f6rg@b\u00fccher.test\r\nSubject: gr\u00fc\u00dfe\r\n\r\nHall\u00f6chen\r\n", "utf8");
    const info = await transport.sendMail({ envelope: { from: "s\u00e9nder@ex\u00e4mple.test", to: ["J\u00f6rg@b\u00fccher.test"] }, raw });
    expect(info.accepted).toHaveLength(1);
    const stored = await storedMessages(maildir);
    // Lower-cased, then each UTF-8 octet outside the safe set as %XX.
    const m = stored.get("j%C3%B6rg@b%C3%BCcher.test")?.[0];
    expect(m?.returnPath).toBe("<s\u00e9nder@ex\u00e4mple.test>");
    expect(m?.received).toMatch(/ with UTF8SMTPS \(TLSv1\.[23] /);
    expect(m?.received).toContain("for <J\u00f6rg@b\u00fccher.test>;");
    expect(m?.body.equals(raw)).toBe(true);
  });
});
