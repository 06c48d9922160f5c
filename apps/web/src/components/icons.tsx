/** A few stroke icons (24×24 viewBox), inline so nothing is fetched. */
import type { ReactElement } from "react";

const PATHS: Record<string, ReactElement> = {
  play: <path d="M7 5v14l11-7z" fill="currentColor" stroke="none" />,
  runAll: <path d="M4 5v14l8-7zM12 5v14l8-7z" fill="currentColor" stroke="none" />,
  stop: <rect x="6" y="6" width="12" height="12" rx="1.5" fill="currentColor" stroke="none" />,
  restart: <path d="M4 12a8 8 0 1 0 2.3-5.7M4 4v4h4" />,
  plus: <path d="M12 5v14M5 12h14" />,
  cut: <path d="M6 7a2 2 0 1 0 0 .01M6 17a2 2 0 1 0 0 .01M8 8l12 10M8 16L20 6" />,
  copy: <path d="M9 9h10v10H9zM5 15V5h10" />,
  paste: <path d="M8 4h8v3H8zM6 6H5v15h14V6h-1" />,
  up: <path d="M12 19V5M6 11l6-6 6 6" />,
  down: <path d="M12 5v14M6 13l6 6 6-6" />,
  save: <path d="M5 4h11l3 3v13H5zM8 4v5h7V4M8 20v-6h8v6" />,
  trash: <path d="M5 7h14M10 7V4h4v3M7 7l1 13h8l1-13" />,
  folder: <path d="M3 6h6l2 2h10v11H3z" />,
  notebook: <path d="M6 3h12v18H6zM9 7h6M9 11h6M9 15h4" />,
  file: <path d="M6 3h8l4 4v14H6zM14 3v4h4" />,
  sun: (
    <path d="M12 8a4 4 0 1 0 0 8 4 4 0 0 0 0-8zM12 2v2M12 20v2M2 12h2M20 12h2M4.9 4.9l1.4 1.4M17.7 17.7l1.4 1.4M4.9 19.1l1.4-1.4M17.7 6.3l1.4-1.4" />
  ),
  moon: <path d="M20 14.5A8 8 0 0 1 9.5 4 8 8 0 1 0 20 14.5z" />,
  keyboard: <path d="M3 7h18v10H3zM6 10h1M9 10h1M12 10h1M15 10h1M18 10h0M7 14h10" />,
  refresh: <path d="M20 12a8 8 0 1 1-2.3-5.7M20 4v4h-4" />,
  clear: <path d="M4 20h16M7 16l9-9 3 3-9 9H7z" />,
  edit: <path d="M4 20h4L19 9l-4-4L4 16zM13 7l4 4" />,
};

export type IconName = keyof typeof PATHS;

export function Icon({ name, size = 16, title }: { name: IconName; size?: number; title?: string }) {
  return (
    <svg
      className="icon"
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={1.8}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden={title ? undefined : true}
      role={title ? "img" : undefined}
    >
      {title && <title>{title}</title>}
      {PATHS[name]}
    </svg>
  );
}
