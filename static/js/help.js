// A call for help's page follows its state: it asks the server every 5 seconds and
// shows the answer in the page's live region, until the request is closed. Without
// JavaScript the page's Refresh link does the same by hand.
//
// The live region is replaced only when the outcome changes, so a screen reader reads it
// once per change; the minutes since asking are beside it (#help-age), not in it.
const region = document.getElementById("help-status");
const EVERY_MS = 5000;
const STOP = new Set([401, 403, 404]); // signed out, no longer allowed, or gone

async function check() {
  let response;
  try {
    response = await fetch(region.dataset.api, {
      headers: { Accept: "application/json" },
      cache: "no-store",
      credentials: "same-origin",
    });
  } catch {
    return false; // offline for a moment: try again at the next tick
  }
  if (STOP.has(response.status)) return true; // the page says what it knew
  if (!response.ok) return false; // a server error: the outcome still matters, keep asking
  let state;
  try {
    state = await response.json();
  } catch {
    return false;
  }
  if (state.outcome !== region.dataset.outcome) {
    region.innerHTML = state.html;
    region.dataset.outcome = state.outcome;
  }
  const age = document.getElementById("help-age");
  if (age && state.age && age.textContent !== state.age) age.textContent = state.age;
  if (state.closed) close();
  return state.closed;
}

function close() {
  // Nothing left to accept or cancel: the forms, the minutes and the Refresh link go.
  // Focus inside what goes would be lost: it moves to the status instead.
  const active = document.activeElement;
  let lost = !active || active === document.body;
  for (const id of ["help-accept", "help-cancel", "help-age", "help-refresh"]) {
    const element = document.getElementById(id);
    if (!element) continue;
    if (element.contains(active)) lost = true;
    element.remove();
  }
  if (lost) region.focus();
}

async function follow() {
  if (await check()) return;
  setTimeout(follow, EVERY_MS);
}

if (region && region.dataset.api && !("closed" in region.dataset)) setTimeout(follow, EVERY_MS);
