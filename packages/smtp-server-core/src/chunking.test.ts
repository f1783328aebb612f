import { fc, test } from "@fast-check/vitest";
import { expect } from "vitest";
import { Raw, serve, sink } from "./test-support/harness.js";

// One pipelined session with DATA (dot-stuffing, 8-bit), BDAT and RSET, sent as one byte string.
const transcript = Buffer.from("EHLO split.test\r\nMAIL FROM:<a@b.test> BODY=8BITMIME\r\nRCPT TO:<x@y.test>\r\nDATA\r\n");
const content = Buffer.concat([Buffer.from("Subject: split\r\n\r\n..dot\r\n"), Buffer.from([0xc3, 0xa9, 0x0d, 0x0a]), Buffer.from(".\r\n")]);
const tail = Buffer.from("MAIL FROM:<c@d.test>\r\nRCPT TO:<z@y.test>\r\nBDAT 7\r\n.\r\n.\r\nxBDAT 0 LAST\r\nRSET\r\nQUIT\r\n");

test.prop([fc.array(fc.integer({ min: 1, max: 40 }), { minLength: 1, maxLength: 30 })], { numRuns: 12 })(
  "the same session split into arbitrary writes gives the same replies and stored bytes",
  async (cuts) => {
    const s = sink();
    const { port } = await serve({ earlyTalkers: "ignore" }, s.hooks);
    const c = await Raw.connect(port);
    await c.reply();
    // The content may only follow the 354 (RFC 2920): send up to DATA, wait, then the rest in pieces.
    c.send(transcript);
    const before = await c.replies(4);
    const rest = Buffer.concat([content, tail]);
    let at = 0;
    for (const n of cuts) {
      if (at >= rest.length) break;
      c.send(rest.subarray(at, at + n));
      at += n;
      await new Promise((r) => setImmediate(r));
    }
    if (at < rest.length) c.send(rest.subarray(at));
    // End of DATA, MAIL, RCPT, BDAT 7, BDAT 0 LAST, RSET, QUIT.
    const after = await c.replies(7);
    expect(before.map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "354"]);
    expect(after.map((r) => r.slice(0, 3))).toEqual(["250", "250", "250", "250", "250", "250", "221"]);
    expect(s.messages.map((m) => m.bytes.toString("latin1"))).toEqual([
      Buffer.concat([Buffer.from("Subject: split\r\n\r\n.dot\r\n"), Buffer.from([0xc3, 0xa9, 0x0d, 0x0a])]).toString("latin1"),
      ".\r\n.\r\nx",
    ]);
    c.end();
  },
);
