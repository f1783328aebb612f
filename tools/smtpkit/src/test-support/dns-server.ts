/**
 * A minimal DNS server on 127.0.0.1 (UDP) for the CLI tests, built on `dns-packet`: owner name ->
 * records, `rcode` for failures, NXDOMAIN for names it does not know. The full fixture server with
 * TCP, truncation, CNAME chains and slow answers lives in smtp-dns-mx's tests; this one only has to
 * give `smtpkit mx` real answers. Test-only.
 */
import dgram from "node:dgram";
import * as packet from "dns-packet";

export interface Node {
  readonly MX?: readonly (readonly [number, string])[];
  readonly A?: readonly string[];
  readonly AAAA?: readonly string[];
  readonly TXT?: readonly (readonly string[])[];
  readonly rcode?: "SERVFAIL" | "REFUSED";
}

export interface MiniDnsServer {
  /** `127.0.0.1:PORT` for `--dns`. */
  readonly address: string;
  /** `TYPE name` of every query received. */
  readonly queries: string[];
  close(): Promise<void>;
}

const RCODE = { NOERROR: 0, SERVFAIL: 2, NXDOMAIN: 3, REFUSED: 5 } as const;

function answers(name: string, type: string, node: Node): packet.Answer[] {
  const ttl = 60;
  switch (type) {
    case "MX":
      return (node.MX ?? []).map(([preference, exchange]) => ({ type: "MX", name, ttl, data: { preference, exchange } }));
    case "A":
      return (node.A ?? []).map((data) => ({ type: "A", name, ttl, data }));
    case "AAAA":
      return (node.AAAA ?? []).map((data) => ({ type: "AAAA", name, ttl, data }));
    case "TXT":
      return (node.TXT ?? []).map((data) => ({ type: "TXT", name, ttl, data: [...data] }));
    default:
      return [];
  }
}

export async function startMiniDns(zones: Readonly<Record<string, Node>>): Promise<MiniDnsServer> {
  const queries: string[] = [];
  const socket = dgram.createSocket("udp4");
  socket.on("message", (message, remote) => {
    let query: packet.Packet;
    try {
      query = packet.decode(message);
    } catch {
      return;
    }
    const q = query.questions?.[0];
    if (q === undefined) return;
    const name = q.name.toLowerCase();
    queries.push(`${q.type} ${name}`);
    const node = zones[name];
    const rcode = node === undefined ? RCODE.NXDOMAIN : node.rcode === undefined ? RCODE.NOERROR : RCODE[node.rcode];
    const flags = packet.RECURSION_DESIRED | packet.RECURSION_AVAILABLE | rcode;
    const found = node === undefined || node.rcode !== undefined ? [] : answers(name, q.type, node);
    socket.send(packet.encode({ type: "response", id: query.id ?? 0, flags, questions: [q], answers: found }), remote.port, remote.address);
  });
  await new Promise<void>((resolve, reject) => {
    socket.once("error", reject);
    socket.bind(0, "127.0.0.1", () => resolve());
  });
  return {
    address: `127.0.0.1:${socket.address().port}`,
    queries,
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
