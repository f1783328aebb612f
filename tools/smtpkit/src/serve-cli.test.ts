/**
 * `smtpkit serve` as a command: the built CLI run as a process, over real sockets on 127.0.0.1.
 * Flag errors, storage choices, limits, LMTP, pipelining, SCRAM, the PROXY protocol, workers and
 * graceful shutdown; every message that should be stored is read back byte for byte.
 */
import { existsSync } from "node:fs";
import { mkdtemp, readdir } from "node:fs/promises";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { createClientMechanism } from "@smtpkit/smtp-sasl";
import { describe, expect, test } from "vitest";
import { runCli, storedMessages } from "./serve/test-support/cli.js";
import { useServeSandbox } from "./serve/test-support/sandbox.js";
import { Talk } from "./serve/test-support/talk.js";

const sandbox = useServeSandbox("smtpkit-serve-cli-");
const serve = (args: string[], options: { listeners?: number; cwd?: string } = {}) => sandbox.serve(["--hostname", "mx.smtpkit.test", ...args], options);

const BODY = "Subject: t\r\n\r\n.leading dot\r\nbody \u00e9\r\n";
/** BODY as it goes on the wire after DATA: dot-stuffed (RFC 5321 §4.5.2), then the terminator. */
const WIRE = `${BODY.replace(/^\./gm, "..")}.\r\n`;

/** EHLO, one transaction, QUIT; returns the replies of MAIL, each RCPT and the end of data. */
async function send(port: number, from: string, to: string[], body = BODY): Promise<number[]> {
  const talk = await Talk.connect(port);
  try {
    await talk.reply();
    expect((await talk.command("EHLO client.test")).code).toBe(250);
    const codes = [(await talk.command(`MAIL FROM:<${from}>`)).code];
    for (const rcpt of to) codes.push((await talk.command(`RCPT TO:<${rcpt}>`)).code);
    if ((await talk.command("DATA")).code === 354) {
      talk.send(`${body.replace(/^\./gm, "..")}.\r\n`);
      codes.push((await talk.reply()).code);
    }
    await talk.command("QUIT");
    return codes;
  } finally {
    talk.close();
  }
}

/** On a session past its greeting (and AUTH, if any): MAIL, RCPT and DATA with WIRE, each accepted. */
async function expectDelivered(talk: Talk, from: string, to: string): Promise<void> {
  expect((await talk.command(`MAIL FROM:<${from}>`)).code).toBe(250);
  expect((await talk.command(`RCPT TO:<${to}>`)).code).toBe(250);
  expect((await talk.command("DATA")).code).toBe(354);
  talk.send(WIRE);
  expect((await talk.reply()).code).toBe(250);
}

// Each test starts at least one server process and talks to it; none has a timing assertion.
const SLOW = { timeout: 60_000 };

describe("command line errors: one line on stderr, exit code 2", SLOW, () => {
  test.each([
    [["--listen", "nowhere"]],
    [["--bogus"]],
    [["--tls-listen", "127.0.0.1:0"]],
    [["--cert", "/nonexistent/cert.pem", "--key", "/nonexistent/key.pem"]],
    [["--maildir", "x", "--discard"]],
    [["--require-auth"]],
    [["--workers", "zero"]],
  ])("smtpkit serve %j", async (args) => {
    const result = await runCli(["serve", ...args], sandbox.dir);
    expect(result.code).toBe(2);
    expect(result.stdout).toBe("");
    expect(result.stderr).toMatch(/^smtpkit serve: [^\n]+\n$/);
  });

  test("a certificate file that is not a certificate", async () => {
    const self = fileURLToPath(import.meta.url);
    const result = await runCli(["serve", "--cert", self, "--key", self], sandbox.dir);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(/^smtpkit serve: unusable certificate/);
  });

  test("--help prints every flag and exits 0", async () => {
    const result = await runCli(["serve", "--help"], sandbox.dir);
    expect(result.code).toBe(0);
    for (const flag of ["--listen", "--tls-listen", "--cert", "--key", "--self-signed", "--maildir", "--discard", "--hostname", "--user", "--require-auth", "--allow-insecure-auth", "--domains", "--max-size", "--max-recipients", "--lmtp", "--proxy-protocol-from", "--workers"]) {
      expect(result.stdout).toContain(flag);
    }
  });

  test("a port in use is a failure at start-up: exit 1", async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, "127.0.0.1", resolve));
    const port = (blocker.address() as net.AddressInfo).port;
    try {
      const result = await runCli(["serve", "--listen", `127.0.0.1:${port}`, "--discard"], sandbox.dir);
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/EADDRINUSE/);
    } finally {
      blocker.close();
    }
  });
});

describe("storage", SLOW, () => {
  test("the default Maildir is ./var/mail under the working directory", async () => {
    const cwd = await mkdtemp(path.join(sandbox.dir, "cwd-"));
    const served = await serve(["--listen", "127.0.0.1:0"], { cwd });
    expect(served.stdout()).toMatch(/^smtpkit listening on 127\.0\.0\.1:\d+\n$/);
    expect(await send(served.ports[0] as number, "a@x.test", ["Box@Y.test"])).toEqual([250, 250, 250]);
    const stored = await storedMessages(path.join(cwd, "var", "mail"));
    expect(stored.get("box@y.test")?.[0]?.body.toString("utf8")).toBe(BODY);
  });

  test("--discard accepts and stores nothing", async () => {
    const cwd = await mkdtemp(path.join(sandbox.dir, "discard-"));
    const served = await serve(["--listen", "127.0.0.1:0", "--discard"], { cwd });
    expect(await send(served.ports[0] as number, "a@x.test", ["b@y.test", "c@z.test"])).toEqual([250, 250, 250, 250]);
    expect(await readdir(cwd)).toEqual([]);
  });

  test("--max-size and --max-recipients", async () => {
    const maildir = path.join(sandbox.dir, "limits");
    const served = await serve(["--listen", "127.0.0.1:0", "--maildir", maildir, "--max-size", "1000", "--max-recipients", "2"]);
    const port = served.ports[0] as number;
    expect(await send(port, "a@x.test", ["1@x.test", "2@x.test", "3@x.test"])).toEqual([250, 250, 250, 452, 250]);
    expect(await send(port, "a@x.test", ["big@x.test"], `Subject: big\r\n\r\n${"x".repeat(2000)}\r\n`)).toEqual([250, 250, 552]);
    const stored = await storedMessages(maildir);
    expect([...stored.keys()]).toEqual(["1@x.test", "2@x.test"]);
  });
});

describe("protocol", SLOW, () => {
  test("pipelined MAIL, RCPT, RCPT, DATA in one write: replies in order, one message stored per recipient", async () => {
    const maildir = path.join(sandbox.dir, "pipelining");
    const served = await serve(["--listen", "127.0.0.1:0", "--maildir", maildir]);
    const talk = await Talk.connect(served.ports[0] as number);
    try {
      await talk.reply();
      const ehlo = await talk.command("EHLO client.test");
      expect(ehlo.lines).toContain("PIPELINING");
      talk.send("MAIL FROM:<p@x.test>\r\nRCPT TO:<one@x.test>\r\nRCPT TO:<two@x.test>\r\nDATA\r\n");
      expect((await talk.replies(4)).map((r) => r.code)).toEqual([250, 250, 250, 354]);
      talk.send(`${WIRE}QUIT\r\n`);
      expect((await talk.replies(2)).map((r) => r.code)).toEqual([250, 221]);
    } finally {
      talk.close();
    }
    const stored = await storedMessages(maildir);
    for (const box of ["one@x.test", "two@x.test"]) expect(stored.get(box)?.[0]?.body.toString("utf8")).toBe(BODY);
  });

  test("--lmtp: LHLO, one reply per recipient after the data, stored 'with LMTP'", async () => {
    const maildir = path.join(sandbox.dir, "lmtp");
    const served = await serve(["--listen", "127.0.0.1:0", "--maildir", maildir, "--lmtp"]);
    const talk = await Talk.connect(served.ports[0] as number);
    try {
      await talk.reply();
      expect((await talk.command("LHLO client.test")).code).toBe(250);
      expect((await talk.command("MAIL FROM:<l@x.test>")).code).toBe(250);
      expect((await talk.command("RCPT TO:<a@x.test>")).code).toBe(250);
      expect((await talk.command("RCPT TO:<b@x.test>")).code).toBe(250);
      expect((await talk.command("DATA")).code).toBe(354);
      talk.send(WIRE);
      expect((await talk.replies(2)).map((r) => r.code)).toEqual([250, 250]);
    } finally {
      talk.close();
    }
    const stored = await storedMessages(maildir);
    expect(stored.get("a@x.test")?.[0]?.received).toMatch(/ with LMTP id /);
    expect(stored.get("b@x.test")?.[0]?.body.toString("utf8")).toBe(BODY);
  });

  test("SCRAM-SHA-256 with --user, through smtp-sasl's client: stored 'with ESMTPA'", async () => {
    const maildir = path.join(sandbox.dir, "scram");
    const served = await serve(["--listen", "127.0.0.1:0", "--maildir", maildir, "--user", "ann:correct horse"]);
    const talk = await Talk.connect(served.ports[0] as number);
    try {
      await talk.reply();
      const ehlo = await talk.command("EHLO client.test");
      expect(ehlo.lines.find((l) => l.startsWith("AUTH "))).toMatch(/\bSCRAM-SHA-256\b/);
      const mech = createClientMechanism("SCRAM-SHA-256", { username: "ann", password: "correct horse" }, { encrypted: false });
      const { initialResponse } = await mech.start();
      let reply = await talk.command(`AUTH SCRAM-SHA-256 ${Buffer.from(initialResponse ?? new Uint8Array()).toString("base64")}`);
      while (reply.code === 334) {
        const response = await mech.next(Buffer.from(reply.lines[0] ?? "", "base64"));
        reply = await talk.command(Buffer.from(response).toString("base64"));
      }
      expect(reply.code).toBe(235);
      await mech.finish?.();
      await expectDelivered(talk, "ann@x.test", "r@x.test");
    } finally {
      talk.close();
    }
    const m = (await storedMessages(maildir)).get("r@x.test")?.[0];
    expect(m?.received).toMatch(/ with ESMTPA id /);
    expect(m?.body.toString("utf8")).toBe(BODY);
  });

  test("--proxy-protocol-from: the client address of a PROXY v1 header goes into Received", async () => {
    const maildir = path.join(sandbox.dir, "proxy");
    const served = await serve(["--listen", "127.0.0.1:0", "--maildir", maildir, "--proxy-protocol-from", "127.0.0.0/8"]);
    const talk = await Talk.connect(served.ports[0] as number, "PROXY TCP4 192.0.2.77 127.0.0.1 40000 25\r\n");
    try {
      expect((await talk.reply()).code).toBe(220);
      expect((await talk.command("HELO behind.proxy.test")).code).toBe(250);
      await expectDelivered(talk, "p@x.test", "r@x.test");
    } finally {
      talk.close();
    }
    const m = (await storedMessages(maildir)).get("r@x.test")?.[0];
    expect(m?.received).toMatch(/^from behind\.proxy\.test \(\[192\.0\.2\.77\]\) by mx\.smtpkit\.test with SMTP id /);
  });
});

describe("processes and signals", SLOW, () => {
  test("SIGTERM: a transaction in flight still gets its 250 and is stored, an idle session gets 421, exit 0", async () => {
    const maildir = path.join(sandbox.dir, "sigterm");
    const served = await serve(["--listen", "127.0.0.1:0", "--maildir", maildir]);
    const port = served.ports[0] as number;
    const idle = await Talk.connect(port);
    const busy = await Talk.connect(port);
    try {
      await idle.reply();
      expect((await idle.command("EHLO idle.test")).code).toBe(250);
      await busy.reply();
      expect((await busy.command("EHLO busy.test")).code).toBe(250);
      expect((await busy.command("MAIL FROM:<s@x.test>")).code).toBe(250);
      expect((await busy.command("RCPT TO:<r@x.test>")).code).toBe(250);
      expect((await busy.command("DATA")).code).toBe(354);
      busy.send("Subject: half\r\n\r\nfirst half\r\n");
      process.kill(served.pid, "SIGTERM");
      const goodbye = await idle.reply();
      expect(goodbye.code).toBe(421);
      busy.send("second half\r\n.\r\n");
      expect((await busy.reply()).code).toBe(250);
    } finally {
      idle.close();
      busy.close();
    }
    expect(await served.waitForExit()).toEqual({ code: 0, signal: null });
    const m = (await storedMessages(maildir)).get("r@x.test")?.[0];
    expect(m?.body.toString("utf8")).toBe("Subject: half\r\n\r\nfirst half\r\nsecond half\r\n");
  });

  test("SIGINT shuts down gracefully too", async () => {
    const served = await serve(["--listen", "127.0.0.1:0", "--discard"]);
    expect(await served.stop("SIGINT")).toEqual({ code: 0, signal: null });
  });

  test("--workers 2 shares one port between two processes; SIGTERM stops them all", async () => {
    const maildir = path.join(sandbox.dir, "workers");
    const served = await serve(["--listen", "127.0.0.1:0", "--tls-listen", "127.0.0.1:0", "--self-signed", "--maildir", maildir, "--workers", "2"], {
      listeners: 2,
    });
    expect(served.stdout().match(/smtpkit listening on/g)).toHaveLength(2);
    const port = served.ports[0] as number;
    for (let i = 0; i < 12; i++) expect(await send(port, "w@x.test", [`n${i}@x.test`])).toEqual([250, 250, 250]);
    const stored = await storedMessages(maildir);
    expect(stored.size).toBe(12);
    // Each file name carries the pid of the process that wrote it (Maildir P<pid>).
    const pids = new Set([...stored.values()].map((m) => /\.M\d+P(\d+)Q/.exec(path.basename(m[0]?.file ?? ""))?.[1]));
    expect(pids.size).toBe(2);
    expect(pids.has(String(served.pid))).toBe(false);
    for (const m of stored.values()) expect(m[0]?.body.toString("utf8")).toBe(BODY);
    expect(await served.stop()).toEqual({ code: 0, signal: null });
    for (const pid of pids) expect(existsSync(`/proc/${pid}`)).toBe(false);
  });
});
