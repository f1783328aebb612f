import { describe, expect, test } from "vitest";
import { reply } from "@smtpkit/smtp-reply-codes";
import { SmtpReplyError } from "./errors.js";
import { createServer } from "./server.js";
import { Raw, serve, session, sink } from "./test-support/harness.js";
import type { Logger } from "./types.js";

function memoryLogger(): Logger & { lines: { level: string; obj: object; msg?: string }[] } {
  const lines: { level: string; obj: object; msg?: string }[] = [];
  const add = (level: string) => (obj: object, msg?: string) => {
    lines.push(msg === undefined ? { level, obj } : { level, obj, msg });
  };
  return { lines, info: add("info"), warn: add("warn"), error: add("error") };
}

describe("RFC 5321 state machine", () => {
  test("greeting names the host and carries no enhanced code (RFC 2034 §4)", async () => {
    const { port } = await serve();
    const c = await Raw.connect(port);
    expect(await c.reply()).toBe("220 mx.test ESMTP ready\r\n");
    c.end();
  });

  test("a hostname that cannot go on the wire is refused at createServer", () => {
    expect(() => createServer({ hostname: "mx example" })).toThrow(RangeError);
    expect(() => createServer({ hostname: "mx.bücher.test" })).toThrow(RangeError);
  });

  test("EHLO lists the extensions; HELO gets none (§4.1.1.1)", async () => {
    const { port } = await serve();
    const c = await session(port, false);
    c.send("EHLO client.test\r\n");
    const ehlo = await c.reply();
    expect(ehlo.split("\r\n")).toEqual([
      "250-mx.test ESMTP",
      "250-PIPELINING",
      "250-8BITMIME",
      "250-SMTPUTF8",
      "250-CHUNKING",
      "250-BINARYMIME",
      "250-DSN",
      "250-ENHANCEDSTATUSCODES",
      "250 SIZE 26214400",
      "",
    ]);
    c.send("HELO client.test\r\n");
    expect(await c.reply()).toBe("250 mx.test\r\n");
    c.end();
  });

  test("MAIL before EHLO is 503 5.5.1", async () => {
    const { port } = await serve();
    const c = await session(port, false);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^503 5\.5\.1 /);
    c.end();
  });

  test("RCPT before MAIL, DATA before MAIL, nested MAIL: 503 5.5.1", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await session(port);
    expect(await c.cmd("RCPT TO:<x@y.test>")).toMatch(/^503 5\.5\.1 /);
    expect(await c.cmd("DATA")).toMatch(/^503 5\.5\.1 /);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^250 2\.1\.0 /);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^503 5\.5\.1 /);
    c.end();
  });

  test("DATA without an accepted recipient is 554 5.5.0", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    expect(await c.cmd("DATA")).toMatch(/^554 5\.5\.0 /);
    c.end();
  });

  test("a whole transaction; the envelope reaches onData; RSET, NOOP, HELP, VRFY, EXPN, QUIT", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await session(port);
    expect(await c.cmd("MAIL FROM:<a@b.test> SIZE=20 BODY=8BITMIME RET=HDRS ENVID=QQ314159")).toMatch(/^250 2\.1\.0/);
    expect(await c.cmd("RCPT TO:<x@y.test> NOTIFY=SUCCESS,FAILURE ORCPT=rfc822;x@y.test")).toMatch(/^250 2\.1\.5/);
    expect(await c.cmd("DATA")).toMatch(/^354 /);
    expect(await c.cmd("Subject: t\r\n\r\nbody\r\n.")).toMatch(/^250 2\.0\.0 /);
    expect(s.messages).toHaveLength(1);
    const m = s.messages[0];
    expect(m?.bytes.toString()).toBe("Subject: t\r\n\r\nbody\r\n");
    expect(m?.envelope.mailFromAddress).toBe("a@b.test");
    expect(m?.envelope.mailParams).toEqual({ size: 20, body: "8BITMIME", ret: "HDRS", envid: "QQ314159" });
    expect(m?.envelope.rcptTo[0]?.params).toEqual({ notify: ["SUCCESS", "FAILURE"], orcpt: { addrType: "rfc822", address: "x@y.test" } });
    expect(m?.envelope.transfer).toBe("DATA");
    expect(await c.cmd("RSET")).toMatch(/^250 2\.0\.0 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 2\.0\.0 /);
    expect(await c.cmd("HELP")).toMatch(/^214 2\.0\.0 /);
    expect(await c.cmd("VRFY someone")).toMatch(/^252 2\.5\.0 /);
    expect(await c.cmd("EXPN list")).toMatch(/^502 5\.5\.1 /);
    expect(await c.cmd("QUIT")).toMatch(/^221 2\.0\.0 /);
    await c.waitClosed();
  });

  test("VRFY and EXPN are hookable", async () => {
    const { port } = await serve(
      {},
      { onVrfy: (arg) => reply(250, "2.1.5", `<${arg}@mx.test>`), onExpn: async () => reply(550, "5.1.1", "No such list") },
    );
    const c = await session(port);
    expect(await c.cmd("VRFY bob")).toBe("250 2.1.5 <bob@mx.test>");
    expect(await c.cmd("EXPN staff")).toBe("550 5.1.1 No such list");
    c.end();
  });

  test("RSET and a new EHLO drop the transaction (onReset is told)", async () => {
    let resets = 0;
    const { port } = await serve({}, { ...sink().hooks, onReset: () => void resets++ });
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RSET");
    expect(await c.cmd("RCPT TO:<x@y.test>")).toMatch(/^503 /);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("EHLO again.test");
    expect(await c.cmd("RCPT TO:<x@y.test>")).toMatch(/^503 /);
    expect(resets).toBe(2);
    c.end();
  });

  test("unknown command 500 5.5.1, bad syntax 501, unknown parameter 555", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await session(port);
    expect(await c.cmd("FOO")).toMatch(/^500 5\.5\.1 /);
    expect(await c.cmd("MAIL FROM:<bad address>")).toMatch(/^501 5\.1\.7 /);
    expect(await c.cmd("MAIL FROM:<a@b.test> XYZZY=1")).toMatch(/^555 5\.5\.4 /);
    c.end();
  });

  test("ESMTP parameters after HELO are refused (555)", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await session(port, "HELO client.test");
    expect(await c.cmd("MAIL FROM:<a@b.test> SIZE=10")).toMatch(/^555 5\.5\.4 /);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^250 /);
    c.end();
  });

  test("a disabled extension is neither offered nor accepted", async () => {
    const { port } = await serve({ extensions: { dsn: false, smtputf8: false } }, sink().hooks);
    const c = await session(port, false);
    c.send("EHLO c.test\r\n");
    const ehlo = await c.reply();
    expect(ehlo).not.toMatch(/DSN|SMTPUTF8/);
    expect(await c.cmd("MAIL FROM:<a@b.test> RET=FULL")).toMatch(/^555 /);
    expect(await c.cmd("MAIL FROM:<a@b.test> SMTPUTF8")).toMatch(/^555 /);
    c.end();
  });

  test("ENHANCEDSTATUSCODES off: no enhanced codes on the wire", async () => {
    const { port } = await serve({ extensions: { enhancedStatusCodes: false } }, sink().hooks);
    const c = await session(port);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toBe("250 Sender OK");
    expect(await c.cmd("FOO")).toBe("500 Command unrecognized");
    c.end();
  });

  test("compat switches are passed to the parser for broken clients", async () => {
    const { port } = await serve({ compat: { spaceAfterColon: true, missingBrackets: true } }, sink().hooks);
    const c = await session(port);
    expect(await c.cmd("MAIL FROM: a@b.test")).toMatch(/^250 /);
    const strict = await serve({}, sink().hooks);
    const d = await session(strict.port);
    expect(await d.cmd("MAIL FROM: a@b.test")).toMatch(/^501 /);
    c.end();
    d.end();
  });

  test("SMTPUTF8: UTF-8 addresses with the parameter, 553 5.6.7 without", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await session(port);
    c.send(Buffer.from("MAIL FROM:<jöran@bücher.test>\r\n", "utf8"));
    expect(await c.reply()).toMatch(/^553 5\.6\.7 /);
    c.send(Buffer.from("MAIL FROM:<jöran@bücher.test> SMTPUTF8\r\n", "utf8"));
    expect(await c.reply()).toMatch(/^250 /);
    c.send(Buffer.from("RCPT TO:<δοκιμή@παράδειγμα.δοκιμή>\r\n", "utf8"));
    expect(await c.reply()).toMatch(/^250 /);
    await c.cmd("DATA");
    c.send(Buffer.from("Subject: ü\r\n\r\nx\r\n.\r\n", "utf8"));
    expect(await c.reply()).toMatch(/^250 /);
    expect(s.messages[0]?.bytes.toString("utf8")).toBe("Subject: ü\r\n\r\nx\r\n");
    expect(s.messages[0]?.envelope.mailFromAddress).toBe("jöran@bücher.test");
    expect(s.messages[0]?.envelope.rcptTo[0]?.address).toBe("δοκιμή@παράδειγμα.δοκιμή");
    expect(s.messages[0]?.envelope.mailParams.smtputf8).toBe(true);
    c.end();
  });
});

describe("hooks", () => {
  test("a hook's SmtpReplyError becomes that reply", async () => {
    const { port } = await serve(
      {},
      {
        onMailFrom: async (from) => {
          if (from?.domain === "spam.test") throw new SmtpReplyError(reply(550, "5.7.1", "No spam please"));
        },
        onRcptTo: (to) => {
          if ("postmaster" in to) return;
          if (to.localPart === "full") throw new SmtpReplyError(reply(452, "4.2.2", "Mailbox full"));
        },
      },
    );
    const c = await session(port);
    expect(await c.cmd("MAIL FROM:<x@spam.test>")).toBe("550 5.7.1 No spam please");
    expect(await c.cmd("MAIL FROM:<x@ham.test>")).toMatch(/^250 /);
    expect(await c.cmd("RCPT TO:<full@mx.test>")).toBe("452 4.2.2 Mailbox full");
    expect(await c.cmd("RCPT TO:<Postmaster>")).toMatch(/^250 2\.1\.5/);
    c.end();
  });

  test("any other error becomes 451 4.3.0 and is logged; the session goes on", async () => {
    const logger = memoryLogger();
    const { port } = await serve(
      { logger },
      {
        onHelo: () => {
          throw new Error("database down");
        },
      },
    );
    const c = await session(port, false);
    expect(await c.cmd("EHLO c.test")).toBe("451 4.3.0 Requested action aborted: local error in processing");
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    expect(logger.lines.some((l) => l.level === "error" && JSON.stringify(l.obj).includes("database down"))).toBe(true);
    c.end();
  });

  test("onConnect can refuse a client: its reply, then close", async () => {
    const { port } = await serve({}, { onConnect: () => Promise.reject(new SmtpReplyError(reply(554, "5.7.1", "Go away"))) });
    const c = await Raw.connect(port);
    expect(await c.waitClosed()).toBe("554 5.7.1 Go away\r\n");
  });

  test("hooks see the session: id, addresses, HELO name, envelope", async () => {
    const seen: unknown[] = [];
    const { port } = await serve(
      {},
      {
        onRcptTo: (_to, _p, s) => {
          seen.push({ id: typeof s.id, remote: s.remoteAddress, local: s.localAddress, helo: s.helo, from: s.envelope?.mailFromAddress, secure: s.secure });
        },
      },
    );
    const c = await session(port);
    await c.cmd("MAIL FROM:<>");
    await c.cmd("RCPT TO:<x@y.test>");
    expect(seen).toEqual([{ id: "string", remote: "127.0.0.1", local: "127.0.0.1", helo: { verb: "EHLO", domain: "client.test" }, from: "", secure: false }]);
    c.end();
  });

  test("the local end of a session is the listener's address and port (taken from the listener, not asked per connection)", async () => {
    const seen: unknown[] = [];
    const { port } = await serve({}, { onConnect: (s) => void seen.push([s.localAddress, s.localPort]) });
    const c = await session(port);
    expect(seen).toEqual([["127.0.0.1", port]]);
    c.end();
  });

  test("a hook that never settles gets 451 4.3.0 after hookTimeout", async () => {
    const { port } = await serve({ limits: { hookTimeout: 100 } }, { onMailFrom: () => new Promise<void>(() => {}) });
    const c = await session(port);
    expect(await c.cmd("MAIL FROM:<a@b.test>")).toMatch(/^451 4\.3\.0 /);
    c.end();
  });

  test("onClose is called once per session", async () => {
    let closes = 0;
    const { port } = await serve({}, { onClose: () => void closes++ });
    const c = await session(port);
    await c.cmd("QUIT");
    await c.waitClosed();
    const d = await session(port);
    d.end();
    const deadline = Date.now() + 2000;
    while (closes < 2 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 5));
    expect(closes).toBe(2);
  });
});

describe("never an open relay", () => {
  test("without onRcptTo, recipients of unauthenticated sessions are refused", async () => {
    const { port } = await serve();
    const c = await session(port);
    await c.cmd("MAIL FROM:<a@b.test>");
    expect(await c.cmd("RCPT TO:<x@elsewhere.test>")).toMatch(/^550 5\.7\.1 /);
    c.end();
  });
});
