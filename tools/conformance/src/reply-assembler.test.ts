import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { ProbeError } from "./errors.js";
import { type AssembledItem, MAX_REPLY_LINE, ReplyAssembler } from "./reply-assembler.js";

/** Items as comparable values: replies with their raw lines and bare-LF flag, errors by code. */
function view(items: readonly AssembledItem[]): unknown[] {
  return items.map((i) =>
    "reply" in i ? { code: i.reply.code, enhanced: i.reply.enhanced, lines: i.reply.lines, raw: i.reply.raw, bareLf: i.reply.bareLf } : { error: i.error.code },
  );
}

function feed(bytes: Uint8Array, cuts: readonly number[]): { items: AssembledItem[]; lines: string[] } {
  const lines: string[] = [];
  const a = new ReplyAssembler((line) => lines.push(line));
  const items: AssembledItem[] = [];
  let at = 0;
  for (const cut of [...cuts].sort((x, y) => x - y)) {
    items.push(...a.push(bytes.subarray(at, cut)));
    at = cut;
  }
  items.push(...a.push(bytes.subarray(at)));
  return { items, lines };
}

const enc = (s: string): Uint8Array => Buffer.from(s, "latin1");

describe("ReplyAssembler: known answers (RFC 5321 §4.2, RFC 2034 §4)", () => {
  test("a multi-line reply keeps its raw lines, and the enhanced code is split off the text", () => {
    const { items } = feed(enc("250-mx.test\r\n250-PIPELINING\r\n250 2.0.0 SIZE 100\r\n"), []);
    expect(view(items)).toEqual([
      {
        code: 250,
        enhanced: undefined,
        lines: ["mx.test", "PIPELINING", "2.0.0 SIZE 100"],
        raw: ["250-mx.test", "250-PIPELINING", "250 2.0.0 SIZE 100"],
        bareLf: false,
      },
    ]);
    const one = feed(enc("550 5.7.1 relay denied\r\n"), []).items[0];
    expect(one !== undefined && "reply" in one && one.reply.enhanced).toEqual({ cls: 5, subject: 7, detail: 1 });
  });

  test("a line ended by a bare LF is flagged, not hidden", () => {
    const { items } = feed(enc("250 ok\n"), []);
    expect(view(items)).toEqual([{ code: 250, enhanced: undefined, lines: ["ok"], raw: ["250 ok"], bareLf: true }]);
  });

  test("garbage gives one error per bad line or reply, and the next reply still reads", () => {
    const { items } = feed(enc("hello\r\n250-a\r\n251 b\r\n220 fine\r\n"), []);
    expect(view(items)).toEqual([
      { error: "bad-reply" },
      { error: "bad-reply" },
      { code: 220, enhanced: undefined, lines: ["fine"], raw: ["220 fine"], bareLf: false },
    ]);
  });

  test("an over-long line is one error, however it arrives, and what follows still reads", () => {
    const long = `250 ${"x".repeat(MAX_REPLY_LINE + 10)}\r\n221 bye\r\n`;
    for (const cuts of [[], [100], [MAX_REPLY_LINE + 2], [5, 9000, MAX_REPLY_LINE + 5]]) {
      expect(view(feed(enc(long), cuts).items)).toEqual([
        { error: "bad-reply" },
        { code: 221, enhanced: undefined, lines: ["bye"], raw: ["221 bye"], bareLf: false },
      ]);
    }
  });

  test("reset() forgets a partial reply (STARTTLS)", () => {
    const a = new ReplyAssembler();
    expect(a.push(enc("250-part"))).toEqual([]);
    expect(a.holding).toBeGreaterThan(0);
    a.reset();
    expect(a.holding).toBe(0);
    expect(view(a.push(enc("220 tls\r\n")))).toEqual([{ code: 220, enhanced: undefined, lines: ["tls"], raw: ["220 tls"], bareLf: false }]);
  });
});

/** Server output as the probe may meet it: reply lines (good and bad), CRLF or LF, arbitrary bytes. */
const serverBytes = fc
  .array(
    fc.oneof(
      fc.tuple(fc.constantFrom("220", "250", "354", "421", "550", "2x0"), fc.constantFrom(" ", "-", "", "x"), fc.string({ maxLength: 30 }), fc.constantFrom("\r\n", "\n")).map(
        ([code, sep, text, end]) => `${code}${sep}${text}${end}`,
      ),
      fc.uint8Array({ maxLength: 40 }).map((b) => Buffer.from(b).toString("latin1")),
    ),
    { maxLength: 20 },
  )
  .map((parts) => enc(parts.join("")));

describe("ReplyAssembler: properties", () => {
  test.prop([serverBytes, fc.array(fc.nat(), { maxLength: 12 })])("any chunking gives the same items and transcript lines", (bytes, raw) => {
    const cuts = raw.map((n) => n % (bytes.length + 1));
    const whole = feed(bytes, []);
    const split = feed(bytes, cuts);
    expect(view(split.items)).toEqual(view(whole.items));
    expect(split.lines).toEqual(whole.lines);
  });

  test.prop([fc.uint8Array({ maxLength: 2000 }), fc.array(fc.nat(), { maxLength: 8 })])(
    "arbitrary bytes give replies or ProbeError bad-reply, never a crash",
    (bytes, raw) => {
      const { items } = feed(bytes, raw.map((n) => n % (bytes.length + 1)));
      for (const i of items) {
        if ("error" in i) {
          expect(ProbeError.isInstance(i.error)).toBe(true);
          expect(i.error.code).toBe("bad-reply");
        } else {
          expect(i.reply.code).toBeGreaterThanOrEqual(200);
          expect(i.reply.raw.length).toBeGreaterThan(0);
        }
      }
    },
  );

  test.prop([fc.array(fc.tuple(fc.constantFrom(220, 250, 451, 554), fc.array(fc.stringMatching(/^[ -~]{0,30}$/), { minLength: 1, maxLength: 5 })), { maxLength: 6 })])(
    "well-formed replies come back as sent (round trip of the raw lines)",
    (replies) => {
      const text = replies.map(([code, lines]) => lines.map((l, i) => `${code}${i === lines.length - 1 ? " " : "-"}${l}\r\n`).join("")).join("");
      const { items } = feed(enc(text), []);
      expect(items.map((i) => ("reply" in i ? i.reply.raw : i.error.code))).toEqual(
        replies.map(([code, lines]) => lines.map((l, i) => `${code}${i === lines.length - 1 ? " " : "-"}${l}`)),
      );
    },
  );
});
