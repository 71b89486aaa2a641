import { useId, useState } from "react";

import type { FieldSpec } from "../../bindings/FieldSpec";
import type { SystemDescriptor } from "../../bindings/SystemDescriptor";
import { Icon } from "../../components/Icon";
import { todayIso } from "../../lib/time";

export interface TokenValues {
  name: string;
  token: string;
  /** YYYY-MM-DD */
  tokenCreated: string;
  apiUrl: string;
}

export type Problems = Partial<Record<keyof TokenValues, string>>;

export function secretField(system: SystemDescriptor): FieldSpec | undefined {
  return system.fields.find((f) => f.secret);
}

export function addressField(system: SystemDescriptor): FieldSpec | undefined {
  return system.fields.find((f) => f.key === "apiUrl");
}

export function initialValues(system: SystemDescriptor): TokenValues {
  return {
    name: system.name,
    token: "",
    tokenCreated: todayIso(),
    apiUrl: addressField(system)?.defaultValue ?? "",
  };
}

function matches(pattern: string | null, value: string): boolean {
  if (!pattern) return true;
  try {
    return new RegExp(pattern).test(value);
  } catch {
    return true;
  }
}

/** Plain-words problems with what was typed (values are trimmed first). */
export function validateValues(
  system: SystemDescriptor,
  values: TokenValues,
  askName: boolean,
  checkAddress = true,
): Problems {
  const problems: Problems = {};
  const token = values.token.trim();
  const secret = secretField(system);
  if (askName && !values.name.trim()) problems.name = "Give the connection a name, for example “Fergus – Smith Plumbing”.";
  if (!token) {
    problems.token = `Paste the ${secret?.label.toLowerCase() ?? "token"} here.`;
  } else if (secret && !matches(secret.pattern, token)) {
    problems.token = secret.patternMessage ?? "This doesn't look right. Check you copied all of it.";
  }
  if (values.tokenCreated) {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(values.tokenCreated) || Number.isNaN(Date.parse(values.tokenCreated)))
      problems.tokenCreated = "Type the date as year-month-day, for example 2026-12-04.";
    else if (values.tokenCreated > todayIso()) problems.tokenCreated = "This date is in the future. When was the token made?";
  }
  const address = addressField(system);
  const apiUrl = values.apiUrl.trim();
  if (address && checkAddress) {
    if (!apiUrl && address.required) problems.apiUrl = `Type the ${address.label.toLowerCase()}.`;
    else if (apiUrl && !matches(address.pattern, apiUrl))
      problems.apiUrl = address.patternMessage ?? "This should be a web address starting with https://.";
  }
  return problems;
}

export function TokenForm({
  system,
  values,
  onChange,
  askName,
  showAddress,
  submitLabel,
  onSubmit,
  onBack,
  backLabel = "Back",
}: {
  system: SystemDescriptor;
  values: TokenValues;
  onChange: (values: TokenValues) => void;
  askName: boolean;
  showAddress: boolean;
  submitLabel: string;
  onSubmit: (values: TokenValues) => void;
  onBack?: () => void;
  backLabel?: string;
}) {
  const ids = useId();
  const [showToken, setShowToken] = useState(false);
  const [touched, setTouched] = useState<Partial<Record<keyof TokenValues, boolean>>>({});
  const [submitted, setSubmitted] = useState(false);
  const secret = secretField(system);
  const address = addressField(system);
  const problems = validateValues(system, values, askName, showAddress);
  const addressChanged = Boolean(address?.defaultValue) && values.apiUrl.trim() !== address?.defaultValue;
  const [advancedOpen, setAdvancedOpen] = useState(addressChanged || Boolean(problems.apiUrl && submitted));

  const shown = (key: keyof TokenValues) => (submitted || touched[key] ? problems[key] : undefined);
  const set = (key: keyof TokenValues, value: string) => onChange({ ...values, [key]: value });
  const blur = (key: keyof TokenValues) => setTouched((t) => ({ ...t, [key]: true }));

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setSubmitted(true);
    if (Object.keys(problems).length > 0) {
      if (problems.apiUrl) setAdvancedOpen(true);
      const first = (["name", "token", "tokenCreated", "apiUrl"] as const).find((k) => problems[k]);
      if (first) document.getElementById(`${ids}-${first}`)?.focus();
      return;
    }
    onSubmit({
      name: values.name.trim(),
      token: values.token.trim(),
      tokenCreated: values.tokenCreated,
      apiUrl: values.apiUrl.trim(),
    });
  };

  const fieldProps = (key: keyof TokenValues) => {
    const problem = shown(key);
    return {
      id: `${ids}-${key}`,
      "aria-invalid": problem ? true : undefined,
      "aria-describedby": `${ids}-${key}-help${problem ? ` ${ids}-${key}-problem` : ""}`,
    } as const;
  };
  const problemLine = (key: keyof TokenValues) => {
    const problem = shown(key);
    return problem ? (
      <p id={`${ids}-${key}-problem`} className="field-problem">
        <Icon name="alert" size={16} /> {problem}
      </p>
    ) : null;
  };

  return (
    <form className="form" onSubmit={submit} noValidate>
      {askName && (
        <div className="field">
          <label htmlFor={`${ids}-name`}>What should we call this connection?</label>
          <input
            {...fieldProps("name")}
            value={values.name}
            onChange={(e) => set("name", e.target.value)}
            onBlur={() => blur("name")}
            maxLength={80}
            autoComplete="off"
          />
          <p id={`${ids}-name-help`} className="field-help">
            Only Patchbay uses this name. For example: “{system.name} – Smith Plumbing”.
          </p>
          {problemLine("name")}
        </div>
      )}

      <div className="field">
        <label htmlFor={`${ids}-token`}>{secret?.label ?? "Access token"}</label>
        <div className="input-with-button">
          <input
            {...fieldProps("token")}
            type={showToken ? "text" : "password"}
            value={values.token}
            onChange={(e) => set("token", e.target.value)}
            onBlur={() => blur("token")}
            placeholder={secret?.example}
            autoComplete="off"
            spellCheck={false}
            data-testid="token-input"
          />
          <button
            type="button"
            className="button button-quiet"
            aria-pressed={showToken}
            onClick={() => setShowToken((v) => !v)}
          >
            <Icon name={showToken ? "eye-off" : "eye"} size={18} />
            {showToken ? "Hide" : "Show"}
          </button>
        </div>
        <p id={`${ids}-token-help`} className="field-help">
          {secret?.help ?? "Paste the token here."}
        </p>
        {problemLine("token")}
      </div>

      <div className="field field-narrow">
        <label htmlFor={`${ids}-tokenCreated`}>When was this token made?</label>
        <input
          {...fieldProps("tokenCreated")}
          type="date"
          value={values.tokenCreated}
          max={todayIso()}
          onChange={(e) => set("tokenCreated", e.target.value)}
          onBlur={() => blur("tokenCreated")}
        />
        <p id={`${ids}-tokenCreated-help`} className="field-help">
          {system.tokenLifetimeDays
            ? `${system.name} tokens stop working ${system.tokenLifetimeDays} days after they are made. We'll remind you before then.`
            : "If you just made it, leave today's date."}
        </p>
        {problemLine("tokenCreated")}
      </div>

      {showAddress && address && (
        <details
          className="advanced"
          open={advancedOpen}
          onToggle={(e) => setAdvancedOpen((e.currentTarget as HTMLDetailsElement).open)}
        >
          <summary>Advanced</summary>
          <div className="field">
            <label htmlFor={`${ids}-apiUrl`}>{address.label}</label>
            <input
              {...fieldProps("apiUrl")}
              type="url"
              value={values.apiUrl}
              onChange={(e) => set("apiUrl", e.target.value)}
              onBlur={() => blur("apiUrl")}
              placeholder={address.example}
              autoComplete="off"
              spellCheck={false}
              data-testid="address-input"
            />
            <p id={`${ids}-apiUrl-help`} className="field-help">
              {address.help}
            </p>
            {problemLine("apiUrl")}
          </div>
        </details>
      )}

      <div className="button-row">
        <button type="submit" className="button button-primary button-large">
          {submitLabel}
        </button>
        {onBack && (
          <button type="button" className="button" onClick={onBack}>
            <Icon name="arrow-left" size={18} />
            {backLabel}
          </button>
        )}
      </div>
    </form>
  );
}
