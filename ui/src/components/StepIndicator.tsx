import { Icon } from "./Icon";

export function StepIndicator({ steps, current }: { steps: string[]; current: number }) {
  return (
    <nav aria-label="Steps">
      <ol className="step-indicator">
        {steps.map((step, i) => {
          const state = i < current ? "done" : i === current ? "current" : "todo";
          return (
            <li key={step} className={`step step-${state}`} aria-current={i === current ? "step" : undefined}>
              <span className="step-number" aria-hidden="true">
                {state === "done" ? <Icon name="check" size={14} /> : i + 1}
              </span>
              <span className="step-label">
                {step}
                {state === "done" && <span className="visually-hidden"> (done)</span>}
              </span>
            </li>
          );
        })}
      </ol>
    </nav>
  );
}
