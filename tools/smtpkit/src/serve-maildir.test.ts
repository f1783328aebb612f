import { mkdtemp, readdir, readFile, rm } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import { fc, test } from "@fast-check/vitest";
import { afterEach, beforeEach, describe, expect } from "vitest";
import { encodeMailboxName, MAX_NAME_OCTETS, mailboxAddress, mailboxName } from "./serve/mailbox-name.js";
import { MaildirStore, maildirHostPart } from "./serve/maildir.js";
import { addressLiteral, formatDateTime, formatTraceHeaders, transferProtocol } from "./serve/trace.js";

/** Byte-for-byte equality; vitest's deep equality walks a Buffer element by element, too slow for megabytes. */
function expectSameBytes(actual: Buffer, expected: Buffer): void {
  let at = 0;
  while (at < actual.length && at < expected.length && actual[at] === expected[at]) at++;
  expect({ length: actual.length, firstDifference: at }).toEqual({ length: expected.length, firstDifference: expected.length });
}

/** A JS string with no lone surrogate: what the codec can hand over (it decodes UTF-8 strictly). */
const wellFormed = (s: string): boolean => !/[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/.test(s);
const addressArb = fc.string({ unit: "binary", minLength: 1, maxLength: 330 }).filter(wellFormed);

/** Undo `encodeMailboxName` for names without the hash suffix. */
function decodeName(name: string): string {
  return Buffer.from(
    name.replace(/%([0-9A-F]{2})|./gsu, (all, hex: string | undefined) => (hex === undefined ? all : String.fromCharCode(Number.parseInt(hex, 16)))),
    "latin1",
  ).toString("utf8");
}

describe("mailbox directory names", () => {
  test.each([
    ["joe@example.test", "joe@example.test"],
    ["first.last+tag@sub.example.test", "first.last+tag@sub.example.test"],
    ["../../etc@x.test", "%2E.%2F..%2Fetc@x.test"],
    ["..@x.test", "%2E.@x.test"],
    ["a/b\\c d@x.test", "a%2Fb%5Cc%20d@x.test"],
    ["100%@x.test", "100%25@x.test"],
    ["~root@x.test", "%7Eroot@x.test"],
    ["jörg@bücher.test", "j%C3%B6rg@b%C3%BCcher.test"],
    ["u@[ipv6:2001:db8::1]", "u@%5Bipv6%3A2001%3Adb8%3A%3A1%5D"],
  ])("%s is stored under %s", (address, name) => {
    expect(encodeMailboxName(address)).toBe(name);
  });

  test("the address is lower-cased; <Postmaster> is 'postmaster'", () => {
    expect(mailboxAddress({ localPart: "Joe.Bloggs", domain: "Example.TEST" })).toBe("joe.bloggs@example.test");
    expect(mailboxName({ localPart: "../Evil", domain: "X.test" })).toBe("%2E.%2Fevil@x.test");
    expect(mailboxName({ postmaster: true })).toBe("postmaster");
  });

  test("a name too long for the file system is cut and ends with ~ and the SHA-256 of the address", () => {
    const address = `${"/".repeat(64)}@${"d".repeat(63)}.${"e".repeat(63)}.${"f".repeat(63)}.${"g".repeat(61)}`;
    const name = encodeMailboxName(address);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_OCTETS);
    expect(name).toMatch(/^(%2F)+~[0-9a-f]{64}$/);
  });

  test.prop([addressArb])("any address gives one safe path component that stays inside the root", (address) => {
    const name = encodeMailboxName(address);
    expect(name).not.toMatch(/[/\0]/);
    expect(name.startsWith(".")).toBe(false);
    expect(Buffer.byteLength(name)).toBeLessThanOrEqual(MAX_NAME_OCTETS);
    const root = "/srv/mail";
    expect(path.dirname(path.resolve(root, name))).toBe(root);
  });

  test.prop([addressArb])("a name without the hash suffix decodes back to the address", (address) => {
    const name = encodeMailboxName(address);
    if (!name.includes("~")) expect(decodeName(name)).toBe(address);
  });

  test.prop([addressArb, addressArb])("different addresses never share a mailbox", (a, b) => {
    fc.pre(a !== b);
    expect(encodeMailboxName(a)).not.toBe(encodeMailboxName(b));
  });
});

describe("trace header fields (RFC 5321 §4.4)", () => {
  const base = { lmtp: false, extended: true, tls: false, authenticated: false, smtputf8: false };
  test.each([
    [{ ...base, extended: false }, "SMTP"],
    [base, "ESMTP"],
    [{ ...base, tls: true }, "ESMTPS"],
    [{ ...base, authenticated: true }, "ESMTPA"],
    [{ ...base, tls: true, authenticated: true }, "ESMTPSA"],
    [{ ...base, lmtp: true }, "LMTP"],
    [{ ...base, lmtp: true, tls: true, authenticated: true }, "LMTPSA"],
    [{ ...base, smtputf8: true }, "UTF8SMTP"],
    [{ ...base, smtputf8: true, tls: true, authenticated: true }, "UTF8SMTPSA"],
    [{ ...base, lmtp: true, smtputf8: true, tls: true }, "UTF8LMTPS"],
  ])("RFC 3848 / RFC 6531 §3.7.3 'with' protocol for %o is %s", (mode, protocol) => {
    expect(transferProtocol(mode)).toBe(protocol);
  });

  test.each([
    ["127.0.0.1", "[127.0.0.1]"],
    ["::1", "[IPv6:::1]"],
    ["::ffff:192.0.2.7", "[192.0.2.7]"],
    ["2001:db8::5", "[IPv6:2001:db8::5]"],
  ])("RFC 5321 §4.1.3 address literal of %s is %s", (ip, literal) => {
    expect(addressLiteral(ip)).toBe(literal);
  });

  test.prop([fc.date({ min: new Date("1971-01-01T00:00:00Z"), max: new Date("2999-12-31T23:59:59Z"), noInvalidDate: true })])(
    "RFC 5322 §3.3 date-time parses back to the same second",
    (date) => {
      const text = formatDateTime(date);
      expect(text).toMatch(/^(Sun|Mon|Tue|Wed|Thu|Fri|Sat), \d\d (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{4} \d\d:\d\d:\d\d [+-]\d{4}$/);
      expect(Date.parse(text)).toBe(Math.floor(date.getTime() / 1000) * 1000);
    },
  );

  const date = new Date("2026-11-29T17:25:03Z");
  const info = {
    sender: { localPart: "joe", domain: "example.test" },
    recipient: { localPart: "Ann", domain: "Example.test" },
    helo: "client.example.test",
    remoteAddress: "127.0.0.1",
    hostname: "mx.example.test",
    mode: { ...base, tls: true },
    tls: { protocol: "TLSv1.3", cipher: "TLS_AES_256_GCM_SHA384" },
    id: "k3f9a2-1-1",
    date,
  };

  test("Return-Path and a folded Received stamp with one FOR path, CRLF line ends", () => {
    expect(formatTraceHeaders(info)).toBe(
      "Return-Path: <joe@example.test>\r\n" +
        "Received: from client.example.test ([127.0.0.1])\r\n" +
        "\tby mx.example.test with ESMTPS (TLSv1.3 TLS_AES_256_GCM_SHA384)\r\n" +
        "\tid k3f9a2-1-1\r\n" +
        `\tfor <Ann@Example.test>; ${formatDateTime(date)}\r\n`,
    );
  });

  test("null sender, <Postmaster>, IPv6 peer, no TLS comment without TLS", () => {
    const text = formatTraceHeaders({ ...info, sender: null, recipient: { postmaster: true }, remoteAddress: "::1", mode: base, tls: undefined });
    expect(text).toContain("Return-Path: <>\r\n");
    expect(text).toContain("from client.example.test ([IPv6:::1])\r\n");
    expect(text).toContain("\tby mx.example.test with ESMTP\r\n");
    expect(text).toContain("\tfor <Postmaster>; ");
  });

  test("client text cannot break the header: CR, LF, parentheses and white space are replaced", () => {
    const text = formatTraceHeaders({ ...info, helo: "evil\r\nX-Injected: yes (x)" });
    expect(text.split("\r\n")).toHaveLength(6);
    expect(text).toContain("from evil??X-Injected:?yes??x? ([127.0.0.1])");
    expect(text).not.toMatch(/\r(?!\n)|(?<!\r)\n/);
  });
});

describe("Maildir store", () => {
  let root: string;
  beforeEach(async () => {
    root = await mkdtemp(path.join(os.tmpdir(), "smtpkit-maildir-"));
  });
  afterEach(async () => {
    await rm(root, { recursive: true, force: true });
  });

  const header = (rcpt: string) => Buffer.from(`Return-Path: <s@x.test>\r\nReceived: for <${rcpt}>\r\n`);

  test("unique names follow the Maildir rules: time.M<usec>P<pid>Q<n>R<random>.host, host escaped", () => {
    const store = new MaildirStore({ root, host: "mx/a:b", pid: 4242, clockMicros: () => 1_700_000_000_123_456n });
    expect(store.uniqueName()).toMatch(/^1700000000\.M123456P4242Q0R[0-9a-f]{8}\.mx\\057a\\072b$/);
    expect(store.uniqueName()).toMatch(/^1700000000\.M123456P4242Q1R[0-9a-f]{8}\./);
    expect(maildirHostPart("a/b:c")).toBe("a\\057b\\072c");
  });

  test("one copy per recipient in new/, each its own header then the body exactly, tmp/ left empty", async () => {
    const store = new MaildirStore({ root, host: "mx.test" });
    // Chunks as a socket would give them, with a dot line, bare 8-bit octets and a final CRLF.
    const body = [Buffer.from("Subject: hi\r\n\r\n"), Buffer.from("..not stuffed\r\n"), Buffer.from([0xe9, 0x0d, 0x0a, 0xff, 0x00, 0x0d, 0x0a])];
    const stored = await store.deliver(Readable.from(body), [
      { mailbox: "ann@a.test", header: header("ann@a.test") },
      { mailbox: "bob@b.test", header: header("bob@b.test") },
      { mailbox: "%2E.%2Fx@c.test", header: header("../x@c.test") },
    ]);
    expect(stored.map((s) => s.mailbox)).toEqual(["ann@a.test", "bob@b.test", "%2E.%2Fx@c.test"]);
    const names = new Set<string>();
    for (const [i, s] of stored.entries()) {
      const rcpt = ["ann@a.test", "bob@b.test", "../x@c.test"][i] as string;
      expect(path.dirname(s.file)).toBe(path.join(root, s.mailbox, "new"));
      expect(await readFile(s.file)).toEqual(Buffer.concat([header(rcpt), ...body]));
      expect(await readdir(path.join(root, s.mailbox, "tmp"))).toEqual([]);
      expect(await readdir(path.join(root, s.mailbox, "cur"))).toEqual([]);
      names.add(path.basename(s.file));
    }
    expect(names.size).toBe(3);
    expect((await readdir(root)).sort()).toEqual(["%2E.%2Fx@c.test", "ann@a.test", "bob@b.test"]);
  });

  test("a message larger than the copy buffer is copied exactly to every recipient", async () => {
    const store = new MaildirStore({ root, host: "mx.test" });
    const chunks = Array.from({ length: 40 }, (_, i) => Buffer.alloc(50_000 + i, i));
    const stored = await store.deliver(Readable.from(chunks), [
      { mailbox: "a@x.test", header: header("a") },
      { mailbox: "b@x.test", header: header("bb") },
    ]);
    expectSameBytes(await readFile(stored[1]?.file as string), Buffer.concat([header("bb"), ...chunks]));
    expectSameBytes(await readFile(stored[0]?.file as string), Buffer.concat([header("a"), ...chunks]));
  });

  test("the same recipient twice in a transaction gets two files", async () => {
    const store = new MaildirStore({ root, host: "mx.test" });
    await store.deliver(Readable.from([Buffer.from("x\r\n")]), [
      { mailbox: "a@x.test", header: header("a") },
      { mailbox: "a@x.test", header: header("a") },
    ]);
    expect(await readdir(path.join(root, "a@x.test", "new"))).toHaveLength(2);
  });

  test("a stream that fails part way leaves nothing in new/ or tmp/, and the error comes through", async () => {
    const store = new MaildirStore({ root, host: "mx.test" });
    async function* failing() {
      yield Buffer.from("Subject: partial\r\n");
      throw new Error("connection reset");
    }
    await expect(store.deliver(failing(), [{ mailbox: "a@x.test", header: header("a") }, { mailbox: "b@x.test", header: header("b") }])).rejects.toThrow(
      "connection reset",
    );
    for (const box of await readdir(root)) {
      expect(await readdir(path.join(root, box, "new"))).toEqual([]);
      expect(await readdir(path.join(root, box, "tmp"))).toEqual([]);
    }
  });

  test("a mailbox removed under a running store is created again", async () => {
    const store = new MaildirStore({ root, host: "mx.test" });
    await store.deliver(Readable.from([Buffer.from("1\r\n")]), [{ mailbox: "a@x.test", header: header("a") }]);
    await rm(path.join(root, "a@x.test"), { recursive: true });
    const [again] = await store.deliver(Readable.from([Buffer.from("2\r\n")]), [{ mailbox: "a@x.test", header: header("a") }]);
    expect(await readFile(again?.file as string, "latin1")).toMatch(/2\r\n$/);
  });

  test("a root that does not exist yet is created, several levels deep", async () => {
    const store = new MaildirStore({ root: path.join(root, "var", "spool", "mail"), host: "mx.test" });
    const [copy] = await store.deliver(Readable.from([Buffer.from("x\r\n")]), [{ mailbox: "a@x.test", header: header("a") }]);
    expect(copy?.file.startsWith(path.join(root, "var", "spool", "mail", "a@x.test", "new") + path.sep)).toBe(true);
    expect((await readdir(path.join(root, "var", "spool", "mail", "a@x.test"))).sort()).toEqual(["cur", "new", "tmp"]);
  });

  test("a mailbox name that is not one path component is refused", () => {
    const store = new MaildirStore({ root, host: "mx.test" });
    for (const bad of ["", ".", "..", "a/b", "../x", "a\0b"]) expect(() => store.mailboxPath(bad)).toThrow(RangeError);
  });
});
