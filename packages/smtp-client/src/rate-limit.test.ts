import { getEventListeners } from "node:events";
import { describe, expect, test } from "vitest";
import { RateLimiter } from "./rate-limit.js";

describe("RateLimiter", () => {
  test("a sliding window: at most `limit` starts per window, on an injected clock", () => {
    let now = 1000;
    const limiter = new RateLimiter(2, 100, () => now);
    expect(limiter.tryTake()).toBe(0);
    expect(limiter.tryTake()).toBe(0);
    expect(limiter.tryTake()).toBe(100);
    now += 40;
    expect(limiter.tryTake()).toBe(60);
    now += 60;
    expect(limiter.tryTake()).toBe(0);
  });

  test("one signal across many waits keeps no abort listener behind", async () => {
    const limiter = new RateLimiter(1, 2);
    const signal = new AbortController().signal;
    for (let i = 0; i < 6; i++) await limiter.take(signal);
    expect(getEventListeners(signal, "abort")).toHaveLength(0);
  });

  test("an abort ends the wait with the signal's reason; an aborted signal does not wait", async () => {
    const limiter = new RateLimiter(1, 60_000);
    await limiter.take();
    const controller = new AbortController();
    const waiting = limiter.take(controller.signal);
    controller.abort(new Error("stop"));
    await expect(waiting).rejects.toThrow("stop");
    await expect(limiter.take(controller.signal)).rejects.toThrow("stop");
  });
});
