import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { toyServer } from "../test-support/toy-server.js";

const IDS = ["greeting.banner", "greeting.ehlo", "greeting.helo", "greeting.capabilities"];

/**
 * An override that answers EHLO normally during discovery (EHLO, STARTTLS, EHLO again) and with `bad`
 * later: a malformed EHLO reply in discovery would stop the whole probe before any check runs.
 */
function laterEhlo(bad: string[]): (line: string) => string[] | undefined {
  let seen = 0;
  return (line) => {
    if (!/^EHLO /i.test(line)) return undefined;
    seen++;
    return seen <= 2 ? undefined : bad;
  };
}

describe("greeting checks against smtp-server-core defaults", () => {
  it("pass, and list the capabilities before and after STARTTLS", async () => {
    const { port, messages } = await coreServer();
    const report = await probe(port, ["greeting"]);
    for (const id of IDS) {
      const r = result(report, id);
      expect(r.status, explain(r)).toBe("pass");
    }
    const caps = result(report, "greeting.capabilities");
    expect(caps.summary).toMatch(/PIPELINING/);
    expect(caps.summary).toMatch(/after STARTTLS .*-STARTTLS/);
    expect(result(report, "greeting.banner").summary).toMatch(/^greeted with "220 /);
    expect(messages).toHaveLength(0);
  });

  it("pass in cleartext mode, with no after-STARTTLS listing", async () => {
    const { port, messages } = await coreServer();
    const report = await probe(port, ["greeting"], { tls: "none" });
    for (const id of IDS) expect(result(report, id).status, explain(result(report, id))).toBe("pass");
    expect(result(report, "greeting.capabilities").summary).not.toMatch(/after STARTTLS/);
    expect(messages).toHaveLength(0);
  });
});

describe("greeting.banner", () => {
  it("passes against the toy server", async () => {
    const { port } = await toyServer();
    const r = result(await probe(port, ["greeting.banner"]), "greeting.banner");
    expect(r.status, explain(r)).toBe("pass");
  });

  it("fails a 554 greeting (refuses service); the other greeting checks are n/a", async () => {
    const { port, messages } = await toyServer({ greeting: "554 5.7.1 no service for you" });
    const report = await probe(port, ["greeting"]);
    const r = result(report, "greeting.banner");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/refuses service/);
    for (const id of ["greeting.ehlo", "greeting.helo", "greeting.capabilities"]) {
      expect(result(report, id).status, explain(result(report, id))).toBe("n/a");
    }
    expect(messages).toHaveLength(0);
  });

  it("fails a greeting that is neither 220 nor 554", async () => {
    const { port } = await toyServer({ greeting: "421 4.3.2 busy" });
    const r = result(await probe(port, ["greeting.banner"]), "greeting.banner");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/421/);
  });

  it("warns on a greeting line ending in a bare LF", async () => {
    const { port } = await toyServer({ greeting: "220-toy.test ESMTP\n220 ready" });
    const r = result(await probe(port, ["greeting.banner"]), "greeting.banner");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/bare LF/);
  });

  it("passes a multi-line 220", async () => {
    const { port } = await toyServer({ greeting: "220-toy.test ESMTP\r\n220 welcome" });
    const r = result(await probe(port, ["greeting.banner"]), "greeting.banner");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/2 lines/);
  });

  it("warns when the greeting does not start with the server's name", async () => {
    const { port } = await toyServer({ greeting: "220 *** welcome ***" });
    const r = result(await probe(port, ["greeting.banner"]), "greeting.banner");
    expect(r.status, explain(r)).toBe("warn");
  });
});

describe("greeting.ehlo", () => {
  it("fails a malformed multi-line reply (codes differ)", async () => {
    const { port, messages } = await toyServer({ override: laterEhlo(["250-x", "251 y"]) });
    const r = result(await probe(port, ["greeting.ehlo"]), "greeting.ehlo");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/malformed/);
    expect(messages).toHaveLength(0);
  });

  it("fails when EHLO is refused (HELO-only server); capabilities are n/a", async () => {
    const { port } = await toyServer({ override: (line) => (/^EHLO/i.test(line) ? "502 5.5.1 EHLO not implemented" : undefined) });
    const report = await probe(port, ["greeting"]);
    const r = result(report, "greeting.ehlo");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/refused EHLO/);
    expect(result(report, "greeting.capabilities").status).toBe("n/a");
    expect(result(report, "greeting.helo").status).toBe("pass");
  });

  it("fails when the first line does not name the server", async () => {
    const { port } = await toyServer({ override: laterEhlo(["250-!!!", "250 PIPELINING"]) });
    const r = result(await probe(port, ["greeting.ehlo"]), "greeting.ehlo");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/not a domain/);
  });

  it("warns on a bare LF in the EHLO reply", async () => {
    const { port } = await toyServer({ override: laterEhlo(["250-toy.test\n250-PIPELINING", "250 8BITMIME"]) });
    const r = result(await probe(port, ["greeting.ehlo"]), "greeting.ehlo");
    expect(r.status, explain(r)).toBe("warn");
  });

  it("judges the EHLO after STARTTLS too", async () => {
    let secureEhlos = 0;
    const { port } = await toyServer({
      override: (line, state) => {
        if (!/^EHLO/i.test(line) || !state.tls) return undefined;
        secureEhlos++;
        // Discovery's EHLO inside TLS is fine; the check's is malformed.
        return secureEhlos === 1 ? undefined : ["250-toy.test", "251 AUTH PLAIN"];
      },
    });
    const r = result(await probe(port, ["greeting.ehlo"]), "greeting.ehlo");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/after STARTTLS/);
  });
});

describe("greeting.helo", () => {
  it("passes against the toy server", async () => {
    const { port } = await toyServer();
    const r = result(await probe(port, ["greeting.helo"]), "greeting.helo");
    expect(r.status, explain(r)).toBe("pass");
  });

  it("fails when HELO is refused", async () => {
    const { port, messages } = await toyServer({ override: (line) => (/^HELO/i.test(line) ? "500 5.5.2 unknown command" : undefined) });
    const r = result(await probe(port, ["greeting.helo"]), "greeting.helo");
    expect(r.status, explain(r)).toBe("fail");
    expect(messages).toHaveLength(0);
  });

  it("fails an EHLO-style reply to HELO (RFC 5321 §3.2)", async () => {
    const { port } = await toyServer({ override: (line) => (/^HELO/i.test(line) ? ["250-toy.test", "250 PIPELINING"] : undefined) });
    const r = result(await probe(port, ["greeting.helo"]), "greeting.helo");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/EHLO-style/);
  });
});

describe("greeting.capabilities", () => {
  it("lists the toy server's capabilities", async () => {
    const { port } = await toyServer();
    const r = result(await probe(port, ["greeting.capabilities"]), "greeting.capabilities");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/SIZE 1000000/);
  });

  it("warns on a repeated keyword and a line that is not an ehlo-line", async () => {
    const { port, messages } = await toyServer({ capabilities: ["PIPELINING", "SIZE 1000", "pipelining", "X_BAD thing"] });
    const r = result(await probe(port, ["greeting.capabilities"]), "greeting.capabilities");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/PIPELINING listed more than once/);
    expect(r.summary).toMatch(/X_BAD/);
    expect(messages).toHaveLength(0);
  });

  it("warns on a repeat seen only after STARTTLS", async () => {
    const { port } = await toyServer({
      override: (line, state) => (/^EHLO/i.test(line) && state.tls ? ["250-toy.test", "250-SIZE 10", "250 SIZE 20"] : undefined),
    });
    const r = result(await probe(port, ["greeting.capabilities"]), "greeting.capabilities");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/SIZE listed more than once after STARTTLS/);
  });

  it("tolerates the legacy AUTH= line", async () => {
    const { port } = await toyServer({ capabilities: ["AUTH PLAIN LOGIN", "AUTH=PLAIN LOGIN"] });
    const r = result(await probe(port, ["greeting.capabilities"]), "greeting.capabilities");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/legacy AUTH=/);
  });
});
