/**
 * A small authoritative-style DNS server on 127.0.0.1 for tests, over UDP and TCP on one port,
 * built on `dns-packet`. It serves `Zones` (see zones.ts) with real wire answers, so the code under
 * test goes through Node's own resolver (c-ares): retries, timeouts, truncation and TCP fallback
 * included. Every query is logged. Test-only: not exported from the package.
 */
import dgram from "node:dgram";
import { Resolver } from "node:dns/promises";
import net from "node:net";
import * as packet from "dns-packet";
import { answerFrom, type RecordType, type Zones } from "./zones.js";

export interface LoggedQuery {
  readonly transport: "udp" | "tcp";
  readonly type: string;
  readonly name: string;
}

export interface DnsFixtureServer {
  readonly port: number;
  /** `127.0.0.1:PORT`, for `Resolver#setServers`. */
  readonly address: string;
  /** Every query received, in order. */
  readonly queries: LoggedQuery[];
  /** Serve other zones from now on. */
  setZones(zones: Zones): void;
  /** A real `node:dns/promises` Resolver pointed at this server only, with short bounded timeouts. */
  resolver(options?: { readonly timeout?: number; readonly tries?: number }): Resolver;
  /** Stop both listeners, drop open TCP connections and pending slow answers. */
  close(): Promise<void>;
}

const RCODE: Record<string, number> = { NOERROR: 0, FORMERR: 1, SERVFAIL: 2, NXDOMAIN: 3, NOTIMP: 4, REFUSED: 5 };
const TYPES = new Set<string>(["MX", "A", "AAAA", "CNAME", "TXT"]);

function toAnswer(r: ReturnType<typeof answerFrom>["answers"][number]): packet.Answer {
  switch (r.type) {
    case "MX":
      return { type: "MX", name: r.name, ttl: r.ttl, data: r.data as { preference: number; exchange: string } };
    case "TXT":
      return { type: "TXT", name: r.name, ttl: r.ttl, data: [...(r.data as readonly string[])] };
    case "A":
      return { type: "A", name: r.name, ttl: r.ttl, data: r.data as string };
    case "AAAA":
      return { type: "AAAA", name: r.name, ttl: r.ttl, data: r.data as string };
    default:
      return { type: "CNAME", name: r.name, ttl: r.ttl, data: r.data as string };
  }
}

/** Build the response to one query, or `undefined` when the query is not one we can read. */
function respond(
  zones: Zones,
  query: packet.Packet,
  transport: "udp" | "tcp",
): { readonly bytes: Buffer; readonly delayMs: number } | undefined {
  const question = query.questions?.[0];
  if (question === undefined) return undefined;
  const base = {
    type: "response" as const,
    id: query.id ?? 0,
    questions: [question],
  };
  const RD_RA = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE;
  if (!TYPES.has(question.type)) {
    return { bytes: packet.encode({ ...base, flags: RD_RA | (RCODE.NOTIMP as number), answers: [] }), delayMs: 0 };
  }
  const a = answerFrom(zones, question.name, question.type as RecordType);
  if (a.truncate && transport === "udp") {
    return { bytes: packet.encode({ ...base, flags: RD_RA | packet.TRUNCATED_RESPONSE, answers: [] }), delayMs: a.delayMs };
  }
  const answers = a.answers.map(toAnswer);
  // NODATA and NXDOMAIN carry the zone's SOA in the authority section (RFC 2308 §3).
  const authorities: packet.Answer[] =
    answers.length === 0 || a.rcode === "NXDOMAIN"
      ? [
          {
            type: "SOA",
            name: "test",
            ttl: 60,
            data: {
              mname: "ns.test",
              rname: "hostmaster.test",
              serial: 1,
              refresh: 3600,
              retry: 600,
              expire: 86400,
              minimum: 60,
            },
          },
        ]
      : [];
  const flags = RD_RA | (RCODE[a.rcode] as number);
  return { bytes: packet.encode({ ...base, flags, answers, authorities }), delayMs: a.delayMs };
}

/** Start a fixture server on 127.0.0.1 on a free port (UDP and TCP share it). */
export async function startDnsServer(initial: Zones): Promise<DnsFixtureServer> {
  let zones = initial;
  const queries: LoggedQuery[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const sockets = new Set<net.Socket>();
  const later = (ms: number, fn: () => void): void => {
    if (ms <= 0) {
      fn();
      return;
    }
    const t = setTimeout(() => {
      timers.delete(t);
      fn();
    }, ms);
    timers.add(t);
  };
  const log = (q: packet.Packet, transport: "udp" | "tcp"): void => {
    const question = q.questions?.[0];
    if (question !== undefined) queries.push({ transport, type: question.type, name: question.name.toLowerCase() });
  };

  // The TCP listener must take the UDP socket's port, which a TCP socket may already hold: retry.
  for (let attempt = 0; ; attempt++) {
    const udp = dgram.createSocket("udp4");
    await new Promise<void>((resolve, reject) => {
      udp.once("error", reject);
      udp.bind(0, "127.0.0.1", () => resolve());
    });
    const port = udp.address().port;
    const tcp = net.createServer((socket) => {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => socket.destroy());
      let buffered = Buffer.alloc(0);
      socket.on("data", (chunk: Buffer) => {
        buffered = Buffer.concat([buffered, chunk]);
        while (buffered.length >= 2 && buffered.length >= 2 + buffered.readUInt16BE(0)) {
          const length = buffered.readUInt16BE(0);
          const message = buffered.subarray(2, 2 + length);
          buffered = buffered.subarray(2 + length);
          let q: packet.Packet;
          try {
            q = packet.decode(message);
          } catch {
            socket.destroy();
            return;
          }
          log(q, "tcp");
          const r = respond(zones, q, "tcp");
          if (r === undefined) continue;
          const framed = Buffer.alloc(2 + r.bytes.length);
          framed.writeUInt16BE(r.bytes.length, 0);
          r.bytes.copy(framed, 2);
          later(r.delayMs, () => {
            if (!socket.destroyed) socket.write(framed);
          });
        }
      });
    });
    const listening = await new Promise<boolean>((resolve) => {
      tcp.once("error", () => resolve(false));
      tcp.listen(port, "127.0.0.1", () => resolve(true));
    });
    if (!listening) {
      udp.close();
      if (attempt >= 20) throw new Error("could not bind a UDP and TCP port pair on 127.0.0.1");
      continue;
    }
    udp.on("message", (message, remote) => {
      let q: packet.Packet;
      try {
        q = packet.decode(message);
      } catch {
        return;
      }
      log(q, "udp");
      const r = respond(zones, q, "udp");
      if (r !== undefined) later(r.delayMs, () => udp.send(r.bytes, remote.port, remote.address));
    });
    const address = `127.0.0.1:${port}`;
    return {
      port,
      address,
      queries,
      setZones(next) {
        zones = next;
      },
      resolver(options = {}) {
        const resolver = new Resolver({ timeout: options.timeout ?? 1000, tries: options.tries ?? 1 });
        resolver.setServers([address]);
        return resolver;
      },
      async close() {
        for (const t of timers) clearTimeout(t);
        timers.clear();
        for (const s of sockets) s.destroy();
        await Promise.all([
          new Promise<void>((resolve) => udp.close(() => resolve())),
          new Promise<void>((resolve) => tcp.close(() => resolve())),
        ]);
      },
    };
  }
}
