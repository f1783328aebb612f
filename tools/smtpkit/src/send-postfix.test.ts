/**
 * `smtpkit send` against Postfix's `smtp-sink` over 127.0.0.1. smtp-sink offers PIPELINING and
 * DSN but not CHUNKING, so the message goes as DATA: bare CR and LF must arrive as line ends and
 * dots stuffed; its dump files show the message lines and the MAIL/RCPT parameters as received.
 * Its -f/-r/-Q switches give the permanent, temporary and 421 failures behind each exit code.
 */
import { existsSync } from "node:fs";
import { Readable } from "node:stream";
import { afterEach, describe, expect, test } from "vitest";
import { send } from "./send.js";
import { type Sink, SMTP_SINK, startSink } from "./send/test-support/sink.js";

// In CI a missing peer must fail the run, not skip quietly.
const hasSink = existsSync(SMTP_SINK);
if (!hasSink && process.env.CI === "true") throw new Error(`${SMTP_SINK} is missing; CI must have it (see .ci/run)`);

interface Json {
  readonly recipients: readonly { address: string; accepted: boolean; code: number | null; enhanced: string | null; text: string }[];
  readonly data?: { code: number };
  readonly error?: { code: string; phase: string; temporary: boolean; reply?: { code: number } };
}

async function sendIn(args: readonly string[], input: string | Buffer): Promise<{ code: number; stdout: string; stderr: string }> {
  let stdout = "";
  let stderr = "";
  const code = await send(args, {
    stdout: (t) => {
      stdout += t;
    },
    stderr: (t) => {
      stderr += t;
    },
    stdin: Object.assign(Readable.from([Buffer.from(input)]), { isTTY: false }),
  });
  return { code, stdout, stderr };
}

describe.skipIf(!hasSink)("smtpkit send to Postfix smtp-sink", { timeout: 60_000 }, () => {
  const sinks: Sink[] = [];
  afterEach(async () => {
    for (const s of sinks.splice(0)) await s.stop();
  });
  const sink = async (flags: string[] = []) => {
    const s = await startSink(flags);
    sinks.push(s);
    return s;
  };
  const to = (s: Sink) => ["--from", "a@x.test", "--server", `127.0.0.1:${s.port}`, "--tls", "none"];

  test("DATA: bare CR and bare LF arrive as line ends, leading dots intact, the DSN parameters on MAIL and RCPT", async () => {
    const s = await sink();
    const message = "Subject: sink\r\n\r\n.dot\nbare LF\rbare CR\r\n..two\r\n.\r\nlast, no line end";
    const r = await sendIn(
      [...to(s), "--to", "b@y.test", "--to", "c@y.test", "--dsn-notify", "SUCCESS,FAILURE", "--dsn-ret", "HDRS", "--envid", "QQ+1 x", "--helo", "client.test"],
      message,
    );
    expect(r.stderr).toBe("");
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^accepted {2}b@y\.test {2}250 2\.1\.5 Ok\naccepted {2}c@y\.test {2}250 2\.1\.5 Ok\ndata: 250 2\.0\.0 Ok/);
    const [dump] = await s.messages(1);
    expect(dump?.lines).toEqual(["Subject: sink", "", ".dot", "bare LF", "bare CR", "..two", ".", "last, no line end"]);
    // RFC 3461 §4: ENVID is xtext ("+" as +2B, space as +20); NOTIFY on every RCPT. Standard input is
    // a stream, which smtp-client declares BODY=8BITMIME for when the server offers it.
    expect(dump?.mailArgs).toBe("<a@x.test> BODY=8BITMIME RET=HDRS ENVID=QQ+2B1+20x");
    expect(dump?.rcptArgs).toEqual(["<b@y.test> NOTIFY=SUCCESS,FAILURE", "<c@y.test> NOTIFY=SUCCESS,FAILURE"]);
  });

  test("the null reverse-path and NOTIFY=NEVER", async () => {
    const s = await sink();
    const r = await sendIn([...to(s), "--from", "", "--to", "b@y.test", "--dsn-notify", "never"], "Subject: bounce\r\n\r\nx\r\n");
    expect(r.code).toBe(0);
    const [dump] = await s.messages(1);
    expect(dump?.mailArgs).toBe("<> BODY=8BITMIME");
    expect(dump?.rcptArgs).toEqual(["<b@y.test> NOTIFY=NEVER"]);
  });

  test("RCPT refused with 5xx (-f RCPT): exit 2, each recipient rejected with the reply", async () => {
    const s = await sink(["-f", "RCPT"]);
    const r = await sendIn([...to(s), "--to", "b@y.test", "--json"], "x\r\n");
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients).toEqual([{ address: "b@y.test", accepted: false, code: 500, enhanced: "5.3.0", text: "Error: command failed" }]);
  });

  test("RCPT refused with 4xx (-r RCPT): exit 3", async () => {
    const s = await sink(["-r", "RCPT"]);
    const r = await sendIn([...to(s), "--to", "b@y.test", "--to", "c@y.test", "--json"], "x\r\n");
    expect(r.code).toBe(3);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients.map((x) => [x.address, x.accepted, x.code, x.enhanced])).toEqual([
      ["b@y.test", false, 450, "4.3.0"],
      ["c@y.test", false, 450, "4.3.0"],
    ]);
  });

  test("the end of data refused with 5xx (-f .): exit 2 with the data error", async () => {
    const s = await sink(["-f", "."]);
    const r = await sendIn([...to(s), "--to", "b@y.test", "--json"], "x\r\n");
    expect(r.code).toBe(2);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients[0]).toMatchObject({ address: "b@y.test", accepted: false, code: 500 });
    expect(json.error).toMatchObject({ phase: "data", temporary: false, reply: { code: 500 } });
  });

  test("MAIL answered 421 and the connection closed (-Q MAIL): exit 3", async () => {
    const s = await sink(["-Q", "MAIL"]);
    const r = await sendIn([...to(s), "--to", "b@y.test", "--json"], "x\r\n");
    expect(r.code).toBe(3);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients[0]?.accepted).toBe(false);
    expect(json.error?.temporary).toBe(true);
  });

  test("LMTP (-L): one reply per recipient after the data", async () => {
    const s = await sink(["-L"]);
    const r = await sendIn([...to(s), "--to", "b@y.test", "--to", "c@y.test", "--lmtp", "--json"], "Subject: lmtp\r\n\r\nx\r\n");
    expect(r.code).toBe(0);
    const json = JSON.parse(r.stdout) as Json;
    expect(json.recipients.map((x) => [x.address, x.accepted, x.code])).toEqual([
      ["b@y.test", true, 250],
      ["c@y.test", true, 250],
    ]);
    expect((await s.messages(1))[0]?.lines).toEqual(["Subject: lmtp", "", "x"]);
  });
});
