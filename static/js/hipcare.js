// hipcare: small progressive enhancements. Every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});
