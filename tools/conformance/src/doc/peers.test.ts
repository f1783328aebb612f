/**
 * The document's peers: each starts on 127.0.0.1, answers the probe, accepts the recipient the
 * document probes with, and is gone after stop(). A peer missing on this machine (smtp-sink, the
 * system python3 with aiosmtpd) skips its test locally and fails it in CI.
 */
import net from "node:net";
import { describe, expect, test } from "vitest";
import { listChecks } from "../runner.js";
import { HOST } from "./child.js";
import { probePeer, requirePeers } from "./generate.js";
import { PEERS, type PeerSpec } from "./peers.js";

const inCi = process.env.CI === "true" || process.env.CI === "1";

/** Why `spec` cannot run here; in CI that is the test's failure, never a skip. */
function skipReason(spec: PeerSpec): string | undefined {
  const why = spec.missing();
  return why !== undefined && !inCi ? why : undefined;
}

/** A few checks of the catalogue as it is (greeting ones first); none when the catalogue is empty. */
function sampleChecks(): string[] | undefined {
  const all = listChecks();
  if (all.length === 0) return undefined;
  const greeting = all.filter((c) => c.area === "greeting");
  return (greeting.length > 0 ? greeting : all).slice(0, 3).map((c) => c.id);
}

/** Send each line and collect the reply codes (last line of each reply). */
function exchange(port: number, lines: readonly string[]): Promise<number[]> {
  return new Promise((resolve, reject) => {
    const socket = net.connect(port, HOST);
    const codes: number[] = [];
    let buf = "";
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no complete dialogue within 10 s; got ${codes.join(",")}`));
    }, 10_000);
    socket.on("data", (chunk: Buffer) => {
      buf += chunk.toString("latin1");
      for (let end = buf.indexOf("\n"); end >= 0; end = buf.indexOf("\n")) {
        const line = buf.slice(0, end).replace(/\r$/, "");
        buf = buf.slice(end + 1);
        if (line[3] === "-") continue;
        codes.push(Number(line.slice(0, 3)));
        const next = lines[codes.length - 1];
        if (next === undefined) {
          clearTimeout(timer);
          socket.destroy();
          resolve(codes);
          return;
        }
        socket.write(`${next}\r\n`);
      }
    });
    socket.once("error", (e) => {
      clearTimeout(timer);
      reject(e);
    });
  });
}

function refused(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, HOST);
    socket.once("connect", () => {
      socket.destroy();
      resolve(false);
    });
    socket.once("error", () => resolve(true));
  });
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe("peers of docs/conformance.md", () => {
  for (const spec of PEERS) {
    test.skipIf(skipReason(spec) !== undefined)(`${spec.name}: starts, is probed, accepts --rcpt, stops`, { timeout: 60_000 }, async () => {
      const why = spec.missing();
      if (why !== undefined) throw new Error(`interop peer missing in CI: ${spec.name}: ${why}`);
      const peer = await spec.start();
      let stopped = false;
      try {
        expect(peer.host).toBe("127.0.0.1");
        expect(peer.description).not.toMatch(/\n/);
        expect(peer.description).not.toContain(String(peer.port));
        // The recipients the document probes with must be accepted, else the transaction checks are n/a.
        const dialogue = ["EHLO client.test", "MAIL FROM:<probe@client.test>", `RCPT TO:<${spec.rcpt}>`, `RCPT TO:<${spec.deliver}>`, "QUIT"];
        expect(await exchange(peer.port, dialogue)).toEqual([220, 250, 250, 250, 250, 221]);

        const only = sampleChecks();
        const report = await probePeer(peer, spec, only);
        expect(report.greeting).toMatch(/^220[ -]/);
        expect(report.capabilities.length).toBeGreaterThan(0);
        // smtp-sink has no TLS; the other three offer STARTTLS with the test certificate.
        expect(report.session.secure).toBe(spec.name !== "Postfix smtp-sink");
        expect(report.results.map((r) => r.id)).toEqual(only ?? []);

        await peer.stop();
        stopped = true;
        if (peer.pid !== undefined) expect(alive(peer.pid)).toBe(false);
        expect(await refused(peer.port)).toBe(true);
      } finally {
        if (!stopped) await peer.stop();
      }
    });
  }

  test("a peer that cannot run is an error naming it, not a missing column", () => {
    const ghost: PeerSpec = {
      name: "ghost-mta",
      rcpt: "postmaster",
      deliver: "postmaster@ghost.test",
      missing: () => "/usr/sbin/ghost is missing",
      start: () => Promise.reject(new Error("not reached")),
    };
    expect(() => requirePeers([...PEERS.filter((p) => p.missing() === undefined), ghost])).toThrow(/ghost-mta: \/usr\/sbin\/ghost is missing/);
  });
});
