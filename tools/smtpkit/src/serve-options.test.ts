import { createPrivateKey, X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import os from "node:os";
import path from "node:path";
import { inspect } from "node:util";
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { DEFAULT_LISTEN, formatEndpoint, parseEndpoint, parseServeArgs, type ServeConfig, ServeUsageError } from "./serve/options.js";
import { comparableDomain, recipientPolicy } from "./serve/policy.js";
import { checkPem, loadTls, selfSignedPem } from "./serve/tls.js";

function config(argv: string[]): ServeConfig {
  const parsed = parseServeArgs(argv, "/work/dir");
  if (parsed === "help") throw new Error("unexpected help");
  return parsed;
}

function usageError(argv: string[]): string {
  try {
    parseServeArgs(argv, "/work/dir");
  } catch (error) {
    expect(error).toBeInstanceOf(ServeUsageError);
    const message = (error as Error).message;
    expect(message).not.toContain("\n");
    return message;
  }
  throw new Error(`no error for ${argv.join(" ")}`);
}

describe("smtpkit serve flags", () => {
  test("defaults: 127.0.0.1:2525, ./var/mail from the working directory, one process, catch-all", () => {
    const c = config([]);
    expect(c.listen).toEqual([DEFAULT_LISTEN]);
    expect(c.tlsListen).toEqual([]);
    expect(c.storage).toEqual({ kind: "maildir", dir: "/work/dir/var/mail" });
    expect(c.tls).toBeUndefined();
    expect(c.domains).toBeUndefined();
    expect(c.users).toEqual([]);
    expect(c.workers).toBe(1);
    expect(c.requireAuth).toBe(false);
    expect(c.lmtp).toBe(false);
  });

  test("every flag", () => {
    const c = config([
      "--listen",
      "127.0.0.1:25",
      "--listen",
      "[::1]:2525",
      "--tls-listen",
      "0.0.0.0:465",
      "--cert",
      "c.pem",
      "--key",
      "/etc/k.pem",
      "--maildir",
      "/srv/mail",
      "--hostname",
      "mx.example.test",
      "--user",
      "ann:pa:ss word",
      "--user",
      "bob:x",
      "--require-auth",
      "--allow-insecure-auth",
      "--domains",
      "A.test, b.test",
      "--max-size",
      "1048576",
      "--max-recipients",
      "5",
      "--max-connections",
      "9000",
      "--max-connections-per-address",
      "300",
      "--lmtp",
      "--proxy-protocol-from",
      "10.0.0.0/8",
      "--proxy-protocol-from",
      "::1",
      "--workers",
      "3",
      "--verbose",
    ]);
    expect(c.listen).toEqual([
      { host: "127.0.0.1", port: 25 },
      { host: "::1", port: 2525 },
    ]);
    expect(c.tlsListen).toEqual([{ host: "0.0.0.0", port: 465 }]);
    expect(c.tls).toEqual({ kind: "files", cert: "/work/dir/c.pem", key: "/etc/k.pem" });
    expect(c.storage).toEqual({ kind: "maildir", dir: "/srv/mail" });
    expect(c.hostname).toBe("mx.example.test");
    expect(c.users.map((u) => [u.name, u.password.reveal()])).toEqual([
      ["ann", "pa:ss word"],
      ["bob", "x"],
    ]);
    expect(c.requireAuth && c.allowInsecureAuth && c.lmtp && c.verbose).toBe(true);
    expect(c.domains).toEqual(["a.test", "b.test"]);
    expect([c.maxSize, c.maxRecipients, c.maxConnections, c.maxConnectionsPerAddress, c.workers]).toEqual([1048576, 5, 9000, 300, 3]);
    expect(c.proxyProtocolFrom).toEqual(["10.0.0.0/8", "::1"]);
  });

  test("--tls-listen alone replaces the default plain listener; --self-signed; --discard", () => {
    const c = config(["--tls-listen", "127.0.0.1:0", "--self-signed", "--discard"]);
    expect(c.listen).toEqual([]);
    expect(c.tlsListen).toEqual([{ host: "127.0.0.1", port: 0 }]);
    expect(c.tls).toEqual({ kind: "self-signed" });
    expect(c.storage).toEqual({ kind: "discard" });
  });

  test("--help", () => {
    expect(parseServeArgs(["--help"])).toBe("help");
    expect(parseServeArgs(["-h"])).toBe("help");
  });

  test.each([
    [["--nope"], /nope/],
    [["stray"], /positional|argument/i],
    [["--listen", "2525"], /--listen wants HOST:PORT/],
    [["--listen", "127.0.0.1:65536"], /--listen wants HOST:PORT/],
    [["--listen", "::1:25"], /--listen wants HOST:PORT/],
    [["--tls-listen", "127.0.0.1:465"], /--tls-listen needs a certificate/],
    [["--cert", "c.pem"], /--cert and --key go together/],
    [["--key", "k.pem"], /--cert and --key go together/],
    [["--cert", "c", "--key", "k", "--self-signed"], /exclude each other/],
    [["--maildir", "d", "--discard"], /exclude each other/],
    [["--require-auth"], /--require-auth needs at least one --user/],
    [["--user", "nopassword"], /--user wants NAME:PASSWORD/],
    [["--user", ":secret"], /--user wants NAME:PASSWORD/],
    [["--user", "a:1", "--user", "a:2"], /given twice/],
    [["--domains", ",,"], /--domains wants/],
    [["--domains", "a.test,bad domain"], /not a domain/],
    [["--hostname", "no spaces allowed"], /--hostname wants a domain/],
    [["--max-size", "10M"], /--max-size wants a positive integer/],
    [["--max-recipients", "0"], /--max-recipients wants a positive integer/],
    [["--workers", "-1"], /--workers/],
    [["--proxy-protocol-from", "10.0.0.0/33"], /--proxy-protocol-from wants/],
    [["--proxy-protocol-from", "example.test"], /--proxy-protocol-from wants/],
  ])("%j is refused with one line", (argv, message) => {
    expect(usageError(argv)).toMatch(message);
  });

  test("a password never shows in an error, in JSON or in util.inspect", () => {
    expect(usageError(["--user", "ann:hunter2", "--user", "ann:hunter2"])).not.toContain("hunter2");
    const c = config(["--user", "ann:hunter2"]);
    expect(JSON.stringify(c)).not.toContain("hunter2");
    expect(inspect(c, { depth: 10 })).not.toContain("hunter2");
    expect(`${c.users[0]?.password}`).toBe("[redacted]");
  });

  test("endpoints round-trip, IPv6 in brackets", () => {
    for (const text of ["127.0.0.1:2525", "[::1]:25", "localhost:0", "[2001:db8::1]:587"]) {
      expect(formatEndpoint(parseEndpoint(text, "--listen"))).toBe(text);
    }
  });
});

describe("recipient policy", () => {
  test("without --domains every recipient is accepted", () => {
    const allowed = recipientPolicy(undefined);
    expect(allowed({ localPart: "x", domain: "anything.example" })).toBe(true);
    expect(allowed({ localPart: "x", domain: "[192.0.2.1]" })).toBe(true);
  });

  test("with --domains only those domains, case-insensitively, and <Postmaster> always (RFC 5321 §4.5.1)", () => {
    const allowed = recipientPolicy(["a.test", "bücher.test"]);
    expect(allowed({ localPart: "x", domain: "a.test" })).toBe(true);
    expect(allowed({ localPart: "x", domain: "A.TEST" })).toBe(true);
    expect(allowed({ localPart: "x", domain: "xn--bcher-kva.test" })).toBe(true);
    expect(allowed({ postmaster: true })).toBe(true);
    expect(allowed({ localPart: "postmaster", domain: "a.test" })).toBe(true);
    expect(allowed({ localPart: "x", domain: "sub.a.test" })).toBe(false);
    expect(allowed({ localPart: "x", domain: "b.test" })).toBe(false);
    expect(allowed({ localPart: "x", domain: "[127.0.0.1]" })).toBe(false);
    expect(allowed({ localPart: "postmaster", domain: "elsewhere.test" })).toBe(false);
  });

  test("domains compare as lower-case A-labels", () => {
    expect(comparableDomain("BÜCHER.test")).toBe("xn--bcher-kva.test");
    expect(comparableDomain("Example.TEST")).toBe("example.test");
  });
});

describe("certificates", () => {
  let dir: string;
  let a: { cert: string; key: string };
  let b: { cert: string; key: string };
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), "smtpkit-tls-"));
    [a, b] = await Promise.all([selfSignedPem("mx.example.test"), selfSignedPem("other.example.test")]);
  });
  afterAll(async () => {
    await rm(dir, { recursive: true, force: true });
  });

  test("--self-signed makes a certificate for the host name, localhost and the loopback addresses", () => {
    const x509 = new X509Certificate(a.cert);
    expect(x509.subject).toContain("CN=mx.example.test");
    expect(x509.subjectAltName).toContain("DNS:mx.example.test");
    expect(x509.subjectAltName).toContain("DNS:localhost");
    expect(x509.subjectAltName).toContain("IP Address:127.0.0.1");
    expect(x509.checkPrivateKey(createPrivateKey(a.key))).toBe(true);
    expect(x509.checkPrivateKey(createPrivateKey(b.key))).toBe(false);
    expect(() => checkPem(a, "test")).not.toThrow();
  });

  test("--cert/--key files are read and checked", async () => {
    await writeFile(path.join(dir, "a.crt"), a.cert);
    await writeFile(path.join(dir, "a.key"), a.key);
    const pem = await loadTls({ kind: "files", cert: path.join(dir, "a.crt"), key: path.join(dir, "a.key") }, "ignored");
    expect(pem).toEqual(a);
  });

  test("a missing file, a key that does not match, or a non-PEM file is an unusable certificate", async () => {
    await writeFile(path.join(dir, "b.key"), b.key);
    await writeFile(path.join(dir, "junk.crt"), "not a certificate\n");
    const attempts = [
      { kind: "files" as const, cert: path.join(dir, "missing.crt"), key: path.join(dir, "b.key") },
      { kind: "files" as const, cert: path.join(dir, "a.crt"), key: path.join(dir, "b.key") },
      { kind: "files" as const, cert: path.join(dir, "junk.crt"), key: path.join(dir, "b.key") },
    ];
    for (const source of attempts) {
      const error = await loadTls(source, "x").catch((e: unknown) => e);
      expect(error).toBeInstanceOf(ServeUsageError);
      expect((error as Error).message).toMatch(/^unusable certificate/);
      expect((error as Error).message).not.toContain("\n");
    }
  });
});
