import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { RetryTimer, Watchdog } from "../src/channel/liveness.js";
import { FakeTimers } from "./fakes.js";

describe("connection clocks", () => {
  it("calls a silent connection dead after 45 s without a message, not before", () => {
    const timers = new FakeTimers();
    const dog = new Watchdog(timers, () => timers.now);
    let dead = 0;
    dog.start(
      () => dead++,
      () => true,
    );
    for (let t = 0; t < 6; t++) {
      timers.advance(10_000);
      dog.heard(); // a ping every 10 s keeps it alive
    }
    assert.equal(dead, 0);
    timers.advance(60_000);
    assert.equal(dead, 1, "once, after the silence");
  });

  it("stops watching when told, or when the socket is gone", () => {
    const timers = new FakeTimers();
    const dog = new Watchdog(timers, () => timers.now);
    let dead = 0;
    let watching = true;
    dog.start(
      () => dead++,
      () => watching,
    );
    watching = false;
    timers.advance(120_000);
    dog.start(
      () => dead++,
      () => true,
    );
    dog.stop();
    timers.advance(120_000);
    assert.equal(dead, 0);
  });

  it("counts retries and says when the next one starts", () => {
    const timers = new FakeTimers();
    const retry = new RetryTimer(timers, () => timers.now);
    let runs = 0;
    retry.schedule(1000, () => runs++);
    assert.deepEqual([retry.attempt, retry.at], [1, 1000]);
    retry.schedule(2000, () => runs++); // replaces the first
    timers.advance(2000);
    assert.deepEqual([runs, retry.attempt, retry.at], [1, 2, null]);
    retry.schedule(500, () => runs++);
    retry.clear();
    timers.advance(1000);
    assert.equal(runs, 1);
  });
});
