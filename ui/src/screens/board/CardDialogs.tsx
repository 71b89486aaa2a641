import { useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { ConnectionView } from "../../bindings/ConnectionView";
import { Dialog } from "../../components/Dialog";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";

export function RenameDialog({
  connection,
  onClose,
  onDone,
}: {
  connection: ConnectionView;
  onClose: () => void;
  onDone: (connection: ConnectionView) => void;
}) {
  const [name, setName] = useState(connection.name);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const trimmed = name.trim();

  const save = (event: React.FormEvent) => {
    event.preventDefault();
    if (!trimmed) return;
    setSaving(true);
    setError(null);
    platform.renameConnection(connection.id, trimmed).then(
      (updated) => {
        onDone(updated);
        onClose();
      },
      (e: unknown) => {
        setError(toAppError(e));
        setSaving(false);
      },
    );
  };

  return (
    <Dialog title={`Rename ${connection.name}`} onClose={onClose}>
      <form onSubmit={save} className="form">
        <div className="field">
          <label htmlFor="rename-input">New name</label>
          <input
            id="rename-input"
            data-autofocus
            value={name}
            onChange={(e) => setName(e.target.value)}
            maxLength={80}
            aria-describedby="rename-help"
          />
          <p id="rename-help" className="field-help">
            Only Patchbay uses this name. For example "Fergus – Smith Plumbing".
          </p>
          {!trimmed && <p className="field-problem">Give the connection a name.</p>}
        </div>
        {error && <ErrorBox error={error} />}
        <div className="button-row">
          <button type="submit" className="button button-primary" disabled={saving || !trimmed}>
            {saving ? "Saving…" : "Save name"}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Cancel
          </button>
        </div>
      </form>
    </Dialog>
  );
}

export function DisconnectDialog({
  connection,
  onClose,
  onDone,
}: {
  connection: ConnectionView;
  onClose: () => void;
  onDone: (connection: ConnectionView) => void;
}) {
  const [working, setWorking] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const credits = connection.creditCost;

  const confirm = () => {
    setWorking(true);
    setError(null);
    platform.disconnect(connection.id).then(
      (updated) => {
        onDone(updated);
        onClose();
      },
      (e: unknown) => {
        setError(toAppError(e));
        setWorking(false);
      },
    );
  };

  return (
    <Dialog title={`Disconnect ${connection.name}?`} onClose={onClose}>
      <p className="dialog-text" data-testid="disconnect-explanation">
        Patchbay will forget the token and stop checking. Your history stays. This frees {credits}{" "}
        {credits === 1 ? "credit" : "credits"}.
      </p>
      <p className="dialog-text muted">
        The token itself keeps working in {connection.systemName} until someone removes it there. You can connect{" "}
        {connection.systemName} again at any time.
      </p>
      {error && <ErrorBox error={error} />}
      <div className="button-row">
        <button type="button" className="button button-danger" onClick={confirm} disabled={working}>
          <Icon name="unlink" size={18} />
          {working ? "Disconnecting…" : "Disconnect"}
        </button>
        <button type="button" className="button" data-autofocus onClick={onClose}>
          Keep it connected
        </button>
      </div>
    </Dialog>
  );
}
