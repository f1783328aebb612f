/**
 * `smtpkit send` without a network: the command line (every flag, every usage error with exit
 * code 1 and no password in any output), the test message, the text and JSON output and the exit
 * code rules.
 */
import { Readable } from "node:stream";
import { inspect } from "node:util";
import { fc, test as fcTest } from "@fast-check/vitest";
import type { Reply } from "@smtpkit/smtp-reply-codes";
import { describe, expect, test } from "vitest";
import { send } from "./send.js";
import { openMessage, rfc5322Date, testMessage } from "./send/message.js";
import { parseNotify, parseSendArgs, parseServer, type SendConfig, SendUsageError } from "./send/options.js";
import { exitCode, type Outcome, outcomeJson, outcomeText } from "./send/output.js";
import { smtpkit } from "./test-support/run-main.js";

const BASE = ["--from", "a@x.test", "--to", "b@y.test"];

function config(args: string[]): SendConfig {
  const c = parseSendArgs(args, "/work");
  if (c === "help") throw new Error("help");
  return c;
}

const reply = (code: number, enhanced: [2 | 4 | 5, number, number] | undefined, ...lines: string[]): Reply => ({
  code,
  ...(enhanced === undefined ? {} : { enhanced: { cls: enhanced[0], subject: enhanced[1], detail: enhanced[2] } }),
  lines,
});

describe("the command line", () => {
  test("every flag lands in the config", () => {
    const c = config([
      ...["--from", "", "--to", "b@y.test", "--to", "c@z.test", "--server", "[::1]:587", "--data", "msg.eml"],
      ...["--tls", "required", "--ca", "ca.pem", "--insecure", "--user", "joe", "--password", "s3cret", "--auth-mech", "scram-sha-256"],
      ...["--helo", "client.test", "--lmtp", "--dsn-notify", "success,failure", "--dsn-ret", "hdrs", "--envid", "QQ314159", "--json"],
    ]);
    expect(c.from).toBe("");
    expect(c.to).toEqual(["b@y.test", "c@z.test"]);
    expect(c.server).toEqual({ host: "::1", port: 587 });
    expect(c.data).toEqual({ kind: "file", path: "/work/msg.eml" });
    expect(c.tls).toBe("required");
    expect(c.ca).toBe("/work/ca.pem");
    expect(c.insecure).toBe(true);
    expect(c.auth?.user).toBe("joe");
    expect(c.auth?.password.reveal()).toBe("s3cret");
    expect(c.auth?.mechanism).toBe("SCRAM-SHA-256");
    expect(c.helo).toBe("client.test");
    expect(c.lmtp).toBe(true);
    expect(c.dsn).toEqual({ notify: ["SUCCESS", "FAILURE"], ret: "HDRS", envid: "QQ314159" });
    expect(c.json).toBe(true);
    // The password is a Secret from the start: nothing that prints the config shows it.
    expect(inspect(c, { depth: 5 })).not.toContain("s3cret");
    expect(JSON.stringify(c)).not.toContain("s3cret");
  });

  test("defaults: stdin or a test message, opportunistic TLS, direct to MX", () => {
    const c = config(BASE);
    expect(c.data).toEqual({ kind: "default" });
    expect(c.tls).toBe("opportunistic");
    expect(c.server).toBeUndefined();
    expect(c.dns).toEqual([]);
    expect(c.dsn).toEqual({});
    expect(config([...BASE, "--data", "-"]).data).toEqual({ kind: "stdin" });
  });

  test("direct delivery: --dns, --allow and --mx-port", () => {
    const c = config([...BASE, "--dns", "127.0.0.1:5353", "--dns", "127.0.0.2", "--allow", "127.0.0.0/8", "--mx-port", "2525"]);
    expect(c.dns).toEqual(["127.0.0.1:5353", "127.0.0.2"]);
    expect(c.allow).toEqual(["127.0.0.0/8"]);
    expect(c.mxPort).toBe(2525);
  });

  test("--server: port 25 by default, 465 with --tls implicit", () => {
    expect(parseServer("mail.example", "--server", 25)).toEqual({ host: "mail.example", port: 25 });
    expect(config([...BASE, "--server", "mail.example", "--tls", "implicit"]).server).toEqual({ host: "mail.example", port: 465 });
    expect(parseServer("127.0.0.1:2525", "--server", 25)).toEqual({ host: "127.0.0.1", port: 2525 });
  });

  test("NOTIFY is NEVER alone or a list (RFC 3461 §4.1)", () => {
    expect(parseNotify("never")).toBe("NEVER");
    expect(parseNotify("DELAY,SUCCESS,DELAY")).toEqual(["DELAY", "SUCCESS"]);
    expect(() => parseNotify("NEVER,SUCCESS")).toThrow(SendUsageError);
    expect(() => parseNotify("SOMETIMES")).toThrow(SendUsageError);
  });

  test.each([
    [["--to", "b@y.test"], /--from is required/],
    [["--from", "a@x.test"], /at least one --to/],
    [[...BASE, "--bogus"], /bogus/],
    [[...BASE, "--tls", "maybe"], /--tls wants/],
    [[...BASE, "--server", "host:99999"], /--server wants HOST:PORT/],
    [[...BASE, "--server", "h:25", "--dns", "127.0.0.1"], /--dns is for direct delivery/],
    [[...BASE, "--server", "h:25", "--allow", "127.0.0.0/8"], /--allow is for direct delivery/],
    [[...BASE, "--allow", "not-a-block"], /--allow/],
    [[...BASE, "--mx-port", "0"], /--mx-port/],
    [[...BASE, "--lmtp"], /--lmtp needs --server/],
    [[...BASE, "--tls", "implicit"], /--tls implicit needs --server/],
    [[...BASE, "--server", "h:25", "--tls", "none", "--insecure"], /--insecure means nothing/],
    [[...BASE, "--server", "h:25", "--user", "joe"], /--user and --password go together/],
    [[...BASE, "--user", "joe", "--password", "pw"], /--user needs --server/],
    [[...BASE, "--server", "h:25", "--auth-mech", "PLAIN"], /--auth-mech needs --user/],
    [[...BASE, "--helo", "not a name"], /--helo wants/],
    [[...BASE, "--dsn-ret", "ALL"], /--dsn-ret wants/],
    [[...BASE, "--envid", "x".repeat(101)], /--envid/],
    [["--from", "a@x.test\r\nRSET", "--to", "b@y.test"], /control characters/],
    [["--from", "a@x.test", "--to", "b@y.test\n"], /control characters/],
  ])("usage error: %j", (args, message) => {
    expect(() => parseSendArgs(args as string[])).toThrow(SendUsageError);
    expect(() => parseSendArgs(args as string[])).toThrow(message);
  });

  test("usage errors exit 1 with one line on stderr, never the password", async () => {
    for (const args of [
      ["--to", "b@y.test", "--server", "h:25", "--user", "joe", "--password", "hunter2"],
      [...BASE, "--server", "h:25", "--user", "joe", "--password", "hunter2", "--tls", "bogus"],
      [...BASE, "--server", "h:25", "--user", "joe", "--password", "hunter2", "--data", "/nonexistent/message.eml"],
      [...BASE, "--server", "h:25", "--user", "joe", "--password", "hunter2", "--ca", "/nonexistent/ca.pem"],
    ]) {
      const r = await smtpkit("send", ...args);
      expect(r.code).toBe(1);
      expect(r.stdout).toBe("");
      expect(r.stderr).toMatch(/^smtpkit send: [^\n]+\n$/);
      expect(r.stderr).not.toContain("hunter2");
    }
  });

  test("--help lists every flag of the issue and exits 0", async () => {
    const r = await smtpkit("send", "--help");
    expect(r.code).toBe(0);
    for (const flag of ["--from", "--to", "--server", "--dns", "--data", "--tls", "--ca", "--insecure", "--user", "--password", "--auth-mech", "--helo", "--lmtp", "--dsn-notify", "--dsn-ret", "--envid", "--json"]) {
      expect(r.stdout).toContain(flag);
    }
    expect((await smtpkit("--help")).stdout).toMatch(/^ {2}send +send a message/m);
  });
});

describe("the message", () => {
  test("the test message: RFC 5322 fields, CRLF line ends, the recipients once each", () => {
    const text = testMessage({ from: "a@x.test", to: ["b@y.test", "b@y.test", "c@z.test"], name: "client.test", date: new Date(Date.UTC(2026, 10, 29, 18, 25, 22)) });
    expect(text).toMatch(/^Date: Sun, 29 Nov 2026 18:25:22 \+0000\r\nFrom: <a@x\.test>\r\nTo: <b@y\.test>,\r\n <c@z\.test>\r\nSubject: /);
    expect(text).toMatch(/\r\nMessage-ID: <[0-9a-f]{24}@client\.test>\r\n/);
    expect(text.replace(/\r\n/g, "")).not.toMatch(/[\r\n]/);
    expect(text.endsWith("\r\n")).toBe(true);
    expect(testMessage({ from: "", to: ["b@y.test"], name: "client.test", date: new Date() })).toContain("From: <MAILER-DAEMON@client.test>\r\n");
  });

  fcTest.prop([fc.date({ min: new Date(Date.UTC(1970, 0, 1)), max: new Date(Date.UTC(9999, 11, 31)), noInvalidDate: true })])(
    "rfc5322Date reads back as the same second",
    (date) => {
      const text = rfc5322Date(date);
      expect(text).toMatch(/^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d{2}:\d{2}:\d{2} \+0000$/);
      expect(Date.parse(text)).toBe(Math.floor(date.getTime() / 1000) * 1000);
    },
  );

  const names = { from: "a@x.test", to: ["b@y.test"], name: "client.test" };
  const stdin = (chunks: string[], isTTY = false) => Object.assign(Readable.from(chunks.map((c) => Buffer.from(c))), { isTTY });

  async function collect(message: string | AsyncIterable<Uint8Array>): Promise<string> {
    if (typeof message === "string") return message;
    const parts: Buffer[] = [];
    for await (const c of message) parts.push(Buffer.from(c));
    return Buffer.concat(parts).toString("latin1");
  }

  test("no --data: standard input when it has something, streamed chunk by chunk", async () => {
    const source = await openMessage({ kind: "default" }, stdin(["Subject: a\r\n", "\r\nbody\r\n"]), names);
    expect(typeof source.message).not.toBe("string");
    expect(await collect(source.message)).toBe("Subject: a\r\n\r\nbody\r\n");
  });

  test("no --data: a terminal or an empty standard input gives the test message", async () => {
    for (const input of [stdin(["not read"], true), stdin([])]) {
      const source = await openMessage({ kind: "default" }, input, names);
      expect(await collect(source.message)).toMatch(/^Date: .*\r\nFrom: <a@x\.test>\r\nTo: <b@y\.test>\r\n/);
    }
  });

  test("--data -: standard input even when empty", async () => {
    expect(await collect((await openMessage({ kind: "stdin" }, stdin([]), names)).message)).toBe("");
    expect(await collect((await openMessage({ kind: "stdin" }, stdin(["x"], true), names)).message)).toBe("x");
  });

  test("--data on a directory is a usage error", async () => {
    await expect(openMessage({ kind: "file", path: "/" }, stdin([]), names)).rejects.toThrow(/not a file/);
  });
});

describe("output and exit codes", () => {
  const ok = reply(250, [2, 1, 5], "Ok");
  const gone = reply(550, [5, 1, 1], "No such user");
  const busy = reply(450, [4, 2, 1], "Mailbox busy");

  test("all accepted: exit 0; text has a line per recipient and the data reply", () => {
    const outcome: Outcome = {
      recipients: [
        { address: "b@y.test", accepted: true, reply: ok, temporary: false },
        { address: "Longer.Name@y.test", accepted: true, reply: ok, temporary: false },
      ],
      data: { reply: reply(250, [2, 0, 0], "Ok: queued as ABC"), messageId: "ABC", host: "mx.test" },
    };
    expect(exitCode(outcome)).toBe(0);
    expect(outcomeText(outcome)).toBe(
      "accepted  b@y.test            250 2.1.5 Ok\n" +
        "accepted  Longer.Name@y.test  250 2.1.5 Ok\n" +
        "data: 250 2.0.0 Ok: queued as ABC (id ABC, by mx.test)\n",
    );
  });

  test("the JSON shape of the issue: recipients with address, accepted, code, enhanced, text; data; error", () => {
    const outcome: Outcome = {
      recipients: [
        { address: "B@Y.test", accepted: true, reply: ok, temporary: false },
        { address: "c@z.test", accepted: false, reply: reply(550, undefined, "no", "really"), temporary: false },
        { address: "d@w.test", accepted: false, reason: "connection refused", temporary: true },
      ],
      data: { reply: reply(250, [2, 0, 0], "queued"), host: "127.0.0.1" },
      error: { code: "rejected", phase: "data", temporary: false, message: "message refused: 554 nope", reply: reply(554, [5, 6, 0], "nope") },
    };
    expect(outcomeJson(outcome)).toEqual({
      recipients: [
        { address: "B@Y.test", accepted: true, code: 250, enhanced: "2.1.5", text: "Ok" },
        { address: "c@z.test", accepted: false, code: 550, enhanced: null, text: "no really" },
        { address: "d@w.test", accepted: false, code: null, enhanced: null, text: "connection refused" },
      ],
      data: { code: 250, enhanced: "2.0.0", text: "queued", host: "127.0.0.1" },
      error: { code: "rejected", phase: "data", temporary: false, message: "message refused: 554 nope", reply: { code: 554, enhanced: "5.6.0", text: "nope" } },
    });
    expect(Object.keys(outcomeJson({ recipients: [] }))).toEqual(["recipients"]);
  });

  test("exit 2 when any recipient is rejected permanently, 3 when the failures are temporary", () => {
    const accepted = { address: "a@x.test", accepted: true, reply: ok, temporary: false } as const;
    const permanent = { address: "b@x.test", accepted: false, reply: gone, temporary: false } as const;
    const temporary = { address: "c@x.test", accepted: false, reply: busy, temporary: true } as const;
    expect(exitCode({ recipients: [accepted, permanent] })).toBe(2);
    expect(exitCode({ recipients: [temporary, permanent] })).toBe(2);
    expect(exitCode({ recipients: [accepted, temporary] })).toBe(3);
    const tlsFailed = { code: "tls-unavailable", phase: "tls", temporary: true, message: "no STARTTLS" };
    expect(exitCode({ recipients: [{ ...temporary, reason: "no STARTTLS" }], error: tlsFailed })).toBe(3);
    expect(outcomeText({ recipients: [permanent, temporary] })).toBe("rejected  b@x.test  550 5.1.1 No such user\ndeferred  c@x.test  450 4.2.1 Mailbox busy\n");
  });

  test("a run in-process reads standard input from io.stdin", async () => {
    // No server listens on port 1: the connection fails, temporarily, for every recipient.
    let stdout = "";
    const code = await send([...BASE, "--to", "b@y.test", "--server", "127.0.0.1:1", "--json"], {
      stdout: (t) => {
        stdout += t;
      },
      stderr: () => undefined,
      stdin: Object.assign(Readable.from([Buffer.from("Subject: x\r\n\r\nx\r\n")]), { isTTY: false }),
    });
    expect(code).toBe(3);
    const json = JSON.parse(stdout) as { recipients: { address: string; accepted: boolean; code: null }[]; error: { code: string; phase: string; temporary: boolean } };
    expect(json.recipients.map((r) => [r.address, r.accepted, r.code])).toEqual([["b@y.test", false, null]]);
    expect(json.error).toMatchObject({ code: "connect-failed", phase: "connect", temporary: true });
  });
});
