/**
 * (b) DATA decoding, MB/s of wire octets (10^6 octets/s): dot-unstuffing and finding CRLF "." CRLF
 * in a message delivered in socket-sized chunks, until the whole body has been handed on.
 */
import { DataDecoder } from "@smtpkit/smtp-codec";
import type { Contender } from "./harness.js";
import type { DataInput } from "./inputs.js";
import { PeerDataReceiver } from "./peer-smtp-server.js";

/** The same limit on both sides (smtp-server only counts against it; it is never reached here). */
const MAX_SIZE = 50 * 1024 * 1024;

export interface DataBench {
  readonly smtpkit: Contender;
  readonly smtpServer: Contender;
}

/** One message through a fresh DataDecoder (one per DATA command); returns the body octets. */
function decode(chunks: readonly Buffer[], collect?: Uint8Array[]): number {
  const decoder = new DataDecoder({ maxSize: MAX_SIZE });
  let octets = 0;
  for (const chunk of chunks) {
    const result = decoder.push(chunk);
    for (const slice of result.body) {
      octets += slice.length;
      collect?.push(slice);
    }
    if (result.done) {
      if (result.rest.length !== 0) throw new Error(`smtpkit: ${result.rest.length} octets after the terminator`);
      return octets;
    }
  }
  throw new Error("smtpkit: no end of data found");
}

function sameBytes(name: string, parts: readonly Uint8Array[], expected: Buffer): void {
  const actual = Buffer.concat(parts);
  if (!actual.equals(expected)) {
    let at = 0;
    while (at < actual.length && actual[at] === expected[at]) at++;
    throw new Error(`${name}: decoded ${actual.length} octets, expected ${expected.length}; first difference at ${at}`);
  }
}

/** Build the contenders for `input`, after checking once that both give back exactly the body. */
export async function dataBench(input: DataInput): Promise<DataBench> {
  const { chunks, body } = input;
  const peer = new PeerDataReceiver(MAX_SIZE);

  const ours: Uint8Array[] = [];
  decode(chunks, ours);
  sameBytes("smtpkit", ours, body);
  const theirs: Buffer[] = [];
  await peer.receive(chunks, theirs);
  sameBytes("smtp-server", theirs, body);
  // A second message over the same smtp-server parser, as the timed runs do.
  theirs.length = 0;
  await peer.receive(chunks, theirs);
  sameBytes("smtp-server (second message)", theirs, body);

  return {
    smtpkit: {
      name: "smtpkit",
      run(iterations) {
        let octets = 0;
        for (let n = 0; n < iterations; n++) octets += decode(chunks);
        return octets;
      },
    },
    smtpServer: {
      name: "smtp-server",
      async run(iterations) {
        let octets = 0;
        for (let n = 0; n < iterations; n++) octets += await peer.receive(chunks);
        return octets;
      },
    },
  };
}
