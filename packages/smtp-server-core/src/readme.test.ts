// The README's example, with fixture certificates, port 0 and a temporary spool directory.
import { createWriteStream, mkdtempSync, readFileSync, readdirSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { pipeline } from "node:stream/promises";
import nodemailer from "nodemailer";
import { expect, test } from "vitest";
import { reply } from "@smtpkit/smtp-reply-codes";
import { Secret } from "@smtpkit/smtp-sasl";
import { SmtpReplyError, createServer } from "./index.js";
import { CA, TLS } from "./test-support/harness.js";

test("the README example accepts local mail, refuses relaying, stores the bytes before the 250", async () => {
  const spool = mkdtempSync(join(tmpdir(), "smtp-server-core-readme-"));
  const users = new Map([["alice", "wonderland"]]);
  const server = createServer(
    {
      hostname: "mx.example.org",
      listen: [{ host: "127.0.0.1", port: 0 }, { host: "127.0.0.1", port: 0, tls: "implicit" }],
      tls: TLS,
      limits: { maxMessageSize: 10 * 1024 * 1024, maxRecipients: 50 },
    },
    {
      onAuth: {
        async lookupPassword(username) {
          const p = users.get(username);
          return p === undefined ? undefined : new Secret(p);
        },
      },
      async onMailFrom(from) {
        if (from?.domain === "spam.example") throw new SmtpReplyError(reply(550, "5.7.1", "Not from you"));
      },
      async onRcptTo(to, _params, session) {
        if ("postmaster" in to) return;
        if (to.domain !== "example.org" && session.auth === undefined) {
          throw new SmtpReplyError(reply(550, "5.7.1", "Relay access denied"));
        }
      },
      async onData(message, session) {
        const file = join(spool, `${session.id}-${session.transactions}.eml`);
        await pipeline(message, createWriteStream(file, { flags: "wx" }));
      },
    },
  );
  const [plain, implicit] = await server.listen();
  try {
    const local = nodemailer.createTransport({ host: "127.0.0.1", port: plain?.port, tls: { ca: CA, servername: "localhost" } });
    const raw = Buffer.from("From: bob@other.test\r\nTo: alice@example.org\r\nSubject: hi\r\n\r\nHello\r\n");
    await local.sendMail({ envelope: { from: "bob@other.test", to: ["alice@example.org"] }, raw });
    await expect(local.sendMail({ envelope: { from: "bob@other.test", to: ["x@elsewhere.test"] }, raw })).rejects.toThrow(/Relay access denied/);
    const submission = nodemailer.createTransport({
      host: "127.0.0.1",
      port: implicit?.port,
      secure: true,
      auth: { user: "alice", pass: "wonderland" },
      tls: { ca: CA, servername: "localhost" },
    });
    await submission.sendMail({ envelope: { from: "alice@example.org", to: ["x@elsewhere.test"] }, raw });
    const files = readdirSync(spool);
    expect(files).toHaveLength(2);
    for (const f of files) expect(readFileSync(join(spool, f)).equals(raw)).toBe(true);
  } finally {
    await server.close({ deadline: 1000 });
  }
});
