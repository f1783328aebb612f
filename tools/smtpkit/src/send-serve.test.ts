/**
 * `smtpkit send` against `smtpkit serve` (the built CLI, its own process) over 127.0.0.1: what is
 * stored is read back from the Maildir byte for byte; each exit code; the --json shape; STARTTLS
 * required with --insecure and --ca; implicit TLS; AUTH; LMTP; and direct-to-MX delivery through
 * a loopback DNS server whose MX points at 127.0.0.1.
 */
import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { Readable } from "node:stream";
import { fileURLToPath } from "node:url";
import { describe, expect, test } from "vitest";
import { send } from "./send.js";
import { runCli, SMTPKIT_BIN, storedMessages, WAIT_MS } from "./serve/test-support/cli.js";
import { useServeSandbox } from "./serve/test-support/sandbox.js";
import { startMiniDns } from "./test-support/dns-server.js";

const sandbox = useServeSandbox("smtpkit-send-");
const FIXTURES = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../../../packages/smtp-server-core/test/fixtures");

// Each test starts a server process and sends over real sockets; none has a timing assertion.
const SLOW = { timeout: 60_000 };

interface Run {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** `smtpkit send ARGS` in-process, with `input` as standard input (a pipe, not a terminal). */
async function sendIn(args: readonly string[], input?: string | Buffer): Promise<Run> {
  let stdout = "";
  let stderr = "";
  const stdin = Object.assign(Readable.from(input === undefined ? [] : [Buffer.from(input)]), { isTTY: false });
  const code = await send(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdin,
    cwd: sandbox.dir,
  });
  return { code, stdout, stderr };
}

/** The built CLI as a process with `input` piped to its standard input. */
async function sendProcess(args: readonly string[], input: Buffer): Promise<Run> {
  const child = spawn(process.execPath, [SMTPKIT_BIN, "send", ...args], { cwd: sandbox.dir, stdio: ["pipe", "pipe", "pipe"] });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (c: Buffer) => {
    stdout += c.toString();
  });
  child.stderr.on("data", (c: Buffer) => {
    stderr += c.toString();
  });
  child.stdin.end(input);
  const timer = setTimeout(() => child.kill("SIGKILL"), WAIT_MS);
  const code = await new Promise<number | null>((resolve) => child.once("exit", resolve));
  clearTimeout(timer);
  return { code: code ?? -1, stdout, stderr };
}

interface Json {
  readonly recipients: readonly { address: string; accepted: boolean; code: number | null; enhanced: string | null; text: string }[];
  readonly data?: { code: number; enhanced: string | null; text: string; messageId?: string; host?: string };
  readonly error?: { code: string; phase: string; temporary: boolean; message: string; reply?: { code: number; enhanced: string | null; text: string } };
}

/**
 * Lines a transfer could get wrong: a lone dot, leading dots, 8-bit octets, a line of 998
 * octets, an empty line, one that looks like a terminator after unstuffing. CRLF line ends only:
 * how bare CR and LF go on the wire is tested against smtp-sink (send-postfix.test.ts), which
 * takes DATA only, while smtpkit serve offers CHUNKING.
 */
const TRICKY = Buffer.concat([
  Buffer.from("Subject: tricky\r\nFrom: <a@x.test>\r\n\r\n.\r\n..two\r\n.one\r\n"),
  Buffer.from([0xc3, 0xa9, 0x20, 0xff, 0x80, 0x0d, 0x0a]),
  Buffer.from(`${"z".repeat(998)}\r\n\r\n.\r\n.\r\n..\r\nlast\r\n`),
]);

describe("to smtpkit serve: the stored bytes", SLOW, () => {
  test("--data FILE: stored byte for byte, exit 0", async () => {
    const { maildir, served } = await sandbox.serveMaildir("file", ["--hostname", "mx.smtpkit.test"]);
    const file = path.join(sandbox.dir, "tricky.eml");
    await writeFile(file, TRICKY);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", `127.0.0.1:${served.ports[0]}`, "--data", "tricky.eml", "--helo", "client.test"]);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^accepted {2}b@y\.test {2}250 [^\n]+\ndata: 250 [^\n]+\n$/);
    const stored = (await storedMessages(maildir)).get("b@y.test") ?? [];
    expect(stored).toHaveLength(1);
    expect(stored[0]?.body.equals(TRICKY)).toBe(true);
    expect(stored[0]?.returnPath).toBe("<a@x.test>");
    expect(stored[0]?.received).toMatch(/^from client\.test /);
  });

  test("--data - through the real CLI: standard input streamed, stored byte for byte", async () => {
    const { maildir, served } = await sandbox.serveMaildir("stdin", []);
    const big = Buffer.concat([Buffer.from("Subject: big\r\n\r\n"), Buffer.from(`${".x".repeat(37)}\r\n`.repeat(30_000))]);
    const r = await sendProcess(["--from", "a@x.test", "--to", "b@y.test", "--server", `127.0.0.1:${served.ports[0]}`, "--data", "-"], big);
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect((await storedMessages(maildir)).get("b@y.test")?.[0]?.body.equals(big)).toBe(true);
  });

  test("no --data and nothing on standard input: the generated test message", async () => {
    const { maildir, served } = await sandbox.serveMaildir("generated", []);
    // runCli gives the process /dev/null as standard input: not a terminal, and empty.
    const r = await runCli(["send", "--from", "a@x.test", "--to", "b@y.test", "--to", "c@y.test", "--server", `127.0.0.1:${served.ports[0]}`], sandbox.dir);
    expect(r.code).toBe(0);
    const stored = await storedMessages(maildir);
    for (const box of ["b@y.test", "c@y.test"]) {
      const text = stored.get(box)?.[0]?.body.toString("latin1") ?? "";
      expect(text).toMatch(/^Date: [^\r\n]+\r\nFrom: <a@x\.test>\r\nTo: <b@y\.test>,\r\n <c@y\.test>\r\nSubject: smtpkit send test message\r\n/);
      expect(text).toMatch(/\r\n\r\nThis is a test message sent by smtpkit send\.\r\n$/);
    }
  });
});

describe("to smtpkit serve: exit codes and --json", SLOW, () => {
  test("a recipient rejected permanently: exit 2; --json gives each address exactly as given", async () => {
    const { maildir, served } = await sandbox.serveMaildir("mixed", ["--domains", "y.test"]);
    const r = await sendIn(["--from", "a@x.test", "--to", "Joe@Y.TEST", "--to", "c@z.test", "--server", `127.0.0.1:${served.ports[0]}`, "--json"], "Subject: x\r\n\r\nx\r\n");
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as Json;
    expect(Object.keys(json).sort()).toEqual(["data", "recipients"]);
    expect(json.recipients).toEqual([
      { address: "Joe@Y.TEST", accepted: true, code: 250, enhanced: "2.1.5", text: expect.any(String) },
      { address: "c@z.test", accepted: false, code: 550, enhanced: "5.7.1", text: "Relay access denied: not a domain served here" },
    ]);
    expect(json.data).toMatchObject({ code: 250, enhanced: "2.0.0", host: "127.0.0.1" });
    // The accepted recipient got the message all the same.
    expect([...(await storedMessages(maildir)).keys()]).toEqual(["joe@y.test"]);
  });

  test("every recipient rejected: exit 2, no data reply, nothing stored", async () => {
    const { maildir, served } = await sandbox.serveMaildir("none", ["--domains", "y.test"]);
    const r = await sendIn(["--from", "a@x.test", "--to", "c@z.test", "--server", `127.0.0.1:${served.ports[0]}`, "--json"], "Subject: x\r\n\r\nx\r\n");
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients.map((x) => [x.address, x.accepted, x.code])).toEqual([["c@z.test", false, 550]]);
    expect(json.data).toBeUndefined();
    expect((await storedMessages(maildir)).size).toBe(0);
  });

  test("a recipient deferred (452 too many recipients): exit 3; a recipient given twice is reported once", async () => {
    const { maildir, served } = await sandbox.serveMaildir("deferred", ["--max-recipients", "1"]);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--to", "b@y.test", "--to", "c@y.test", "--server", `127.0.0.1:${served.ports[0]}`], "Subject: x\r\n\r\nx\r\n");
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/^accepted {2}b@y\.test {2}250 [^\n]+\ndeferred {2}c@y\.test {2}452 4\.5\.3 [^\n]+\ndata: 250 /);
    expect([...(await storedMessages(maildir)).keys()]).toEqual(["b@y.test"]);
  });

  test("a message over the server's SIZE: exit 2 before the data is sent", async () => {
    const { maildir, served } = await sandbox.serveMaildir("size", ["--max-size", "1000"]);
    const file = path.join(sandbox.dir, "big.eml");
    await writeFile(file, `Subject: big\r\n\r\n${"y".repeat(5000)}\r\n`);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", `127.0.0.1:${served.ports[0]}`, "--data", file, "--json"]);
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients[0]?.accepted).toBe(false);
    expect(json.error?.temporary).toBe(false);
    expect((await storedMessages(maildir)).size).toBe(0);
  });

  test("no server listening: exit 3 with the connect error", async () => {
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", "127.0.0.1:1", "--json"], "x\r\n");
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Json).error).toMatchObject({ phase: "connect", temporary: true });
  });
});

describe("to smtpkit serve: TLS", SLOW, () => {
  test("--tls required to a self-signed certificate: refused without --insecure (exit 3, nothing sent), sent with it", async () => {
    const { maildir, served } = await sandbox.serveMaildir("self-signed", ["--self-signed", "--hostname", "mx.smtpkit.test"]);
    const server = `127.0.0.1:${served.ports[0]}`;
    const refused = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", server, "--tls", "required", "--json"], "Subject: x\r\n\r\nx\r\n");
    expect(refused.code).toBe(3);
    expect((JSON.parse(refused.stdout) as Json).error).toMatchObject({ code: "tls-failed", phase: "tls" });
    expect((await storedMessages(maildir)).size).toBe(0);
    const sent = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", server, "--tls", "required", "--insecure"], "Subject: x\r\n\r\nx\r\n");
    expect(sent.code).toBe(0);
    // The Received field says the session ran over TLS (ESMTPS, RFC 3848).
    expect((await storedMessages(maildir)).get("b@y.test")?.[0]?.received).toMatch(/ with ESMTPS /);
  });

  test("--tls required to a server without STARTTLS: fails closed before MAIL (exit 3)", async () => {
    const { maildir, served } = await sandbox.serveMaildir("no-starttls", []);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", `127.0.0.1:${served.ports[0]}`, "--tls", "required", "--json"], "x\r\n");
    expect(r.code).toBe(3);
    expect((JSON.parse(r.stdout) as Json).error).toMatchObject({ code: "tls-unavailable", phase: "tls" });
    expect((await storedMessages(maildir)).size).toBe(0);
  });

  test("--ca: the fixture CA validates the fixture certificate; without it the handshake fails", async () => {
    const { maildir, served } = await sandbox.serveMaildir("ca", ["--cert", path.join(FIXTURES, "server.crt"), "--key", path.join(FIXTURES, "server.key")]);
    const server = `127.0.0.1:${served.ports[0]}`;
    const ok = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", server, "--tls", "required", "--ca", path.join(FIXTURES, "ca.crt")], "Subject: x\r\n\r\nx\r\n");
    expect(ok.stderr).toBe("");
    expect(ok.code).toBe(0);
    const bad = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", server, "--tls", "required"], "x\r\n");
    expect(bad.code).toBe(3);
    expect([...(await storedMessages(maildir)).values()].flat()).toHaveLength(1);
  });

  test("--tls implicit to a --tls-listen port", async () => {
    const maildir = path.join(sandbox.dir, "implicit");
    const served = await sandbox.serve(["--tls-listen", "127.0.0.1:0", "--self-signed", "--maildir", maildir]);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", `127.0.0.1:${served.ports[0]}`, "--tls", "implicit", "--insecure"], "Subject: x\r\n\r\nx\r\n");
    expect(r.code).toBe(0);
    expect((await storedMessages(maildir)).get("b@y.test")).toHaveLength(1);
  });
});

describe("to smtpkit serve: AUTH", SLOW, () => {
  test("--user/--password over STARTTLS: accepted; a wrong password is a permanent failure that never prints it", async () => {
    const { maildir, served } = await sandbox.serveMaildir("auth", ["--self-signed", "--user", "joe:correct horse", "--require-auth"]);
    const server = `127.0.0.1:${served.ports[0]}`;
    const args = ["--from", "a@x.test", "--to", "b@y.test", "--server", server, "--tls", "required", "--insecure", "--user", "joe"];
    const ok = await sendIn([...args, "--password", "correct horse"], "Subject: x\r\n\r\nx\r\n");
    expect(ok.code).toBe(0);
    const scram = await sendIn([...args, "--password", "correct horse", "--auth-mech", "SCRAM-SHA-256"], "Subject: x\r\n\r\nx\r\n");
    expect(scram.code).toBe(0);
    expect((await storedMessages(maildir)).get("b@y.test")).toHaveLength(2);
    for (const json of [false, true]) {
      const bad = await sendIn([...args, "--password", "wrong-battery-staple", ...(json ? ["--json"] : [])], "x\r\n");
      expect(bad.code).toBe(2);
      expect(`${bad.stdout}${bad.stderr}`).not.toContain("wrong-battery-staple");
      expect(bad.stdout).toMatch(json ? /"phase":"auth"/ : /permanent failure in auth/);
    }
    expect((await storedMessages(maildir)).get("b@y.test")).toHaveLength(2);
  });

  test("without --user where AUTH is required: MAIL refused, exit 2", async () => {
    const { served } = await sandbox.serveMaildir("auth-required", ["--self-signed", "--user", "joe:pw", "--require-auth"]);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--server", `127.0.0.1:${served.ports[0]}`, "--insecure", "--json"], "x\r\n");
    expect(r.code).toBe(2);
    expect((JSON.parse(r.stdout) as Json).error).toMatchObject({ phase: "mail", reply: { code: 530 } });
  });
});

describe("to smtpkit serve: LMTP", SLOW, () => {
  test("--lmtp: one reply per recipient after the data, each stored", async () => {
    const { maildir, served } = await sandbox.serveMaildir("lmtp", ["--lmtp", "--domains", "y.test"]);
    const r = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--to", "c@y.test", "--to", "d@z.test", "--server", `127.0.0.1:${served.ports[0]}`, "--lmtp", "--json"], "Subject: x\r\n\r\nx\r\n");
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients.map((x) => [x.address, x.accepted, x.code])).toEqual([
      ["b@y.test", true, 250],
      ["c@y.test", true, 250],
      ["d@z.test", false, 550],
    ]);
    expect([...(await storedMessages(maildir)).keys()]).toEqual(["b@y.test", "c@y.test"]);
  });
});

describe("direct to MX through a loopback DNS server", SLOW, () => {
  test("--dns, --allow 127.0.0.0/8, --mx-port: the MX of each domain gets its recipients", async () => {
    const { maildir, served } = await sandbox.serveMaildir("mx", ["--hostname", "mx.smtpkit.test", "--domains", "y.test,w.test"]);
    const dns = await startMiniDns({
      "y.test": { MX: [[10, "mx.y.test"]] },
      "mx.y.test": { A: ["127.0.0.1"] },
      // No MX: the domain itself is the implicit MX (RFC 5321 §5.1).
      "w.test": { A: ["127.0.0.1"] },
    });
    try {
      const r = await sendIn(
        ["--from", "a@x.test", "--to", "b@y.test", "--to", "c@w.test", "--dns", dns.address, "--allow", "127.0.0.0/8", "--mx-port", String(served.ports[0]), "--json"],
        "Subject: direct\r\n\r\n.direct\r\n",
      );
      expect(r.stderr).toBe("");
      expect(r.code).toBe(0);
      const json = JSON.parse(r.stdout) as Json;
      expect(json.recipients.map((x) => [x.address, x.accepted, x.code])).toEqual([
        ["b@y.test", true, 250],
        ["c@w.test", true, 250],
      ]);
      expect(dns.queries).toContain("MX y.test");
      const stored = await storedMessages(maildir);
      for (const box of ["b@y.test", "c@w.test"]) expect(stored.get(box)?.[0]?.body.toString("latin1")).toBe("Subject: direct\r\n\r\n.direct\r\n");

      // A --data file is opened again for each domain's host rather than held in memory.
      const file = path.join(sandbox.dir, "direct.eml");
      await writeFile(file, TRICKY);
      const fromFile = await sendIn(["--from", "a@x.test", "--to", "b@y.test", "--to", "c@w.test", "--dns", dns.address, "--allow", "127.0.0.0/8", "--mx-port", String(served.ports[0]), "--data", file]);
      expect(fromFile.code).toBe(0);
      const again = await storedMessages(maildir);
      for (const box of ["b@y.test", "c@w.test"]) {
        const bodies = (again.get(box) ?? []).map((m) => m.body);
        expect(bodies).toHaveLength(2);
        expect(bodies.filter((b) => b.equals(TRICKY))).toHaveLength(1);
      }
    } finally {
      await dns.close();
    }
  });

  test("a domain that does not exist: exit 2; DNS failing: exit 3; an MX address not allowed: not delivered", async () => {
    const { maildir, served } = await sandbox.serveMaildir("mx-fail", []);
    const dns = await startMiniDns({ "broken.test": { rcode: "SERVFAIL" }, "y.test": { MX: [[10, "mx.y.test"]] }, "mx.y.test": { A: ["127.0.0.1"] } });
    const args = ["--from", "a@x.test", "--dns", dns.address, "--mx-port", String(served.ports[0]), "--json"];
    try {
      const missing = await sendIn([...args, "--allow", "127.0.0.0/8", "--to", "b@nowhere.test"], "x\r\n");
      expect(missing.code).toBe(2);
      expect((JSON.parse(missing.stdout) as Json).recipients[0]).toMatchObject({ address: "b@nowhere.test", accepted: false });
      const broken = await sendIn([...args, "--allow", "127.0.0.0/8", "--to", "b@broken.test"], "x\r\n");
      expect(broken.code).toBe(3);
      // Without --allow, 127.0.0.1 is not a public address and the plan has no usable host.
      const refused = await sendIn([...args, "--to", "b@y.test"], "x\r\n");
      expect(refused.code).not.toBe(0);
      expect((JSON.parse(refused.stdout) as Json).recipients[0]?.accepted).toBe(false);
      expect((await storedMessages(maildir)).size).toBe(0);
    } finally {
      await dns.close();
    }
  });
});
