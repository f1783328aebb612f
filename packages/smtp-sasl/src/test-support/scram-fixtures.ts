/** Test-only SCRAM fixtures: the RFC example exchanges, a channel with binding data, key stores. */
import { deriveScramCredentials } from "../scram-core.js";
import type { ChannelInfo } from "../types.js";
import type { ScramCredentials, ScramHash, ServerVerifiers } from "../verifiers.js";

/** The example exchanges, as printed in the RFCs: user "user", password "pencil". */
export const VECTORS = {
  "RFC 5802 §5 (SCRAM-SHA-1)": {
    hash: "SHA-1" as ScramHash,
    clientNonce: "fyko+d2lbbFgONRv9qkxdawL",
    serverNonce: "3rfcNHYJY1ZVvWVs7j",
    salt: "QSXCR+Q6sek8bf92",
    clientFirst: "n,,n=user,r=fyko+d2lbbFgONRv9qkxdawL",
    serverFirst: "r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,s=QSXCR+Q6sek8bf92,i=4096",
    clientFinal: "c=biws,r=fyko+d2lbbFgONRv9qkxdawL3rfcNHYJY1ZVvWVs7j,p=v0X8v3Bz2T0CJGbJQyF0X+HI4Ts=",
    serverFinal: "v=rmF9pqV8S7suAoZWja4dJRkFsKQ=",
  },
  "RFC 7677 §3 (SCRAM-SHA-256)": {
    hash: "SHA-256" as ScramHash,
    clientNonce: "rOprNGfwEbeRWgbNEkqO",
    serverNonce: "%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0",
    salt: "W22ZaJ0SNY7soEsUEjb6gQ==",
    clientFirst: "n,,n=user,r=rOprNGfwEbeRWgbNEkqO",
    serverFirst: "r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,s=W22ZaJ0SNY7soEsUEjb6gQ==,i=4096",
    clientFinal: "c=biws,r=rOprNGfwEbeRWgbNEkqO%hvYDpWUa2RaTCAfuxFIlj)hNlF$k0,p=dHzbZapWIk4jUhN+Ute9ytag9zjfMHgsqmmiz7AndVQ=",
    serverFinal: "v=6rriTRBi23WpRR/wtup+mMhUZUn/dB5nLTJRsjl95G4=",
  },
} as const;

export const BINDING: ChannelInfo = {
  encrypted: true,
  channelBinding: { "tls-exporter": new Uint8Array(32).fill(7), "tls-server-end-point": new Uint8Array(32).fill(9) },
};

export async function storeFor(hash: ScramHash, users: Record<string, string>, iterations = 4096): Promise<ServerVerifiers> {
  const table = new Map<string, ScramCredentials>();
  for (const [name, password] of Object.entries(users)) table.set(name, await deriveScramCredentials(password, { hash, iterations }));
  return { lookupScramCredentials: async (name, h) => (h === hash ? table.get(name) : undefined) };
}

