/**
 * A keyboard-reachable menu bar (WAI-ARIA menubar pattern): Tab reaches the bar, Enter,
 * Space or Down opens a menu, Up/Down move, Left/Right switch menus, Esc closes and
 * returns focus to the menu's button.
 */
import { useEffect, useRef, useState, type KeyboardEvent } from "react";

export interface MenuItem {
  label: string;
  shortcut?: string;
  disabled?: boolean;
  onSelect: () => void;
}

export type MenuEntry = MenuItem | "separator";

export interface Menu {
  label: string;
  items: MenuEntry[];
}

export function MenuBar({ menus, label }: { menus: Menu[]; label: string }) {
  const [open, setOpen] = useState<number | null>(null);
  const barRef = useRef<HTMLDivElement>(null);
  const buttons = useRef<Array<HTMLButtonElement | null>>([]);

  useEffect(() => {
    if (open === null) return;
    const onDown = (e: MouseEvent) => {
      if (!barRef.current?.contains(e.target as Node)) setOpen(null);
    };
    document.addEventListener("mousedown", onDown);
    return () => document.removeEventListener("mousedown", onDown);
  }, [open]);

  const focusItem = (menu: number, which: "first" | "last") => {
    requestAnimationFrame(() => {
      const items = barRef.current?.querySelectorAll<HTMLButtonElement>(
        `[data-menu="${menu}"] .menu-list [role="menuitem"]:not([disabled])`,
      );
      if (!items || items.length === 0) return;
      items[which === "first" ? 0 : items.length - 1].focus();
    });
  };

  const openMenu = (i: number, which: "first" | "last" = "first") => {
    setOpen(i);
    focusItem(i, which);
  };

  const close = (refocus: boolean) => {
    const i = open;
    setOpen(null);
    if (refocus && i !== null) buttons.current[i]?.focus();
  };

  const onButtonKey = (e: KeyboardEvent, i: number) => {
    const n = menus.length;
    if (e.key === "ArrowDown" || e.key === "Enter" || e.key === " ") {
      e.preventDefault();
      openMenu(i);
    } else if (e.key === "ArrowUp") {
      e.preventDefault();
      openMenu(i, "last");
    } else if (e.key === "Escape" && open !== null) {
      e.preventDefault();
      setOpen(null);
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      const j = (i + (e.key === "ArrowRight" ? 1 : n - 1)) % n;
      buttons.current[j]?.focus();
      if (open !== null) openMenu(j);
    }
  };

  const onMenuKey = (e: KeyboardEvent, i: number) => {
    const items = Array.from(e.currentTarget.querySelectorAll<HTMLButtonElement>('[role="menuitem"]:not([disabled])'));
    const at = items.indexOf(document.activeElement as HTMLButtonElement);
    if (e.key === "ArrowDown" || e.key === "ArrowUp") {
      e.preventDefault();
      const d = e.key === "ArrowDown" ? 1 : items.length - 1;
      items[(at + d) % items.length]?.focus();
    } else if (e.key === "Home" || e.key === "End") {
      e.preventDefault();
      items[e.key === "Home" ? 0 : items.length - 1]?.focus();
    } else if (e.key === "Escape") {
      e.preventDefault();
      e.stopPropagation();
      close(true);
    } else if (e.key === "ArrowRight" || e.key === "ArrowLeft") {
      e.preventDefault();
      const n = menus.length;
      const j = (i + (e.key === "ArrowRight" ? 1 : n - 1)) % n;
      buttons.current[j]?.focus();
      openMenu(j);
    } else if (e.key === "Tab") {
      setOpen(null);
    }
    // Keys typed in a menu must not reach the notebook's command mode.
    e.stopPropagation();
  };

  return (
    <div className="menubar" role="menubar" aria-label={label} ref={barRef}>
      {menus.map((menu, i) => (
        <div className="menu" key={menu.label} data-menu={i}>
          <button
            ref={(el) => {
              buttons.current[i] = el;
            }}
            type="button"
            role="menuitem"
            aria-haspopup="menu"
            aria-expanded={open === i}
            className={`menu-button${open === i ? " open" : ""}`}
            onClick={() => (open === i ? setOpen(null) : openMenu(i))}
            onMouseEnter={() => open !== null && open !== i && setOpen(i)}
            onKeyDown={(e) => onButtonKey(e, i)}
          >
            {menu.label}
          </button>
          {open === i && (
            <div className="menu-list" role="menu" aria-label={menu.label} onKeyDown={(e) => onMenuKey(e, i)}>
              {menu.items.map((item, k) =>
                item === "separator" ? (
                  <div key={`sep${k}`} className="menu-separator" role="separator" />
                ) : (
                  <button
                    key={item.label}
                    type="button"
                    role="menuitem"
                    className="menu-item"
                    disabled={item.disabled}
                    onClick={() => {
                      close(true);
                      item.onSelect();
                    }}
                  >
                    <span>{item.label}</span>
                    {item.shortcut && <kbd>{item.shortcut}</kbd>}
                  </button>
                ),
              )}
            </div>
          )}
        </div>
      ))}
    </div>
  );
}
