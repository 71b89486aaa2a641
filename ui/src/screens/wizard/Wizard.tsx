import { useEffect, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { ConnectionView } from "../../bindings/ConnectionView";
import type { SystemDescriptor } from "../../bindings/SystemDescriptor";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { StepIndicator } from "../../components/StepIndicator";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";
import { useConnections } from "../../state/connections";
import { useNavigate } from "../../state/navigation";
import { useNotice } from "../../state/notice";
import { useLatestRef } from "../../lib/useLatest";
import { ChooseSystem } from "./ChooseSystem";
import { GuidancePanel } from "./GuidancePanel";
import { ProgressRows } from "./ProgressRows";
import { TokenForm, addressField, initialValues, type TokenValues } from "./TokenForm";
import { useAttempt } from "./useAttempt";

const STEPS = ["Choose system", "Get your token", "Check", "Done"];

type Step = "choose" | "token" | "check" | "done";

/** "jobs, customers, sites and quotes" */
export function listWords(items: string[]): string {
  if (items.length <= 1) return items.join("");
  return `${items.slice(0, -1).join(", ")} and ${items[items.length - 1]}`;
}

/** What a new connection can do, in words, from the system's entity types. */
export function capabilityWords(system: SystemDescriptor | null, connection: ConnectionView): { read: string; create: string } {
  const specs = system?.entityTypes ?? [];
  const label = (key: string) => (specs.find((s) => s.key === key)?.label ?? key).toLowerCase();
  const readable = connection.readableEntities;
  const creatable = specs.filter((s) => s.creatable && readable.includes(s.key)).map((s) => s.label.toLowerCase());
  return { read: listWords(readable.map(label)), create: listWords(creatable) };
}

export function Wizard() {
  const navigate = useNavigate();
  const notice = useNotice();
  const { credits, upsert } = useConnections();
  const [systems, setSystems] = useState<SystemDescriptor[] | null>(null);
  const [systemsError, setSystemsError] = useState<AppError | null>(null);
  const [step, setStep] = useState<Step>("choose");
  const [system, setSystem] = useState<SystemDescriptor | null>(null);
  const [values, setValues] = useState<TokenValues | null>(null);
  const [allowDuplicate, setAllowDuplicate] = useState(false);
  const attempt = useAttempt(system?.name ?? "the system");
  const [loadGeneration, setLoadGeneration] = useState(0);

  useEffect(() => {
    let cancelled = false;
    platform.listSystems().then(
      (list) => {
        if (!cancelled) {
          setSystems(list);
          setSystemsError(null);
        }
      },
      (e: unknown) => !cancelled && setSystemsError(toAppError(e)),
    );
    return () => {
      cancelled = true;
    };
  }, [loadGeneration]);

  const { state, abandon } = attempt;

  const cancel = () => {
    if (state.phase === "running") {
      abandon();
    }
    notice("Nothing was saved.");
    navigate({ screen: "board" });
  };

  const cancelRef = useLatestRef(cancel);
  // Esc cancels the wizard (dialogs inside stop the key themselves).
  useEffect(() => {
    const onKey = (event: KeyboardEvent) => {
      if (event.key !== "Escape" || event.defaultPrevented || step === "done") return;
      event.preventDefault();
      cancelRef.current();
    };
    window.addEventListener("keydown", onKey);
    return () => window.removeEventListener("keydown", onKey);
  }, [step, cancelRef]);

  const start = (v: TokenValues, duplicate = allowDuplicate) => {
    if (!system) return;
    setValues(v);
    setAllowDuplicate(duplicate);
    setStep("check");
    const defaultAddress = addressField(system)?.defaultValue ?? null;
    attempt.run(
      (attemptId) =>
        platform.connect({
          system: system.id,
          name: v.name,
          apiUrl: v.apiUrl && v.apiUrl !== defaultAddress ? v.apiUrl : null,
          token: v.token,
          tokenCreated: v.tokenCreated || null,
          allowDuplicate: duplicate,
          attemptId,
        }),
      {
        onSuccess: (connection) => {
          upsert(connection);
          setStep("done");
        },
        // The person cancelled but the system answered after all: undo, so
        // "Nothing was saved" stays true.
        onLateSuccess: (late) => {
          void platform.disconnect(late.id).then(upsert, () => undefined);
        },
      },
    );
  };

  const index = step === "choose" ? 0 : step === "token" ? 1 : step === "check" ? 2 : 3;

  return (
    <section className="screen screen-narrow" data-testid="screen-wizard" aria-labelledby="wizard-title">
      <header className="screen-header">
        <div>
          <h1 id="wizard-title">Add a system</h1>
          <p className="screen-lede">Connect a system in about a minute. Nothing is saved until the check passes.</p>
        </div>
        {step !== "done" && (
          <button type="button" className="button button-quiet" onClick={cancel}>
            <Icon name="x" size={18} />
            Cancel
          </button>
        )}
      </header>
      <StepIndicator steps={STEPS} current={index} />

      {step === "choose" && (
        <>
          {systemsError && (
            <ErrorBox error={systemsError} title="The list of systems couldn't be loaded">
              <button type="button" className="button" onClick={() => setLoadGeneration((g) => g + 1)}>
                Try again
              </button>
            </ErrorBox>
          )}
          {!systems && !systemsError && (
            <p className="loading-line" role="status">
              <Icon name="spinner" size={18} /> Loading the systems Patchbay knows…
            </p>
          )}
          {systems && (
            <ChooseSystem
              systems={systems}
              credits={credits}
              onChoose={(s) => {
                if (s.id !== system?.id) setValues(initialValues(s));
                setSystem(s);
                setStep("token");
              }}
            />
          )}
        </>
      )}

      {step === "token" && system && values && (
        <div className="wizard-split" data-testid="wizard-token">
          <div>
            <h2 className="wizard-question">Connect {system.name}</h2>
            <p className="muted">{system.summary}</p>
            <TokenForm
              system={system}
              values={values}
              onChange={setValues}
              askName
              showAddress
              submitLabel="Check and connect"
              onSubmit={(v) => start(v)}
              onBack={() => setStep("choose")}
            />
          </div>
          <GuidancePanel
            system={system}
            apiUrl={values.apiUrl && values.apiUrl !== addressField(system)?.defaultValue ? values.apiUrl.trim() : undefined}
          />
        </div>
      )}

      {step === "check" && system && values && (
        <div data-testid="wizard-check">
          <h2 className="wizard-question">Checking the connection to {system.name}</h2>
          <ProgressRows
            rows={attempt.rows}
            stopped={state.phase === "failed" || state.phase === "timedOut"}
            waitingLabel={`Getting ready to reach ${system.name}…`} />

          {state.phase === "running" && state.slow && (
            <div className="notice notice-warn notice-wrap" role="status" data-testid="slow-warning">
              <Icon name="alert" size={18} />
              <span>This is taking longer than usual.</span>
              <button type="button" className="button button-small" onClick={attempt.keepWaiting}>
                Keep waiting
              </button>
              <button type="button" className="button button-small" onClick={cancel}>
                Cancel
              </button>
            </div>
          )}

          {(state.phase === "failed" || state.phase === "timedOut") && (
            <ErrorBox error={state.error} title="We couldn't connect">
              {state.error.code === "duplicate_connection" ? (
                <>
                  <button type="button" className="button button-primary" onClick={() => start(values, true)}>
                    Connect anyway
                  </button>
                  <button type="button" className="button" onClick={() => navigate({ screen: "board" })}>
                    Go to the existing connection
                  </button>
                </>
              ) : (
                <button type="button" className="button button-primary" onClick={() => start(values)}>
                  <Icon name="refresh" size={18} />
                  Try again
                </button>
              )}
              <button type="button" className="button" onClick={() => setStep("token")}>
                <Icon name="arrow-left" size={18} />
                Back to edit
              </button>
            </ErrorBox>
          )}

          {state.phase === "running" && (
            <div className="button-row">
              <button
                type="button"
                className="button"
                onClick={() => {
                  abandon();
                  setStep("token");
                }}
              >
                <Icon name="arrow-left" size={18} />
                Back
              </button>
            </div>
          )}
        </div>
      )}

      {step === "done" && state.phase === "succeeded" && (
        <DoneStep system={system} connection={state.connection} />
      )}
    </section>
  );
}

function DoneStep({ system, connection }: { system: SystemDescriptor | null; connection: ConnectionView }) {
  const navigate = useNavigate();
  const words = capabilityWords(system, connection);
  return (
    <div className="done" data-testid="wizard-done">
      <div className="done-mark" aria-hidden="true">
        <Icon name="check-circle" size={56} />
      </div>
      <h2 className="wizard-question" data-testid="done-message">
        Connected to <b>{connection.accountName}</b>.
      </h2>
      <p className="done-text">
        {words.read && (
          <>
            Patchbay can read {words.read}
            {words.create && <>, and create {words.create}</>}.{" "}
          </>
        )}
        We'll check it every few minutes and tell you if anything needs fixing.
      </p>
      <div className="button-row button-row-center">
        <button type="button" className="button button-primary button-large" data-autofocus onClick={() => navigate({ screen: "board" })}>
          Go to the board
        </button>
        <button type="button" className="button button-large" onClick={() => navigate({ screen: "browser", connectionId: connection.id })}>
          <Icon name="table" size={18} />
          Browse the data
        </button>
      </div>
    </div>
  );
}

