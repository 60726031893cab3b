// The public report of an unsafe place, made easier: a pin on the map or "use my
// location", the day asked only when it is not today, the email field only for someone
// who wants to be contacted, and sending through the report outbox, so that a report made
// with no connection is sent later, once. Without this script the form posts as it is.
import { baseMap, pinIcon, readJson } from "./basemap.js";
import * as outbox from "./report-outbox.js";

const form = document.getElementById("report-form");
const text = readJson("report-text") || {};
const say = (key) => text[key] || "";

if (form) {
  const pin = setUpMap();
  showWhen(form, "rough_time", ["now", "earlier_today"], "day-field", false);
  showWhen(form, "contact_me", ["y"], "email-field", true);
  freshen();
  form.addEventListener("submit", (event) => submit(event, pin));
  document.getElementById("report-another")?.addEventListener("click", () => another(pin));
  // Back to a page kept in memory: the form may hold a report sent already.
  addEventListener("pageshow", (event) => event.persisted && freshen());
  outbox.listen(heard);
  showWaiting();
  outbox.start();
}

// ------------------------------------------------------------------------ the form

/** Show the block only when the field's checked value is (or, with `when`, is not) one of these. */
function showWhen(form, name, values, blockId, when) {
  const block = document.getElementById(blockId);
  if (!block) return;
  const update = () => {
    const checked = [...form.querySelectorAll(`input[name="${name}"]:checked`)].map((i) => i.value);
    const match = checked.some((v) => values.includes(v));
    // A field with an error stays in sight, whatever is chosen.
    block.hidden = (when ? !match : match) && !block.querySelector(".error");
  };
  form.addEventListener("change", (event) => event.target.name === name && update());
  update();
}

/** A new report id where the form's was sent already (restored by Back, or a reload). */
function freshen() {
  const id = form.querySelector("input[name=id]");
  if (id && (!id.value || outbox.wasSent(id.value))) id.value = outbox.newId();
}

function values() {
  return [...new FormData(form)].filter(([name, value]) => name !== "csrf_token" && typeof value === "string");
}

function fill(fields) {
  const data = new Map();
  for (const [name, value] of fields) data.set(name, [...(data.get(name) || []), value]);
  for (const element of form.elements) {
    if (!element.name || element.name === "csrf_token" || element.tagName === "BUTTON") continue;
    const given = data.get(element.name) || [];
    if (element.type === "checkbox" || element.type === "radio") element.checked = given.includes(element.value);
    else element.value = given[0] ?? "";
  }
  form.dispatchEvent(new Event("change"));
}

// --------------------------------------------------------------- sending it

async function submit(event, pin) {
  event.preventDefault();
  if (form.busy) return; // a double tap sends once
  form.busy = true;
  try {
    const entry = { id: form.elements.id.value, action: form.action, fields: values(), saved_at: Date.now(), state: "waiting" };
    const kept = outbox.keep(entry); // on the phone first: nothing typed is lost
    const { outcome, body } = await outbox.send(entry);
    if (outcome === "sent") {
      location.assign(body.thanks);
    } else if (outcome === "invalid") {
      outbox.forget(entry.id); // it is back in the form, to be put right
      showErrors(body.errors, body.say);
    } else if (kept) {
      saved(pin);
      outbox.flush();
    } else {
      HTMLFormElement.prototype.submit.call(form); // nowhere to keep it: post it as it is
    }
  } finally {
    form.busy = false;
  }
}

function saved(pin) {
  form.hidden = true;
  const panel = document.getElementById("report-saved");
  panel.hidden = false;
  panel.focus(); // the panel says it waits: no second note above it
  pin?.clear();
}

function another(pin) {
  form.reset();
  form.elements.id.value = outbox.newId();
  clearErrors();
  pin?.clear();
  form.dispatchEvent(new Event("change"));
  document.getElementById("report-saved").hidden = true;
  form.hidden = false;
  form.querySelector("input:not([type=hidden]), textarea")?.focus();
}

// What the outbox did with a report saved earlier.
function heard({ type }) {
  if (type === "sent") note(say("sent_later"));
  if (type === "invalid") showWaiting();
}

function note(message, action = null) {
  const box = document.getElementById("report-outbox");
  box.replaceChildren(document.createTextNode(message));
  if (action) box.append(action);
  box.hidden = !message;
}

/** What waits on this phone: reports to send, and any the server could not take as they were. */
function showWaiting() {
  const list = outbox.entries();
  const refused = list.find((e) => e.state === "invalid");
  if (refused) {
    const open = document.createElement("button");
    open.type = "button";
    open.className = "button";
    open.textContent = say("open_it");
    open.addEventListener("click", () => reopen(refused));
    note(say("needs_look"), open);
  } else if (list.some((e) => e.state === "waiting")) {
    note(say("waiting"));
  }
}

function reopen(entry) {
  outbox.update(entry.id, { state: "opened" });
  document.getElementById("report-saved").hidden = true;
  form.hidden = false;
  fill(entry.fields);
  showErrors(entry.errors || {}, entry.say);
  note("");
}

// ------------------------------------------------------------------ errors

function clearErrors() {
  for (const error of form.querySelectorAll(".error:not(#report-errors)")) error.remove();
  for (const field of form.querySelectorAll(".has-error")) field.classList.remove("has-error");
  for (const input of form.querySelectorAll("[aria-invalid]")) input.removeAttribute("aria-invalid");
  document.getElementById("report-errors").hidden = true;
}

/** The server's errors, in the reader's language, each by its field; the values stay. */
function showErrors(errors, summary) {
  clearErrors();
  const top = document.getElementById("report-errors");
  top.textContent = summary || "";
  top.hidden = false;
  for (const [name, messages] of Object.entries(errors)) {
    const inputs = [...form.querySelectorAll(`[name="${name}"]`)];
    const box = inputs[0]?.type === "hidden" ? document.getElementById("where") : inputs[0]?.closest(".field, fieldset");
    if (!box) continue;
    box.classList.add("has-error");
    const error = document.createElement("p");
    error.className = "error";
    error.id = `${name}-error`;
    error.textContent = messages.join(" ");
    const heading = box.querySelector(":scope > legend, :scope > label");
    heading ? heading.after(error) : box.prepend(error);
    box.hidden = false;
    const wrapper = box.parentElement;
    if (wrapper && (wrapper.getAttribute("id") || "").endsWith("-field")) wrapper.hidden = false;
    for (const input of inputs) {
      input.setAttribute("aria-invalid", "true");
      input.setAttribute("aria-describedby", error.id);
    }
  }
  top.scrollIntoView({ block: "start" });
}

// -------------------------------------------------------------------- the map

/** The pin: placed by a tap or by "use my location"; typing the place needs neither. */
function setUpMap() {
  const settings = readJson("report-map-settings");
  const element = document.getElementById("report-map");
  const map = baseMap(element, settings);
  if (!map) return null;
  element.setAttribute("aria-label", element.dataset.label);
  document.getElementById("map-actions").hidden = false;
  const hint = document.getElementById("where-hint");
  hint.textContent = hint.dataset.withMap;
  const latitude = form.elements.latitude;
  const longitude = form.elements.longitude;
  const status = document.getElementById("pin-status");
  const clear = document.getElementById("clear-pin");
  let marker = null;

  const place = (latlng, message) => {
    latitude.value = latlng.lat.toFixed(5);
    longitude.value = latlng.lng.toFixed(5);
    if (!marker) {
      marker = window.L.marker(latlng, { icon: pinIcon("public-pin"), draggable: true, keyboard: false }).addTo(map);
      marker.on("dragend", () => place(marker.getLatLng(), say("pin_set")));
    }
    marker.setLatLng(latlng);
    clear.hidden = false;
    status.textContent = message;
  };
  const pin = {
    clear() {
      marker?.remove();
      marker = null;
      latitude.value = longitude.value = "";
      clear.hidden = true;
    },
  };
  if (latitude.value && longitude.value) {
    const at = window.L.latLng(Number(latitude.value), Number(longitude.value));
    place(at, "");
    map.setView(at, 17);
  }
  map.on("click", (event) => place(event.latlng, say("pin_set")));
  clear.addEventListener("click", () => {
    pin.clear();
    status.textContent = say("pin_removed");
  });
  const locate = document.getElementById("use-location");
  if (!("geolocation" in navigator)) locate.hidden = true;
  locate.addEventListener("click", () => {
    status.textContent = say("finding");
    navigator.geolocation.getCurrentPosition(
      (position) => {
        const at = window.L.latLng(position.coords.latitude, position.coords.longitude);
        place(at, say("found"));
        map.setView(at, 17);
      },
      () => {
        status.textContent = say("not_found");
      },
      { enableHighAccuracy: true, maximumAge: 60000, timeout: 15000 },
    );
  });
  return pin;
}
