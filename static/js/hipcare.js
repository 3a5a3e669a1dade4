// hipcare: small progressive enhancements. Every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-copy-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  if (!field) return;
  field.select();
  navigator.clipboard?.writeText(field.value).catch(() => document.execCommand("copy"));
  const done = button.dataset.copiedLabel;
  if (done) button.textContent = done;
});
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});
