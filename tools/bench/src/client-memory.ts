/**
 * The client benchmark's memory figure, run as its own process so that nothing else the bench did
 * is in its heap: `node --expose-gc dist/client-memory.js PORT OCTETS`.
 *
 * It connects with smtp-client, takes the baseline RSS (after a full GC), then sends one message of
 * OCTETS octets streamed from a generator through a `Readable` (never held whole), sampling RSS
 * every 5 ms. The peak is also read from the kernel: `VmHWM` of /proc/self/status after resetting
 * it (writing 5 to /proc/self/clear_refs), which catches a peak between two samples. Prints one
 * JSON line: { baselineRss, peakRssSampled, peakRssKernel, samples, seconds, octets }.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { performance } from "node:perf_hooks";
import { Readable } from "node:stream";
import { connect } from "@smtpkit/smtp-client";

const CHUNK = 64 * 1024;

/** `octets` of text in lines of 78 octets (76 characters + CRLF), each chunk a fresh Buffer. */
function* body(octets: number): Generator<Buffer> {
  const head = "From: <sender@client.bench.test>\r\nTo: <rcpt@bench.test>\r\nSubject: 100 MiB\r\n\r\n";
  const line = "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ-_=+0123456789.,".slice(0, 76);
  const template = Buffer.from(`${line}\r\n`.repeat(Math.ceil(CHUNK / 78)).slice(0, CHUNK - (CHUNK % 78)), "latin1");
  yield Buffer.from(head, "latin1");
  let left = octets - head.length;
  while (left >= template.length) {
    yield Buffer.from(template);
    left -= template.length;
  }
  // The tail: whole lines, then a short last line, so the message ends in CRLF.
  const lines = Math.floor(left / 78);
  let tail = `${line}\r\n`.repeat(lines);
  const rest = left - lines * 78;
  if (rest >= 3) tail += `${line.slice(0, rest - 2)}\r\n`;
  else if (rest > 0 && lines > 0) tail = `${tail.slice(0, tail.length - 78)}${line}${"x".repeat(rest)}\r\n`;
  else if (rest > 0) throw new Error(`client-memory: cannot end ${octets} octets on a line boundary`);
  if (tail.length > 0) yield Buffer.from(tail, "latin1");
}

function kernelPeak(): number | undefined {
  try {
    const m = /^VmHWM:\s+(\d+) kB$/m.exec(readFileSync("/proc/self/status", "utf8"));
    return m === null ? undefined : Number(m[1]) * 1024;
  } catch {
    return undefined;
  }
}

async function main(): Promise<void> {
  const port = Number(process.argv[2]);
  const octets = Number(process.argv[3]);
  if (!Number.isInteger(port) || !Number.isInteger(octets) || octets < 1000) throw new Error("usage: client-memory.js PORT OCTETS");
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) throw new Error("client-memory.js needs --expose-gc");

  const connection = await connect({ host: "127.0.0.1", port, tls: "none", name: "client.bench.test" });
  gc();
  const baselineRss = process.memoryUsage.rss();
  let kernelReset = true;
  try {
    writeFileSync("/proc/self/clear_refs", "5");
  } catch {
    kernelReset = false;
  }
  let peak = baselineRss;
  let samples = 0;
  const timer = setInterval(() => {
    samples++;
    peak = Math.max(peak, process.memoryUsage.rss());
  }, 5);
  const start = performance.now();
  try {
    const result = await connection.send({ from: "sender@client.bench.test", to: "rcpt@bench.test", message: Readable.from(body(octets)), size: octets });
    if (result.accepted.length !== 1) throw new Error("client-memory: the message was not accepted");
  } finally {
    clearInterval(timer);
  }
  const seconds = (performance.now() - start) / 1000;
  peak = Math.max(peak, process.memoryUsage.rss());
  await connection.quit();
  const hwm = kernelReset ? kernelPeak() : undefined;
  process.stdout.write(
    `${JSON.stringify({ baselineRss, peakRssSampled: peak, ...(hwm === undefined ? {} : { peakRssKernel: hwm }), samples, seconds, octets })}\n`,
  );
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
