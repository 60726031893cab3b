// A position typed or picked: a map above a form's latitude and longitude fields, where
// a tap drops the pin and fills them in, and typing moves the pin. No address is looked up.
import { baseMap, pinIcon, readJson } from "./basemap.js";

for (const box of document.querySelectorAll("fieldset.position")) {
  const element = box.querySelector("[data-picker]");
  const settings = readJson("map-settings", box);
  const latitude = box.querySelector("input[name=latitude]");
  const longitude = box.querySelector("input[name=longitude]");
  const map = baseMap(element, settings);
  if (!map || !latitude || !longitude) continue;
  let marker = null;
  const show = (at) => {
    if (!marker) marker = window.L.marker(at, { icon: pinIcon("public-pin"), keyboard: false }).addTo(map);
    marker.setLatLng(at);
  };
  const typed = () => {
    const lat = Number.parseFloat(latitude.value);
    const lng = Number.parseFloat(longitude.value);
    if (Number.isFinite(lat) && Number.isFinite(lng) && Math.abs(lat) <= 90 && Math.abs(lng) <= 180) show([lat, lng]);
  };
  typed();
  map.on("click", (event) => {
    latitude.value = event.latlng.lat.toFixed(5);
    longitude.value = event.latlng.lng.toFixed(5);
    show(event.latlng);
  });
  latitude.addEventListener("change", typed);
  longitude.addEventListener("change", typed);
}
