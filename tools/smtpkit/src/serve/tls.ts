/**
 * Certificates for `smtpkit serve`: read `--cert`/`--key` from disk, or make one in memory for
 * `--self-signed` (with the `selfsigned` package: Node has no API that writes an X.509
 * certificate, and writing DER by hand is not this tool's job). Either way the pair is checked
 * by building a TLS context from it, so a bad file, a key that does not match, or a wrong format
 * stops the server at start-up with one line (exit 2) instead of failing each handshake.
 */
import { readFile } from "node:fs/promises";
import { createSecureContext } from "node:tls";
import { generate } from "selfsigned";
import { ServeUsageError, type TlsSource } from "./options.js";

/** PEM text of a certificate chain and its private key. */
export interface Pem {
  readonly cert: string;
  readonly key: string;
}

/** Days a `--self-signed` certificate is valid: long enough for any test run, short enough to be obviously not for production. */
const SELF_SIGNED_DAYS = 30;

async function readPem(file: string, what: string): Promise<string> {
  try {
    return await readFile(file, "utf8");
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new ServeUsageError(`unusable certificate: cannot read the ${what} ${JSON.stringify(file)} (${code})`);
  }
}

/** Throws ServeUsageError when OpenSSL will not use the pair (bad PEM, key does not match, encrypted key). */
export function checkPem(pem: Pem, source: string): void {
  try {
    createSecureContext({ cert: pem.cert, key: pem.key });
  } catch (error) {
    const reason = (error as Error).message.split("\n")[0] ?? "rejected by OpenSSL";
    throw new ServeUsageError(`unusable certificate (${source}): ${reason}`);
  }
}

/** A certificate for `hostname`, `localhost`, 127.0.0.1 and ::1, signed by its own key. */
export async function selfSignedPem(hostname: string, now: Date = new Date()): Promise<Pem> {
  const names = [...new Set([hostname, "localhost"])];
  const pems = await generate([{ name: "commonName", value: hostname }], {
    keyType: "rsa",
    keySize: 2048,
    algorithm: "sha256",
    notBeforeDate: new Date(now.getTime() - 60_000),
    notAfterDate: new Date(now.getTime() + SELF_SIGNED_DAYS * 86_400_000),
    extensions: [
      { name: "basicConstraints", cA: false },
      { name: "keyUsage", digitalSignature: true, keyEncipherment: true, critical: true },
      { name: "extKeyUsage", serverAuth: true },
      {
        name: "subjectAltName",
        altNames: [...names.map((value) => ({ type: 2 as const, value })), { type: 7, ip: "127.0.0.1" }, { type: 7, ip: "::1" }],
      },
    ],
  });
  return { cert: pems.cert, key: pems.private };
}

/** Load (or make) and check the certificate the command line asks for. */
export async function loadTls(source: TlsSource, hostname: string): Promise<Pem> {
  if (source.kind === "self-signed") {
    const pem = await selfSignedPem(hostname);
    checkPem(pem, "--self-signed");
    return pem;
  }
  const pem = { cert: await readPem(source.cert, "certificate"), key: await readPem(source.key, "key") };
  checkPem(pem, `${source.cert} with ${source.key}`);
  return pem;
}
