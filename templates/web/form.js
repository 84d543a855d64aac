// Choosing a cancer type ticks that type's sheets (the packet); the ticks stay changeable.
// Served as a file: the page's Content-Security-Policy runs no inline script.
const packets = JSON.parse(document.getElementById("packets").textContent);
document.getElementById("cancer_type").addEventListener("change", (event) => {
  const wanted = packets[event.target.value] || [];
  document.querySelectorAll("input[name=sheets]").forEach((box) => { box.checked = wanted.includes(box.value); });
});

// After a refused submit: focus the field the error is about (it is marked invalid and described by the
// error, so a screen reader reads both), or the error itself when no one field is at fault.
const error = document.getElementById("error");
if (error) (document.querySelector("[aria-invalid=true]") || error).focus();
