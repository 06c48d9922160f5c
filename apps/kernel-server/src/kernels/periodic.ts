/** Calls `run` every `periodMs` between start() and stop(); the timer never keeps the process alive. */
export class Periodic {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly run: () => unknown,
    private readonly periodMs: number,
  ) {}

  start(): void {
    if (this.timer) return;
    this.timer = setInterval(() => void this.run(), this.periodMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = null;
  }
}
