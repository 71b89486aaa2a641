import type { HealthLook } from "../lib/health";
import { Icon } from "./Icon";

export function HealthBadge({ look, large = false }: { look: HealthLook; large?: boolean }) {
  return (
    <span className={`health-badge tone-${look.tone}${large ? " health-badge-large" : ""}`}>
      <Icon name={look.icon} size={large ? 20 : 16} />
      <span>{look.label}</span>
    </span>
  );
}
