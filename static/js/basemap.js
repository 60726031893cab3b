// A Leaflet map (static/vendor/leaflet, loaded by the page before its modules) with the
// tile server the page's settings name, or none. With no tiles (none set, no connection,
// the server down) the map is a plain background, and its points and areas still draw.
// Public pages use it too: it depends on no other script of the app.

/** The JSON in a <script type="application/json"> data block, or null. */
export function readJson(id, root = document) {
  const element = root.querySelector(`#${id}`) || root.querySelector(`.${id}`);
  if (!element) return null;
  try {
    return JSON.parse(element.textContent);
  } catch {
    return null;
  }
}

/** A map in `element`, centred as `settings` say; null when Leaflet did not load. */
export function baseMap(element, settings, { noTiles = "", ...options } = {}) {
  const L = window.L;
  if (!L || !element || !settings) return null;
  element.hidden = false;
  // A maximum zoom of its own: with no tile layer, nothing else would give one.
  const map = L.map(element, { scrollWheelZoom: false, maxZoom: 19, ...options });
  map.setView(settings.centre, settings.zoom || 15);
  if (settings.tiles) {
    L.tileLayer(settings.tiles, {
      maxZoom: 19,
      attribution: settings.attribution || "",
      // The page sends no referrer at all; the tile server gets this site's origin (its
      // usage policy asks for one), never a page's path, which can hold a report's id.
      referrerPolicy: "strict-origin-when-cross-origin",
    }).addTo(map);
  } else if (noTiles) {
    const note = L.control({ position: "bottomleft" });
    note.onAdd = () => {
      const box = L.DomUtil.create("p", "leaflet-control-attribution");
      box.textContent = noTiles;
      return box;
    };
    note.addTo(map);
  }
  return map;
}

/** A pin as a marker with a text label, the shape coloured by its CSS classes; its point
 * is at the bottom. A round one (`round`) marks its place at its middle. */
export function pinIcon(classes, label = "", { round = false } = {}) {
  // Leaflet places a marker with a transform of its own: the shape turns inside it.
  const shape = document.createElement("b");
  const span = document.createElement("span");
  span.textContent = label;
  shape.append(span);
  const anchor = round ? [14, 14] : [14, 34];
  return window.L.divIcon({ className: `pin ${classes}`, html: shape.outerHTML, iconSize: [28, 28], iconAnchor: anchor, popupAnchor: [0, -30] });
}

/** Metres between two [lat, lng] points, as the crow flies. */
export function metresBetween(a, b) {
  const rad = Math.PI / 180;
  const [lat1, lng1, lat2, lng2] = [a[0] * rad, a[1] * rad, b[0] * rad, b[1] * rad];
  const h = Math.sin((lat2 - lat1) / 2) ** 2 + Math.cos(lat1) * Math.cos(lat2) * Math.sin((lng2 - lng1) / 2) ** 2;
  return 2 * 6371000 * Math.asin(Math.sqrt(h));
}
