import { useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { SystemDescriptor } from "../../bindings/SystemDescriptor";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";

/** "Where do I find this?": the system's numbered steps and a button to its settings page. */
export function GuidancePanel({
  system,
  apiUrl,
  connectionId,
}: {
  system: SystemDescriptor;
  /** The address typed in the form (the sandbox's, on-prem); undefined = default. */
  apiUrl?: string;
  connectionId?: string;
}) {
  const [error, setError] = useState<AppError | null>(null);
  const [opened, setOpened] = useState(false);

  const open = () => {
    setError(null);
    const args: { systemId: string; apiUrl?: string; connectionId?: string } = { systemId: system.id };
    if (apiUrl) args.apiUrl = apiUrl;
    if (connectionId) args.connectionId = connectionId;
    platform.openSettingsPage(args).then(
      () => setOpened(true),
      (e: unknown) => setError(toAppError(e)),
    );
  };

  return (
    <aside className="guidance" aria-labelledby="guidance-title" data-testid="guidance">
      <h2 id="guidance-title" className="guidance-title">
        <Icon name="info" size={20} /> Where do I find this?
      </h2>
      <ol className="guidance-steps">
        {system.guidance.steps.map((step) => (
          <li key={step}>{step}</li>
        ))}
      </ol>
      <button type="button" className="button" onClick={open}>
        <Icon name="external" size={18} />
        Open {system.name} settings
      </button>
      {opened && (
        <p className="field-help" role="status">
          Opened in your web browser. Come back here when you have the token.
        </p>
      )}
      {error && <ErrorBox error={error} />}
      {system.guidance.notes.length > 0 && (
        <>
          <h3 className="guidance-notes-title">Good to know</h3>
          <ul className="guidance-notes">
            {system.guidance.notes.map((note) => (
              <li key={note}>{note}</li>
            ))}
          </ul>
        </>
      )}
    </aside>
  );
}
