/**
 * Where cells are relative to the screen, with two shared IntersectionObservers:
 * "visible" (on screen, give or take a little) and "near" (within a couple of screens).
 * Editors mount for visible cells once scrolling pauses and stay while near, so a
 * 200-cell notebook has a handful of Monaco instances and scrolling never waits on one.
 */
import { useEffect, useState, type RefObject } from "react";

type Zone = "visible" | "near";
const MARGINS: Record<Zone, string> = { visible: "150px 0px 150px 0px", near: "1600px 0px 1600px 0px" };
const observers = new Map<Zone, IntersectionObserver>();
const callbacks: Record<Zone, Map<Element, (inside: boolean) => void>> = { visible: new Map(), near: new Map() };

function observer(zone: Zone): IntersectionObserver {
  let o = observers.get(zone);
  if (!o) {
    o = new IntersectionObserver(
      (entries) => {
        for (const e of entries) callbacks[zone].get(e.target)?.(e.isIntersecting);
      },
      { rootMargin: MARGINS[zone] },
    );
    observers.set(zone, o);
  }
  return o;
}

/** Whether the element is inside `zone` (false until the first observation). */
export function useInZone(ref: RefObject<Element | null>, zone: Zone): boolean {
  const [inside, setInside] = useState(false);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    callbacks[zone].set(el, setInside);
    observer(zone).observe(el);
    return () => {
      callbacks[zone].delete(el);
      observer(zone).unobserve(el);
    };
  }, [ref, zone]);
  return inside;
}

// ---- mount scheduling -------------------------------------------------------------------

const SCROLL_QUIET_MS = 120;
let lastScroll = -Infinity;
let listening = false;
const queue: Array<() => void> = [];
let timer: ReturnType<typeof setTimeout> | null = null;

function onScroll(): void {
  lastScroll = performance.now();
}

function drain(): void {
  timer = null;
  const quietFor = performance.now() - lastScroll;
  if (quietFor < SCROLL_QUIET_MS) {
    timer = setTimeout(drain, SCROLL_QUIET_MS - quietFor + 10);
    return;
  }
  // One editor per frame keeps each frame short.
  queue.shift()?.();
  if (queue.length > 0) requestAnimationFrame(() => (timer === null ? drain() : undefined));
}

function schedule(): void {
  if (timer !== null) return;
  timer = setTimeout(drain, 0);
}

/** Runs `mount` when scrolling has paused (or at once, for the focused cell); returns a cancel function. */
export function scheduleMount(mount: () => void, now: boolean): () => void {
  if (!listening) {
    listening = true;
    window.addEventListener("scroll", onScroll, { passive: true, capture: true });
    window.addEventListener("wheel", onScroll, { passive: true });
  }
  if (now) {
    mount();
    return () => {};
  }
  let live = true;
  const job = () => {
    if (live) mount();
  };
  queue.push(job);
  schedule();
  return () => {
    live = false;
    const i = queue.indexOf(job);
    if (i >= 0) queue.splice(i, 1);
  };
}
