// Draws the overview charts from the JSON the page carries (no network requests).
window.addEventListener("load", () => {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const colors = { pledged: "#8aa4c2", allocated: "#1f5fa8", delivered: "#1e7b34", required: "#8aa4c2", unmet: "#b3261e" };
  const bars = (id, series, keys, horizontal) => new Chart(document.getElementById(id), {
    type: "bar",
    data: { labels: series.labels, datasets: keys.map((k) => ({ label: k, data: series[k], backgroundColor: colors[k] })) },
    options: { indexAxis: horizontal ? "y" : "x", animation: false, responsive: true, plugins: { legend: { position: "bottom" } } },
  });
  bars("chart-unmet", data.unmet, ["required", "unmet"], false);
  bars("chart-area", data.area, data.keys, true); // no "allocated" for roles that may not read plans
  bars("chart-donor", data.donor, data.keys, false);
});
