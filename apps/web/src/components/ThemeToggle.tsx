import { toggleTheme, useTheme } from "../theme/theme.js";
import { Icon } from "./icons.js";

export function ThemeToggle() {
  const theme = useTheme();
  const next = theme === "dark" ? "light" : "dark";
  return (
    <button
      type="button"
      className="icon-btn"
      onClick={toggleTheme}
      title={`Switch to the ${next} theme`}
      aria-label={`Switch to the ${next} theme`}
    >
      <Icon name={theme === "dark" ? "sun" : "moon"} />
    </button>
  );
}
