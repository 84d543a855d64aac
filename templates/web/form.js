// The form's script previews; it never decides. As the type, sites, codes and ticks change, it asks the server
// which sheets the request would print (POST /api/handouts/plan: the library's one rule, the same call as
// "Create PDF"), ticks them and says why in the status line. Without it the form works the same: "Create PDF"
// shows the choice, made on the server, above the button that makes the PDF.
// Served as a file: the page's Content-Security-Policy runs no inline script.
const type = document.getElementById("cancer_type");
const codes = document.getElementById("codes");
const find = document.getElementById("find");
const status = document.getElementById("choice-status");
const siteBoxes = [...document.querySelectorAll("#handouts input[name=sites]")];
const sheetBoxes = [...document.querySelectorAll("#handouts input[name=sheets]")];
// The nurse's own ticks; the sheets a request brings are ticked and disabled on top of them.
const ticked = new Set(sheetBoxes.filter((box) => box.checked && !box.disabled).map((box) => box.value));
const fields = { cancer_type: [type], codes: [codes], sites: siteBoxes, sheets: sheetBoxes };
let marked = [];
let asked = 0;

function mark(field) {  // marked invalid and described by the status, as a refused submit is by its error
  marked = fields[field] || [];
  marked.forEach((element) => {
    element.setAttribute("aria-invalid", "true");
    element.dataset.describedBy = element.getAttribute("aria-describedby") || "";
    element.setAttribute("aria-describedby", `choice-status ${element.dataset.describedBy}`.trim());
  });
}

function unmark() {
  marked.forEach((element) => {
    element.removeAttribute("aria-invalid");
    element.setAttribute("aria-describedby", element.dataset.describedBy);
  });
  marked = [];
}

function show(plan) {
  const brought = plan.listed ? [] : plan.sheets.map((sheet) => sheet.id).filter((id) => !plan.added.includes(id));
  sheetBoxes.forEach((box) => {
    box.disabled = brought.includes(box.value);
    box.checked = box.disabled || ticked.has(box.value);
  });
  status.textContent = [`${plan.summary}.`, plan.notice, ...plan.codes.map((line) => `${line}.`)].join(" ").trim();
}

async function preview() {
  const mine = ++asked;
  const body = {
    cancer_type: type.value || null,
    sites: siteBoxes.filter((box) => box.checked).map((box) => box.value),
    codes: codes.value.split(/[\s,;]+/).filter(Boolean),
    sheets: [...ticked],
  };
  let answer, plan;
  try {
    answer = await fetch("/api/handouts/plan", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    plan = await answer.json();
  } catch {
    plan = { error: "The sheets could not be previewed: the server did not answer. \"Create PDF\" still chooses them." };
  }
  if (mine !== asked) return;  // a later change asked again: its answer is the one to show
  unmark();
  if (!answer || !answer.ok) {
    mark(plan.field);
    status.textContent = plan.error;
    return;
  }
  show(plan);
}

sheetBoxes.forEach((box) => box.addEventListener("change", () => {
  if (box.checked) ticked.add(box.value); else ticked.delete(box.value);
  preview();
}));
[type, codes, ...siteBoxes].forEach((element) => element.addEventListener("change", preview));
find.hidden = false;
find.addEventListener("click", preview);

// After a refused submit: focus the field the error is about (it is marked invalid and described by the
// error, so a screen reader reads both), or the error itself when no one field is at fault.
const error = document.getElementById("error");
if (error) (document.querySelector("#handouts [aria-invalid=true]") || error).focus();
