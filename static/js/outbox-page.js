// The outbox page: this person's records that need attention (with the server's errors by
// field, Fix and Discard), those waiting, those sent with their receipts; other people's
// waiting records as a count only; the device's id and whether its storage is kept.
import * as outbox from "./outbox.js";
import { counted, dateTime, t } from "./text.js";

const fields = JSON.parse(document.getElementById("lantern-fields")?.textContent || "{}");

// Where each kind is fixed: the pages kept offline, so a record can be fixed with no signal.
const FIX_PAGES = {
  visit: "/visits/new",
  visit_correction: "/visits/new",
  contact: "/patrols/shell/contact",
  contact_correction: "/patrols/shell/contact",
  patrol_start: "/patrols/start",
  patrol_end: "/patrols/shell/end",
};

export function show(me) {
  const render = () => draw(me).catch(() => {});
  outbox.events.addEventListener("change", render);
  render();
  outbox.deviceId().then((id) => (document.getElementById("outbox-device").textContent = id), () => {});
  showPersistence();
}

async function draw(me) {
  const all = await outbox.waiting();
  const mine = all.filter((entry) => entry.author_id === me).sort((a, b) => a.seq - b.seq);
  const others = all.filter((entry) => entry.author_id !== me && entry.state === "waiting").length;
  const attention = mine.filter((entry) => entry.state === "rejected");
  fill("outbox-attention-list", attention, needsAttention, t("none_attention"));
  fill("outbox-waiting-list", mine.filter((entry) => entry.state === "waiting"), waits, t("none_waiting"));
  const sent = (await outbox.sent()).filter((entry) => entry.author_id === me).sort((a, b) => b.sent_at - a.sent_at);
  fill("outbox-sent-list", sent, wasSent, t("none_sent"));
  const note = document.getElementById("outbox-others");
  note.hidden = !others;
  note.textContent = others ? counted("others", others) : "";
}

function fill(id, entries, item, empty) {
  const list = document.getElementById(id);
  list.replaceChildren(...(entries.length ? entries.map(item) : [element("li", "muted", empty)]));
}

function element(tag, className, text) {
  const node = document.createElement(tag);
  if (className) node.className = className;
  if (text !== undefined) node.textContent = text;
  return node;
}

function heading(entry) {
  const title = element("strong", null, t(`kinds.${entry.kind}`));
  return [title, element("span", null, t("saved_at", { time: dateTime(entry.saved_at) }))];
}

function waits(entry) {
  const li = element("li", "outbox-entry");
  li.append(...heading(entry));
  if (entry.revoked) li.append(element("span", "error", t("flag_revoked")));
  return li;
}

function wasSent(entry) {
  const li = element("li", "outbox-entry");
  li.append(...heading(entry), element("span", null, t(`status.${entry.status}`)));
  if (entry.receipt) {
    const time = dateTime(entry.receipt.received_at);
    li.append(element("span", "receipt", t("receipt", { number: entry.receipt.number, time })));
  }
  return li;
}

function needsAttention(entry) {
  const li = element("li", "outbox-entry attention");
  li.append(...heading(entry));
  const errors = element("dl", "facts");
  const labels = fields[entry.kind] || {};
  for (const [name, messages] of Object.entries(entry.errors || {})) {
    errors.append(element("dt", null, labels[name] || name), element("dd", "error", messages.join(" ")));
  }
  const actions = element("div", "actions");
  const fix = element("a", "button primary", t("fix"));
  fix.href = `${FIX_PAGES[entry.kind]}?fix=${encodeURIComponent(entry.op)}`;
  const discard = element("button", "button secondary", t("discard"));
  discard.type = "button";
  discard.addEventListener("click", () => confirmDiscard(actions, entry));
  actions.append(fix, discard);
  li.append(errors, actions);
  return li;
}

// A discard is for good: it asks first, and "Keep it" has the focus.
function confirmDiscard(actions, entry) {
  const question = element("p", "error", t("discard_confirm"));
  const yes = element("button", "button secondary", t("discard_yes"));
  const no = element("button", "button primary", t("discard_no"));
  yes.type = no.type = "button";
  yes.addEventListener("click", () => outbox.discard(entry.op));
  no.addEventListener("click", () => outbox.events.dispatchEvent(new Event("change")));
  actions.replaceChildren(question, yes, no);
  no.focus();
}

async function showPersistence() {
  const kept = await outbox.askPersistence();
  const key = kept === null ? "persist_unknown" : kept ? "persisted" : "not_persisted";
  document.getElementById("outbox-persist").textContent = t(key);
}
