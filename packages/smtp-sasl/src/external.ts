/**
 * EXTERNAL (RFC 4422 Appendix A): the identity comes from outside SASL — here the TLS client
 * certificate the transport verified. The one client message is the authorization identity
 * (possibly empty: act as the certificate's own user).
 *
 *   external-initial-resp = [ authz-id-string ]  ; UTF-8, no NUL
 */
import { fromUtf8, utf8 } from "./bytes.js";
import { textFor } from "./credentials.js";
import { SaslError } from "./errors.js";
import { ClientFirstClient, ClientFirstServer } from "./exchange.js";
import type { ServerStep } from "./types.js";
import { authorizeIdentity, callVerifier } from "./verifiers.js";

export class ExternalClient extends ClientFirstClient {
  readonly name = "EXTERNAL";
  readonly #authzid: Uint8Array;

  constructor(authzid: string | undefined) {
    super();
    this.#authzid = authzid === undefined || authzid === "" ? new Uint8Array(0) : utf8(textFor(this.name, "authorization identity", authzid, "\0"));
  }

  protected message(): Uint8Array {
    return new Uint8Array(this.#authzid);
  }
}

export class ExternalServer extends ClientFirstServer {
  readonly name = "EXTERNAL";

  protected async receive(response: Uint8Array): Promise<ServerStep> {
    const authzid = fromUtf8(response);
    if (authzid === undefined || authzid.includes("\0")) throw new SaslError("malformed", "EXTERNAL authzid must be UTF-8 without NUL");
    const { verifiers, channel } = this.setup;
    const { verifyExternal } = verifiers;
    const certificate = channel.clientCertificate;
    if (verifyExternal === undefined || certificate === undefined) throw new SaslError("unsupported-mechanism");
    const context = authzid === "" ? { mechanism: this.name, channel } : { mechanism: this.name, authzid, channel };
    const user = await callVerifier(() => verifyExternal.call(verifiers, certificate, context));
    if (typeof user?.username !== "string" || user.username === "") throw new SaslError("bad-credentials");
    return { done: true, identity: await authorizeIdentity(verifiers, this.name, user.username, authzid) };
  }
}
