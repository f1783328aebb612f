import nodemailer from "nodemailer";
import { describe, expect, test } from "vitest";
import { reply } from "@smtpkit/smtp-reply-codes";
import { SmtpReplyError } from "./errors.js";
import { CA, TLS, serve, sink } from "./test-support/harness.js";
import type { Session } from "./types.js";

/** A raw RFC 5322 message with CRLF line ends, a dot line and 8-bit text: sent as is by `raw`. */
function rawMessage(i: number): Buffer {
  return Buffer.from(
    `From: sender@node.test\r\nTo: r${i}@mx.test\r\nSubject: pooled ${i}\r\nMIME-Version: 1.0\r\n` +
      `Content-Type: text/plain; charset=utf-8\r\nContent-Transfer-Encoding: 8bit\r\n\r\n.dot line ${i}\r\nÜmlaut ${i}\r\n`,
    "utf8",
  );
}

describe("interop: Nodemailer", () => {
  test("pooled transport over STARTTLS: many messages on few connections, stored byte for byte", async () => {
    const s = sink();
    const sessions = new Set<string>();
    const { port } = await serve({ tls: TLS }, { ...s.hooks, onConnect: (session: Session) => void sessions.add(session.id) });
    const transport = nodemailer.createTransport({
      host: "127.0.0.1",
      port,
      pool: true,
      maxConnections: 2,
      maxMessages: 100,
      tls: { ca: CA, servername: "localhost" },
    });
    try {
      const sent = Array.from({ length: 8 }, (_, i) => rawMessage(i));
      const results = await Promise.all(
        sent.map((raw, i) => transport.sendMail({ envelope: { from: "sender@node.test", to: [`r${i}@mx.test`] }, raw })),
      );
      expect(results.every((r) => r.accepted.length === 1)).toBe(true);
      expect(s.messages).toHaveLength(8);
      for (const m of s.messages) {
        const i = Number(m.envelope.rcptTo[0]?.address.match(/^r(\d+)@/)?.[1]);
        expect(m.bytes.equals(sent[i] as Buffer)).toBe(true);
        expect(m.session.secure).toBe(true);
      }
      expect(sessions.size).toBeLessThanOrEqual(2);
    } finally {
      transport.close();
    }
  });

  test("DSN parameters are handed to the application", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port, ignoreTLS: true });
    await transport.sendMail({
      from: "sender@node.test",
      to: "rcpt@mx.test",
      subject: "dsn",
      text: "with DSN",
      dsn: { id: "env-42", return: "headers", notify: ["failure", "delay"], recipient: "sender@node.test" },
    });
    const env = s.messages[0]?.envelope;
    expect(env?.mailParams).toMatchObject({ ret: "HDRS", envid: "env-42" });
    expect(env?.rcptTo[0]?.params).toEqual({ notify: ["FAILURE", "DELAY"], orcpt: { addrType: "rfc822", address: "sender@node.test" } });
  });

  test("SMTPUTF8: UTF-8 addresses go through with the SMTPUTF8 parameter", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port, ignoreTLS: true });
    const raw = Buffer.from("From: jöran@bücher.test\r\nTo: δοκιμή@παράδειγμα.test\r\nSubject: utf8\r\n\r\nΓειά\r\n", "utf8");
    const info = await transport.sendMail({ envelope: { from: "jöran@bücher.test", to: ["δοκιμή@παράδειγμα.test"] }, raw });
    expect(info.accepted).toEqual(["δοκιμή@παράδειγμα.test"]);
    const m = s.messages[0];
    expect(m?.envelope.mailParams.smtputf8).toBe(true);
    expect(m?.envelope.mailFromAddress).toBe("jöran@bücher.test");
    expect(m?.bytes.equals(raw)).toBe(true);
  });

  test("a recipient refused by a hook is reported to Nodemailer, the others get the message", async () => {
    const s = sink({
      onRcptTo(to) {
        if (!("postmaster" in to) && to.localPart === "nobody") throw new SmtpReplyError(reply(550, "5.1.1", "No such user"));
      },
    });
    const { port } = await serve({}, s.hooks);
    const transport = nodemailer.createTransport({ host: "127.0.0.1", port, ignoreTLS: true });
    const info = await transport.sendMail({ from: "a@node.test", to: ["ok@mx.test", "nobody@mx.test"], subject: "x", text: "y" });
    expect(info.accepted).toEqual(["ok@mx.test"]);
    expect(info.rejected).toEqual(["nobody@mx.test"]);
    expect(s.messages[0]?.envelope.rcptTo.map((r) => r.address)).toEqual(["ok@mx.test"]);
  });
});
