import { useId, useState } from "react";

import type { AppError } from "../bindings/AppError";
import { technicalText } from "../lib/errors";
import { CopyButton } from "./CopyButton";
import { Icon } from "./Icon";

/** Every error, everywhere: what happened → what to do → technical details. */
export function ErrorBox({
  error,
  title,
  children,
}: {
  error: AppError;
  /** A heading above the message ("We couldn't connect"). */
  title?: string;
  /** Buttons (Try again, Back to edit …). */
  children?: React.ReactNode;
}) {
  const [open, setOpen] = useState(false);
  const detailsId = useId();
  const problems = error.problems ?? [];
  return (
    <div className="error-box" role="alert" data-testid="error-box" data-code={error.code}>
      <Icon name="alert" className="error-box-icon" size={22} />
      <div className="error-box-body">
        {title && <p className="error-box-title">{title}</p>}
        <p className="error-box-message">{error.message}</p>
        {problems.length > 0 && (
          <ul className="error-box-problems">
            {problems.map((problem) => (
              <li key={problem}>{problem}</li>
            ))}
          </ul>
        )}
        {error.hint && <p className="error-box-hint">{error.hint}</p>}
        {children && <div className="button-row">{children}</div>}
        <div className="error-box-details">
            <button
              type="button"
              className="link-button"
              aria-expanded={open}
              aria-controls={detailsId}
              data-testid="error-details-toggle"
              onClick={() => setOpen((v) => !v)}
            >
              <Icon name={open ? "chevron-down" : "chevron-right"} size={16} />
              Technical details
            </button>
            {open && (
              <div id={detailsId} className="error-box-technical">
                <pre>{technicalText(error)}</pre>
                <CopyButton text={technicalText(error)} label="Copy" />
              </div>
            )}
        </div>
      </div>
    </div>
  );
}
