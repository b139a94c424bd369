// Demining layer on the network map: hazard areas by status, no-go ground, coverage plans.
// A coverage path is hundreds of kilobytes, so /api/map/demining lists each area's newest
// plan without it; the map fetches a path when its area is in view close enough to see it
// (zoom COVERAGE_ZOOM and in), or when the area is clicked, and keeps it once drawn.
const COVERAGE_ZOOM = 12;

window.addEventListener("load", async () => {
  const map = window.materielMap;
  if (!map) return;
  const escape = (text) =>
    String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
  const data = await (await fetch("/api/map/demining")).json();
  const newest = new Map(data.coverage.map((plan) => [plan.area_id, plan]));
  const bounds = new Map(); // area id -> its outline's bounds
  const statusColour = { suspected: "#c25e00", confirmed: "#b3261e", "in-clearance": "#7a3fb3", released: "#2e7d32" };
  const roleStyle = {
    work: { color: "#1f5fa8", weight: 1.2 },
    turn: { color: "#e39b00", weight: 1 },
    transit: { color: "#555", weight: 1, dashArray: "4 4" },
    leftover: { color: "#b3261e", weight: 1, fillOpacity: 0.5 },
  };
  const coverage = L.layerGroup();
  const drawn = new Map(); // plan id -> its fetch, so that a path is fetched once
  const draw = (plan) => {
    if (!drawn.has(plan.id)) {
      drawn.set(plan.id, fetch(`/api/demining/coverage/${encodeURIComponent(plan.id)}`)
        .then((answer) => (answer.ok ? answer.json() : null))
        .then((full) => {
          if (!full) return;
          L.geoJSON(full.geojson, {
            style: (f) => roleStyle[f.properties?.kind || f.properties?.role] || { color: "#1f5fa8", weight: 1 },
          }).bindTooltip(`coverage plan ${escape(plan.id)}: ${escape(plan.asset_id)} on ${escape(plan.area_id)}`).addTo(coverage);
        }));
    }
    return drawn.get(plan.id);
  };
  const drawInView = () => {
    if (!map.hasLayer(coverage) || map.getZoom() < COVERAGE_ZOOM) return;
    const view = map.getBounds();
    for (const plan of newest.values()) {
      const outline = bounds.get(plan.area_id);
      if (outline && view.intersects(outline)) draw(plan);
    }
  };
  const covered = (plan) => {
    const s = plan.summary || {};
    const pct = typeof s.coverage_pct === "number" ? `${s.coverage_pct.toFixed(1)} % covered` : "";
    const hours = typeof s.hours === "number" ? `, ${s.hours.toFixed(1)} h` : "";
    return `<br>coverage plan ${escape(plan.id)}: ${escape(plan.asset_id)}${pct ? `, ${pct}` : ""}${hours}`;
  };
  const areas = L.geoJSON(data.areas, {
    style: (f) => f.properties.nogo
      ? { color: "#222", weight: 1, fillColor: "#222", fillOpacity: 0.45, dashArray: "3 3" }
      : { color: statusColour[f.properties.status] || "#555", weight: 1.5, fillOpacity: 0.3 },
    onEachFeature: (f, layer) => {
      const p = f.properties;
      if (p.nogo) {
        layer.bindPopup(`no-go ground of ${escape(p.area)}`);
        return;
      }
      const outline = layer.getBounds();
      bounds.set(p.id, bounds.has(p.id) ? bounds.get(p.id).extend(outline) : outline);
      const plan = newest.get(p.id);
      layer.bindPopup(`<a href="/demining/areas/${encodeURIComponent(p.id)}">${escape(p.id)}</a> ${escape(p.name)}<br>${escape(p.kind.toUpperCase())} ${escape(p.status)}, ${escape(p.land_use)}, ${Math.round(p.area_m2).toLocaleString()} m²${plan ? covered(plan) : ""}`);
      if (plan) layer.on("click", () => { if (map.hasLayer(coverage)) draw(plan); });
    },
  });
  areas.addTo(map);
  coverage.addTo(map);
  L.control.layers(null, { "Hazard areas": areas, "Coverage plans": coverage }).addTo(map);
  map.on("moveend", drawInView);
  map.on("overlayadd", (event) => { if (event.layer === coverage) drawInView(); });
  drawInView();
  document.getElementById("map").dataset.deminingReady = "true";
});
