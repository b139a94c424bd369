// Demining layer on the network map: hazard areas by status, no-go ground, coverage plans.
window.addEventListener("load", async () => {
  const map = window.materielMap;
  if (!map) return;
  const data = await (await fetch("/api/map/demining")).json();
  const statusColour = { suspected: "#c25e00", confirmed: "#b3261e", "in-clearance": "#7a3fb3", released: "#2e7d32" };
  const areas = L.geoJSON(data.areas, {
    style: (f) => f.properties.nogo
      ? { color: "#222", weight: 1, fillColor: "#222", fillOpacity: 0.45, dashArray: "3 3" }
      : { color: statusColour[f.properties.status] || "#555", weight: 1.5, fillOpacity: 0.3 },
    onEachFeature: (f, layer) => {
      const p = f.properties;
      layer.bindPopup(p.nogo ? `no-go ground of ${p.area}` :
        `<a href="/demining/areas/${p.id}">${p.id}</a> ${p.name}<br>${p.kind.toUpperCase()} ${p.status}, ${p.land_use}, ${Math.round(p.area_m2).toLocaleString()} m²`);
    },
  });
  const roleStyle = {
    work: { color: "#1f5fa8", weight: 1.2 },
    turn: { color: "#e39b00", weight: 1 },
    transit: { color: "#555", weight: 1, dashArray: "4 4" },
    leftover: { color: "#b3261e", weight: 1, fillOpacity: 0.5 },
  };
  const coverage = L.layerGroup();
  for (const plan of data.coverage) {
    L.geoJSON(plan.geojson, {
      style: (f) => roleStyle[f.properties?.kind || f.properties?.role] || { color: "#1f5fa8", weight: 1 },
    }).bindTooltip(`coverage plan ${plan.id}: ${plan.asset_id} on ${plan.area_id}`).addTo(coverage);
  }
  areas.addTo(map);
  coverage.addTo(map);
  L.control.layers(null, { "Hazard areas": areas, "Coverage plans": coverage }).addTo(map);
  document.getElementById("map").dataset.deminingReady = "true";
});
