import { fc, test } from "@fast-check/vitest";
import { describe, expect } from "vitest";
import { type Capabilities, formatCapabilities, parseCapabilities } from "./capabilities.js";
import { formatReply, parseReply, type Reply } from "./reply.js";
import { expectBadReply } from "./test-support/errors.js";

/** All flags false, nothing else: the base that each known answer overrides. */
const NONE = {
  auth: [],
  pipelining: false,
  eightBitMime: false,
  smtputf8: false,
  chunking: false,
  binaryMime: false,
  dsn: false,
  enhancedStatusCodes: false,
  startTls: false,
  requireTls: false,
  others: new Map(),
} satisfies Partial<Capabilities>;

const caps = (c: Partial<Capabilities> & Pick<Capabilities, "domain" | "greeting">): Capabilities => ({ ...NONE, ...c });
const fromWire = (wire: string): Capabilities => parseCapabilities(parseReply(wire));

describe("parseCapabilities: known answers", () => {
  test.each<[string, string, Capabilities]>([
    ["RFC 5321 §D.1: the typical EHLO reply",
      "250-foo.com greets bar.com\r\n250-8BITMIME\r\n250-SIZE\r\n250-DSN\r\n250 HELP\r\n",
      caps({ domain: "foo.com", greeting: "greets bar.com", eightBitMime: true, size: 0, dsn: true, others: new Map([["HELP", []]]) })],
    ["RFC 5321 §4.1.1.1: a one-line reply has only the domain", "250 mx.example.com\r\n",
      caps({ domain: "mx.example.com", greeting: "" })],
    ["RFC 1870 §6: SIZE with a fixed maximum",
      "250-sigurd.innosoft.com\r\n250-EXPN\r\n250-HELP\r\n250 SIZE 1000000\r\n",
      caps({ domain: "sigurd.innosoft.com", greeting: "", size: 1000000, others: new Map([["EXPN", []], ["HELP", []]]) })],
    ["RFC 1870 §4: SIZE 0 means no fixed maximum", "250-x.example\r\n250 SIZE 0\r\n",
      caps({ domain: "x.example", greeting: "", size: 0 })],
    ["RFC 4954 §4.1: AUTH with mechanisms, ENHANCEDSTATUSCODES, STARTTLS",
      "250-smtp.example.com Hello client.example.com\r\n250-AUTH GSSAPI DIGEST-MD5\r\n250-ENHANCEDSTATUSCODES\r\n250 STARTTLS\r\n",
      caps({ domain: "smtp.example.com", greeting: "Hello client.example.com", auth: ["GSSAPI", "DIGEST-MD5"], enhancedStatusCodes: true, startTls: true })],
    ["RFC 4954 §3: AUTH merged with the legacy AUTH= line, each mechanism once",
      "250-mx.example.com\r\n250-AUTH LOGIN CRAM-MD5 DIGEST-MD5\r\n250 AUTH=LOGIN PLAIN\r\n",
      caps({ domain: "mx.example.com", greeting: "", auth: ["LOGIN", "CRAM-MD5", "DIGEST-MD5", "PLAIN"] })],
    ["RFC 4954 §3: the legacy AUTH= line alone", "250-mx.example.com\r\n250 AUTH=LOGIN\r\n",
      caps({ domain: "mx.example.com", greeting: "", auth: ["LOGIN"] })],
    ["RFC 2034 §6: ENHANCEDSTATUSCODES", "250-dbc.mtview.ca.us says hello\r\n250 ENHANCEDSTATUSCODES\r\n",
      caps({ domain: "dbc.mtview.ca.us", greeting: "says hello", enhancedStatusCodes: true })],
    ["RFC 2920 §4: PIPELINING", "250-innosoft.com\r\n250 PIPELINING\r\n",
      caps({ domain: "innosoft.com", greeting: "", pipelining: true })],
    ["RFC 3207 §5: STARTTLS among others",
      "250-mail.imc.org offers a warm hug of welcome\r\n250-8BITMIME\r\n250-STARTTLS\r\n250 DSN\r\n",
      caps({ domain: "mail.imc.org", greeting: "offers a warm hug of welcome", eightBitMime: true, startTls: true, dsn: true })],
    ["RFC 3030 §2, §3: CHUNKING and BINARYMIME", "250-cnri.reston.va.us says hello\r\n250-CHUNKING\r\n250 BINARYMIME\r\n",
      caps({ domain: "cnri.reston.va.us", greeting: "says hello", chunking: true, binaryMime: true })],
    ["RFC 8689 §2: REQUIRETLS", "250-mx.example.com\r\n250-STARTTLS\r\n250 REQUIRETLS\r\n",
      caps({ domain: "mx.example.com", greeting: "", startTls: true, requireTls: true })],
    ["RFC 6531 §3.1: SMTPUTF8", "250-mx.example.com\r\n250-8BITMIME\r\n250 SMTPUTF8\r\n",
      caps({ domain: "mx.example.com", greeting: "", eightBitMime: true, smtputf8: true })],
    ["RFC 6710 §3: MT-PRIORITY with a policy name", "250-mx.example.com\r\n250 MT-PRIORITY mixer\r\n",
      caps({ domain: "mx.example.com", greeting: "", mtPriority: "MIXER" })],
    ["RFC 6710 §3: MT-PRIORITY without a policy", "250-mx.example.com\r\n250 MT-PRIORITY\r\n",
      caps({ domain: "mx.example.com", greeting: "", mtPriority: "" })],
    ["RFC 2852 §2: DELIVERBY with a min-by-time", "250-mx.example.com\r\n250 DELIVERBY 240\r\n",
      caps({ domain: "mx.example.com", greeting: "", deliverBy: 240 })],
    ["RFC 2852 §2: DELIVERBY without one", "250-mx.example.com\r\n250 DELIVERBY\r\n",
      caps({ domain: "mx.example.com", greeting: "", deliverBy: 0 })],
    ["RFC 2852 §2: DELIVERBY options are comma-separated, min-by-time first", "250-mx.example.com\r\n250 DELIVERBY 60,FUTURE\r\n",
      caps({ domain: "mx.example.com", greeting: "", deliverBy: 60 })],
    ["a large provider's reply",
      "250-mx.google.com at your service, [203.0.113.7]\r\n250-SIZE 157286400\r\n250-8BITMIME\r\n250-STARTTLS\r\n" +
        "250-ENHANCEDSTATUSCODES\r\n250-PIPELINING\r\n250-CHUNKING\r\n250 SMTPUTF8\r\n",
      caps({ domain: "mx.google.com", greeting: "at your service, [203.0.113.7]", size: 157286400, eightBitMime: true,
        startTls: true, enhancedStatusCodes: true, pipelining: true, chunking: true, smtputf8: true })],
    ["RFC 5321 §4.1.1.1: unknown keywords keep their parameters",
      "250-mx.example.com\r\n250-LIMITS RCPTMAX=100 MAILMAX=5\r\n250-ETRN\r\n250 X-Vendor-Thing a=B\r\n",
      caps({ domain: "mx.example.com", greeting: "", others: new Map([["LIMITS", ["RCPTMAX=100", "MAILMAX=5"]], ["ETRN", []], ["X-VENDOR-THING", ["a=B"]]]) })],
    ["RFC 5321 §2.4: keywords are case-insensitive",
      "250-mx.example.com\r\n250-size 100\r\n250-Auth login Plain\r\n250-starttls\r\n250 x-foo Bar\r\n",
      caps({ domain: "mx.example.com", greeting: "", size: 100, auth: ["LOGIN", "PLAIN"], startTls: true, others: new Map([["X-FOO", ["Bar"]]]) })],
    ["an address literal for the domain, greeting kept as sent", "250-[192.0.2.1]  two  spaces \r\n250 DSN\r\n",
      caps({ domain: "[192.0.2.1]", greeting: " two  spaces ", dsn: true })],
  ])("%s", (_name, wire, expected) => {
    expect(fromWire(wire)).toEqual(expected);
  });

  test.each<[string, string, Partial<Capabilities>]>([
    ["SIZE that is not digits", "SIZE big", { size: 0 }],
    ["negative SIZE", "SIZE -5", { size: 0 }],
    ["SIZE beyond 2^53", "SIZE 99999999999999999999", { size: 0 }],
    ["SIZE with leading zeros", "SIZE 0001000", { size: 1000 }],
    ["SIZE with a stray second parameter", "SIZE 1000 extra", { size: 1000 }],
    ["DELIVERBY that is not digits", "DELIVERBY soon", { deliverBy: 0 }],
    ["DELIVERBY of ten digits", "DELIVERBY 1234567890", { deliverBy: 0 }],
    ["a flag with a stray parameter", "PIPELINING yes", { pipelining: true }],
    ["several spaces and tabs between parameters", "AUTH  PLAIN \t LOGIN ", { auth: ["PLAIN", "LOGIN"] }],
    ["an empty extension line", "", {}],
    ["a line whose keyword is not an ehlo-keyword", "*WEIRD* 1", {}],
    ["a keyword starting with a hyphen", "-X", {}],
  ])("lenient: %s (%s)", (_name, line, expected) => {
    expect(fromWire(`250-mx.example.com\r\n250-${line}\r\n250 DSN\r\n`)).toEqual(
      caps({ domain: "mx.example.com", greeting: "", dsn: true, ...expected }),
    );
  });

  test("lenient: a repeated keyword keeps its last line (SIZE, unknown keywords)", () => {
    expect(fromWire("250-x\r\n250-SIZE 10\r\n250-X-A 1\r\n250-SIZE 20\r\n250 X-A 2\r\n")).toEqual(
      caps({ domain: "x", greeting: "", size: 20, others: new Map([["X-A", ["2"]]]) }),
    );
  });

  test("RFC 2034 §3: an enhanced code wrongly put on an EHLO reply is stripped by parseReply", () => {
    expect(fromWire("250-2.0.0 mx.example.com hi\r\n250 2.0.0 PIPELINING\r\n")).toEqual(
      caps({ domain: "mx.example.com", greeting: "hi", pipelining: true }),
    );
  });

  test.each([
    ["RFC 5321 §4.1.4: 502 to EHLO (client falls back to HELO)", { code: 502, lines: ["5.5.1 Command not implemented"] }],
    ["RFC 5321 §4.1.1.1: 550", { code: 550, lines: ["Not now"] }],
    ["RFC 5321 §4.1.1.1: 251 is not 250", { code: 251, lines: ["x"] }],
  ])("%s is bad-reply", (_name, reply) => {
    expectBadReply(() => parseCapabilities(reply));
  });
});

describe("formatCapabilities: known answers", () => {
  test("RFC 5321 §4.1.1.1: domain and greeting first, then one line per extension", () => {
    const c = caps({
      domain: "mx.example.com",
      greeting: "at your service",
      size: 35882577,
      auth: ["PLAIN", "XOAUTH2"],
      pipelining: true,
      eightBitMime: true,
      smtputf8: true,
      chunking: true,
      binaryMime: true,
      dsn: true,
      enhancedStatusCodes: true,
      startTls: true,
      requireTls: true,
      mtPriority: "MIXER",
      deliverBy: 240,
      others: new Map([["HELP", []], ["LIMITS", ["RCPTMAX=100"]]]),
    });
    const reply = formatCapabilities(c);
    expect(reply).toEqual({
      code: 250,
      lines: [
        "mx.example.com at your service",
        "PIPELINING",
        "8BITMIME",
        "SMTPUTF8",
        "CHUNKING",
        "BINARYMIME",
        "DSN",
        "ENHANCEDSTATUSCODES",
        "STARTTLS",
        "REQUIRETLS",
        "SIZE 35882577",
        "AUTH PLAIN XOAUTH2",
        "MT-PRIORITY MIXER",
        "DELIVERBY 240",
        "HELP",
        "LIMITS RCPTMAX=100",
      ],
    });
    expect(fromWire(formatReply(reply))).toEqual(c);
  });

  test("RFC 1870 §4, RFC 2852 §2, RFC 6710 §3: zero and empty values are the bare keyword", () => {
    expect(formatCapabilities(caps({ domain: "x", greeting: "", size: 0, deliverBy: 0, mtPriority: "" })).lines).toEqual([
      "x",
      "SIZE",
      "MT-PRIORITY",
      "DELIVERBY",
    ]);
  });

  test.each<[string, Capabilities]>([
    ["empty domain", caps({ domain: "", greeting: "hi" })],
    ["domain with a space", caps({ domain: "a b", greeting: "" })],
    ["domain with a control", caps({ domain: "a\r\n250 b", greeting: "" })],
    ["negative SIZE", caps({ domain: "x", greeting: "", size: -1 })],
    ["fractional SIZE", caps({ domain: "x", greeting: "", size: 1.5 })],
    ["SIZE beyond 2^53", caps({ domain: "x", greeting: "", size: 2 ** 60 })],
    ["DELIVERBY of ten digits", caps({ domain: "x", greeting: "", deliverBy: 1e9 })],
    ["mechanism with a space", caps({ domain: "x", greeting: "", auth: ["LOG IN"] })],
    ["empty mechanism", caps({ domain: "x", greeting: "", auth: [""] })],
    ["policy with a space", caps({ domain: "x", greeting: "", mtPriority: "A B" })],
    ["others key with a typed field", caps({ domain: "x", greeting: "", others: new Map([["SIZE", ["10"]]]) })],
    ["others key with a typed field, lower case", caps({ domain: "x", greeting: "", others: new Map([["starttls", []]]) })],
    ["others key that is not an ehlo-keyword", caps({ domain: "x", greeting: "", others: new Map([["X_Y", []]]) })],
    ["others parameter with a space", caps({ domain: "x", greeting: "", others: new Map([["X-Y", ["a b"]]]) })],
  ])("refuses %s with bad-reply", (_name, c) => {
    expectBadReply(() => formatCapabilities(c));
  });
});

// ---- arbitraries ----

const TYPED = new Set(["SIZE", "AUTH", "MT-PRIORITY", "DELIVERBY", "PIPELINING", "8BITMIME", "SMTPUTF8", "CHUNKING",
  "BINARYMIME", "DSN", "ENHANCEDSTATUSCODES", "STARTTLS", "REQUIRETLS"]);

const option = <T>(arb: fc.Arbitrary<T>) => fc.option(arb, { nil: undefined });
const textCharArb = fc.oneof(fc.constantFrom(" ", "\t"), fc.integer({ min: 0x20, max: 0x7e }).map((c) => String.fromCharCode(c)));
const paramArb = fc.stringMatching(/^[\x21-\x7e]{1,12}$/);
const keywordArb = fc.stringMatching(/^[A-Z0-9][A-Z0-9-]{0,14}$/).filter((k) => !TYPED.has(k));

/** Capabilities as parseCapabilities makes them: upper-case names, each mechanism once. */
const capabilitiesArb: fc.Arbitrary<Capabilities> = fc
  .record({
    domain: fc.oneof(fc.domain(), fc.ipV4().map((ip) => `[${ip}]`)),
    greeting: fc.string({ unit: textCharArb, maxLength: 40 }),
    size: option(fc.oneof(fc.constant(0), fc.nat(), fc.maxSafeNat())),
    auth: fc.uniqueArray(fc.stringMatching(/^[A-Z0-9_-]{1,20}$/), { maxLength: 5 }),
    flags: fc.record({
      pipelining: fc.boolean(),
      eightBitMime: fc.boolean(),
      smtputf8: fc.boolean(),
      chunking: fc.boolean(),
      binaryMime: fc.boolean(),
      dsn: fc.boolean(),
      enhancedStatusCodes: fc.boolean(),
      startTls: fc.boolean(),
      requireTls: fc.boolean(),
    }),
    mtPriority: option(fc.oneof(fc.constantFrom("", "MIXER", "STANAG4406", "NSEP"), fc.stringMatching(/^[A-Z0-9-]{1,20}$/))),
    deliverBy: option(fc.integer({ min: 0, max: 999_999_999 })),
    others: fc.uniqueArray(fc.tuple(keywordArb, fc.array(paramArb, { maxLength: 3 })), { selector: ([k]) => k, maxLength: 5 }),
  })
  .map(({ domain, greeting, size, auth, flags, mtPriority, deliverBy, others }) => ({
    domain,
    greeting,
    ...(size === undefined ? {} : { size }),
    auth,
    ...flags,
    ...(mtPriority === undefined ? {} : { mtPriority }),
    ...(deliverBy === undefined ? {} : { deliverBy }),
    others: new Map(others),
  }));

describe("properties", () => {
  test.prop([capabilitiesArb], { numRuns: 300 })(
    "RFC 5321 §4.1.1.1: parseCapabilities(formatCapabilities(c)) equals c",
    (c) => {
      expect(parseCapabilities(formatCapabilities(c))).toEqual(c);
    },
  );

  test.prop([capabilitiesArb])("RFC 5321 §4.1.1.1: the same through the wire (formatReply, parseReply)", (c) => {
    expect(fromWire(formatReply(formatCapabilities(c)))).toEqual(c);
  });

  test.prop([fc.array(fc.string({ unit: "binary", maxLength: 30 }), { maxLength: 8 })], { numRuns: 300 })(
    "any 250 reply gives capabilities without throwing",
    (lines) => {
      const reply: Reply = { code: 250, lines };
      const c = parseCapabilities(reply);
      expect(c.auth.every((m) => m === m.replace(/[a-z]/g, ""))).toBe(true);
      expect([...c.others.keys()].every((k) => /^[A-Z0-9][A-Z0-9-]*$/.test(k) && !TYPED.has(k))).toBe(true);
    },
  );
});
