import { describe, expect, test } from "vitest";
import { reply } from "@smtpkit/smtp-reply-codes";
import { SmtpReplyError } from "./errors.js";
import { R } from "./replies.js";
import { Raw, serve, session, sink, until } from "./test-support/harness.js";

describe("PIPELINING (RFC 2920)", () => {
  test("a pipelined group gets its replies in order, in one write, only after every hook finished", async () => {
    const order: string[] = [];
    const s = sink({
      async onMailFrom() {
        await new Promise((r) => setTimeout(r, 30));
        order.push("mail");
      },
      async onRcptTo(to) {
        // The later recipient's hook finishes first: replies still come in command order.
        const slow = !("postmaster" in to) && to.localPart === "slow";
        await new Promise((r) => setTimeout(r, slow ? 40 : 1));
        order.push(slow ? "slow" : "fast");
        if (!slow) throw new SmtpReplyError(reply(550, "5.1.1", "No such user"));
      },
    });
    const { port } = await serve({}, s.hooks);
    const c = await session(port);
    const chunks: string[] = [];
    c.socket.on("data", (d: Buffer) => chunks.push(d.toString()));
    c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<slow@y.test>\r\nRCPT TO:<fast@y.test>\r\nDATA\r\n");
    expect(await c.replies(4)).toEqual([
      "250 2.1.0 Sender OK",
      "250 2.1.5 Recipient OK",
      "550 5.1.1 No such user",
      "354 Start mail input; end with <CRLF>.<CRLF>",
    ]);
    expect(order).toEqual(["mail", "slow", "fast"]);
    expect(chunks).toHaveLength(1);
    c.send("x\r\n.\r\nQUIT\r\n");
    expect(await c.replies(2)).toEqual(["250 2.0.0 OK: message accepted", "221 2.0.0 Bye"]);
    await c.waitClosed();
  });

  test("synchronous and asynchronous hooks mixed in one group, and no onData: replies in order, one write per group", async () => {
    // Hooks that answer synchronously take the fast path; the asynchronous one makes the rest of the group wait for it.
    const { port } = await serve(
      {},
      {
        onMailFrom() {},
        onRcptTo(to) {
          if ("postmaster" in to) return;
          if (to.localPart === "slow") return new Promise<void>((r) => setTimeout(r, 30));
          if (to.localPart === "bad") throw new SmtpReplyError(reply(550, "5.1.1", "No such user"));
        },
      },
    );
    const c = await session(port);
    const chunks: string[] = [];
    c.socket.on("data", (d: Buffer) => chunks.push(d.toString()));
    c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<slow@y.test>\r\nRCPT TO:<bad@y.test>\r\nRCPT TO:<ok@y.test>\r\nDATA\r\n");
    expect(await c.replies(5)).toEqual([
      "250 2.1.0 Sender OK",
      "250 2.1.5 Recipient OK",
      "550 5.1.1 No such user",
      "250 2.1.5 Recipient OK",
      "354 Start mail input; end with <CRLF>.<CRLF>",
    ]);
    expect(chunks).toHaveLength(1);
    c.send("x\r\n.\r\nRSET\r\nNOOP\r\nQUIT\r\n");
    expect(await c.replies(4)).toEqual(["250 2.0.0 OK: message accepted", "250 2.0.0 Reset OK", "250 2.0.0 OK", "221 2.0.0 Bye"]);
    expect(chunks).toHaveLength(2);
    await c.waitClosed();
  });

  test("many messages pipelined after each end of data", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await session(port);
    c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n");
    await c.replies(3);
    c.send("one\r\n.\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n");
    expect(await c.replies(4)).toEqual([
      "250 2.0.0 OK: message accepted",
      "250 2.1.0 Sender OK",
      "250 2.1.5 Recipient OK",
      "354 Start mail input; end with <CRLF>.<CRLF>",
    ]);
    c.send("two\r\n.\r\n");
    await c.reply();
    expect(s.messages.map((m) => m.bytes.toString())).toEqual(["one\r\n", "two\r\n"]);
    c.end();
  });
});

describe("synchronisation (RFC 2920 §3.1, early talkers)", () => {
  test("a client that talks before the greeting gets 554 5.5.0 and is closed", async () => {
    const { port } = await serve({ limits: { greetingDelay: 300 } });
    const c = await Raw.connect(port);
    c.send("EHLO eager.test\r\n");
    expect(await c.waitClosed()).toBe("554 5.5.0 Protocol error: data sent before the server's reply\r\n");
  });

  test("commands sent while onConnect runs count as early talking", async () => {
    const { port } = await serve({}, { onConnect: () => new Promise((r) => setTimeout(r, 80)) });
    const c = await Raw.connect(port);
    c.send("EHLO eager.test\r\n");
    expect(await c.waitClosed()).toMatch(/^554 5\.5\.0 /);
  });

  test('earlyTalkers: "ignore" greets and then runs the early commands', async () => {
    const { port } = await serve({ earlyTalkers: "ignore", limits: { greetingDelay: 60 } });
    const c = await Raw.connect(port);
    c.send("NOOP\r\n");
    expect(await c.replies(2)).toEqual(["220 mx.test ESMTP ready", "250 2.0.0 OK"]);
    c.end();
  });

  test("no delay before the greeting by default", async () => {
    const { port } = await serve();
    const c = await Raw.connect(port);
    // Bounded by the harness wait, not a timing threshold: the greeting comes without a delay option.
    expect(await c.reply()).toMatch(/^220 /);
    c.end();
  });

  test("message content sent before the 354 is detected: 554 5.5.0 and close", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await session(port);
    c.send("MAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\nSubject: early\r\n\r\nx\r\n.\r\n");
    const rest = await c.waitClosed();
    expect(rest).toContain("554 5.5.0 ");
    expect(rest).not.toContain("354");
    expect(s.messages).toHaveLength(0);
  });
});

describe("a client that pipelines without reading the replies", () => {
  test("is not read further while its replies pile up, and is dropped at the idle deadline", async () => {
    let answered = 0;
    const { port, server } = await serve(
      { limits: { idleTimeout: 200, maxBadCommands: 0 } },
      {
        onVrfy: () => {
          answered++;
          return R.cannotVerify;
        },
      },
    );
    const c = await Raw.connect(port);
    await c.reply();
    c.socket.pause();
    const line = "VRFY somebody\r\n";
    const count = 200_000;
    const flood = Buffer.from(line.repeat(count / 10));
    for (let i = 0; i < 10; i++) c.socket.write(flood);
    await until(() => server.connections === 0, "the session to be dropped", 10_000);
    // The server stopped taking commands once its unread replies passed the high-water mark.
    expect(answered).toBeGreaterThan(0);
    expect(answered).toBeLessThan(count);
    c.end();
  });
});

describe("command lines", () => {
  test("a line over 512 octets: 500 5.5.6, the session stays in step", async () => {
    const { port } = await serve();
    const c = await session(port);
    expect(await c.cmd(`NOOP ${"a".repeat(600)}`)).toMatch(/^500 5\.5\.6 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });

  test("a huge line without CRLF is not buffered: the reply comes once its LF arrives", async () => {
    const { port } = await serve();
    const c = await session(port);
    for (let i = 0; i < 64; i++) c.send("x".repeat(16384));
    c.send("\r\nNOOP\r\n");
    expect(await c.replies(2)).toEqual([expect.stringMatching(/^500 5\.5\.6 /), "250 2.0.0 OK"]);
    c.end();
  });

  test("a bare LF or bare CR in a command is refused (500 5.5.2)", async () => {
    const { port } = await serve();
    const c = await session(port);
    c.send("NOOP\n");
    expect(await c.reply()).toMatch(/^500 5\.5\.2 /);
    c.send("NO\rOP\r\n");
    expect(await c.reply()).toMatch(/^500 5\.5\.2 /);
    c.end();
  });

  test("after maxBadCommands errors: 421 and close", async () => {
    const { port } = await serve({ limits: { maxBadCommands: 3 } });
    const c = await session(port);
    c.send("FOO\r\nBAR\r\nBAZ\r\nNOOP\r\n");
    const rest = await c.waitClosed();
    expect(rest.split("\r\n")).toEqual([
      "500 5.5.1 Command unrecognized",
      "500 5.5.1 Command unrecognized",
      "500 5.5.1 Command unrecognized",
      "421 4.7.0 Too many errors, closing transmission channel",
      "",
    ]);
  });
});
