import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { SmtpSyntaxError } from "./errors.js";
import { formatMailParams, formatRcptParams, type MailParams, parseMailParams, parseRcptParams } from "./esmtp-params.js";
import { mailParamsArb, rcptParamsArb } from "./test-support/arbitraries.js";
import { caught, expectError } from "./test-support/errors.js";

const mail = (...tokens: string[]): MailParams => parseMailParams(tokens);
const badMail = (...tokens: string[]) => expectError(() => parseMailParams(tokens), "bad-parameter", 501, "5.5.4");
const badRcpt = (...tokens: string[]) => expectError(() => parseRcptParams(tokens), "bad-parameter", 501, "5.5.4");

describe("RFC 5321 §4.1.2 esmtp-param", () => {
  test("RFC 5321 §4.1.2: no parameters is an empty value", () => {
    expect(parseMailParams([])).toStrictEqual({});
    expect(parseRcptParams([])).toStrictEqual({});
    expect(formatMailParams({})).toStrictEqual([]);
    expect(formatRcptParams({})).toStrictEqual([]);
  });

  test("RFC 5321 §4.1.2: keywords are case-insensitive", () => {
    expect(mail("size=10", "Body=8bitmime", "smtputf8", "mt-priority=1")).toStrictEqual({
      size: 10,
      body: "8BITMIME",
      smtputf8: true,
      mtPriority: 1,
    });
  });

  test("RFC 5321 §4.1.1.11: an unknown keyword is 555 5.5.4", () => {
    expectError(() => parseMailParams(["XFOO=1"]), "unknown-parameter", 555, "5.5.4");
    expectError(() => parseMailParams(["SIZES=1"]), "unknown-parameter", 555, "5.5.4");
    expectError(() => parseRcptParams(["X-Y"]), "unknown-parameter", 555, "5.5.4");
  });

  test("RFC 5321 §4.1.1.11: a RCPT keyword on MAIL, or a MAIL keyword on RCPT, is unknown there", () => {
    expectError(() => parseMailParams(["NOTIFY=NEVER"]), "unknown-parameter", 555, "5.5.4");
    expectError(() => parseMailParams(["ORCPT=rfc822;a@b"]), "unknown-parameter", 555, "5.5.4");
    expectError(() => parseRcptParams(["SIZE=1"]), "unknown-parameter", 555, "5.5.4");
    expectError(() => parseRcptParams(["SMTPUTF8"]), "unknown-parameter", 555, "5.5.4");
  });

  test("RFC 5321 §4.1.2: the same keyword twice is 501 5.5.4", () => {
    expectError(() => parseMailParams(["SIZE=1", "size=2"]), "duplicate-parameter", 501, "5.5.4");
    expectError(() => parseMailParams(["SMTPUTF8", "SMTPUTF8"]), "duplicate-parameter", 501, "5.5.4");
    expectError(() => parseRcptParams(["NOTIFY=NEVER", "NOTIFY=NEVER"]), "duplicate-parameter", 501, "5.5.4");
  });

  test.each(["", "=1", "-SIZE=1", "SI ZE=1", "SIZE\r=1", "SİZE=1", "S_IZE=1"])(
    "RFC 5321 §4.1.2: %j is not an esmtp-keyword (501 5.5.4)",
    (token) => {
      expectError(() => parseMailParams([token]), "syntax", 501, "5.5.4");
    },
  );

  test.each(["SIZE=", "SIZE=1 ", "SIZE=\r\n", "ENVID=a\u0000", "ENVID=a=b", "ENVID=a\u007f", "ORCPT=rf=c822;a"])(
    "RFC 5321 §4.1.2: esmtp-value is 1*(%d33-60 / %d62-126): %j",
    (token) => {
      const parse = token.startsWith("ORCPT") ? parseRcptParams : parseMailParams;
      expectError(() => parse([token]), "bad-parameter", 501, "5.5.4");
    },
  );
});

describe("MAIL parameters, known answers", () => {
  test("RFC 1870 §3: SIZE=1*20DIGIT", () => {
    expect(mail("SIZE=1000000")).toStrictEqual({ size: 1_000_000 });
    expect(mail("SIZE=0")).toStrictEqual({ size: 0 });
    expect(mail("SIZE=0000000000000000012")).toStrictEqual({ size: 12 });
    expect(mail(`SIZE=${Number.MAX_SAFE_INTEGER}`)).toStrictEqual({ size: Number.MAX_SAFE_INTEGER });
  });

  test.each(["SIZE", "SIZE=-1", "SIZE=+1", "SIZE=1e3", "SIZE=١٢", `SIZE=${Number.MAX_SAFE_INTEGER + 1}`, "SIZE=99999999999999999999", "SIZE=000000000000000000001"])(
    "RFC 1870 §3: %s is refused",
    (t) => badMail(t),
  );

  test("RFC 6152 §2, RFC 3030 §3: BODY=7BIT / 8BITMIME / BINARYMIME, case-insensitive", () => {
    expect(mail("BODY=7BIT")).toStrictEqual({ body: "7BIT" });
    expect(mail("BODY=8bitMIME")).toStrictEqual({ body: "8BITMIME" });
    expect(mail("BODY=binarymime")).toStrictEqual({ body: "BINARYMIME" });
    badMail("BODY=8BIT");
    badMail("BODY");
    badMail("BODY=BİNARYMIME"); // no Unicode case folding
  });

  test("RFC 6531 §3.4: SMTPUTF8 takes no value", () => {
    expect(mail("SMTPUTF8")).toStrictEqual({ smtputf8: true });
    badMail("SMTPUTF8=yes");
  });

  test("RFC 8689 §4.1: REQUIRETLS takes no value", () => {
    expect(mail("REQUIRETLS")).toStrictEqual({ requireTls: true });
    badMail("REQUIRETLS=1");
  });

  test("RFC 3461 §4.3: RET=FULL / HDRS", () => {
    expect(mail("RET=HDRS")).toStrictEqual({ ret: "HDRS" });
    expect(mail("ret=full")).toStrictEqual({ ret: "FULL" });
    badMail("RET=NONE");
    badMail("RET");
  });

  test("RFC 3461 §4.4: ENVID=xtext, decoded", () => {
    expect(mail("ENVID=QQ314159")).toStrictEqual({ envid: "QQ314159" });
    expect(mail("ENVID=a+2Bb+3Dc+20d")).toStrictEqual({ envid: "a+b=c d" });
    expect(mail(`ENVID=${"x".repeat(100)}`)).toStrictEqual({ envid: "x".repeat(100) });
  });

  test.each([
    [`ENVID=${"x".repeat(101)}`, "over 100 characters"],
    ["ENVID=+0D+0A", "controls after decoding"],
    ["ENVID=+C3+A9", "not US-ASCII after decoding"],
    ["ENVID=a+2b", "lower-case hex"],
    ["ENVID", "no value"],
  ])("RFC 3461 §4.4: %s is refused (%s)", (t) => badMail(t));

  test("RFC 4954 §5: AUTH=xtext mailbox, e+3Dmc2@example.com is e=mc2@example.com", () => {
    expect(mail("AUTH=e+3Dmc2@example.com")).toStrictEqual({ auth: { localPart: "e=mc2", domain: "example.com" } });
    expect(mail("AUTH=<>")).toStrictEqual({ auth: null });
    expect(mail("AUTH=+22a+20b+22@[192.0.2.1]")).toStrictEqual({ auth: { localPart: "a b", domain: "[192.0.2.1]" } });
    badMail("AUTH=nobody");
    badMail("AUTH=<a@b>");
    badMail("AUTH");
  });

  test("RFC 4954 §5 with RFC 6531: a UTF-8 AUTH mailbox needs SMTPUTF8", () => {
    const auth = "AUTH=+E7+94+A8+E6+88+B7@example.com";
    expectError(() => parseMailParams([auth]), "utf8-not-allowed", 553, "5.6.7");
    expect(parseMailParams([auth, "SMTPUTF8"])).toStrictEqual({
      auth: { localPart: "用户", domain: "example.com" },
      smtputf8: true,
    });
    expect(parseMailParams([auth], { smtputf8: true })).toStrictEqual({ auth: { localPart: "用户", domain: "example.com" } });
  });

  test("RFC 6710 §3: MT-PRIORITY=[+/-]DIGIT, -9 to 9", () => {
    expect(mail("MT-PRIORITY=6")).toStrictEqual({ mtPriority: 6 });
    expect(mail("MT-PRIORITY=-9")).toStrictEqual({ mtPriority: -9 });
    expect(mail("MT-PRIORITY=+3")).toStrictEqual({ mtPriority: 3 });
    expect(mail("MT-PRIORITY=-0")).toStrictEqual({ mtPriority: 0 });
    for (const bad of ["MT-PRIORITY=10", "MT-PRIORITY=-10", "MT-PRIORITY=", "MT-PRIORITY=+", "MT-PRIORITY=a", "MT-PRIORITY"]) {
      badMail(bad);
    }
  });

  test.each([
    ["BY=120;R", { time: 120, mode: "R", trace: false }],
    ["BY=3600;N", { time: 3600, mode: "N", trace: false }],
    ["BY=60;RT", { time: 60, mode: "R", trace: true }],
    ["BY=+60;nt", { time: 60, mode: "N", trace: true }],
    ["BY=-30;R", { time: -30, mode: "R", trace: false }],
    ["BY=0;R", { time: 0, mode: "R", trace: false }],
    ["BY=-0;R", { time: 0, mode: "R", trace: false }],
    ["BY=999999999;N", { time: 999_999_999, mode: "N", trace: false }],
  ])("RFC 2852 §4: %s", (token, by) => {
    expect(mail(token)).toStrictEqual({ by });
  });

  test.each([
    ["BY=0;N", "mode N needs a positive time"],
    ["BY=-5;N", "mode N needs a positive time"],
    ["BY=1000000000;R", "more than 9 digits"],
    ["BY=60", "no mode"],
    ["BY=60;", "empty mode"],
    ["BY=60;X", "unknown mode"],
    ["BY=60;RTT", "trailing text"],
    ["BY=60;TR", "trace before mode"],
    ["BY=;R", "no time"],
    ["BY=1.5;R", "not an integer"],
    ["BY", "no value"],
  ])("RFC 2852 §4: %s is refused (%s)", (t) => badMail(t));
});

describe("RCPT parameters, known answers", () => {
  test("RFC 3461 §4.1: NOTIFY=NEVER or a list of SUCCESS, FAILURE, DELAY", () => {
    expect(parseRcptParams(["NOTIFY=NEVER"])).toStrictEqual({ notify: "NEVER" });
    expect(parseRcptParams(["NOTIFY=SUCCESS,FAILURE"])).toStrictEqual({ notify: ["SUCCESS", "FAILURE"] });
    expect(parseRcptParams(["notify=delay,success,failure"])).toStrictEqual({ notify: ["DELAY", "SUCCESS", "FAILURE"] });
  });

  test.each([
    ["NOTIFY=NEVER,SUCCESS", "NEVER with others"],
    ["NOTIFY=SUCCESS,SUCCESS", "repeated"],
    ["NOTIFY=SUCCESS,", "empty element"],
    ["NOTIFY=", "empty"],
    ["NOTIFY=ALWAYS", "unknown"],
    ["NOTIFY=ſuccess", "no Unicode case folding"],
  ])("RFC 3461 §4.1: %s is refused (%s)", (t) => badRcpt(t));

  test("RFC 3461 §4.2: ORCPT=rfc822;Bob+2Bsomething@example.com", () => {
    expect(parseRcptParams(["ORCPT=rfc822;Bob+2Bsomething@example.com"])).toStrictEqual({
      orcpt: { addrType: "rfc822", address: "Bob+something@example.com" },
    });
    expect(formatRcptParams({ orcpt: { addrType: "rfc822", address: "Bob+something@example.com" } })).toStrictEqual([
      "ORCPT=rfc822;Bob+2Bsomething@example.com",
    ]);
  });

  test("RFC 3461 §4.2: other address types are kept as written, value xtext-decoded", () => {
    expect(parseRcptParams(["ORCPT=x400;/C+3DUS/+20a"])).toStrictEqual({ orcpt: { addrType: "x400", address: "/C=US/ a" } });
  });

  test.each([
    ["ORCPT=rfc822", "no ';'"],
    ["ORCPT=;a@b", "empty addr-type"],
    ["ORCPT=rfc822;", "empty address"],
    ["ORCPT=rf(c;a@b", "addr-type not an atom"],
    ["ORCPT=rfc822;a+0Ab", "control after decoding"],
    ["ORCPT=rfc822;+C3+A9@x", "rfc822 address must be US-ASCII"],
    ["ORCPT=utf-8;not-an-address", "utf-8 address must be a Mailbox"],
    ["ORCPT=utf-8;a+2Bb@x", "'+' is not allowed in utf-8-addr-xtext"],
  ])("RFC 3461 §4.2, RFC 6533 §3: %s is refused (%s)", (t) => badRcpt(t));

  test("RFC 6533 §3: ORCPT=utf-8;utf-8-addr-xtext decodes without SMTPUTF8", () => {
    const token = "ORCPT=utf-8;\\x{7528}\\x{6237}@\\x{4F8B}\\x{5B50}.\\x{5E7F}\\x{544A}";
    expect(parseRcptParams([token])).toStrictEqual({ orcpt: { addrType: "utf-8", address: "用户@例子.广告" } });
    expect(formatRcptParams({ orcpt: { addrType: "utf-8", address: "用户@例子.广告" } })).toStrictEqual([token]);
  });

  test("RFC 6533 §3: ORCPT=utf-8;utf-8-addr-unitext only with SMTPUTF8", () => {
    const token = "ORCPT=UTF-8;用户@例子.广告";
    expect(parseRcptParams([token], { smtputf8: true })).toStrictEqual({
      orcpt: { addrType: "UTF-8", address: "用户@例子.广告" },
    });
    expectError(() => parseRcptParams([token]), "utf8-not-allowed", 553, "5.6.7");
  });
});

describe("formatting", () => {
  test("formatMailParams writes the fields in a canonical order", () => {
    expect(
      formatMailParams({
        by: { time: 60, mode: "R", trace: true },
        mtPriority: -3,
        requireTls: true,
        auth: { localPart: "e=mc2", domain: "example.com" },
        envid: "a b",
        ret: "HDRS",
        smtputf8: true,
        body: "8BITMIME",
        size: 42,
      }),
    ).toStrictEqual([
      "SIZE=42",
      "BODY=8BITMIME",
      "SMTPUTF8",
      "RET=HDRS",
      "ENVID=a+20b",
      "AUTH=e+3Dmc2@example.com",
      "REQUIRETLS",
      "MT-PRIORITY=-3",
      "BY=60;RT",
    ]);
    expect(formatMailParams({ auth: null })).toStrictEqual(["AUTH=<>"]);
    expect(formatRcptParams({ notify: ["DELAY", "SUCCESS"] })).toStrictEqual(["NOTIFY=DELAY,SUCCESS"]);
  });

  test.each([
    [{ size: -1 }],
    [{ size: 1.5 }],
    [{ size: Number.MAX_SAFE_INTEGER + 1 }],
    [{ envid: "" }],
    [{ envid: "a\r\nRSET" }],
    [{ envid: "é" }],
    [{ envid: "=".repeat(34) }],
    [{ mtPriority: 10 }],
    [{ mtPriority: 0.5 }],
    [{ by: { time: 0, mode: "N", trace: false } }],
    [{ by: { time: 1e9, mode: "R", trace: false } }],
    [{ by: { time: 5, mode: "X", trace: false } } as unknown as MailParams],
    [{ body: "9BIT" } as unknown as MailParams],
    [{ ret: "ALL" } as unknown as MailParams],
    [{ auth: { localPart: "a", domain: "b\r\nRSET" } }],
  ] as [MailParams][])("formatMailParams refuses a value the grammar cannot carry (%j)", (p) => {
    expect(caught(() => formatMailParams(p)).code).toBe("bad-parameter");
  });

  test.each([
    [{ notify: [] }],
    [{ notify: ["DELAY", "DELAY"] }],
    [{ orcpt: { addrType: "rfc 822", address: "a@b" } }],
    [{ orcpt: { addrType: "rfc822", address: "" } }],
    [{ orcpt: { addrType: "rfc822", address: "a\r\n" } }],
    [{ orcpt: { addrType: "utf-8", address: "a\u0000@b" } }],
    [{ orcpt: { addrType: "utf-8", address: "not a mailbox" } }],
    [{ orcpt: { addrType: "a=b", address: "x@y" } }],
    [{ notify: ["SUCCESS", "ALWAYS"] } as unknown as Parameters<typeof formatRcptParams>[0]],
  ] as [Parameters<typeof formatRcptParams>[0]][])("formatRcptParams refuses a value the grammar cannot carry (%j)", (p) => {
    expect(caught(() => formatRcptParams(p)).code).toBe("bad-parameter");
  });
});

describe("properties", () => {
  test.prop([mailParamsArb()], { numRuns: 500 })("parseMailParams(formatMailParams(p)) equals p", (p) => {
    expect(parseMailParams(formatMailParams(p))).toStrictEqual(p);
  });

  test.prop([rcptParamsArb()], { numRuns: 500 })("parseRcptParams(formatRcptParams(p)) equals p", (p) => {
    expect(parseRcptParams(formatRcptParams(p))).toStrictEqual(p);
  });

  test.prop([mailParamsArb()], { numRuns: 300 })("RFC 5321 §4.1.2: the order of the tokens does not matter", (p) => {
    const tokens = formatMailParams(p);
    expect(parseMailParams([...tokens].reverse())).toStrictEqual(p);
  });

  test.prop([mailParamsArb()], { numRuns: 300 })(
    "RFC 5321 §4.1.2: formatted tokens are esmtp-params, with ASCII values",
    (p) => {
      for (const t of formatMailParams(p)) expect(t).toMatch(/^[A-Za-z0-9][A-Za-z0-9-]*(=[!-<>-~]+)?$/);
    },
  );

  const pieces = ["SIZE", "BODY", "AUTH", "BY", "ENVID", "NOTIFY", "ORCPT", "RET", "SMTPUTF8", "MT-PRIORITY", "=", ";", ",", "+", "+2B", "<>", "@", "-", "1", "9", "N", "R", "T", "x", " ", "\r", "\u0000", "é", "\\x{E9}", "utf-8", "rfc822"];
  const tokenArb = fc.oneof(fc.string({ unit: fc.constantFrom(...pieces), maxLength: 8 }), fc.string({ unit: "binary", maxLength: 20 }));
  const codes = ["syntax", "unknown-parameter", "bad-parameter", "duplicate-parameter", "utf8-not-allowed"];

  test.prop([fc.array(tokenArb, { maxLength: 4 }), fc.boolean()], { numRuns: 1000 })(
    "any tokens give params or an SmtpSyntaxError with a parameter code, and what parses re-formats to the same value",
    (tokens, smtputf8) => {
      for (const [parse, format] of [
        [parseMailParams, formatMailParams],
        [parseRcptParams, formatRcptParams],
      ] as const) {
        let p: ReturnType<typeof parse>;
        try {
          p = parse(tokens, { smtputf8 });
        } catch (e) {
          expect(SmtpSyntaxError.isInstance(e)).toBe(true);
          expect(codes).toContain((e as SmtpSyntaxError).code);
          continue;
        }
        expect(parse((format as (v: typeof p) => string[])(p), { smtputf8 })).toStrictEqual(p);
      }
    },
  );
});
