/** STARTTLS command injection (RFC 3207 §4.2, §6; CVE-2011-0411). */
import { describe, expect, test } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

const ID = "security.starttls-injection";

describe(ID, () => {
  test("smtp-server-core discards what was pipelined after STARTTLS → pass", async () => {
    const core = await coreServer();
    const r = result(await probe(core.port, [ID]), ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/^discarded the NOOP pipelined after STARTTLS/);
    expect(r.transcript.some((l) => l.dir === "C" && l.text === "STARTTLS\\r\\nNOOP\\r\\n"), explain(r)).toBe(true);
    expect(core.messages).toHaveLength(0);
  });

  test("the toy server's default (buffer dropped at STARTTLS) → pass", async () => {
    const toy = await toyServer();
    const r = result(await probe(toy.port, [ID]), ID);
    expect(r.status, explain(r)).toBe("pass");
  });

  test("a server that keeps the plaintext buffer and runs it inside TLS → fail", async () => {
    const toy = await toyServer({ starttlsKeepsBuffer: true });
    const r = result(await probe(toy.port, [ID]), ID);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/^answers commands injected before TLS \(CVE-2011-0411\): "250 2\.0\.0 ok"/);
    expect(toy.messages).toHaveLength(0);
  });

  test("a server that answers the pipelined command in clear before TLS → warn", async () => {
    // The toy says 220 but stays in clear (override), so it answers the NOOP in clear and the
    // handshake that follows cannot work: the check reports both.
    let starttls = 0;
    const toy = await toyServer({ override: (line) => (line === "STARTTLS" && ++starttls > 1 ? "220 2.0.0 go ahead" : undefined) });
    const r = result(await probe(toy.port, [ID], { replyTimeout: 1500 }), ID);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary, explain(r)).toMatch(/the NOOP was answered in clear \("250 2\.0\.0 ok"\)/);
  });

  test("a server that refuses STARTTLS with commands pipelined after it → pass", async () => {
    // Discovery's lone STARTTLS works; the check's pipelined one is refused and the line dropped.
    let starttls = 0;
    const toy = await toyServer({
      override: (line, state) => {
        if (line !== "STARTTLS" || ++starttls === 1) return undefined;
        state.write("554 5.5.0 commands after STARTTLS\r\n");
        state.close();
        return null;
      },
    });
    const r = result(await probe(toy.port, [ID]), ID);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/^refused STARTTLS with a command pipelined after it \("554 5\.5\.0 /);
  });

  test("n/a when STARTTLS is not offered", async () => {
    const toy = await toyServer({ starttls: false });
    const r = result(await probe(toy.port, [ID]), ID);
    expect(r.status, explain(r)).toBe("n/a");
    expect(r.summary).toBe("STARTTLS is not offered");
  });

  test("n/a in implicit TLS mode", async () => {
    const core = await coreServer({ listen: [{ host: "127.0.0.1", port: 0, tls: "implicit" }] });
    const r = result(await probe(core.port, [ID], { tls: "implicit" }), ID);
    expect(r.status, explain(r)).toBe("n/a");
    expect(r.summary).toMatch(/implicit TLS/);
    expect(core.messages).toHaveLength(0);
  });
});
