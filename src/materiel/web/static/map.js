// The network map: an offline Natural Earth basemap, nodes as APP-6 symbols, links by load.
// Names come from imported files: they are escaped before they reach any HTML.
const esc = (text) =>
  String(text ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);

window.addEventListener("load", async () => {
  const map = L.map("map", { zoomSnap: 0.25 }).setView([50.0, 20.0], 5);
  window.materielMap = map; // other layers (static/demining_map.js) draw on the same map
  const world = await (await fetch("/static/vendor/world-atlas/countries-50m.json")).json();
  L.geoJSON(topojson.feature(world, world.objects.countries), {
    style: { color: "#8c9aab", weight: 0.8, fillColor: "#eef1ea", fillOpacity: 1 },
  }).addTo(map);
  const data = await (await fetch("/api/map")).json();
  const maxUnits = Math.max(1, ...data.links.map((l) => l.units));
  const through = {};
  for (const link of data.links) {
    const weight = 1 + (9 * link.units) / maxUnits;
    const color = link.units ? "#1f5fa8" : "#9aa7b5";
    L.polyline(link.path, { weight, color, opacity: 0.75, dashArray: link.mode === "sea" ? "6 6" : null })
      .bindTooltip(`${esc(link.id)}: ${link.units} units planned; ${link.days} days; capacity ${link.capacity_per_day ?? "?"} per day`)
      .addTo(map);
    const [from, to] = link.id.split(":")[0].split(">");
    through[from] = (through[from] || 0) + link.units;
    through[to] = (through[to] || 0) + link.units;
  }
  const rows = document.querySelector("#node-list tbody");
  for (const node of data.nodes) {
    const symbol = new ms.Symbol(node.sidc, { size: 20, uniqueDesignation: node.kind === "hub" ? node.name : "" });
    const anchor = symbol.getAnchor();
    const icon = L.icon({ iconUrl: symbol.toDataURL(), iconAnchor: [anchor.x, anchor.y] });
    const closed = node.closed_from ? `closed from ${node.closed_from}` : "";
    L.marker([node.lat, node.lon], {
      icon,
      title: closed ? `${node.name} (${closed})` : node.name,
      alt: `${node.kind} ${node.name}`,
      opacity: closed ? 0.45 : 1,
    })
      .bindPopup(`<strong>${esc(node.name)}</strong><br>${esc(node.kind)}, ${esc(node.country)}${closed ? `<br><strong>${esc(closed)}</strong>` : ""}`)
      .addTo(map);
    const row = rows.insertRow();
    row.dataset.kind = node.kind;
    if (closed) row.dataset.closed = node.closed_from;
    row.innerHTML = `<td>${esc(node.name)}${closed ? ` <span class="pill">${esc(closed)}</span>` : ""}</td><td>${esc(node.kind)}</td><td>${esc(node.country)}</td><td class="num">${through[node.id] || 0}</td>`;
  }
  for (const shipment of data.shipments) {
    const symbol = new ms.Symbol(shipment.sidc, { size: 16, quantity: String(shipment.units) });
    const anchor = symbol.getAnchor();
    L.marker(shipment.at, {
      icon: L.icon({ iconUrl: symbol.toDataURL(), iconAnchor: [anchor.x, anchor.y] }),
      title: `shipment ${shipment.id}`,
      alt: `shipment ${shipment.id}`,
    }).bindPopup(`<a href="/shipments/${encodeURIComponent(shipment.id)}">${esc(shipment.id)}</a>: ${shipment.units} × ${esc(shipment.item_type)}, ${esc(shipment.status)}`)
      .addTo(map);
  }
  document.getElementById("map").dataset.ready = "true";
});
