/**
 * `smtpkit serve` against Postfix's `smtp-source` (Debian package postfix) over 127.0.0.1: many
 * sessions in parallel, one message per connection and many per connection, several recipients.
 * `-F FILE` makes the content known, so every stored copy is checked byte for byte: smtp-source
 * sends each line of the file with CRLF (dot-stuffed), then an empty line, then the final dot
 * (checked against a raw capture of its output when this test was written).
 */
import { writeFile } from "node:fs/promises";
import path from "node:path";
import { beforeAll, describe, expect, test } from "vitest";
import { requirePeer, runTool, SMTP_SOURCE, storedMessages } from "./serve/test-support/cli.js";
import { useServeSandbox } from "./serve/test-support/sandbox.js";

const hasSmtpSource = requirePeer(SMTP_SOURCE);

/** The file's lines: a dot line, a line of two dots, 8-bit octets, a long line. */
const LINES = [
  Buffer.from("Subject: from smtp-source"),
  Buffer.from("From: <src@source.test>"),
  Buffer.from(""),
  Buffer.from("."),
  Buffer.from("..two dots"),
  Buffer.from(".leading dot"),
  Buffer.from([0x38, 0x2d, 0x62, 0x69, 0x74, 0x3a, 0x20, 0xe9, 0xff, 0x80, 0x00, 0x7f]),
  Buffer.from("x".repeat(900)),
  Buffer.from("end"),
];
const FILE = Buffer.concat(LINES.flatMap((l) => [l, Buffer.from("\n")]));
const EXPECTED = Buffer.concat([...LINES.flatMap((l) => [l, Buffer.from("\r\n")]), Buffer.from("\r\n")]);

describe.skipIf(!hasSmtpSource)("smtpkit serve with Postfix smtp-source", { timeout: 120_000 }, () => {
  const sandbox = useServeSandbox("smtpkit-serve-postfix-");
  let file: string;
  beforeAll(async () => {
    file = path.join(sandbox.dir, "message.txt");
    await writeFile(file, FILE);
  });

  test("-s 5 -m 50 -c: 50 messages over 5 parallel sessions, one per connection", async () => {
    const { maildir, served } = await sandbox.serveMaildir("one-per-connection", ["--hostname", "mx.smtpkit.test"]);
    const port = served.ports[0] as number;
    await runTool(SMTP_SOURCE, ["-s", "5", "-m", "50", "-c", "-F", file, "-M", "client.source.test", "-f", "src@source.test", "-t", "dst@sink.test", `127.0.0.1:${port}`]);
    const stored = await storedMessages(maildir);
    expect([...stored.keys()]).toEqual(["dst@sink.test"]);
    const messages = stored.get("dst@sink.test") ?? [];
    expect(messages).toHaveLength(50);
    for (const m of messages) {
      expect(m.returnPath).toBe("<src@source.test>");
      // smtp-source says HELO, so the protocol is plain SMTP (RFC 5321 §4.4).
      expect(m.received).toMatch(/^from client\.source\.test \(\[127\.0\.0\.1\]\) by mx\.smtpkit\.test with SMTP id \S+ for <dst@sink\.test>; /);
      expect(m.body.equals(EXPECTED)).toBe(true);
    }
  });

  test("-d -s 4 -m 40 -r 3: many messages per connection, three recipients each", async () => {
    const { maildir, served } = await sandbox.serveMaildir("many-per-connection", []);
    const port = served.ports[0] as number;
    await runTool(SMTP_SOURCE, ["-d", "-s", "4", "-m", "40", "-r", "3", "-F", file, "-M", "client.source.test", "-f", "src@source.test", "-t", "dst@sink.test", `127.0.0.1:${port}`]);
    const stored = await storedMessages(maildir);
    // -r 3 sends to dst@ as given, then 2dst@ and 3dst@ (it prefixes the recipient's number from 2 on).
    expect([...stored.keys()]).toEqual(["2dst@sink.test", "3dst@sink.test", "dst@sink.test"]);
    for (const [box, messages] of stored) {
      expect(messages).toHaveLength(40);
      for (const m of messages) {
        expect(m.received).toContain(`for <${box}>;`);
        expect(m.body.equals(EXPECTED)).toBe(true);
      }
    }
  });

  test("a large message (-l 3000000 -m 3) is stored whole", async () => {
    const { maildir, served } = await sandbox.serveMaildir("large", []);
    const port = served.ports[0] as number;
    await runTool(SMTP_SOURCE, ["-s", "3", "-m", "3", "-l", "3000000", "-M", "client.source.test", "-f", "src@source.test", "-t", "big@sink.test", `127.0.0.1:${port}`]);
    const messages = (await storedMessages(maildir)).get("big@sink.test") ?? [];
    expect(messages).toHaveLength(3);
    for (const m of messages) {
      // -l is the payload after smtp-source's own header lines.
      expect(m.body.length).toBeGreaterThan(3_000_000);
      expect(m.body.subarray(-5).toString("latin1")).toMatch(/\r\n$/);
    }
  });
});
