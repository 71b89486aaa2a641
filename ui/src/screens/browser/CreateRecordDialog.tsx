import { useId, useState } from "react";

import type { AppError } from "../../bindings/AppError";
import type { CreateOutcome } from "../../bindings/CreateOutcome";
import type { EntityTypeSpec } from "../../bindings/EntityTypeSpec";
import type { Record as EntityRecord } from "../../bindings/Record";
import { Dialog } from "../../components/Dialog";
import { ErrorBox } from "../../components/ErrorBox";
import { Icon } from "../../components/Icon";
import { toAppError } from "../../lib/errors";
import * as platform from "../../platform";

export interface CustomerForm {
  name: string;
  firstName: string;
  lastName: string;
  email: string;
  phone: string;
}

export interface JobForm {
  title: string;
  jobType: "Quote" | "Estimate" | "Charge Up";
  isDraft: boolean;
  description: string;
  customerId: string;
  siteId: string;
}

const EMAIL = /^[^\s@]+@[^\s@]+\.[^\s@]+$/;

export function customerProblems(form: CustomerForm): string[] {
  const problems: string[] = [];
  if (!form.name.trim()) problems.push("A customer needs a name.");
  if (!form.firstName.trim()) problems.push("A customer needs a main contact with a first name.");
  if (form.email.trim() && !EMAIL.test(form.email.trim())) problems.push("The email address doesn't look right.");
  return problems;
}

export function customerBody(form: CustomerForm): Record<string, unknown> {
  const contactItems: { contactType: string; contactValue: string }[] = [];
  if (form.email.trim()) contactItems.push({ contactType: "email", contactValue: form.email.trim() });
  if (form.phone.trim()) contactItems.push({ contactType: "phone", contactValue: form.phone.trim() });
  const mainContact: Record<string, unknown> = { firstName: form.firstName.trim() };
  if (form.lastName.trim()) mainContact.lastName = form.lastName.trim();
  if (contactItems.length) mainContact.contactItems = contactItems;
  return { customerFullName: form.name.trim(), mainContact };
}

export function jobProblems(form: JobForm): string[] {
  const problems: string[] = [];
  if (!form.title.trim()) problems.push("A job needs a title.");
  if (form.customerId.trim() && !/^\d+$/.test(form.customerId.trim())) problems.push("The customer number is digits only.");
  if (form.siteId.trim() && !/^\d+$/.test(form.siteId.trim())) problems.push("The site number is digits only.");
  if (!form.isDraft && (!form.description.trim() || !form.customerId.trim() || !form.siteId.trim()))
    problems.push("A job that is not a draft needs a description, a customer and a site.");
  return problems;
}

export function jobBody(form: JobForm): Record<string, unknown> {
  const body: Record<string, unknown> = { jobType: form.jobType, title: form.title.trim(), isDraft: form.isDraft };
  if (form.description.trim()) body.description = form.description.trim();
  if (form.customerId.trim()) body.customerId = Number(form.customerId.trim());
  if (form.siteId.trim()) body.siteId = Number(form.siteId.trim());
  return body;
}

export function CreateRecordDialog({
  connectionId,
  spec,
  onClose,
  onShow,
}: {
  connectionId: string;
  spec: EntityTypeSpec;
  onClose: () => void;
  onShow: (record: EntityRecord) => void;
}) {
  const ids = useId();
  const [customer, setCustomer] = useState<CustomerForm>({ name: "", firstName: "", lastName: "", email: "", phone: "" });
  const [job, setJob] = useState<JobForm>({
    title: "",
    jobType: "Quote",
    isDraft: true,
    description: "",
    customerId: "",
    siteId: "",
  });
  const [problems, setProblems] = useState<string[]>([]);
  const [saving, setSaving] = useState(false);
  const [error, setError] = useState<AppError | null>(null);
  const [outcome, setOutcome] = useState<CreateOutcome | null>(null);
  const kind = spec.key === "customers" ? "customer" : spec.key === "jobs" ? "job" : null;

  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    const found = kind === "customer" ? customerProblems(customer) : kind === "job" ? jobProblems(job) : [];
    setProblems(found);
    if (found.length > 0 || !kind) return;
    setSaving(true);
    setError(null);
    platform.createRecord(connectionId, spec.key, kind === "customer" ? customerBody(customer) : jobBody(job)).then(
      (result) => {
        setSaving(false);
        setOutcome(result);
      },
      (e: unknown) => {
        setSaving(false);
        setError(toAppError(e));
      },
    );
  };

  const title = `New ${spec.singular.toLowerCase()}`;
  const input = (
    key: string,
    label: string,
    value: string,
    onChange: (v: string) => void,
    extra: { type?: string; help?: string; required?: boolean; autoFocus?: boolean } = {},
  ) => (
    <div className="field">
      <label htmlFor={`${ids}-${key}`}>
        {label}
        {extra.required ? "" : <span className="optional"> (optional)</span>}
      </label>
      <input
        id={`${ids}-${key}`}
        type={extra.type ?? "text"}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-describedby={extra.help ? `${ids}-${key}-help` : undefined}
        data-autofocus={extra.autoFocus ? true : undefined}
        autoComplete="off"
      />
      {extra.help && (
        <p id={`${ids}-${key}-help`} className="field-help">
          {extra.help}
        </p>
      )}
    </div>
  );

  if (outcome) {
    const created = outcome.outcome === "created";
    return (
      <Dialog title={title} onClose={onClose}>
        <div className={`notice ${created ? "notice-good" : "notice-warn"}`} role="status" data-testid="create-outcome" data-outcome={outcome.outcome}>
          <Icon name={created ? "check-circle" : "info"} size={20} />
          <span>
            {created
              ? `Created in the system: ${outcome.record.title}.`
              : `This ${spec.singular.toLowerCase()} already exists, so nothing new was made: ${outcome.record.title}.`}
          </span>
        </div>
        <div className="button-row">
          <button type="button" className="button button-primary" data-autofocus onClick={() => onShow(outcome.record)}>
            Show the {spec.singular.toLowerCase()}
          </button>
          <button type="button" className="button" onClick={onClose}>
            Close
          </button>
        </div>
      </Dialog>
    );
  }

  return (
    <Dialog title={title} onClose={onClose} wide>
      {!kind ? (
        <p>Patchbay can't create {spec.label.toLowerCase()} yet.</p>
      ) : (
        <form className="form" onSubmit={submit} noValidate data-testid={`create-${kind}-form`}>
          {kind === "customer" && (
            <>
              {input("name", "Customer name", customer.name, (v) => setCustomer({ ...customer, name: v }), {
                required: true,
                autoFocus: true,
                help: "A person or a business, for example “Aroha Ngata” or “Harbour View Cafe”.",
              })}
              <div className="field-pair">
                {input("first", "Contact's first name", customer.firstName, (v) => setCustomer({ ...customer, firstName: v }), {
                  required: true,
                })}
                {input("last", "Contact's last name", customer.lastName, (v) => setCustomer({ ...customer, lastName: v }))}
              </div>
              <div className="field-pair">
                {input("email", "Email", customer.email, (v) => setCustomer({ ...customer, email: v }), { type: "email" })}
                {input("phone", "Phone", customer.phone, (v) => setCustomer({ ...customer, phone: v }), { type: "tel" })}
              </div>
            </>
          )}
          {kind === "job" && (
            <>
              {input("title", "Job title", job.title, (v) => setJob({ ...job, title: v }), {
                required: true,
                autoFocus: true,
                help: "For example “Replace hot water cylinder”.",
              })}
              <div className="field">
                <label htmlFor={`${ids}-type`}>Job type</label>
                <select id={`${ids}-type`} value={job.jobType} onChange={(e) => setJob({ ...job, jobType: e.target.value as JobForm["jobType"] })}>
                  <option value="Quote">Quote</option>
                  <option value="Estimate">Estimate</option>
                  <option value="Charge Up">Charge Up</option>
                </select>
              </div>
              <label className="checkbox">
                <input type="checkbox" checked={job.isDraft} onChange={(e) => setJob({ ...job, isDraft: e.target.checked })} />
                Save as a draft (drafts don't show in lists until finished in the system)
              </label>
              <div className="field">
                <label htmlFor={`${ids}-description`}>
                  Description{job.isDraft && <span className="optional"> (optional)</span>}
                </label>
                <textarea id={`${ids}-description`} rows={3} value={job.description} onChange={(e) => setJob({ ...job, description: e.target.value })} />
              </div>
              <div className="field-pair">
                {input("customer", "Customer number", job.customerId, (v) => setJob({ ...job, customerId: v }), {
                  required: !job.isDraft,
                  help: "The customer's id, from the customer list.",
                })}
                {input("site", "Site number", job.siteId, (v) => setJob({ ...job, siteId: v }), {
                  required: !job.isDraft,
                  help: "The site's id, from the site list.",
                })}
              </div>
            </>
          )}
          {problems.length > 0 && (
            <div className="notice notice-warn" role="alert" data-testid="form-problems">
              <Icon name="alert" size={18} />
              <ul>
                {problems.map((p) => (
                  <li key={p}>{p}</li>
                ))}
              </ul>
            </div>
          )}
          {error && <ErrorBox error={error} title={`The system didn't accept this ${spec.singular.toLowerCase()}`} />}
          <div className="button-row">
            <button type="submit" className="button button-primary" disabled={saving}>
              {saving ? `Creating…` : `Create ${spec.singular.toLowerCase()}`}
            </button>
            <button type="button" className="button" onClick={onClose}>
              Cancel
            </button>
          </div>
        </form>
      )}
    </Dialog>
  );
}
