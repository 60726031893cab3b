// The page's texts, translated by the server into a JSON block (sync/views.py), and the
// browser's own words for times and counts in the page's language.
const block = document.getElementById("lantern-text");
const texts = block ? JSON.parse(block.textContent) : {};
export const lang = document.documentElement.lang || "en-GB";

function fill(template, values) {
  return template.replace(/%\((\w+)\)[sd]/g, (whole, name) => (name in values ? String(values[name]) : whole));
}

/** A text by key; a dotted key reaches into a group ("saved.visit"). */
export function t(key, values = {}) {
  const found = key.split(".").reduce((group, part) => group?.[part], texts);
  return typeof found === "string" ? fill(found, values) : key;
}

/** A count's text in the plural form the language uses for it. */
export function counted(key, num) {
  const forms = texts[key] || {};
  const form = forms[new Intl.PluralRules(lang).select(num)] ?? forms.other ?? forms.many ?? Object.values(forms).at(-1);
  return form ? fill(form, { num }) : String(num);
}

const UNITS = [
  ["day", 86400],
  ["hour", 3600],
  ["minute", 60],
];

/** "5 minutes ago" or "in 30 seconds" ("5 min ago" in the short style), for a moment given
 * in milliseconds since 1970. */
export function relative(when, style = "long") {
  const seconds = Math.round((when - Date.now()) / 1000);
  const format = new Intl.RelativeTimeFormat(lang, { numeric: "always", style });
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size) return format.format(Math.trunc(seconds / size), unit);
  }
  return format.format(seconds, "second");
}

/** A date and time as people in the scheme read it: London time, short. */
export function dateTime(when) {
  const options = { dateStyle: "medium", timeStyle: "short", timeZone: "Europe/London" };
  return new Intl.DateTimeFormat(lang, options).format(new Date(when));
}

/** Now, London wall-clock time, as a datetime-local field takes it: YYYY-MM-DDTHH:MM. */
export function londonNow() {
  const options = { year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", hourCycle: "h23", timeZone: "Europe/London" };
  const parts = Object.fromEntries(new Intl.DateTimeFormat("en-GB", options).formatToParts(new Date()).map((p) => [p.type, p.value]));
  return `${parts.year}-${parts.month}-${parts.day}T${parts.hour}:${parts.minute}`;
}

/** Show a message in the page's live region of messages (as the server's flashes are). */
export function say(message, category = "info") {
  const region = document.querySelector(".flashes");
  if (!region) return;
  region.querySelectorAll(".flash.from-js").forEach((old) => old.remove());
  const p = document.createElement("p");
  p.className = `flash ${category} from-js`;
  p.textContent = message;
  region.append(p);
}

/** A message for the next page this tab opens (after a save that moves on). */
export function sayNext(message) {
  sessionStorage.setItem("lantern-flash", message);
}

export function sayPending() {
  const message = sessionStorage.getItem("lantern-flash");
  if (message) {
    sessionStorage.removeItem("lantern-flash");
    say(message);
  }
}
