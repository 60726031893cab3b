// Record forms (form[data-outbox]) save to the outbox instead of posting. The page then
// tries to send at once: visits and contacts give a fresh form straight away, the rest move
// on once the server has the record, or say that it waits. A record the server refused
// comes back into its form with the server's errors by its fields, to be fixed and saved
// again as the same outbox entry (the outbox page's "Fix" opens it the same way, ?fix=op).
import * as outbox from "./outbox.js";
import { counted, londonNow, say, sayNext, t } from "./text.js";

const CREATES = new Set(["visit", "contact", "patrol_start", "patrol_end"]);
const NOW_FIELDS = ["arrived_at", "at", "started_at", "ended_at"]; // default to "now"
const QUICK_MS = 2500; // how long a fresh visit or contact form waits for the first answer
const PATROL = /^\/patrols\/([0-9a-f-]{36})(\/|$)/;

export const patrolInPath = () => PATROL.exec(location.pathname)?.[1] || null;

/** Wire every record form on the page for the signed-in person `me` (a user id). */
export function setUp(me) {
  for (const form of document.querySelectorAll("form[data-outbox]")) {
    const fix = new URLSearchParams(location.search).get("fix");
    if (fix) openFix(form, fix, me);
    else if (!form.querySelector(".error")) freshen(form); // a server's errors keep its values
    form.hiddenDefaults = hiddenValues(form);
    countPeople(form);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      if (form.busy) return; // a double tap saves once
      form.busy = true;
      try {
        await submit(form, me);
      } finally {
        form.busy = false;
      }
    });
  }
}

// ----------------------------------------------------------------- the form's values

// FormData minus the CSRF token; checkbox groups are always lists.
function formValues(form) {
  const data = {};
  const lists = new Set([...form.querySelectorAll("input[type=checkbox]")].map((box) => box.name));
  for (const [name, value] of new FormData(form)) {
    if (name === "csrf_token" || typeof value !== "string") continue;
    if (lists.has(name) || name in data) data[name] = [].concat(data[name] ?? [], value);
    else data[name] = value;
  }
  return data;
}

function fillIn(form, data) {
  for (const element of form.elements) {
    if (!element.name || element.name === "csrf_token") continue;
    const values = [].concat(data[element.name] ?? []).map(String);
    if (element.type === "checkbox" || element.type === "radio") element.checked = values.includes(element.value);
    else if (element.tagName !== "BUTTON") element.value = values[0] ?? "";
  }
}

function hiddenValues(form) {
  return [...form.querySelectorAll("input[type=hidden]")].map((input) => [input, input.value]);
}

// A new record: a new id and the time fields at now (a cached shell's are stale), but
// never earlier than the page's own default (the end of a patrol started a minute ago).
function freshen(form) {
  if (!CREATES.has(form.dataset.outbox)) return;
  const id = form.querySelector("input[name=id]");
  if (id) id.value = crypto.randomUUID();
  const now = londonNow();
  for (const name of NOW_FIELDS) {
    const input = form.querySelector(`input[type="datetime-local"][name="${name}"]`);
    if (input && (!input.value || input.value < now)) input.value = now;
  }
}

function freshForm(form) {
  form.reset();
  for (const [input, value] of form.hiddenDefaults) input.value = value; // e.g. the one venue
  freshen(form);
  clearErrors(form);
  delete form.dataset.fixOp;
  const located = document.getElementById("location-status"); // "add my location" said where
  if (located) located.textContent = "";
  form.dispatchEvent(new Event("change")); // the Save button's count follows the reset
  // Back to the top, ready for the next record; the confirmation is read out by its live region.
  (document.querySelector("body.with-save-bar > .page") || window).scrollTo(0, 0);
  form.querySelector("input:not([type=hidden]), select, textarea")?.focus({ preventScroll: true });
}

// ------------------------------------------------------------------------ saving

async function submit(form, me) {
  const entry = await store(form, me);
  if (entry) await afterSave(form, entry);
}

// The entry written to IndexedDB first; when the device cannot keep it, say so and keep
// the answers in the form (online, the form is posted as it would be without scripts).
async function store(form, me) {
  const data = formValues(form);
  const author = await outbox.authorToken(me).catch(() => "");
  try {
    const fixing = form.dataset.fixOp;
    if (fixing) {
      const entry = await outbox.get(fixing);
      if (!entry) return say(t("gone"), "error");
      await outbox.update(fixing, { data, author: author || entry.author });
      return entry;
    }
    const entry = { ...describe(form), author, author_id: me, data };
    return { ...entry, op: await outbox.save(entry) };
  } catch (error) {
    const full = error?.name === "QuotaExceededError" || /quota/i.test(String(error?.message));
    const online = navigator.onLine && !form.dataset.fixOp;
    say(`${t(full ? "full" : "no_storage")}${online ? ` ${t("posting")}` : ""}`, "error");
    if (online) HTMLFormElement.prototype.submit.call(form);
    return null;
  }
}

function describe(form) {
  const kind = form.dataset.outbox;
  const id = form.querySelector("input[name=id]")?.value;
  const patrol = form.dataset.patrol || patrolInPath(); // the home screen names its patrol
  switch (kind) {
    case "contact":
      return { kind, id, patrol };
    case "patrol_end":
      return { kind, id: patrol };
    case "visit_correction":
      return { kind, id: form.dataset.record, base_version: Number(form.dataset.version) };
    case "contact_correction":
      return { kind, id: form.dataset.record, patrol, base_version: Number(form.dataset.version) };
    default:
      return { kind, id }; // visit, patrol_start
  }
}

async function afterSave(form, entry) {
  const { op, kind } = entry;
  const fromOutbox = new URLSearchParams(location.search).has("fix");
  outbox.askPersistence();
  outbox.requestBackgroundSync();
  const sending = outbox.sync({ activity: true });
  const quick = (kind === "visit" || kind === "contact") && !fromOutbox;
  // A fresh form should not wait long for a slow network; the rest wait for the answer.
  if (navigator.onLine) await (quick ? Promise.race([sending, sleep(QUICK_MS)]) : sending);
  const now = await outbox.get(op); // gone: the server has it
  if (now?.state === "rejected") return showFix(form, now, t("check"));
  const saved = t(`saved.${kind}`);
  if (fromOutbox) {
    sayNext(now ? t("waits") : saved);
    return location.assign("/outbox");
  }
  if (quick) {
    if (new URLSearchParams(location.search).has("contact")) {
      sayNext(saved); // a hand-over's visit: the next form is a plain one
      return location.assign(location.pathname);
    }
    freshForm(form);
    return say(saved);
  }
  if (kind === "patrol_start") {
    await outbox.setMeta("patrol", { user: entry.author_id, id: entry.id }).catch(() => {});
    sayNext(now ? `${saved} ${t("waits")}` : saved);
    return location.assign(`/patrols/${entry.id}/contacts/new`);
  }
  if (!now) {
    sayNext(saved);
    return location.assign(kind === "patrol_end" ? `/patrols/${entry.id}/summary` : location.pathname);
  }
  // An end or a correction that waits: saving it again would only make a second copy.
  submitButton(form).hidden = true;
  say(t("waits"));
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

// The form's Save button, inside it or in the save bar below the page (form="...").
const submitButton = (form) => [...form.elements].find((element) => element.type === "submit");

// The contact form's Save button says how many people it counts: "Save contact: 2 people".
function countPeople(form) {
  const button = submitButton(form);
  if (!button || !("people" in button.dataset)) return;
  const show = () => {
    const more = Number(form.elements.people_more?.value) || 0;
    const chosen = Number(form.querySelector("input[name=people]:checked")?.value) || 1;
    button.textContent = counted("save_contact", more > 6 ? more : chosen);
  };
  form.addEventListener("change", show);
  form.addEventListener("input", show);
  show();
}

// ----------------------------------------------------------------- fixing an entry

async function openFix(form, op, me) {
  const entry = await outbox.get(op).catch(() => null);
  if (!entry || entry.author_id !== me) return say(t("gone"), "error");
  showFix(form, entry, t("fixing"));
}

function showFix(form, entry, message) {
  form.dataset.fixOp = entry.op;
  fillIn(form, entry.data);
  showErrors(form, entry.errors || {}, message);
}

function clearErrors(form) {
  document.querySelectorAll(".outbox-error").forEach((element) => element.remove());
  for (const element of form.querySelectorAll(".has-error")) element.classList.remove("has-error");
  for (const element of form.querySelectorAll("[aria-invalid]")) element.removeAttribute("aria-invalid");
  for (const element of [form, ...form.querySelectorAll("[aria-describedby]")]) describedBy(element, null);
}

// Add an error's id to what describes an element (a hint may be there already), or with
// null take every error's id away.
function describedBy(element, id) {
  const ids = (element.getAttribute("aria-describedby") || "").split(" ").filter((i) => i && !i.endsWith("-error"));
  if (id) ids.push(id);
  if (ids.length) element.setAttribute("aria-describedby", ids.join(" "));
  else element.removeAttribute("aria-describedby");
}

// Each message by its field, as the server's own form page shows it (templates/_partials.html).
function showErrors(form, errors, message) {
  clearErrors(form);
  const general = [];
  for (const [name, messages] of Object.entries(errors)) {
    const inputs = [...form.querySelectorAll(`[name="${CSS.escape(name)}"]`)].filter((i) => i.type !== "hidden");
    const container = inputs[0]?.closest(".field");
    if (!container) {
      general.push(...messages);
      continue;
    }
    container.querySelectorAll(".error").forEach((old) => old.remove());
    container.classList.add("has-error");
    const error = document.createElement("p");
    error.className = "error outbox-error";
    error.id = `${name}-error`;
    error.textContent = messages.join(" ");
    const before = [...container.children].find((child) => !child.matches("legend, label:not(.check), .hint"));
    container.insertBefore(error, before || null);
    const described = container.tagName === "FIELDSET" ? [container] : inputs;
    for (const element of described) describedBy(element, error.id);
    for (const input of inputs) if (container.tagName !== "FIELDSET") input.setAttribute("aria-invalid", "true");
    const folded = container.closest("details");
    if (folded) folded.open = true;
  }
  const alert = document.createElement("div");
  alert.className = "flash error outbox-error";
  alert.setAttribute("role", "alert");
  for (const line of [message, ...general]) {
    const p = document.createElement("p");
    p.textContent = line;
    alert.append(p);
  }
  form.before(alert);
  alert.scrollIntoView({ block: "center" });
}
