import { fc, test as fcTest } from "@fast-check/vitest";
import { describe, expect, it } from "vitest";
import { formatCheckList, formatJson, formatText, summaryLine, transcriptText } from "./format.js";
import type { CheckDefinition, CheckResult, Report, TranscriptLine } from "./types.js";
import { pass } from "./types.js";

// A hand-made report: the formatter must not depend on which checks the catalogue holds.
function result(id: string, status: CheckResult["status"], summary: string, transcript: TranscriptLine[] = []): CheckResult {
  const area = id.split(".")[0] as CheckResult["area"];
  return { id, area, title: `title of ${id}`, rfc: "RFC 5321 §4.2", status, summary, durationMs: 3, transcript };
}

const short: TranscriptLine[] = [
  { conn: 1, dir: "-", text: "connect 127.0.0.1:2525" },
  { conn: 1, dir: "S", text: "220 mx.test ESMTP" },
  { conn: 1, dir: "C", text: "FROB" },
  { conn: 1, dir: "S", text: "250 ok" },
];

function report(results: CheckResult[], extra: Partial<Report> = {}): Report {
  const count = (s: CheckResult["status"]): number => results.filter((r) => r.status === s).length;
  return {
    target: "127.0.0.1:2525",
    tls: "starttls",
    startedAt: "2026-11-29T19:00:00.000Z",
    durationMs: 1234,
    greeting: "220-mx.test ESMTP\n220 second line",
    capabilities: ["PIPELINING", "SIZE 26214400", "8BITMIME", "SMTPUTF8", "ENHANCEDSTATUSCODES", "DSN", "CHUNKING", "AUTH PLAIN LOGIN"],
    session: {
      secure: true,
      tls: { via: "starttls", protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384", trusted: false, trustError: "self-signed certificate", subject: "CN=mx.test" },
    },
    results,
    summary: { passed: count("pass"), failed: count("fail"), warnings: count("warn"), notApplicable: count("n/a") },
    budget: { connections: 7, bytesSent: 900 },
    ...extra,
  };
}

const mixed = [
  // Out of area order on purpose: the table follows AREA_TITLES, not the order of results.
  result("security.open-relay", "fail", "answered 250 to RCPT TO:<x@example.com>: open relay", short),
  result("greeting.banner", "pass", "220 greeting", short),
  result("commands.unknown", "warn", "answered 250 to FROB", short),
  result("extensions.chunking", "n/a", "CHUNKING is not offered", short),
  result("greeting.ehlo", "pass", "multi-line EHLO is well formed"),
];

describe("formatText", () => {
  it("prints the header, the areas in AREA_TITLES order and the summary line last", () => {
    const text = formatText(report(mixed));
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toContain("127.0.0.1:2525");
    expect(lines[0]).toContain("starttls");
    expect(text).toContain("Greeting:     220-mx.test ESMTP\n");
    expect(text).not.toContain("second line");
    expect(text).toMatch(/TLS: +TLSv1\.3 TLS_AES_256_GCM_SHA384/);
    expect(text).toMatch(/Certificate: +CN=mx\.test; not trusted: self-signed certificate/);
    expect(text).toMatch(/Capabilities: +PIPELINING, SIZE 26214400, 8BITMIME/);
    const order = ["Greeting and EHLO", "Command handling", "Extensions", "Security"].map((h) => lines.indexOf(h));
    expect(order.every((i) => i > 0)).toBe(true);
    expect([...order].sort((a, b) => a - b)).toEqual(order);
    expect(lines.at(-1)).toBe("2 passed, 1 failed, 1 warning, 1 not applicable");
  });

  it("aligns the status words and shows the transcript under fail and warn rows only", () => {
    const text = formatText(report(mixed));
    expect(text).toMatch(/^ {2}PASS {2}greeting\.banner {6}/m);
    expect(text).toMatch(/^ {2}n\/a {3}extensions\.chunking /m);
    expect(text).toMatch(/^ {2}FAIL {2}security\.open-relay {2}answered 250 to RCPT TO:<x@example\.com>: open relay {2}\[RFC 5321 §4\.2\]$/m);
    const lines = text.split("\n");
    const failAt = lines.findIndex((l) => l.includes("security.open-relay"));
    expect(lines.slice(failAt + 1, failAt + 5)).toEqual([
      "        -  connect 127.0.0.1:2525",
      "        S: 220 mx.test ESMTP",
      "        C: FROB",
      "        S: 250 ok",
    ]);
    const passAt = lines.findIndex((l) => l.includes("greeting.banner"));
    expect(lines[passAt + 1]).toMatch(/^ {2}PASS {2}greeting\.ehlo/);
    const naAt = lines.findIndex((l) => l.includes("extensions.chunking"));
    expect(lines[naAt + 1]).toBe("");
  });

  it("verbose shows every transcript in full", () => {
    const long = Array.from({ length: 40 }, (_, i): TranscriptLine => ({ conn: 1, dir: "C", text: `NOOP ${i}` }));
    const r = report([result("commands.noop", "pass", "ok", long), result("commands.rset", "fail", "no", long)]);
    const quiet = formatText(r);
    expect(quiet).not.toContain("NOOP 0\n        C: NOOP 1\n        C: NOOP 2\n        C: NOOP 3\n");
    expect(quiet).toContain("… 25 lines not shown (--verbose shows them)");
    expect(quiet).toContain("C: NOOP 39");
    const loud = formatText(r, { verbose: true });
    expect(loud.match(/C: NOOP 20\n/g)).toHaveLength(2);
    expect(loud).not.toContain("not shown");
  });

  it("numbers the connections when a check used several", () => {
    const two: TranscriptLine[] = [
      { conn: 1, dir: "C", text: "EHLO a" },
      { conn: 2, dir: "C", text: "EHLO b" },
      { conn: 0, dir: "-", text: "waited 400 ms" },
    ];
    expect(transcriptText(two)).toEqual(["#1 C: EHLO a", "#2 C: EHLO b", "   -  waited 400 ms"]);
    expect(transcriptText(short)[0]).toBe("-  connect 127.0.0.1:2525");
  });

  it("colours only when asked, and never lets server bytes drive the terminal", () => {
    const hostile = result("greeting.banner", "fail", "said \u001b[2Jhello", short);
    const plain = formatText(report([hostile], { greeting: "220 \u001b]0;pwned\u0007" }));
    expect(plain).not.toContain("\u001b");
    expect(plain).toContain("said \\x1b[2Jhello");
    expect(formatText(report([hostile]), { color: true })).toContain("\u001b[1;31mFAIL\u001b[0m");
  });

  it("says when there is no TLS and when EHLO was refused", () => {
    const text = formatText(report([], { capabilities: [], session: { secure: false, tls: undefined } }));
    expect(text).toMatch(/TLS: +none/);
    expect(text).toMatch(/Capabilities: +\(none/);
    expect(text.trimEnd().split("\n").at(-1)).toBe("0 passed, 0 failed, 0 warnings, 0 not applicable");
  });

  it("wraps a long capability list", () => {
    const caps = Array.from({ length: 30 }, (_, i) => `X-EXTENSION-${i}`);
    const lines = formatText(report([], { capabilities: caps })).split("\n");
    const at = lines.findIndex((l) => l.startsWith("Capabilities:"));
    expect(lines[at + 1]).toMatch(/^ {14}X-EXTENSION-/);
    for (const l of lines) expect(l.length).toBeLessThanOrEqual(100);
  });
});

describe("summaryLine", () => {
  it("keeps the machine-greppable words", () => {
    const line = summaryLine({ passed: 12, failed: 3, warnings: 2, notApplicable: 4 });
    expect(line).toBe("12 passed, 3 failed, 2 warnings, 4 not applicable");
    expect(line).toMatch(/^(\d+) passed, (\d+) failed, (\d+) warnings?, (\d+) not applicable$/);
  });
});

describe("formatJson", () => {
  it("is one line of JSON with version 1, every result and its transcript", () => {
    const json = formatJson(report(mixed));
    expect(json.endsWith("\n")).toBe(true);
    expect(json.trimEnd()).not.toContain("\n");
    const doc = JSON.parse(json);
    expect(doc.version).toBe(1);
    expect(Object.keys(doc)[0]).toBe("version");
    expect(doc.results).toHaveLength(mixed.length);
    expect(doc.results[0]).toEqual({ ...mixed[0], transcript: short });
    expect(doc.summary).toEqual({ passed: 2, failed: 1, warnings: 1, notApplicable: 1 });
    expect(doc.session.tls.trustError).toBe("self-signed certificate");
    expect(doc.session.tls).not.toHaveProperty("issuer");
  });

  it("is stable: the same report gives the same bytes, and no TLS is null", () => {
    const r = report(mixed, { session: { secure: false, tls: undefined } });
    expect(formatJson(r)).toBe(formatJson(structuredClone(r)));
    expect(JSON.parse(formatJson(r)).session).toEqual({ secure: false, tls: null });
  });
});

describe("formatCheckList", () => {
  const check = (id: string, rfc: string): CheckDefinition => ({
    id,
    area: id.split(".")[0] as CheckDefinition["area"],
    title: `title of ${id}`,
    rfc,
    run: async () => pass("fake"),
  });

  it("lists checks by area with the RFC and the title, and counts them", () => {
    const text = formatCheckList([check("security.open-relay", "RFC 5321 §3.6.2"), check("greeting.banner", "RFC 5321 §4.2")]);
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe("Greeting and EHLO");
    expect(lines[1]).toBe("  greeting.banner      RFC 5321 §4.2    title of greeting.banner");
    expect(lines).toContain("Security");
    expect(lines.at(-1)).toBe("2 checks");
  });

  it("an empty catalogue still prints something", () => {
    expect(formatCheckList([])).toBe("(no checks)\n\n0 checks\n");
  });
});

describe("formatText with whatever a server sends", () => {
  fcTest.prop([fc.string({ unit: "binary", maxLength: 60 }), fc.string({ unit: "binary", maxLength: 60 }), fc.boolean()])(
    "no control character but LF reaches the terminal (colour codes only when asked)",
    (summary, line, verbose) => {
      const r = result("security.open-relay", "fail", summary, [{ conn: 1, dir: "S", text: line }]);
      const text = formatText(report([r], { greeting: `220 ${line}` }), { verbose });
      // biome-ignore lint/suspicious/noControlCharactersInRegex: looking for control characters is the point
      expect(text).not.toMatch(/[\x00-\x09\x0b-\x1f\x7f]/);
    },
  );
});
