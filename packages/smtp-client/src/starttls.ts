/** TLS: implicit (RFC 8314) and STARTTLS (RFC 3207), with certificate validation on by default. */
import { isIP, Socket } from "node:net";
import { Duplex } from "node:stream";
import {
  type ConnectionOptions,
  checkServerIdentity,
  type PeerCertificate,
  connect as tlsConnect,
  type TLSSocket,
} from "node:tls";
import { SmtpClientError } from "./errors.js";
import type { TlsOptions } from "./types.js";

function pem(v: string | Uint8Array | { reveal(): string }): string | Buffer {
  if (typeof v === "string") return v;
  if (v instanceof Uint8Array) return Buffer.from(v);
  return v.reveal();
}

export function tlsConnectionOptions(host: string, o: TlsOptions = {}): ConnectionOptions {
  const servername = o.servername ?? (isIP(host) === 0 ? host : undefined);
  const ca = o.ca === undefined ? undefined : (Array.isArray(o.ca) ? o.ca : [o.ca]).map((c) => pem(c as string));
  return {
    rejectUnauthorized: o.insecure !== true,
    minVersion: o.minVersion ?? "TLSv1.2",
    ...(servername === undefined ? {} : { servername }),
    ...(ca === undefined ? {} : { ca }),
    ...(o.cert === undefined ? {} : { cert: pem(o.cert) }),
    ...(o.key === undefined ? {} : { key: pem(o.key) }),
    // Without a servername (an IP address), still check the certificate against the host.
    checkServerIdentity: (_h, cert) => {
      if (o.insecure === true) return undefined;
      return tlsCheck(servername ?? host, cert);
    },
  };
}

function tlsCheck(name: string, cert: PeerCertificate): Error | undefined {
  return checkServerIdentity(name, cert);
}

/** Wrap `socket` in TLS and wait for the handshake; any failure is `tls-failed` (never a fallback). */
export function upgrade(socket: Duplex, host: string, o: TlsOptions | undefined, timeout: number): Promise<TLSSocket> {
  return new Promise<TLSSocket>((resolve, reject) => {
    const tls = tlsConnect({ ...tlsConnectionOptions(host, o), socket: socket instanceof Socket ? socket : fresh(socket) });
    const fail = (e: Error) => {
      clearTimeout(timer);
      tls.destroy();
      socket.destroy();
      reject(
        new SmtpClientError("tls-failed", "tls", `TLS handshake failed: ${e.message}`, { cause: e, temporary: true }),
      );
    };
    const timer = setTimeout(() => fail(new Error(`no handshake in ${timeout} ms`)), timeout);
    tls.once("error", fail);
    tls.once("secureConnect", () => {
      clearTimeout(timer);
      tls.off("error", fail);
      resolve(tls);
    });
  });
}

/**
 * A clean Duplex in front of an injected stream that has already been read from: Node's TLS layer
 * over a generic stream (JSStreamSocket) does not pick up reliably where an earlier reader stopped.
 */
function fresh(s: Duplex): Duplex {
  const d = new Duplex({
    read() {
      s.resume();
    },
    write(chunk, encoding, cb) {
      s.write(chunk, encoding, cb);
    },
    final(cb) {
      s.end();
      cb();
    },
    destroy(err, cb) {
      s.destroy(err ?? undefined);
      cb(err);
    },
  });
  s.on("data", (c: Buffer) => {
    if (!d.push(c)) s.pause();
  });
  s.on("end", () => d.push(null));
  s.on("error", (e) => d.destroy(e));
  s.on("close", () => d.destroy());
  return d;
}
