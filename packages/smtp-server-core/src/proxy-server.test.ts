import { connect } from "node:net";
import { connect as tlsConnect } from "node:tls";
import { describe, expect, test } from "vitest";
import { CA, Raw, TLS, serve, sink, until } from "./test-support/harness.js";
import { proxyV1, proxyV2 } from "./test-support/proxy.js";
import type { Session } from "./types.js";

function seenBy(): { hooks: { onConnect(s: Session): void }; sessions: Session[] } {
  const sessions: Session[] = [];
  return { hooks: { onConnect: (s) => void sessions.push(s) }, sessions };
}

describe("PROXY protocol behind a load balancer", () => {
  test("v1 from a trusted address: the session sees the real client", async () => {
    const seen = seenBy();
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.0/8"] } }, seen.hooks);
    const c = await Raw.connect(port);
    c.send(proxyV1("TCP4", "203.0.113.9", "198.51.100.1", 40000, 25));
    expect(await c.reply()).toMatch(/^220 /);
    expect(seen.sessions[0]).toMatchObject({
      remoteAddress: "203.0.113.9",
      remotePort: 40000,
      localAddress: "198.51.100.1",
      localPort: 25,
      proxy: { address: "127.0.0.1" },
    });
    c.end();
  });

  test("v2 with IPv6 and TLVs, header and first command in one packet", async () => {
    const seen = seenBy();
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.1"] }, earlyTalkers: "ignore" }, seen.hooks);
    const c = await Raw.connect(port);
    c.send(Buffer.concat([proxyV2("PROXY", "TCP6", "2001:db8::7", "2001:db8::1", 5555, 587, new Uint8Array([1, 0, 2, 104, 50])), Buffer.from("NOOP\r\n")]));
    expect(await c.replies(2)).toEqual(["220 mx.test ESMTP ready", "250 2.0.0 OK"]);
    expect(seen.sessions[0]?.remoteAddress).toBe("2001:db8::7");
    c.end();
  });

  test("bytes pipelined after the header before the greeting are early talking", async () => {
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.1"] } });
    const c = await Raw.connect(port);
    c.send(Buffer.concat([proxyV1("TCP4", "203.0.113.9", "198.51.100.1", 1, 25), Buffer.from("EHLO x\r\n")]));
    expect(await c.waitClosed()).toMatch(/^554 5\.5\.0 /);
  });

  test("the per-address limit counts the real client, not the balancer", async () => {
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.1"] }, limits: { maxConnectionsPerAddress: 1 } });
    const a = await Raw.connect(port);
    a.send(proxyV1("TCP4", "203.0.113.1", "198.51.100.1", 1, 25));
    expect(await a.reply()).toMatch(/^220 /);
    const b = await Raw.connect(port);
    b.send(proxyV1("TCP4", "203.0.113.2", "198.51.100.1", 1, 25));
    expect(await b.reply()).toMatch(/^220 /);
    const a2 = await Raw.connect(port);
    a2.send(proxyV1("TCP4", "203.0.113.1", "198.51.100.1", 2, 25));
    expect(await a2.waitClosed()).toMatch(/^421 4\.7\.0 /);
    a.end();
    b.end();
  });

  test("from an untrusted address a PROXY line is just an unknown command", async () => {
    const seen = seenBy();
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["192.0.2.0/24"] } }, seen.hooks);
    const c = await Raw.connect(port);
    expect(await c.reply()).toMatch(/^220 /);
    expect(await c.cmd("PROXY TCP4 203.0.113.9 198.51.100.1 40000 25")).toMatch(/^500 5\.5\.1 /);
    expect(seen.sessions[0]?.remoteAddress).toBe("127.0.0.1");
    c.end();
  });

  test("a trusted peer that sends no valid header is closed without a word", async () => {
    const { port, server } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.1"] } });
    const c = await Raw.connect(port);
    c.send("EHLO not-a-proxy\r\n");
    expect(await c.waitClosed()).toBe("");
    await until(() => server.connections === 0, "release");
  });

  test("a header that never completes hits the handshake timeout", async () => {
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.1"] }, limits: { handshakeTimeout: 100 } });
    const c = await Raw.connect(port);
    c.send("PROXY TCP4 203.0.113.9");
    expect(await c.waitClosed()).toBe("");
  });

  test("an oversized v2 header is refused before it is read", async () => {
    const { port } = await serve({ proxyProtocol: { trustedFrom: ["127.0.0.1"] } });
    const socket = connect(port, "127.0.0.1");
    socket.on("error", () => {});
    const header = proxyV2("PROXY", "TCP4", "1.2.3.4", "5.6.7.8", 1, 2, new Uint8Array(60000));
    socket.write(header.subarray(0, 16));
    await new Promise<void>((resolve) => socket.once("close", () => resolve()));
    expect(socket.bytesRead).toBe(0);
  });

  test("PROXY header then implicit TLS", async () => {
    const s = sink();
    const { port } = await serve({ tls: TLS, listen: [{ port: 0, tls: "implicit" }], proxyProtocol: { trustedFrom: ["127.0.0.1"] } }, s.hooks);
    const raw = connect(port, "127.0.0.1");
    await new Promise<void>((r) => raw.once("connect", () => r()));
    raw.write(proxyV1("TCP4", "203.0.113.9", "198.51.100.1", 40000, 465));
    const secure = tlsConnect({ socket: raw, servername: "localhost", ca: CA });
    await new Promise<void>((resolve, reject) => {
      secure.once("secureConnect", () => resolve());
      secure.once("error", reject);
    });
    let text = "";
    secure.on("data", (d) => {
      text += d.toString();
    });
    await until(() => text.startsWith("220 "), "the greeting");
    secure.write("EHLO c.test\r\nMAIL FROM:<a@b.test>\r\nRCPT TO:<x@y.test>\r\nDATA\r\n");
    await until(() => text.includes("354"), "354");
    secure.write("behind a proxy\r\n.\r\n");
    await until(() => s.messages.length === 1, "the message");
    expect(s.messages[0]?.session.remoteAddress).toBe("203.0.113.9");
    expect(s.messages[0]?.session.tls?.via).toBe("implicit");
    secure.destroy();
  });
});
