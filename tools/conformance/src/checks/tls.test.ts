import { describe, expect, it } from "vitest";
import { coreServer, explain, probe, result } from "../test-support/harness.js";
import { CA, TLS_FILES, toyServer } from "../test-support/toy-server.js";
import type { TlsSummary } from "../types.js";
import { judgeCertificate } from "./tls.js";

const implicitListener = { listen: [{ host: "127.0.0.1", port: 0, tls: "implicit" as const }] };
/** TLS 1.0/1.1 allowed: minVersion alone is not enough on OpenSSL 3, SECLEVEL=0 lets its ciphers through. */
const weakTls = { tls: { ...TLS_FILES, minVersion: "TLSv1" as const, ciphers: "DEFAULT@SECLEVEL=0" } };

describe("security.starttls-offered", () => {
  const id = "security.starttls-offered";

  it("passes against smtp-server-core defaults (STARTTLS with the test certificate)", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/TLSv1\.3/);
    expect(messages).toHaveLength(0);
  });

  it("passes with implicit TLS", async () => {
    const { port, messages } = await coreServer(implicitListener);
    const r = result(await probe(port, [id], { tls: "implicit" }), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(0);
  });

  it("tries the upgrade itself in --tls none mode", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id], { tls: "none" }), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.transcript.some((l) => l.dir === "C" && l.text === "STARTTLS")).toBe(true);
    expect(messages).toHaveLength(0);
  });

  it("warns when STARTTLS is switched off", async () => {
    const { port, messages } = await coreServer({ extensions: { starttls: false } });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/travels in clear/);
    expect(messages).toHaveLength(0);
  });

  it("fails when STARTTLS is advertised but refused (toy server)", async () => {
    const { port, messages } = await toyServer({ starttls: false, capabilities: ["PIPELINING", "8BITMIME", "STARTTLS"] });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/502/);
    expect(messages).toHaveLength(0);
  });
});

describe("security.starttls-offered (handshake)", () => {
  it("fails when the server answers 220 to STARTTLS but does not speak TLS (--tls none, so discovery does not upgrade)", async () => {
    const { port, messages } = await toyServer({
      override: (line, state) => {
        if (line !== "STARTTLS") return undefined;
        state.write("220 2.0.0 go ahead\r\nthis is not a TLS record\r\n");
        return null;
      },
    });
    const id = "security.starttls-offered";
    const r = result(await probe(port, [id], { tls: "none" }), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/TLS handshake failed/);
    expect(messages).toHaveLength(0);
  });
});

describe("security.tls-version", () => {
  const id = "security.tls-version";

  it("passes against smtp-server-core defaults (minVersion TLSv1.2): a TLS 1.0/1.1-only handshake is refused", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/TLSv1\.3/);
    expect(messages).toHaveLength(0);
  });

  it("fails when the server accepts TLS 1.0/1.1 (STARTTLS)", async () => {
    const { port, messages } = await coreServer(weakTls);
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(r.summary).toMatch(/accepts TLSv1\.x \(RFC 8996\).*TLSv1\.1/);
    expect(messages).toHaveLength(0);
  });

  it("fails when the server accepts TLS 1.0/1.1 (implicit TLS)", async () => {
    const { port, messages } = await coreServer({ ...implicitListener, ...weakTls });
    const r = result(await probe(port, [id], { tls: "implicit" }), id);
    expect(r.status, explain(r)).toBe("fail");
    expect(messages).toHaveLength(0);
  });

  it("passes when minVersion is lowered but the ciphers still need SECLEVEL 1 (the handshake cannot complete)", async () => {
    const { port, messages } = await coreServer({ tls: { ...TLS_FILES, minVersion: "TLSv1" } });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(messages).toHaveLength(0);
  });

  it("is n/a without TLS", async () => {
    const { port, messages } = await coreServer({ extensions: { starttls: false } });
    const r = result(await probe(port, [id]), id);
    expect(r.status, explain(r)).toBe("n/a");
    expect(messages).toHaveLength(0);
  });
});

describe("security.tls-certificate", () => {
  const id = "security.tls-certificate";

  it("passes when the chain is trusted (the fixture CA) and the name matches", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id], { ca: CA, servername: "localhost" }), id);
    expect(r.status, explain(r)).toBe("pass");
    expect(r.summary).toMatch(/^TLSv1\.3 \S+: certificate localhost issued by smtpkit test CA/);
    expect(messages).toHaveLength(0);
  });

  it("warns against smtp-server-core defaults without the CA: the test CA is not in Node's store", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id], { servername: "localhost" }), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/not trusted .*MTA-STS/);
    expect(messages).toHaveLength(0);
  });

  it("warns when the certificate does not name the server", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id], { ca: CA, servername: "mx.example.net" }), id);
    expect(r.status, explain(r)).toBe("warn");
    expect(r.summary).toMatch(/does not name mx\.example\.net/);
    expect(messages).toHaveLength(0);
  });

  it("is n/a in --tls none mode", async () => {
    const { port, messages } = await coreServer();
    const r = result(await probe(port, [id], { tls: "none" }), id);
    expect(r.status, explain(r)).toBe("n/a");
    expect(messages).toHaveLength(0);
  });

  describe("judgeCertificate", () => {
    const base: TlsSummary = {
      via: "starttls",
      protocol: "TLSv1.3",
      cipher: "TLS_AES_256_GCM_SHA384",
      trusted: false,
      trustError: "CERT_HAS_EXPIRED",
      nameMatches: true,
      servername: "mx.example.net",
      subject: "CN=mx.example.net",
      issuer: "CN=Some CA",
      validFrom: "Jan  1 00:00:00 2020 GMT",
      validTo: "Jan  1 00:00:00 2021 GMT",
    };

    it("fails an expired certificate", () => {
      const v = judgeCertificate(base, Date.parse("2022-01-01T00:00:00Z"), false);
      expect(v.status).toBe("fail");
      expect(v.summary).toMatch(/expired/);
    });

    it("fails a certificate that is not valid yet", () => {
      const v = judgeCertificate({ ...base, trustError: "CERT_NOT_YET_VALID" }, Date.parse("2019-01-01T00:00:00Z"), false);
      expect(v.status).toBe("fail");
      expect(v.summary).toMatch(/not valid yet/);
    });

    it("passes a trusted certificate within its dates, noting an unchecked name", () => {
      const { trustError: _t, nameMatches: _n, servername: _s, ...trusted } = base;
      const v = judgeCertificate({ ...trusted, trusted: true }, Date.parse("2020-06-01T00:00:00Z"), true);
      expect(v.status).toBe("pass");
      expect(v.summary).toMatch(/name not checked \(connected by address/);
    });
  });
});
