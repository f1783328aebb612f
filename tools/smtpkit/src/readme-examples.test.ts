// Every package README's ```ts examples, compiled (not run) against the built types of the package and
// its siblings: a renamed option or a wrong method in a README fails here.
import { afterAll, beforeAll, describe, expect, test } from "vitest";
import { type ReadmeCheckOptions, readmeExamples } from "./test-support/readme-examples.js";

const READMES: readonly { readonly folder: string; readonly options?: ReadmeCheckOptions }[] = [
  { folder: "packages/smtp-reply-codes" },
  { folder: "packages/smtp-codec" },
  // Blocks 2 and 3 list signatures (`mechanism.next(response: Uint8Array | undefined)`), not code.
  { folder: "packages/smtp-sasl", options: { summaries: [2, 3] } },
  { folder: "packages/smtp-dns-mx" },
  {
    folder: "packages/smtp-client",
    options: {
      // Names the examples leave to the reader: the message deliver() sends and the messages of a batch.
      declarations: ["declare const messageBytes: Uint8Array;", 'declare const batch: readonly import("@smtpkit/smtp-client").SendInput[];'],
    },
  },
  { folder: "packages/smtp-server-core" },
  { folder: "tools/conformance" },
];

for (const { folder, options } of READMES) {
  describe(`${folder}/README.md`, () => {
    const readme = readmeExamples(new URL(`../../../${folder}/`, import.meta.url), options);
    beforeAll(() => readme.compile(), 20_000);
    afterAll(() => readme.cleanup());

    test("has examples to check", () => {
      expect(readme.examples.length).toBeGreaterThan(0);
    });

    for (const example of readme.examples) {
      test(`example ${example.index} (${example.title}) type-checks`, () => {
        expect(readme.errors(example).join("\n")).toBe("");
      });
    }
  });
}
