// The Safe Haven finder, made easier: the Safe Havens on a map, and the list sorted
// nearest first when the reader asks. Their position is used here, in the browser, and
// goes nowhere: not to the server, and not to the tile server either, as the map is never
// moved to it. Without this script the page is the plain list.
import { baseMap, metresBetween, pinIcon, readJson } from "./basemap.js";

const text = readJson("finder-text") || {};
const list = document.getElementById("havens");
const items = list ? [...list.children] : [];
const placed = items.filter((item) => item.dataset.lat && item.dataset.lng);
const map = baseMap(document.getElementById("finder-map"), readJson("finder-settings"));

if (map && placed.length) {
  const L = window.L;
  const bounds = [];
  for (const item of placed) {
    const at = [Number(item.dataset.lat), Number(item.dataset.lng)];
    bounds.push(at);
    const open = item.dataset.open;
    const marker = L.marker(at, {
      icon: L.divIcon({ className: `venue-pin ${open === "yes" ? "open" : open === "no" ? "closed" : ""}`, iconSize: [22, 22] }),
      title: item.dataset.name,
    }).addTo(map);
    const link = item.querySelector("h3 a");
    const state = open === "yes" ? text.open : open === "no" ? text.closed : "";
    const popup = document.createElement("p");
    const anchor = document.createElement("a");
    anchor.href = link.href;
    anchor.textContent = item.dataset.name;
    popup.append(anchor);
    if (state) popup.append(document.createElement("br"), document.createTextNode(state));
    marker.bindPopup(popup);
  }
  if (bounds.length > 1) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 16 });
  else map.setView(bounds[0], 16);
}

if (list && placed.length && "geolocation" in navigator) {
  document.getElementById("near-me").hidden = false;
  document.getElementById("near-privacy").hidden = false;
  document.getElementById("sort-near").addEventListener("click", sortNearMe);
}

function sortNearMe() {
  const status = document.getElementById("near-status");
  status.textContent = text.finding;
  navigator.geolocation.getCurrentPosition(
    (position) => {
      const me = [position.coords.latitude, position.coords.longitude];
      const away = (item) => (item.dataset.lat ? metresBetween(me, [Number(item.dataset.lat), Number(item.dataset.lng)]) : Infinity);
      // Open ones first, then the nearest: a closed Safe Haven next door helps nobody now.
      const order = [...items].sort((a, b) => (a.dataset.open === "yes" ? 0 : 1) - (b.dataset.open === "yes" ? 0 : 1) || away(a) - away(b));
      for (const item of order) {
        list.append(item);
        const distance = item.querySelector(".distance");
        const metres = away(item);
        if (distance && Number.isFinite(metres)) {
          distance.textContent = text.away.replace("{distance}", shown(metres));
          distance.hidden = false;
        }
      }
      if (map) window.L.marker(me, { icon: pinIcon("you", "", { round: true }), title: text.you, keyboard: false }).addTo(map);
      status.textContent = text.sorted;
    },
    () => {
      status.textContent = text.not_found;
    },
    { enableHighAccuracy: false, maximumAge: 300000, timeout: 15000 },
  );
}

// "350 m", "1.2 km", in the page's language.
function shown(metres) {
  const lang = document.documentElement.lang || undefined;
  if (metres < 1000) return new Intl.NumberFormat(lang, { style: "unit", unit: "meter", maximumFractionDigits: 0 }).format(Math.round(metres / 10) * 10);
  return new Intl.NumberFormat(lang, { style: "unit", unit: "kilometer", maximumFractionDigits: 1 }).format(metres / 1000);
}
