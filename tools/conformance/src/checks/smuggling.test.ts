/**
 * SMTP smuggling (RFC 5321 §2.3.8, §4.1.1.4; CVE-2023-51764/51765/51766) and bare LF, against
 * smtp-server-core (which must never end DATA early) and toy servers that honour one fake end.
 */
import { describe, expect, test } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";
import type { Report } from "../types.js";
import { SMUGGLED_COMMAND, SMUGGLING_VARIANTS } from "./smuggling.js";

const ids = SMUGGLING_VARIANTS.map((v) => `security.smuggling.${v.name}`);
const CRLF_DOT_CRLF = "\r\n.\r\n";

/** Each check in its own probe, all at once: the passing ones each wait one quiet window. */
async function probeEach(port: number, list: readonly string[], extra: Parameters<typeof probe>[2] = {}): Promise<Report[]> {
  return Promise.all(list.map((id) => probe(port, [id], extra)));
}

/** A server whose only fake end is `end` also ends DATA at every variant that contains it. */
const endsAt = (variant: string, end: string): boolean => `x${variant}${SMUGGLED_COMMAND}`.includes(end);

describe("security.smuggling.* against smtp-server-core", () => {
  test("default options: no fake end ends DATA, nothing is stored", async () => {
    const core = await coreServer();
    const reports = await probeEach(core.port, ids);
    for (const [i, id] of ids.entries()) {
      const r = result(reports[i] as Report, id);
      expect(r.status, explain(r)).toBe("pass");
      expect(r.summary, explain(r)).toMatch(/still reading the message/);
    }
    expect(core.messages).toHaveLength(0);
  });

  test('bareLineEndings: "normalize" still never ends DATA early, nothing is stored', async () => {
    const core = await coreServer({ bareLineEndings: "normalize" });
    const reports = await probeEach(core.port, ids);
    for (const [i, id] of ids.entries()) {
      const r = result(reports[i] as Report, id);
      expect(r.status, explain(r)).toBe("pass");
    }
    expect(core.messages).toHaveLength(0);
  });

  test("the transcript shows one write with the fake end and the NOOP, and no CRLF.CRLF", async () => {
    const core = await coreServer();
    const r = result(await probe(core.port, ["security.smuggling.lf-dot-crlf"]), "security.smuggling.lf-dot-crlf");
    const sent = r.transcript.filter((l) => l.dir === "C").map((l) => l.text);
    expect(sent.some((t) => t.includes("\\n.\\r\\nNOOP\\r\\n")), explain(r)).toBe(true);
    expect(sent.some((t) => t.includes("\\r\\n.\\r\\n")), explain(r)).toBe(false);
    expect(r.transcript.some((l) => /CRLF\.CRLF never sent/.test(l.text)), explain(r)).toBe(true);
  });

  test("with --deliver the fake-end message is addressed to that address only (and still never completed)", async () => {
    const core = await coreServer();
    const id = "security.smuggling.lf-dot-lf";
    const r = result(await probe(core.port, [id], { rcpt: "nobody@elsewhere.test", deliver: "probe-inbox@mx.test" }), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.transcript.some((l) => l.dir === "C" && l.text === "RCPT TO:<probe-inbox@mx.test>"), explain(r)).toBe(true);
    expect(core.messages).toHaveLength(0);
  });

  test("n/a without a recipient the server accepts", async () => {
    const core = await coreServer();
    const report = await probe(core.port, ["security.smuggling"], { rcpt: "nobody@elsewhere.test" });
    for (const id of ids) {
      const r = result(report, id);
      expect(r.status, explain(r)).toBe("n/a");
      expect(r.summary).toBe("needs a recipient the server accepts: --rcpt");
    }
    expect(core.messages).toHaveLength(0);
  });
});

describe("security.smuggling.* against a toy server that honours one fake end", () => {
  // One toy per variant, only that variant's check: it must fail, and the toy stored the one message
  // that ended at the fake end (what a vulnerable server does: the check says it may have).
  for (const variant of SMUGGLING_VARIANTS) {
    test(`${variant.name}: ${variant.shown} ends DATA → fail`, async () => {
      const toy = await toyServer({ dataEnds: [CRLF_DOT_CRLF, variant.bytes] });
      const id = `security.smuggling.${variant.name}`;
      const r = result(await probe(toy.port, [id]), id);
      expect(r.status, explain(r)).toBe("fail");
      expect(r.summary).toContain(`ended DATA at ${variant.shown}: a second message can be smuggled`);
      expect(r.transcript.some((l) => /may have stored a test message/.test(l.text)), explain(r)).toBe(true);
      expect(toy.messages).toHaveLength(1);
      expect(toy.messages[0]?.toString("latin1")).toContain(`Subject: smtpkit probe: smuggling test ${variant.shown}`);
    });
  }

  // The whole set against servers with the CVE sequences: exactly the variants that contain the
  // honoured end fail (a server that ends at <LF>.<LF> also ends at <CR><LF>.<LF>).
  for (const end of ["\n.\n", "\n.\r\n", "\r.\r"]) {
    test(`a server ending DATA at ${JSON.stringify(end)}: matching variants fail, the others pass`, async () => {
      const toy = await toyServer({ dataEnds: [CRLF_DOT_CRLF, end] });
      const reports = await probeEach(toy.port, ids);
      let failing = 0;
      for (const [i, variant] of SMUGGLING_VARIANTS.entries()) {
        const r = result(reports[i] as Report, `security.smuggling.${variant.name}`);
        const vulnerable = endsAt(variant.bytes, end);
        if (vulnerable) failing++;
        expect(r.status, explain(r)).toBe(vulnerable ? "fail" : "pass");
      }
      expect(failing).toBeGreaterThan(0);
      expect(toy.messages).toHaveLength(failing);
    });
  }

  test("an error at the fake end followed by the smuggled command's reply is still a fail", async () => {
    // The toy refuses the message it ended early, then runs the NOOP as a command: a smuggled
    // MAIL/RCPT/DATA would have been run the same way.
    const toy = await toyServer({ dataEnds: [CRLF_DOT_CRLF, "\n.\n"], dataReply: "550 5.6.0 refused" });
    const r = result(await probe(toy.port, ["security.smuggling.lf-dot-lf"]), "security.smuggling.lf-dot-lf");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary, explain(r)).toMatch(/"550 5\.6\.0 refused", then "250 2\.0\.0 ok" to the NOOP/);
    expect(r.transcript.some((l) => /may have stored/.test(l.text)), explain(r)).toBe(false);
    expect(toy.messages).toHaveLength(0);
  });

  test("an error at the fake end, then silence on an open connection → warn (where the message ends is unclear)", async () => {
    const toy = await toyServer({
      dataEnds: [CRLF_DOT_CRLF, "\n.\n"],
      dataReply: "550 5.6.0 refused",
      override: (line) => (line === "NOOP" ? null : undefined),
    });
    const r = result(await probe(toy.port, ["security.smuggling.lf-dot-lf"]), "security.smuggling.lf-dot-lf");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary, explain(r)).toMatch(/^answered "550 5\.6\.0 refused" in mid-message after <LF>\.<LF>/);
    expect(toy.messages).toHaveLength(0);
  });

  test("an error at the fake end and the connection closed → pass", async () => {
    const toy = await toyServer({
      dataEnds: [CRLF_DOT_CRLF, "\n.\n"],
      dataReply: "521 5.5.2 bare <LF> received",
      // After that reply the toy hangs up instead of running the NOOP (as Postfix does with bare LF).
      override: (line, state) => {
        if (line !== "NOOP") return undefined;
        state.close();
        return null;
      },
    });
    const r = result(await probe(toy.port, ["security.smuggling.lf-dot-lf"]), "security.smuggling.lf-dot-lf");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary, explain(r)).toMatch(/^refused <LF>\.<LF> with "521 5\.5\.2 bare <LF> received" and closed the connection/);
    expect(toy.messages).toHaveLength(0);
  });
});

describe("security.bare-lf-command", () => {
  test("smtp-server-core answers NOOP<LF> with 500 5.5.2 → pass (also with bare LF normalised in DATA)", async () => {
    for (const options of [{}, { bareLineEndings: "normalize" as const }]) {
      const core = await coreServer(options);
      const r = result(await probe(core.port, ["security.bare-lf-command"]), "security.bare-lf-command");
      expect(r.status, explain(r)).toBe("pass");
      expect(r.summary, explain(r)).toMatch(/^refused NOOP<LF> with "500 5\.5\.2 /);
      expect(core.messages).toHaveLength(0);
    }
  });

  test("a server that stays silent (waits for CRLF) → pass", async () => {
    // The toy answers a bare-LF line with 500 by default; here the line reaches `override`, which
    // answers nothing, as a server still waiting for the CRLF would.
    const toy = await toyServer({ bareLfCommands: true, override: (line) => (line === "NOOP" ? null : undefined) });
    const r = result(await probe(toy.port, ["security.bare-lf-command"]), "security.bare-lf-command");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary, explain(r)).toMatch(/still waiting for CRLF/);
    expect(toy.messages).toHaveLength(0);
  });

  test("the toy's default (500 to a bare-LF line) → pass", async () => {
    const toy = await toyServer();
    const r = result(await probe(toy.port, ["security.bare-lf-command"]), "security.bare-lf-command");
    expect(r.status, explain(r)).toBe("pass");
  });

  test("a server that runs NOOP<LF> → warn", async () => {
    const toy = await toyServer({ bareLfCommands: true });
    const r = result(await probe(toy.port, ["security.bare-lf-command"]), "security.bare-lf-command");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/^treats a bare LF as the end of a command line/);
    expect(toy.messages).toHaveLength(0);
  });
});

describe("security.bare-lf-data", () => {
  test("n/a without --deliver", async () => {
    const core = await coreServer();
    const r = result(await probe(core.port, ["security.bare-lf-data"]), "security.bare-lf-data");
    expect(r.status, explain(r)).toBe("n/a");
    expect(r.summary).toMatch(/^needs --deliver/);
    expect(core.messages).toHaveLength(0);
  });

  test("smtp-server-core refuses bare LF in a message (550 5.5.2) → pass, nothing stored", async () => {
    const core = await coreServer();
    const r = result(await probe(core.port, ["security.bare-lf-data"], { deliver: "probe-inbox@mx.test" }), "security.bare-lf-data");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/"550 5\.5\.2 /);
    expect(core.messages).toHaveLength(0);
  });

  test('bareLineEndings: "normalize" accepts it → warn; the one message went to --deliver', async () => {
    const core = await coreServer({ bareLineEndings: "normalize" });
    const r = result(await probe(core.port, ["security.bare-lf-data"], { deliver: "probe-inbox@mx.test" }), "security.bare-lf-data");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/^accepted a message with bare LF line ends/);
    expect(core.messages).toHaveLength(1);
    expect(core.messages[0]?.toString("latin1")).toContain("This line ends with a bare LF.");
  });

  test("n/a when the server refuses the --deliver address", async () => {
    const core = await coreServer();
    const r = result(await probe(core.port, ["security.bare-lf-data"], { deliver: "someone@elsewhere.test" }), "security.bare-lf-data");
    expect(r.status, explain(r)).toBe("n/a");
    expect(r.summary).toMatch(/^RCPT TO:<someone@elsewhere\.test> answered "554 5\.7\.1 /);
    expect(core.messages).toHaveLength(0);
  });
});
