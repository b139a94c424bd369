// Small behaviours shared by every page; the rest is htmx attributes in the templates.
document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("flash");
  if (box) { box.textContent = "The server refused the request (" + event.detail.xhr.status + ")."; }
});

// Widths and offsets computed on the server arrive as data attributes, because the
// Content-Security-Policy allows no style attributes; they become styles here.
function applyGeometry(root) {
  const found = [...root.querySelectorAll("[data-width], [data-offset]")];
  if (root.matches && root.matches("[data-width], [data-offset]")) { found.push(root); }
  for (const el of found) {
    if (el.dataset.width) { el.style.width = el.dataset.width + "%"; }
    if (el.dataset.offset) { el.style.marginLeft = el.dataset.offset + "%"; }
  }
}
document.addEventListener("DOMContentLoaded", () => applyGeometry(document));
document.addEventListener("htmx:load", (event) => applyGeometry(event.detail.elt));

// A filter that applies as soon as it changes (no inline onchange handlers under the CSP).
document.addEventListener("change", (event) => {
  if (event.target.matches("[data-autosubmit]")) { event.target.form.submit(); }
});
