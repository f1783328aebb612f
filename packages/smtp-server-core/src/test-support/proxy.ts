/** Encoders for PROXY protocol headers, for tests (the server only ever parses them). */
import { addressBytes } from "../cidr.js";

export function proxyV1(family: "TCP4" | "TCP6", src: string, dst: string, sport: number, dport: number): Buffer {
  return Buffer.from(`PROXY ${family} ${src} ${dst} ${sport} ${dport}\r\n`, "latin1");
}

const SIG = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

/** A v2 PROXY (or LOCAL) header over TCP; `tlvs` are appended opaque octets. */
export function proxyV2(
  cmd: "PROXY" | "LOCAL",
  family: "TCP4" | "TCP6",
  src: string,
  dst: string,
  sport: number,
  dport: number,
  tlvs: Uint8Array = new Uint8Array(0),
): Buffer {
  const v4 = family === "TCP4";
  const addrLen = v4 ? 12 : 36;
  const body = Buffer.alloc(addrLen + tlvs.length);
  const s = addressBytes(src) as Uint8Array;
  const d = addressBytes(dst) as Uint8Array;
  if (v4) {
    body.set(s.subarray(12), 0);
    body.set(d.subarray(12), 4);
    body.writeUInt16BE(sport, 8);
    body.writeUInt16BE(dport, 10);
  } else {
    body.set(s, 0);
    body.set(d, 16);
    body.writeUInt16BE(sport, 32);
    body.writeUInt16BE(dport, 34);
  }
  body.set(tlvs, addrLen);
  const head = Buffer.alloc(4);
  head[0] = cmd === "PROXY" ? 0x21 : 0x20;
  head[1] = v4 ? 0x11 : 0x21;
  head.writeUInt16BE(body.length, 2);
  return Buffer.concat([SIG, head, body]);
}
