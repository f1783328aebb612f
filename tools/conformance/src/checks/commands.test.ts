import { SmtpReplyError } from "@smtpkit/smtp-server-core";
import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { type ToyState, toyServer } from "../test-support/toy-server.js";

const PASSING = [
  "commands.unknown",
  "commands.syntax",
  "commands.sequence-rcpt",
  "commands.sequence-data",
  "commands.rset",
  "commands.noop",
  "commands.vrfy",
  "commands.expn",
  "commands.case",
  "commands.line-length",
];

/** An override for one verb (upper-cased first word), default handling for everything else. */
function on(verb: string, answer: (line: string, state: ToyState) => string | string[] | null | undefined) {
  return (line: string, state: ToyState) => ((line.split(" ")[0] ?? "").toUpperCase() === verb ? answer(line, state) : undefined);
}

describe("command checks against smtp-server-core defaults", () => {
  it("pass (commands.data is n/a without --deliver) and store no message", async () => {
    const { port, messages } = await coreServer();
    const report = await probe(port, ["commands"]);
    for (const id of PASSING) {
      const r = result(report, id);
      expect(r.status, explain(r)).toBe("pass");
    }
    const data = result(report, "commands.data");
    expect(data.status, explain(data)).toBe("n/a");
    expect(data.summary).toMatch(/needs --deliver/);
    expect(messages).toHaveLength(0);
  });

  it("pass against the toy server's defaults too", async () => {
    const { port, messages } = await toyServer();
    const report = await probe(port, PASSING);
    for (const id of PASSING) expect(result(report, id).status, explain(result(report, id))).toBe("pass");
    expect(messages).toHaveLength(0);
  });

  it("are n/a when the server refuses service at the greeting", async () => {
    const { port } = await toyServer({ greeting: "554 5.7.1 go away" });
    const report = await probe(port, PASSING);
    for (const id of PASSING) expect(result(report, id).status, explain(result(report, id))).toBe("n/a");
  });
});

describe("commands.unknown", () => {
  it("fails a 250 to XYZZY", async () => {
    const { port, messages } = await toyServer({ override: on("XYZZY", () => "250 2.0.0 sure") });
    const r = result(await probe(port, ["commands.unknown"]), "commands.unknown");
    expect(r.status, explain(r)).toBe("fail");
    expect(messages).toHaveLength(0);
  });

  it("warns on 502 (not implemented) instead of 500", async () => {
    const { port } = await toyServer({ override: on("XYZZY", () => "502 5.5.1 not implemented") });
    const r = result(await probe(port, ["commands.unknown"]), "commands.unknown");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/502/);
  });

  it("warns when the server hangs up after the 500", async () => {
    const { port } = await toyServer({
      override: on("XYZZY", (_line, state) => {
        state.write("500 5.5.2 unknown command, bye\r\n");
        state.close();
        return null;
      }),
    });
    const r = result(await probe(port, ["commands.unknown"]), "commands.unknown");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/closed/);
  });

  it("fails when NOOP no longer works after the unknown command", async () => {
    let lost = false;
    const { port } = await toyServer({
      override: (line) => {
        if (line === "XYZZY") lost = true;
        return lost && line === "NOOP" ? "503 5.5.1 confused" : undefined;
      },
    });
    const r = result(await probe(port, ["commands.unknown"]), "commands.unknown");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/NOOP got/);
  });
});

describe("commands.syntax", () => {
  it("fails when the broken path is accepted", async () => {
    const { port } = await toyServer({ override: (line) => (line === "MAIL FROM:<probe@" ? "250 2.1.0 ok" : undefined) });
    const r = result(await probe(port, ["commands.syntax"]), "commands.syntax");
    expect(r.status, explain(r)).toBe("fail");
  });

  it("warns on another 5xx (553) instead of 501", async () => {
    const { port } = await toyServer({ override: (line) => (line === "MAIL FROM:<probe@" ? "553 5.1.3 bad address" : undefined) });
    const r = result(await probe(port, ["commands.syntax"]), "commands.syntax");
    expect(r.status, explain(r)).toBe("warn");
  });
});

describe("commands.sequence-rcpt", () => {
  it("fails when RCPT is accepted before MAIL", async () => {
    const { port, messages } = await toyServer({ override: on("RCPT", (_l, state) => (state.mail ? undefined : "250 2.1.5 ok")) });
    const r = result(await probe(port, ["commands.sequence-rcpt"]), "commands.sequence-rcpt");
    expect(r.status, explain(r)).toBe("fail");
    expect(messages).toHaveLength(0);
  });

  it("warns on another refusal than 503", async () => {
    const { port } = await toyServer({ override: on("RCPT", (_l, state) => (state.mail ? undefined : "550 5.1.1 no")) });
    const r = result(await probe(port, ["commands.sequence-rcpt"]), "commands.sequence-rcpt");
    expect(r.status, explain(r)).toBe("warn");
  });
});

describe("commands.sequence-data", () => {
  it("fails a 354 to DATA without recipients, and never sends content", async () => {
    const { port, messages } = await toyServer({ override: on("DATA", (_l, state) => (state.rcpts === 0 ? "354 go ahead" : undefined)) });
    const r = result(await probe(port, ["commands.sequence-data"]), "commands.sequence-data");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.transcript.filter((l) => l.dir === "C").at(-1)?.text).toBe("DATA");
    expect(messages).toHaveLength(0);
  });

  it("passes a 554 (no valid recipients)", async () => {
    const { port } = await toyServer({ override: on("DATA", (_l, state) => (state.rcpts === 0 ? "554 5.5.1 no valid recipients" : undefined)) });
    const r = result(await probe(port, ["commands.sequence-data"]), "commands.sequence-data");
    expect(r.status, explain(r)).toBe("pass");
  });

  it("is n/a when MAIL FROM is refused", async () => {
    const { port } = await toyServer({ override: on("MAIL", () => "550 5.7.1 not you") });
    const report = await probe(port, ["commands.sequence-data", "commands.rset"]);
    expect(result(report, "commands.sequence-data").status).toBe("n/a");
    expect(result(report, "commands.rset").status).toBe("n/a");
  });
});

describe("commands.rset", () => {
  it("fails when RSET does not clear the transaction", async () => {
    const { port, messages } = await toyServer({ override: on("RSET", () => "250 2.0.0 ok") });
    const r = result(await probe(port, ["commands.rset"]), "commands.rset");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/did not clear/);
    expect(messages).toHaveLength(0);
  });

  it("fails when RSET is not answered 250", async () => {
    const { port } = await toyServer({ override: on("RSET", () => "502 5.5.1 no") });
    const r = result(await probe(port, ["commands.rset"]), "commands.rset");
    expect(r.status, explain(r)).toBe("fail");
  });
});

describe("commands.noop", () => {
  it("fails when NOOP is refused", async () => {
    const { port } = await toyServer({ override: on("NOOP", () => "502 5.5.1 no") });
    const r = result(await probe(port, ["commands.noop"]), "commands.noop");
    expect(r.status, explain(r)).toBe("fail");
  });

  it("warns when NOOP with an argument is refused (SHOULD ignore it)", async () => {
    const { port } = await toyServer({ override: on("NOOP", (line) => (line === "NOOP" ? undefined : "501 5.5.4 no arguments")) });
    const r = result(await probe(port, ["commands.noop"]), "commands.noop");
    expect(r.status, explain(r)).toBe("warn");
  });
});

describe("commands.vrfy", () => {
  it("warns when VRFY confirms a real user and denies a random one (toy)", async () => {
    const { port, messages } = await toyServer({
      override: on("VRFY", (line) => (line === "VRFY postmaster" ? "250 2.1.5 Postmaster" : "550 5.1.1 no such user")),
    });
    const r = result(await probe(port, ["commands.vrfy"]), "commands.vrfy");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/discloses which users exist/);
    expect(messages).toHaveLength(0);
  });

  it("warns when VRFY returns the mailbox (smtp-server-core with a disclosing onVrfy hook)", async () => {
    const { port } = await coreServer({}, { onVrfy: (arg) => ({ code: 250, lines: [`Postmaster <${arg}@mx.test>`] }) });
    const r = result(await probe(port, ["commands.vrfy"]), "commands.vrfy");
    expect(r.status, explain(r)).toBe("warn");
  });

  it("passes when VRFY is disabled (502)", async () => {
    const { port } = await toyServer({ override: on("VRFY", () => "502 5.5.1 VRFY disabled") });
    const r = result(await probe(port, ["commands.vrfy"]), "commands.vrfy");
    expect(r.status, explain(r)).toBe("pass");
  });
});

describe("commands.expn", () => {
  it("warns when EXPN lists members (toy)", async () => {
    const { port } = await toyServer({ override: on("EXPN", () => ["250-<alice@toy.test>", "250 <bob@toy.test>"]) });
    const r = result(await probe(port, ["commands.expn"]), "commands.expn");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/discloses list members/);
  });

  it("warns when EXPN expands (smtp-server-core with an onExpn hook)", async () => {
    const { port, messages } = await coreServer({}, { onExpn: () => ({ code: 250, lines: ["<root@mx.test>"] }) });
    const r = result(await probe(port, ["commands.expn"]), "commands.expn");
    expect(r.status, explain(r)).toBe("warn");
    expect(messages).toHaveLength(0);
  });
});

describe("commands.case", () => {
  it("fails a server with case-sensitive verbs", async () => {
    const { port, messages } = await toyServer({
      override: (line) => {
        const verb = line.split(" ")[0] ?? "";
        return verb !== verb.toUpperCase() ? "500 5.5.2 unknown command" : undefined;
      },
    });
    const r = result(await probe(port, ["commands.case"]), "commands.case");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/nOoP/);
    expect(messages).toHaveLength(0);
  });

  it("fails when only the FROM: keyword is case-sensitive", async () => {
    const { port } = await toyServer({ override: on("MAIL", (line) => (line.includes("fRoM:") ? "501 5.5.4 syntax" : undefined)) });
    const r = result(await probe(port, ["commands.case"]), "commands.case");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/mAiL fRoM/);
  });
});

describe("commands.line-length", () => {
  it("fails when a long line is split into several commands", async () => {
    const { port, messages } = await toyServer({ longLines: "split" });
    const r = result(await probe(port, ["commands.line-length"]), "commands.line-length");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/split/);
    expect(messages).toHaveLength(0);
  });

  it("passes a server that accepts long lines (smtp-server-core with a high limit)", async () => {
    const { port } = await coreServer({ limits: { maxLineLength: 8192 } });
    const r = result(await probe(port, ["commands.line-length"]), "commands.line-length");
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/accepted/);
  });

  it("warns when the server closes without a reply", async () => {
    const { port } = await toyServer({ longLines: "close" });
    const r = result(await probe(port, ["commands.line-length"]), "commands.line-length");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/without a reply/);
  });

  it("warns when the server replies and then closes", async () => {
    const { port } = await toyServer({
      longLines: "accept",
      override: (line, state) => {
        if (line.length <= 1000) return undefined;
        state.write("500 5.5.6 line too long, bye\r\n");
        state.close();
        return null;
      },
    });
    const r = result(await probe(port, ["commands.line-length"]), "commands.line-length");
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/then closed/);
  });
});

describe("commands.data", () => {
  it("completes one message to the --deliver address only (smtp-server-core)", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, ["commands.data"], { deliver: "user@mx.test" }), "commands.data");
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(1);
    const text = messages[0]?.toString("latin1") ?? "";
    expect(text).toContain("Subject: smtpkit probe test message");
    expect(text).toContain("To: <user@mx.test>");
    expect(text).toMatch(/^Date: .* \+0000\r\n/m);
    expect(text).toMatch(/^Message-ID: <[0-9a-f]+@client\.test>\r\n/m);
  });

  it("is n/a without --deliver, and nothing is stored", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, ["commands.data"]), "commands.data");
    expect(r.status, explain(r)).toBe("n/a");
    expect(messages).toHaveLength(0);
  });

  it("fails when the --deliver recipient is refused", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, ["commands.data"], { deliver: "someone@example.com" }), "commands.data");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/554/);
    expect(messages).toHaveLength(0);
  });

  it("fails when the message is refused after the dot (smtp-server-core onData rejects)", async () => {
    const { port } = await coreServer(
      {},
      {
        async onData(message) {
          for await (const _ of message) {
            // drain
          }
          throw new SmtpReplyError({ code: 554, enhanced: { cls: 5, subject: 6, detail: 0 }, lines: ["content rejected"] });
        },
      },
    );
    const r = result(await probe(port, ["commands.data"], { deliver: "user@mx.test" }), "commands.data");
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/554/);
  });

  it("delivers in cleartext mode too (toy)", async () => {
    const { port, messages } = await toyServer();
    const r = result(await probe(port, ["commands.data"], { deliver: "user@toy.test", tls: "none" }), "commands.data");
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(1);
  });
});
