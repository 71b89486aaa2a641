// A small icon set of our own (no icon CDN under a strict CSP). Each icon is
// decorative: the words next to it carry the meaning.

export type IconName =
  | "check-circle"
  | "check"
  | "gauge"
  | "cloud-off"
  | "key"
  | "calendar-clock"
  | "dots-circle"
  | "unlink"
  | "pause"
  | "board"
  | "plus"
  | "table"
  | "list"
  | "settings"
  | "refresh"
  | "pencil"
  | "history"
  | "external"
  | "copy"
  | "eye"
  | "eye-off"
  | "x"
  | "search"
  | "bell"
  | "alert"
  | "info"
  | "chevron-down"
  | "chevron-right"
  | "arrow-left"
  | "download"
  | "send"
  | "cloud"
  | "server"
  | "spinner"
  | "x-circle"
  | "minus-circle"
  | "sort";

const PATHS: Record<IconName, string> = {
  "check-circle": "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z M8 12.5l2.8 2.8L16.5 9.5",
  check: "M5 12.5l4.5 4.5L19 7.5",
  gauge: "M4 17a8 8 0 1 1 16 0 M12 17l4-6 M12 17h.01",
  "cloud-off": "M3 3l18 18 M8.5 8.6A5 5 0 0 0 6.5 18H17 M20.6 16.2A3.5 3.5 0 0 0 17.5 11H17a6 6 0 0 0-7.3-4.7",
  key: "M14.5 9.5a4.5 4.5 0 1 1-9 0 4.5 4.5 0 0 1 9 0Z M13.2 12.7 21 20.5 M18 17.5l2-2 M16 15.5l1.5-1.5",
  "calendar-clock": "M20 11V6a2 2 0 0 0-2-2H6a2 2 0 0 0-2 2v12a2 2 0 0 0 2 2h5 M4 9h16 M8 2v4 M16 2v4 M17 14v3l2 1.5 M22 17a5 5 0 1 1-10 0 5 5 0 0 1 10 0Z",
  "dots-circle": "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z M8 12h.01 M12 12h.01 M16 12h.01",
  unlink: "M9 15l-2 2a3 3 0 0 1-4.2-4.2l2-2 M15 9l2-2a3 3 0 0 1 4.2 4.2l-2 2 M4 4l16 16",
  pause: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z M10 9v6 M14 9v6",
  board: "M4 4h7v7H4z M13 4h7v7h-7z M4 13h7v7H4z M13 13h7v7h-7z",
  plus: "M12 5v14 M5 12h14",
  table: "M3 5h18v14H3z M3 10h18 M3 15h18 M9 10v9",
  list: "M8 6h13 M8 12h13 M8 18h13 M3.5 6h.01 M3.5 12h.01 M3.5 18h.01",
  settings:
    "M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z M19.4 15a1.7 1.7 0 0 0 .3 1.8l.1.1a2 2 0 1 1-2.8 2.8l-.1-.1a1.7 1.7 0 0 0-1.8-.3 1.7 1.7 0 0 0-1 1.5V21a2 2 0 1 1-4 0v-.1a1.7 1.7 0 0 0-1.1-1.5 1.7 1.7 0 0 0-1.8.3l-.1.1a2 2 0 1 1-2.8-2.8l.1-.1a1.7 1.7 0 0 0 .3-1.8 1.7 1.7 0 0 0-1.5-1H3a2 2 0 1 1 0-4h.1a1.7 1.7 0 0 0 1.5-1.1 1.7 1.7 0 0 0-.3-1.8l-.1-.1a2 2 0 1 1 2.8-2.8l.1.1a1.7 1.7 0 0 0 1.8.3H9a1.7 1.7 0 0 0 1-1.5V3a2 2 0 1 1 4 0v.1a1.7 1.7 0 0 0 1 1.5 1.7 1.7 0 0 0 1.8-.3l.1-.1a2 2 0 1 1 2.8 2.8l-.1.1a1.7 1.7 0 0 0-.3 1.8V9a1.7 1.7 0 0 0 1.5 1H21a2 2 0 1 1 0 4h-.1a1.7 1.7 0 0 0-1.5 1Z",
  refresh: "M20 11a8 8 0 0 0-14.6-4.5L4 8 M4 4v4h4 M4 13a8 8 0 0 0 14.6 4.5L20 16 M20 20v-4h-4",
  pencil: "M4 20h4L19 9l-4-4L4 16v4Z M13.5 6.5l4 4",
  history: "M3 12a9 9 0 1 0 3-6.7L3 8 M3 3v5h5 M12 7v5l3 2",
  external: "M14 4h6v6 M20 4l-9 9 M18 14v5a1 1 0 0 1-1 1H5a1 1 0 0 1-1-1V7a1 1 0 0 1 1-1h5",
  copy: "M9 9h11v11H9z M5 15H4V4h11v1",
  eye: "M2 12s3.5-7 10-7 10 7 10 7-3.5 7-10 7S2 12 2 12Z M12 15a3 3 0 1 0 0-6 3 3 0 0 0 0 6Z",
  "eye-off": "M3 3l18 18 M10.6 5.1A9.8 9.8 0 0 1 12 5c6.5 0 10 7 10 7a17 17 0 0 1-2.6 3.4 M6.6 6.6C3.8 8.4 2 12 2 12s3.5 7 10 7a9.5 9.5 0 0 0 5.4-1.6 M9.9 9.9a3 3 0 0 0 4.2 4.2",
  x: "M6 6l12 12 M18 6L6 18",
  search: "M11 18a7 7 0 1 0 0-14 7 7 0 0 0 0 14Z M20 20l-4-4",
  bell: "M6 8a6 6 0 1 1 12 0c0 7 3 9 3 9H3s3-2 3-9 M10.3 21a1.9 1.9 0 0 0 3.4 0",
  alert: "M12 3 2 20h20L12 3Z M12 10v4 M12 17h.01",
  info: "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z M12 16v-5 M12 8h.01",
  "chevron-down": "M6 9l6 6 6-6",
  "chevron-right": "M9 6l6 6-6 6",
  "arrow-left": "M19 12H5 M11 6l-6 6 6 6",
  download: "M12 4v11 M7 10l5 5 5-5 M5 20h14",
  send: "M21 3 10 14 M21 3l-7 18-4-7-7-4 18-7Z",
  cloud: "M7 18a5 5 0 0 1-.5-10A6 6 0 0 1 18 9.5 4.3 4.3 0 0 1 17.5 18H7Z",
  server: "M4 4h16v6H4z M4 14h16v6H4z M8 7h.01 M8 17h.01",
  spinner: "M12 3a9 9 0 1 0 9 9",
  "x-circle": "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z M15 9l-6 6 M9 9l6 6",
  "minus-circle": "M12 22a10 10 0 1 0 0-20 10 10 0 0 0 0 20Z M8 12h8",
  sort: "M8 9l4-4 4 4 M8 15l4 4 4-4",
};

export function Icon({ name, size = 20, className }: { name: IconName; size?: number; className?: string }) {
  return (
    <svg
      className={`icon${name === "spinner" ? " icon-spin" : ""}${className ? ` ${className}` : ""}`}
      width={size}
      height={size}
      viewBox="0 0 24 24"
      fill="none"
      stroke="currentColor"
      strokeWidth={2}
      strokeLinecap="round"
      strokeLinejoin="round"
      aria-hidden="true"
      focusable="false"
    >
      <path d={PATHS[name]} />
    </svg>
  );
}
