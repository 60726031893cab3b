// A report's place on a small map, on its coordinator's page.
import { baseMap, pinIcon, readJson } from "./basemap.js";

const settings = readJson("map-settings");
const map = baseMap(document.getElementById("report-page-map"), settings);
if (map && settings.pin) window.L.marker(settings.pin, { icon: pinIcon("status-new"), keyboard: false }).addTo(map);
