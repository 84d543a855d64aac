// Choosing a cancer type or where it has spread ticks the sheets for them; the ticks stay changeable.
// Diagnosis codes are looked up by the server (the ICD-10-CM tables are there), then tick the same way.
// Served as a file: the page's Content-Security-Policy runs no inline script.
const choices = JSON.parse(document.getElementById("choices").textContent);
const type = document.getElementById("cancer_type");
const codes = document.getElementById("codes");
const status = document.getElementById("choice-status");
const siteBoxes = [...document.querySelectorAll("input[name=sites]")];
const sheetBoxes = [...document.querySelectorAll("input[name=sheets]")];

function tickSheets(wanted) {
  sheetBoxes.forEach((box) => { box.checked = wanted.includes(box.value); });
}

// Overview, a sheet per site (those ticked, else the type's common sites), questions: as the server chooses.
function tick() {
  const given = siteBoxes.filter((box) => box.checked).map((box) => box.value);
  const sites = given.length ? given : choices.common[type.value] || [];
  tickSheets([...choices.overview, ...sites.map((site) => choices.sheet_of[site]).filter(Boolean), ...choices.closing]);
  const missing = sites.filter((site) => !choices.sheet_of[site]).map((site) => choices.name_of[site]);
  const basis = given.length || !type.value ? "" : `Common sites for ${choices.type_name[type.value]}: ${sites.join(", ")}.`;
  status.textContent = [basis, missing.length ? `No sheet yet for: ${missing.join(", ")}.` : ""].join(" ").trim();
}

function codesWrong(message) {  // marked invalid and described by the message, as a refused submit is
  codes.setAttribute("aria-invalid", "true");
  codes.setAttribute("aria-describedby", "choice-status codes-hint");
  status.textContent = message;
}

async function findSheets() {
  const sites = siteBoxes.filter((box) => box.checked).map((box) => box.value);
  let answer, plan;
  try {
    answer = await fetch("/api/handouts/plan", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ codes: codes.value.split(/[\s,;]+/).filter(Boolean), sites }),
    });
    plan = await answer.json();
  } catch {
    codesWrong("The codes could not be looked up: the server did not answer. Please try again.");
    return;
  }
  if (!answer.ok) {
    codesWrong(plan.error);
    return;
  }
  codes.removeAttribute("aria-invalid");
  codes.setAttribute("aria-describedby", "codes-hint");
  type.value = plan.cancer_type || "";
  siteBoxes.forEach((box) => { box.checked = plan.sites_given && plan.sites.includes(box.value); });
  tickSheets(plan.sheets.map((sheet) => sheet.id));
  status.textContent = [...plan.codes.map((line) => `${line}.`), `Ticked ${plan.sheets.length} sheets (${plan.basis}).`, plan.notice].join(" ");
}

type.addEventListener("change", tick);
siteBoxes.forEach((box) => box.addEventListener("change", tick));
document.getElementById("find").addEventListener("click", findSheets);
codes.addEventListener("keydown", (event) => {  // Enter in the codes field looks them up; it does not print
  if (event.key === "Enter") { event.preventDefault(); findSheets(); }
});

// After a refused submit: focus the field the error is about (it is marked invalid and described by the
// error, so a screen reader reads both), or the error itself when no one field is at fault.
const error = document.getElementById("error");
if (error) (document.querySelector("[aria-invalid=true]") || error).focus();
