import { Icon, type IconName } from "../../components/Icon";
import type { StepStatus } from "../../bindings/StepStatus";
import { stepWords } from "../../lib/progress";
import type { ProgressRow } from "./useAttempt";

const STATUS: Record<StepStatus, { icon: IconName; words: string }> = {
  running: { icon: "spinner", words: "in progress" },
  passed: { icon: "check-circle", words: "done" },
  failed: { icon: "x-circle", words: "failed" },
  skipped: { icon: "minus-circle", words: "skipped" },
};

/**
 * "Reaching Fergus…" while it runs, then "Reached Fergus ✓", "Couldn't sign in ✗".
 * `stopped`: the attempt is over (failed or gave up), so nothing is still running.
 */
export function ProgressRows({
  rows,
  waitingLabel,
  stopped = false,
}: {
  rows: ProgressRow[];
  waitingLabel: string;
  stopped?: boolean;
}) {
  return (
    <ol className="progress-rows" aria-live="polite" aria-label="Progress">
      {rows.length === 0 && !stopped && (
        <li className="progress-row" data-status="running" data-testid="progress-starting">
          <Icon name="spinner" size={20} />
          <span>{waitingLabel}</span>
        </li>
      )}
      {rows.map((row) => {
        const status: StepStatus = stopped && row.status === "running" ? "failed" : row.status;
        const look = STATUS[status];
        return (
          <li
            key={row.key}
            className={`progress-row progress-${status}`}
            data-testid={`progress-${row.key}`}
            data-status={status}
          >
            <Icon name={look.icon} size={20} />
            <span>
              {stepWords({ step: row.step, status, label: row.label })}
              <span className="visually-hidden"> — {look.words}</span>
            </span>
          </li>
        );
      })}
    </ol>
  );
}
