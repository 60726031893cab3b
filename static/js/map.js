// The coordinators' map: unsafe-place reports (clustered), venues by status, visits by
// venue, Street Pastors' contacts by coarse position or patrol area, and the patrol areas,
// each a layer that can be turned off. The data is the page's own JSON block, filtered
// on the server; the tables under the map hold the same.
import { baseMap, pinIcon, readJson } from "./basemap.js";

const settings = readJson("map-settings");
const data = readJson("map-data");
const text = readJson("map-text") || {};
const element = document.getElementById("coordinator-map");
// Quarter steps of zoom, so that the fitted view fills the box rather than the next whole level.
const map = baseMap(element, settings, { noTiles: text.no_tiles, zoomSnap: 0.25 });

if (map && data) {
  const L = window.L;
  document.getElementById("map-legend").hidden = false;
  const labels = settings.labels || {};
  const layers = {
    [text.areas]: areasLayer(L, data.areas),
    [text.contacts]: contactsLayer(L, data.contacts, data.areas),
    [text.visits]: visitsLayer(L, data.venues),
    [text.venues]: venuesLayer(L, data.venues, labels),
    [text.reports]: reportsLayer(L, data.reports, labels),
  };
  for (const layer of Object.values(layers)) layer.addTo(map);
  // Open beside a wide map; a button on a phone's, where it would cover half of it.
  L.control.layers(null, layers, { collapsed: element.clientWidth < 700 }).addTo(map);
  const bounds = L.latLngBounds([
    ...data.reports.map((r) => [r.lat, r.lng]),
    ...data.venues.filter((v) => v.lat !== null).map((v) => [v.lat, v.lng]),
  ]);
  for (const area of data.areas.filter((a) => a.lat !== null)) {
    bounds.extend(L.latLng(area.lat, area.lng).toBounds(area.radius * 2));
  }
  if (bounds.isValid()) map.fitBounds(bounds, { padding: [24, 24], maxZoom: 17 });
}

function link(href, label) {
  const anchor = document.createElement("a");
  anchor.href = href;
  anchor.textContent = label;
  return anchor;
}

function popup(...lines) {
  const box = document.createElement("div");
  for (const line of lines) {
    const p = document.createElement("p");
    p.append(line);
    box.append(p);
  }
  return box;
}

function reportsLayer(L, reports, labels) {
  const group = L.markerClusterGroup
    ? L.markerClusterGroup({
        showCoverageOnHover: false,
        maxClusterRadius: 40,
        iconCreateFunction: (cluster) => {
          const count = document.createElement("span");
          count.textContent = cluster.getChildCount();
          return L.divIcon({ className: "cluster", html: count.outerHTML, iconSize: [36, 36] });
        },
      })
    : L.layerGroup();
  for (const report of reports) {
    const title = report.title;
    const status = labels.status?.[report.status] || report.status;
    const marker = L.marker([report.lat, report.lng], {
      icon: pinIcon(`status-${report.status}${report.pinned ? "" : " area-only"}`, String(report.number)),
      title: `${title} · ${status}`,
    });
    const categories = report.categories.map((c) => labels.categories?.[c] || c).join(", ");
    marker.bindPopup(popup(`${title} · ${status}`, categories, report.place || "", link(report.url, text.open)));
    group.addLayer(marker);
  }
  return group;
}

function venuesLayer(L, venues, labels) {
  const group = L.layerGroup();
  for (const venue of venues.filter((v) => v.lat !== null)) {
    const status = labels.venue_status?.[venue.status] || venue.status;
    L.marker([venue.lat, venue.lng], {
      icon: L.divIcon({ className: `venue-pin status-${venue.status}`, iconSize: [22, 22] }),
      title: `${venue.name} · ${status}`,
    })
      .bindPopup(popup(venue.name, status, link(venue.url, text.open_venue)))
      .addTo(group);
  }
  return group;
}

// A ring at each venue, its size growing with the visits (by area, not radius).
function visitsLayer(L, venues) {
  const group = L.layerGroup();
  for (const venue of venues.filter((v) => v.lat !== null && v.visits > 0)) {
    L.circleMarker([venue.lat, venue.lng], { radius: 10 + 3 * Math.sqrt(venue.visits), color: "#1e6b34", weight: 3, fillOpacity: 0.12 })
      .bindTooltip(`${venue.name} · ${venue.visits_label}`)
      .addTo(group);
  }
  return group;
}

// Contacts with a position (to about 100 m), and those placed only by their patrol area.
function contactsLayer(L, points, areas) {
  const group = L.layerGroup();
  const ring = (at, contacts, label) =>
    L.circleMarker(at, { radius: 6 + 3 * Math.sqrt(contacts), color: "#a0470c", weight: 3, fillOpacity: 0.2 })
      .bindTooltip(label)
      .addTo(group);
  for (const point of points) ring([point.lat, point.lng], point.contacts, point.label);
  for (const area of areas.filter((a) => a.lat !== null && a.contacts > 0)) ring([area.lat, area.lng], area.contacts, area.label);
  return group;
}

// Each area's circle, named at its top edge so that the name covers none of its points.
function areasLayer(L, areas) {
  const group = L.layerGroup();
  for (const area of areas.filter((a) => a.lat !== null)) {
    L.circle([area.lat, area.lng], { radius: area.radius, color: "#0b5cad", weight: 2, dashArray: "6 6", fillOpacity: 0.04, interactive: false }).addTo(group);
    const top = [area.lat + area.radius / 111320, area.lng];
    L.tooltip({ permanent: true, direction: "top", className: "area-label", interactive: false }).setLatLng(top).setContent(area.name).addTo(group);
  }
  return group;
}
