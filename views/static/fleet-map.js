/**
 * Fleet map: draws #fleet-map with Leaflet from its data attributes (trucks, optional track,
 * settings), the bundled US outline underneath the tiles (so it still shows the country with no
 * internet), and keeps markers and the truck list current from the /live/vehicles event stream.
 * Text from users (unit numbers, names) only ever goes in through textContent.
 */
(function () {
  "use strict";
  var element = document.getElementById("fleet-map");
  if (!element || typeof L === "undefined") return;

  var vehicles = JSON.parse(element.dataset.vehicles || "[]");
  var track = element.dataset.track ? JSON.parse(element.dataset.track) : null;
  var settings = JSON.parse(element.dataset.settings || "{}");
  var css = getComputedStyle(document.documentElement);
  var color = function (name, fallback) { return (css.getPropertyValue(name) || "").trim() || fallback; };

  var map = L.map(element, { zoomSnap: 0.5, worldCopyJump: true, attributionControl: true });
  // The outline sits in its own pane below the tiles: tiles cover it when they load, and it shows when they cannot.
  map.createPane("outline");
  map.getPane("outline").style.zIndex = 150;
  map.attributionControl.setPrefix(false);

  fetch(settings.outline, { credentials: "same-origin" })
    .then(function (response) { return response.ok ? response.json() : null; })
    .then(function (outline) {
      if (!outline) return;
      L.geoJSON(outline, {
        pane: "outline",
        interactive: false,
        style: function (feature) {
          return feature.properties.kind === "nation"
            ? { color: color("--muted", "#5b6472"), weight: 1, fillColor: color("--surface", "#fff"), fillOpacity: 1 }
            : { color: color("--muted", "#5b6472"), weight: 0.8, opacity: 0.7, fill: false };
        },
      }).addTo(map);
    })
    .catch(function () {});

  if (settings.tileUrl) {
    L.tileLayer(settings.tileUrl, { maxZoom: 18, attribution: settings.attribution || "" }).addTo(map);
  }

  var markers = {};
  var byId = {};

  function label(vehicle) {
    var box = document.createElement("span");
    box.className = "truck-pin status-" + vehicle.status + (vehicle.demo ? " demo" : "");
    var unit = document.createElement("span");
    unit.textContent = vehicle.unit;
    box.appendChild(unit);
    if (vehicle.demo) {
      var demo = document.createElement("small");
      demo.textContent = " demo";
      box.appendChild(demo);
    }
    box.title = vehicle.unit + (vehicle.name ? " · " + vehicle.name : "") + " · " + vehicle.status;
    return box;
  }

  function icon(vehicle) {
    return L.divIcon({ className: "truck-icon", html: label(vehicle), iconSize: null, iconAnchor: [0, 0] });
  }

  function placeMarker(vehicle) {
    if (vehicle.lat === null || vehicle.lon === null) return;
    var existing = markers[vehicle.id];
    if (existing) {
      existing.setLatLng([vehicle.lat, vehicle.lon]);
      existing.setIcon(icon(vehicle));
    } else {
      var marker = L.marker([vehicle.lat, vehicle.lon], { icon: icon(vehicle), keyboard: false, title: vehicle.unit });
      marker.on("click", function () { window.location.href = "/trucks/" + vehicle.id; });
      marker.addTo(map);
      markers[vehicle.id] = marker;
    }
    element.dataset.markers = String(Object.keys(markers).length);
  }

  function updateList(vehicle) {
    var item = document.getElementById("truck-" + vehicle.id);
    if (!item) return;
    var chip = item.querySelector("[data-status-chip]");
    if (chip) {
      chip.className = "chip status-" + vehicle.status;
      chip.textContent = vehicle.status;
    }
    var faults = item.querySelector("[data-faults]");
    if (faults) {
      faults.textContent = vehicle.active_faults + (vehicle.active_faults === 1 ? " fault" : " faults");
      faults.className = vehicle.active_faults ? "badge bad" : "badge";
    }
    var speed = item.querySelector("[data-speed]");
    if (speed) speed.textContent = vehicle.status === "moving" && vehicle.speed_mph !== null ? vehicle.speed_mph + " mph" : "";
    var seen = item.querySelector("[data-last-seen]");
    if (seen && vehicle.last_seen) {
      var iso = new Date(vehicle.last_seen).toISOString();
      var time = document.createElement("time");
      time.dateTime = iso;
      time.textContent = iso.replace("T", " ").slice(0, 16) + " UTC";
      seen.replaceChildren(time);
    }
  }

  vehicles.forEach(function (vehicle) {
    byId[vehicle.id] = vehicle;
    placeMarker(vehicle);
  });

  var line = null;
  if (track && track.length) {
    line = L.polyline(track, { color: color("--accent", "#1d4ed8"), weight: 4, opacity: 0.8 }).addTo(map);
  }

  // Frame the trucks (and the track); with nothing to show, the lower 48.
  var points = vehicles.filter(function (v) { return v.lat !== null && v.lon !== null; }).map(function (v) { return [v.lat, v.lon]; });
  if (track) points = points.concat(track);
  if (points.length > 1) map.fitBounds(points, { padding: [30, 30], maxZoom: 12 });
  else if (points.length === 1) map.setView(points[0], 10);
  else map.fitBounds([[24.5, -125], [49.5, -66.9]]);

  // Silence is not an event: mark trucks offline here once nothing has been heard for the configured time.
  var offlineMs = Number(settings.offlineAfterMs) || 15 * 60 * 1000;
  setInterval(function () {
    var now = Date.now();
    Object.keys(byId).forEach(function (id) {
      var vehicle = byId[id];
      if (vehicle.status !== "offline" && vehicle.last_seen && now - vehicle.last_seen > offlineMs) {
        vehicle.status = "offline";
        placeMarker(vehicle);
        updateList(vehicle);
      }
    });
  }, 30000);

  if (settings.live && typeof EventSource !== "undefined") {
    var source = new EventSource(settings.live);
    source.addEventListener("vehicles", function (message) {
      var payload = JSON.parse(message.data);
      payload.vehicles.forEach(function (update) {
        // The truck page shows one truck: ignore the others' events.
        if (!byId[update.id] && vehicles.length && element.dataset.single === "true") return;
        var vehicle = Object.assign(byId[update.id] || {}, update);
        byId[update.id] = vehicle;
        placeMarker(vehicle);
        updateList(vehicle);
        if (line && update.lat !== null && update.lon !== null) line.addLatLng([update.lat, update.lon]);
      });
      element.dataset.updates = String(Number(element.dataset.updates || "0") + 1);
    });
    window.addEventListener("pagehide", function () { source.close(); });
  }

  window.haulboxFleetMap = { map: map, markers: markers };
})();
