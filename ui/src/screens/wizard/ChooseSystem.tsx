import { useId, useMemo, useState } from "react";

import type { CreditSummary } from "../../bindings/CreditSummary";
import type { SystemDescriptor } from "../../bindings/SystemDescriptor";
import { Icon } from "../../components/Icon";

export function creditWords(cost: number, credits: CreditSummary | null): string {
  const unit = cost === 1 ? "credit" : "credits";
  if (!credits) return `Uses ${cost} ${unit}`;
  return `Uses ${cost} of your ${credits.allowance} credits`;
}

export function filterSystems(systems: SystemDescriptor[], search: string, category: string): SystemDescriptor[] {
  const words = search.trim().toLowerCase().split(/\s+/).filter(Boolean);
  return systems.filter((s) => {
    if (category && s.category !== category) return false;
    const haystack = `${s.name} ${s.summary} ${s.category}`.toLowerCase();
    return words.every((w) => haystack.includes(w));
  });
}

export function ChooseSystem({
  systems,
  credits,
  onChoose,
}: {
  systems: SystemDescriptor[];
  credits: CreditSummary | null;
  onChoose: (system: SystemDescriptor) => void;
}) {
  const ids = useId();
  const [search, setSearch] = useState("");
  const [category, setCategory] = useState("");
  const categories = useMemo(() => Array.from(new Set(systems.map((s) => s.category))).sort(), [systems]);
  const shown = filterSystems(systems, search, category).sort(
    (a, b) => Number(b.available) - Number(a.available) || a.name.localeCompare(b.name),
  );

  return (
    <div data-testid="wizard-choose">
      <h2 className="wizard-question">Which system do you want to connect?</h2>
      <div className="catalog-filters">
        <div className="field search-field">
          <label htmlFor={`${ids}-search`}>Search</label>
          <div className="input-icon">
            <Icon name="search" size={18} />
            <input
              id={`${ids}-search`}
              type="search"
              value={search}
              onChange={(e) => setSearch(e.target.value)}
              placeholder="For example: Fergus, accounting"
              autoComplete="off"
            />
          </div>
        </div>
        <fieldset className="chips">
          <legend>Category</legend>
          {["", ...categories].map((c) => (
            <label key={c || "all"} className={`chip${category === c ? " chip-on" : ""}`}>
              <input type="radio" name={`${ids}-category`} value={c} checked={category === c} onChange={() => setCategory(c)} />
              {c || "All"}
            </label>
          ))}
        </fieldset>
      </div>

      {credits && credits.available <= 0 && (
        <p className="notice notice-warn">
          <Icon name="alert" size={18} />
          <span>
            All {credits.allowance} credits are in use. Disconnect a system you no longer need, or raise the allowance in
            Settings, before connecting another.
          </span>
        </p>
      )}

      {shown.length === 0 ? (
        <p className="muted">No system matches “{search}”. Try a shorter word.</p>
      ) : (
        <ul className="catalog" aria-label="Systems">
          {shown.map((s) => (
            <li key={s.id}>
              <button
                type="button"
                className={`catalog-item${s.available ? "" : " catalog-item-soon"}`}
                onClick={() => s.available && onChoose(s)}
                aria-disabled={!s.available || undefined}
                disabled={!s.available}
                data-testid={`system-${s.id}`}
              >
                <span className="catalog-logo" aria-hidden="true">
                  {s.name.slice(0, 1)}
                </span>
                <span className="catalog-text">
                  <span className="catalog-name">
                    {s.name}
                    {!s.available && <span className="badge badge-soon">Coming soon</span>}
                  </span>
                  <span className="catalog-summary">{s.summary}</span>
                  <span className="catalog-meta">
                    <span className="badge">{s.category}</span>
                    <span className="badge">
                      <Icon name={s.hosting === "cloud" ? "cloud" : "server"} size={14} />
                      {s.hosting === "cloud" ? "Cloud" : "On-premises"}
                    </span>
                    <span className="catalog-credits">{creditWords(s.creditCost, credits)}</span>
                  </span>
                </span>
                {s.available && <Icon name="chevron-right" size={20} className="catalog-chevron" />}
              </button>
            </li>
          ))}
        </ul>
      )}
    </div>
  );
}
