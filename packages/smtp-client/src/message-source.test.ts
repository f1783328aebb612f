import { fc, test } from "@fast-check/vitest";
import { DataDecoder, DataEncoder, normalizeLineEndings } from "@smtpkit/smtp-codec";
import { describe, expect } from "vitest";
import { canonicalChunks, messageIdFrom } from "./message-source.js";

async function collect(chunks: Uint8Array[]): Promise<Buffer> {
  async function* source() {
    yield* chunks;
  }
  const out: Uint8Array[] = [];
  for await (const piece of canonicalChunks(source())) out.push(piece);
  return Buffer.concat(out);
}

function split(bytes: Uint8Array, cuts: number[]): Uint8Array[] {
  const points = [...new Set(cuts.map((c) => c % (bytes.length + 1)))].sort((a, b) => a - b);
  const parts: Uint8Array[] = [];
  let from = 0;
  for (const p of points) {
    parts.push(bytes.subarray(from, p));
    from = p;
  }
  parts.push(bytes.subarray(from));
  return parts;
}

/** What DATA stores for `body`: the reference BDAT text bodies must match. */
function viaData(body: Uint8Array): Buffer {
  const enc = new DataEncoder();
  const wire = Buffer.concat([...enc.push(body), ...enc.end()]);
  const dec = new DataDecoder();
  const r = dec.push(wire);
  return Buffer.concat(r.body);
}

const octets = fc.uint8Array({ maxLength: 200 }).map((a) => a.map((b) => [0x0d, 0x0a, 0x2e, b][b % 4] as number));

describe("RFC 5321 §2.3.8 / RFC 3030 §3: text bodies sent with BDAT are canonical", () => {
  const cases: [string, string, string][] = [
    ["bare LF", "a\nb\n", "a\r\nb\r\n"],
    ["bare CR", "a\rb", "a\r\nb\r\n"],
    ["CR CR LF is two line ends", "a\r\r\n", "a\r\n\r\n"],
    ["a missing final CRLF is added", "Subject: x\r\n\r\nbody", "Subject: x\r\n\r\nbody\r\n"],
    ["smuggling sequences become plain line ends", "x\n.\r\ny\r\n", "x\r\n.\r\ny\r\n"],
    ["an empty message stays empty", "", ""],
  ];
  for (const [name, input, expected] of cases) {
    test(name, async () => {
      expect((await collect([Buffer.from(input, "latin1")])).toString("latin1")).toBe(expected);
    });
  }
  test("a CR at the end of a chunk waits for its LF", async () => {
    expect((await collect([Buffer.from("a\r"), Buffer.from("\nb\r")])).toString("latin1")).toBe("a\r\nb\r\n");
  });
});

describe("properties", () => {
  test.prop([octets, fc.array(fc.nat(), { maxLength: 8 })])(
    "any chunking gives the bytes DATA would have stored",
    async (body, cuts) => {
      const got = await collect(split(body, cuts));
      expect(got).toEqual(viaData(body));
    },
  );
  test.prop([octets])("the output has no bare CR or LF", async (body) => {
    const got = await collect([body]);
    expect(Buffer.from(normalizeLineEndings(got))).toEqual(got);
  });
});

describe("message id from the final 250", () => {
  const cases: [string, string | undefined][] = [
    ["2.0.0 Ok: queued as 4Xk2Lm0QzVz1", "4Xk2Lm0QzVz1"], // Postfix
    ["2.0.0 Ok: stored as 1y3pmli-1-2", "1y3pmli-1-2"], // smtpkit serve
    ["OK id=1rX9aB-000Abc-Zz", "1rX9aB-000Abc-Zz"], // Exim
    ["2.0.0 OK <20261129.abc@mx.example>", "20261129.abc@mx.example"],
    ["2.0.0 Ok", undefined],
  ];
  for (const [text, id] of cases) {
    test(JSON.stringify(text), () => {
      expect(messageIdFrom([text])).toBe(id);
    });
  }
});
