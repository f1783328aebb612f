import { describe, expect, test } from "vitest";
import { reply } from "@smtpkit/smtp-reply-codes";
import { SmtpReplyError } from "./errors.js";
import { serve, session, sink } from "./test-support/harness.js";

async function transaction(port: number, rcpts = ["x@y.test"]) {
  const c = await session(port);
  await c.cmd("MAIL FROM:<a@b.test>");
  for (const r of rcpts) await c.cmd(`RCPT TO:<${r}>`);
  return c;
}

describe("DATA (RFC 5321 §4.1.1.4, §4.5.2)", () => {
  test("dot-stuffed lines are unstuffed; the message is stored byte for byte with its final CRLF", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await transaction(port);
    expect(await c.cmd("DATA")).toMatch(/^354 /);
    c.send("Subject: dots\r\n\r\n..leading dot\r\n...\r\n.\r\n");
    expect(await c.reply()).toMatch(/^250 2\.0\.0 /);
    expect(s.messages[0]?.bytes.toString("latin1")).toBe("Subject: dots\r\n\r\n.leading dot\r\n..\r\n");
    c.end();
  });

  test("an empty message", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await transaction(port);
    await c.cmd("DATA");
    expect(await c.cmd(".")).toMatch(/^250 /);
    expect(s.messages[0]?.bytes.length).toBe(0);
    c.end();
  });

  test("8-bit content passes untouched", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await transaction(port);
    await c.cmd("DATA");
    const body = Buffer.concat([Buffer.from("Subject: 8bit\r\n\r\n"), Buffer.from([0xe9, 0xff, 0x80, 0x00, 0x7f]), Buffer.from("\r\n.\r\n")]);
    c.send(body);
    expect(await c.reply()).toMatch(/^250 /);
    expect(s.messages[0]?.bytes).toEqual(body.subarray(0, body.length - 3));
    c.end();
  });

  test("a large message arriving in many small writes keeps its bytes", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await transaction(port);
    await c.cmd("DATA");
    const line = `${"x".repeat(70)}\r\n`;
    const total = line.repeat(20000);
    for (let i = 0; i < total.length; i += 7919) c.send(total.slice(i, i + 7919));
    c.send(".\r\n");
    expect(await c.reply()).toMatch(/^250 /);
    expect(s.messages[0]?.bytes.toString()).toBe(total);
    c.end();
  });

  test("onData resolves before the 250; a rejection gives its reply and nothing is acknowledged", async () => {
    let release: () => void = () => {};
    let reject = false;
    const { port } = await serve(
      {},
      {
        onRcptTo() {},
        async onData(message) {
          for await (const _ of message);
          await new Promise<void>((r) => {
            release = r;
          });
          if (reject) throw new SmtpReplyError(reply(452, "4.3.1", "Disk full"));
        },
      },
    );
    const c = await transaction(port);
    await c.cmd("DATA");
    c.send("a\r\n.\r\n");
    await new Promise((r) => setTimeout(r, 50));
    expect(c.buffered).toBe("");
    release();
    expect(await c.reply()).toMatch(/^250 /);
    reject = true;
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<x@y.test>");
    await c.cmd("DATA");
    c.send("b\r\n.\r\n");
    await new Promise((r) => setTimeout(r, 20));
    release();
    expect(await c.reply()).toBe("452 4.3.1 Disk full\r\n");
    c.end();
  });

  test("onData that throws a plain error: 451 4.3.0", async () => {
    const { port } = await serve(
      {},
      {
        onRcptTo() {},
        async onData(message) {
          message.resume();
          throw new Error("storage exploded");
        },
      },
    );
    const c = await transaction(port);
    await c.cmd("DATA");
    expect(await c.cmd("hello\r\n.")).toMatch(/^451 4\.3\.0 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });
});

describe("SMTP smuggling: only CRLF.CRLF ends DATA", () => {
  // [name, the fake end, what the stored body holds in its place (dot rules of RFC 5321 §4.5.2 applied,
  // bare CR/LF normalised to CRLF)].
  const fakes: [string, string, string][] = [
    ["\\n.\\n", "\n.\n", "\r\n.\r\n"],
    ["\\n.\\r\\n", "\n.\r\n", "\r\n.\r\n"],
    ["\\r.\\r", "\r.\r", "\r\n.\r\n"],
    ["\\r\\n.\\r", "\r\n.\r", "\r\n\r\n"],
    ["\\r.\\r\\n", "\r.\r\n", "\r\n.\r\n"],
    ["\\r\\n.\\n", "\r\n.\n", "\r\n\r\n"],
    ["\\r\\n\\0.\\r\\n", "\r\n\0.\r\n", "\r\n\0.\r\n"],
    ["\\r\\n.\\0\\r\\n", "\r\n.\0\r\n", "\r\n\0\r\n"],
  ];
  for (const [name, fake, stored] of fakes) {
    test(`${name} does not end the message: one DATA, one message, the smuggled commands are content`, async () => {
      const s = sink();
      const { port } = await serve({ bareLineEndings: "normalize" }, s.hooks);
      const c = await transaction(port);
      await c.cmd("DATA");
      const smuggled = "MAIL FROM:<evil@x.test>\r\nRCPT TO:<victim@y.test>\r\nDATA\r\nSmuggled\r\n";
      c.send(`Subject: one\r\n\r\nbody${fake}${smuggled}.\r\n`);
      expect(await c.reply()).toMatch(/^250 /);
      expect(await c.cmd("NOOP")).toMatch(/^250 /);
      expect(s.messages).toHaveLength(1);
      expect(s.messages[0]?.bytes.toString("latin1")).toBe(`Subject: one\r\n\r\nbody${stored}${smuggled}`);
      c.end();
    });

    test(`${name} in the default mode: the whole message is refused with 550 5.5.2 or stored whole`, async () => {
      const s = sink();
      const { port } = await serve({}, s.hooks);
      const c = await transaction(port);
      await c.cmd("DATA");
      c.send(`Subject: one\r\n\r\nbody${fake}MAIL FROM:<evil@x.test>\r\n.\r\n`);
      const r = await c.reply();
      expect(await c.cmd("NOOP")).toMatch(/^250 /);
      if (/[\r\n]/.test(fake.replace(/\r\n/g, ""))) {
        expect(r).toMatch(/^550 5\.5\.2 /);
        expect(s.messages).toHaveLength(0);
      } else {
        expect(r).toMatch(/^250 /);
        expect(s.messages).toHaveLength(1);
      }
      c.end();
    });
  }

  test("bare LF in the body: read to the real end, then 550 5.5.2 (default)", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await transaction(port);
    await c.cmd("DATA");
    c.send("Subject: x\r\n\r\nline\n.\nMAIL FROM:<evil@x.test>\r\n.\r\n");
    expect(await c.reply()).toBe("550 5.5.2 Message contains bare CR or LF: lines must end with CRLF\r\n");
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    expect(s.messages).toHaveLength(0);
    c.end();
  });

  test("bare CR in the body: 550 5.5.2", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await transaction(port);
    await c.cmd("DATA");
    expect(await c.cmd("a\rb\r\n.")).toMatch(/^550 5\.5\.2 /);
    c.end();
  });

  test('bareLineEndings: "normalize" turns bare CR and LF into CRLF', async () => {
    const s = sink();
    const { port } = await serve({ bareLineEndings: "normalize" }, s.hooks);
    const c = await transaction(port);
    await c.cmd("DATA");
    c.send("a\nb\rc\r\nd\r");
    c.send("\ne\r");
    c.send("f\r\n.\r\n");
    expect(await c.reply()).toMatch(/^250 /);
    expect(s.messages[0]?.bytes.toString()).toBe("a\r\nb\r\nc\r\nd\r\ne\r\nf\r\n");
    c.end();
  });
});

describe("SIZE (RFC 1870)", () => {
  test("the declared size is checked at MAIL: 552 5.3.4", async () => {
    const { port } = await serve({ limits: { maxMessageSize: 1000 } }, sink().hooks);
    const c = await session(port);
    expect(await c.cmd("MAIL FROM:<a@b.test> SIZE=1001")).toMatch(/^552 5\.3\.4 /);
    expect(await c.cmd("MAIL FROM:<a@b.test> SIZE=1000")).toMatch(/^250 /);
    c.end();
  });

  test("the real size is enforced while reading: 552 5.3.4 after the end, nothing stored", async () => {
    const s = sink();
    let sawError = "";
    const { port } = await serve(
      { limits: { maxMessageSize: 1000 } },
      {
        onRcptTo() {},
        async onData(message) {
          try {
            for await (const _ of message);
          } catch (err) {
            sawError = (err as SmtpReplyError).code;
            throw err;
          }
          s.messages.push({} as never);
        },
      },
    );
    const c = await transaction(port);
    await c.cmd("DATA");
    c.send(`${"y".repeat(998)}\r\n`.repeat(200));
    c.send(".\r\n");
    expect(await c.reply()).toMatch(/^552 5\.3\.4 /);
    expect(sawError).toBe("message-too-big");
    expect(s.messages).toHaveLength(0);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });
});

describe("CHUNKING and BINARYMIME (RFC 3030)", () => {
  test("BDAT with exact counts; CR, LF and dots are plain data; BDAT 0 LAST ends it", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await transaction(port);
    const one = "Subject: b\r\n\r\n.\r\n";
    const two = Buffer.from([0x00, 0x0d, 0x0a, 0x2e, 0x0a, 0xff]);
    c.send(`BDAT ${one.length}\r\n${one}`);
    expect(await c.reply()).toBe(`250 2.0.0 ${one.length} octets received\r\n`);
    c.send(Buffer.concat([Buffer.from(`BDAT ${two.length}\r\n`), two]));
    expect(await c.reply()).toMatch(/^250 2\.0\.0 /);
    expect(await c.cmd("BDAT 0 LAST")).toMatch(/^250 2\.0\.0 OK/);
    expect(s.messages[0]?.bytes).toEqual(Buffer.concat([Buffer.from(one), two]));
    expect(s.messages[0]?.envelope.transfer).toBe("BDAT");
    c.end();
  });

  test("BDAT LAST with the commands that follow pipelined in the same packet", async () => {
    const s = sink();
    const { port } = await serve({}, s.hooks);
    const c = await session(port);
    c.send("MAIL FROM:<a@b.test> BODY=BINARYMIME\r\nRCPT TO:<x@y.test>\r\nBDAT 5 LAST\r\nab\r\ncNOOP\r\n");
    expect(await c.replies(4)).toEqual([
      "250 2.1.0 Sender OK",
      "250 2.1.5 Recipient OK",
      "250 2.0.0 OK: message accepted",
      "250 2.0.0 OK",
    ]);
    expect(s.messages[0]?.bytes.toString()).toBe("ab\r\nc");
    expect(s.messages[0]?.envelope.mailParams.body).toBe("BINARYMIME");
    c.end();
  });

  test("DATA after BDAT is refused (503), and BINARYMIME needs BDAT", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await transaction(port);
    c.send("BDAT 3\r\nabc");
    await c.reply();
    expect(await c.cmd("DATA")).toMatch(/^503 5\.5\.1 /);
    await c.cmd("RSET");
    await c.cmd("MAIL FROM:<a@b.test> BODY=BINARYMIME");
    await c.cmd("RCPT TO:<x@y.test>");
    expect(await c.cmd("DATA")).toMatch(/^503 5\.5\.1 /);
    c.end();
  });

  test("a refused BDAT still consumes its octets, which are never run as commands", async () => {
    const { port } = await serve({}, sink().hooks);
    const c = await session(port);
    const payload = "QUIT\r\n";
    c.send(`BDAT ${payload.length}\r\n${payload}`);
    expect(await c.reply()).toMatch(/^503 5\.5\.1 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    c.end();
  });

  test("BDAT over the size limit: 552 5.3.4, the chunks are still read", async () => {
    const s = sink();
    const { port } = await serve({ limits: { maxMessageSize: 10 } }, s.hooks);
    const c = await transaction(port);
    c.send("BDAT 8\r\n12345678");
    expect(await c.reply()).toMatch(/^250 /);
    c.send("BDAT 8 LAST\r\n12345678");
    expect(await c.reply()).toMatch(/^552 5\.3\.4 /);
    expect(await c.cmd("NOOP")).toMatch(/^250 /);
    expect(s.messages).toHaveLength(0);
    c.end();
  });
});

describe("LMTP (RFC 2033)", () => {
  test("LHLO; one reply per accepted recipient after the data, as onData answers", async () => {
    const { port } = await serve(
      { lmtp: true },
      {
        onRcptTo(to) {
          if (!("postmaster" in to) && to.localPart === "nobody") throw new SmtpReplyError(reply(550, "5.1.1", "No such user"));
        },
        async onData(message, session) {
          for await (const _ of message);
          return {
            recipients: session.envelope?.rcptTo.map((r) => (r.address.startsWith("full") ? reply(452, "4.2.2", "Mailbox full") : undefined)) ?? [],
          };
        },
      },
    );
    const c = await session(port, false);
    expect(await c.cmd("EHLO c.test")).toMatch(/^500 5\.5\.1 /);
    c.send("LHLO c.test\r\n");
    expect(await c.reply()).toMatch(/^250-mx\.test LMTP/);
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<one@mx.test>");
    expect(await c.cmd("RCPT TO:<nobody@mx.test>")).toMatch(/^550 /);
    await c.cmd("RCPT TO:<full@mx.test>");
    await c.cmd("RCPT TO:<two@mx.test>");
    await c.cmd("DATA");
    c.send("x\r\n.\r\n");
    expect(await c.replies(3)).toEqual(["250 2.1.5 OK: delivered", "452 4.2.2 Mailbox full", "250 2.1.5 OK: delivered"]);
    c.end();
  });

  test("a failed onData gives every recipient the same reply", async () => {
    const { port } = await serve(
      { lmtp: true },
      {
        onRcptTo() {},
        async onData() {
          throw new SmtpReplyError(reply(451, "4.3.0", "Try later"));
        },
      },
    );
    const c = await session(port, "LHLO c.test");
    await c.cmd("MAIL FROM:<a@b.test>");
    await c.cmd("RCPT TO:<one@mx.test>");
    await c.cmd("RCPT TO:<two@mx.test>");
    c.send("BDAT 3 LAST\r\nabc");
    expect(await c.replies(2)).toEqual(["451 4.3.0 Try later", "451 4.3.0 Try later"]);
    c.end();
  });
});
