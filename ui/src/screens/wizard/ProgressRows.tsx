import { Icon, type IconName } from "../../components/Icon";
import type { StepStatus } from "../../bindings/StepStatus";
import type { ProgressRow } from "./useAttempt";

const STATUS: Record<StepStatus, { icon: IconName; words: string }> = {
  running: { icon: "spinner", words: "in progress" },
  passed: { icon: "check-circle", words: "done" },
  failed: { icon: "x-circle", words: "failed" },
  skipped: { icon: "minus-circle", words: "skipped" },
};

/** "Reaching Fergus… ✓  Signing in… ✓  Checking access to jobs… ✓" */
export function ProgressRows({ rows, waitingLabel }: { rows: ProgressRow[]; waitingLabel: string }) {
  return (
    <ol className="progress-rows" aria-live="polite" aria-label="Progress">
      {rows.length === 0 && (
        <li className="progress-row" data-status="running" data-testid="progress-starting">
          <Icon name="spinner" size={20} />
          <span>{waitingLabel}</span>
        </li>
      )}
      {rows.map((row) => {
        const look = STATUS[row.status];
        return (
          <li
            key={row.key}
            className={`progress-row progress-${row.status}`}
            data-testid={`progress-${row.key}`}
            data-status={row.status}
          >
            <Icon name={look.icon} size={20} />
            <span>
              {row.label}
              <span className="visually-hidden"> — {look.words}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
