/**
 * The life cycle every mechanism shares, so each mechanism file holds only its own messages:
 * steps run one at a time, nothing runs after the end or after a failure, and every server
 * response is checked against the size limit before it is looked at.
 */
import { SaslError } from "./errors.js";
import type { ChannelInfo, ServerStep } from "./types.js";
import type { ServerVerifiers } from "./verifiers.js";

/** RFC 4954 §4 lets servers limit an AUTH line to 12288 octets; no decoded response can be longer. */
export const DEFAULT_MAX_RESPONSE_LENGTH = 12288;

/** What a server mechanism is built from (the resolved `ServerOptions`). */
export interface ServerSetup {
  readonly verifiers: ServerVerifiers;
  readonly channel: ChannelInfo;
  readonly maxResponseLength: number;
  /** Printable characters other than ",", fresh each call: SCRAM server nonces, CRAM-MD5 challenges. */
  readonly nonce: () => string;
  /** The host name in CRAM-MD5 challenges. */
  readonly hostname: string;
  /** Iteration count for SCRAM keys derived from `lookupPassword`, and for unknown users. */
  readonly scramIterations: number;
}

type State = "ready" | "busy" | "done" | "failed";

export abstract class ServerExchange {
  abstract readonly name: string;
  #state: State = "ready";
  // Private, so that inspecting a mechanism shows only its name, not the verifiers and channel.
  readonly #setup: ServerSetup;

  constructor(setup: ServerSetup) {
    this.#setup = setup;
  }

  protected get setup(): ServerSetup {
    return this.#setup;
  }

  async next(response: Uint8Array | undefined): Promise<ServerStep> {
    if (this.#state !== "ready") {
      throw new SaslError("malformed", this.#state === "busy" ? "Exchange step already running" : "Exchange already over");
    }
    if (response !== undefined && !(response instanceof Uint8Array)) {
      this.#state = "failed";
      throw new SaslError("malformed", "Response must be bytes");
    }
    if (response !== undefined && response.length > this.setup.maxResponseLength) {
      this.#state = "failed";
      throw new SaslError("too-long");
    }
    this.#state = "busy";
    try {
      const step = await this.step(response);
      this.#state = step.done ? "done" : "ready";
      return step;
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  /** One step; `response` is `undefined` only for the first, when the client sent no initial response. */
  protected abstract step(response: Uint8Array | undefined): Promise<ServerStep>;
}

export function challenge(bytes: Uint8Array): ServerStep {
  return { done: false, challenge: bytes };
}

/**
 * The server side of a client-first mechanism (RFC 4422 §5): its one message comes as the initial
 * response, or after the empty challenge a server sends when the client gave none (RFC 4954 §4).
 */
export abstract class ClientFirstServer extends ServerExchange {
  #asked = false;

  protected async step(response: Uint8Array | undefined): Promise<ServerStep> {
    if (response === undefined) {
      if (this.#asked) throw new SaslError("malformed", `${this.name} response missing`);
      this.#asked = true;
      return challenge(new Uint8Array(0));
    }
    return this.receive(response);
  }

  /** The client's message. */
  protected abstract receive(message: Uint8Array): Promise<ServerStep>;
}

type ClientState = "new" | "started" | "busy" | "failed";

export abstract class ClientExchange {
  abstract readonly name: string;
  #state: ClientState = "new";
  #failure: SaslError | undefined;

  /** Set when a challenge said that the exchange has failed (see `ClientMechanism.failure`). */
  get failure(): SaslError | undefined {
    return this.#failure;
  }

  protected fail(error: SaslError): void {
    this.#failure = error;
  }

  async start(): Promise<{ readonly initialResponse?: Uint8Array }> {
    if (this.#state !== "new") throw new SaslError("malformed", "Exchange already started");
    this.#state = "started";
    const initialResponse = await this.initial();
    return initialResponse === undefined ? {} : { initialResponse };
  }

  async next(challengeBytes: Uint8Array): Promise<Uint8Array> {
    if (this.#state === "new") throw new SaslError("malformed", "Call start() first");
    if (this.#state !== "started") {
      throw new SaslError("malformed", this.#state === "busy" ? "Exchange step already running" : "Exchange already over");
    }
    if (!(challengeBytes instanceof Uint8Array)) throw new SaslError("malformed", "Challenge must be bytes");
    if (challengeBytes.length > DEFAULT_MAX_RESPONSE_LENGTH) {
      this.#state = "failed";
      throw new SaslError("too-long", "Challenge too long");
    }
    this.#state = "busy";
    try {
      const answer = await this.answer(challengeBytes);
      this.#state = "started";
      return answer;
    } catch (error) {
      this.#state = "failed";
      throw error;
    }
  }

  async finish(additionalData?: Uint8Array): Promise<void> {
    if (this.#state !== "started") throw new SaslError("malformed", "Exchange not in progress");
    // A success after the server said the exchange failed (an OAuth error challenge) is not one.
    if (this.#failure !== undefined) throw this.#failure;
    await this.complete(additionalData);
  }

  /** The initial response, or `undefined` when the mechanism starts with the server's challenge. */
  protected abstract initial(): Promise<Uint8Array | undefined>;
  protected abstract answer(challenge: Uint8Array): Promise<Uint8Array>;
  /** Default: a mechanism that has nothing to verify at the end accepts success data only when empty. */
  protected async complete(additionalData: Uint8Array | undefined): Promise<void> {
    if (additionalData !== undefined && additionalData.length > 0) {
      throw new SaslError("malformed", "Unexpected success data");
    }
  }
}

/**
 * The client side of a client-first mechanism (RFC 4422 §5): its message goes as the initial
 * response; a transport that held it back gets an empty challenge (RFC 4954 §4) and answers that
 * with the same message.
 */
export abstract class ClientFirstClient extends ClientExchange {
  #sent = false;

  protected async initial(): Promise<Uint8Array> {
    return this.message();
  }

  protected async answer(received: Uint8Array): Promise<Uint8Array> {
    if (received.length === 0 && !this.#sent) {
      this.#sent = true;
      return this.message();
    }
    this.#sent = true;
    return this.challenged(received);
  }

  /** The message, as fresh bytes each call. */
  protected abstract message(): Uint8Array;

  /** Any other challenge. Default: there is none in this mechanism. */
  protected async challenged(_received: Uint8Array): Promise<Uint8Array> {
    throw new SaslError("malformed", `${this.name} expects no challenge`);
  }
}
