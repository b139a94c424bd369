// Small behaviours shared by every page; the rest is htmx attributes in the templates.
document.addEventListener("htmx:responseError", (event) => {
  const box = document.getElementById("flash");
  if (box) { box.textContent = "The server refused the request (" + event.detail.xhr.status + ")."; }
});
