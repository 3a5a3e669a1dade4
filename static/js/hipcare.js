// hipcare: small progressive enhancements. Every page works without this file.
document.addEventListener("click", (event) => {
  const button = event.target.closest("[data-print]");
  if (button) window.print();
});

// Today's checklist (templates/plans/today.html). htmx saves a tick and swaps in its row, with
// the counts out of band. Here: a 422 row (e.g. a dose changed since the page was shown) is
// swapped in too; a server error or a lost connection says so at the row, which keeps the state
// it had; and the focus stays where the work goes on.
(() => {
  const itemOf = (node) => (node instanceof Element ? node.closest("[data-item]") : null);
  const controlOf = (item) => item && item.querySelector(".tick-btn");

  // Focus a row's button and bring the whole row (its name and dose too) into view.
  function land(target) {
    if (!target) return;
    target.focus({ preventScroll: true });
    (itemOf(target) || target).scrollIntoView({ block: "nearest" });
  }

  function notSaved(item, status) {
    const list = document.getElementById("checklist");
    if (!item || !list) return;
    const refused = status >= 400 && status < 500;
    let note = item.querySelector(".tick-failed");
    if (!note) {
      note = document.createElement("p");
      note.className = "alert alert-danger py-1 mb-2 tick-failed";
      note.setAttribute("role", "alert");
      item.querySelector(".card-body").prepend(note);
    }
    note.textContent = refused ? list.dataset.tickRefused : list.dataset.tickFailed;
    land(controlOf(item));
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const item = itemOf(event.target);
    if (item) item.querySelectorAll(".tick-failed").forEach((note) => note.remove());
  });

  document.addEventListener("htmx:beforeSwap", (event) => {
    const item = itemOf(event.detail.target);
    if (!item) return;
    const { xhr } = event.detail;
    // Redirected (e.g. to the log-in page): not a row to show.
    const asked = new URL(event.detail.pathInfo.requestPath, window.location.href).pathname;
    if (xhr.responseURL && new URL(xhr.responseURL).pathname !== asked) {
      event.detail.shouldSwap = false;
      event.detail.isError = false;
      notSaved(item, 400);
    } else if (xhr.status === 422) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:responseError", (event) => {
    notSaved(itemOf(event.target), event.detail.xhr.status);
  });
  for (const name of ["htmx:sendError", "htmx:timeout"]) {
    document.addEventListener(name, (event) => notSaved(itemOf(event.target), 0));
  }

  // After a tick: on to the next exercise not yet done (or the finish), never the page's body.
  // After an undo or a refused tick: the row's own button.
  document.addEventListener("htmx:afterSwap", (event) => {
    const item = event.target;
    if (!(item instanceof Element) || !item.matches("[data-item]")) return;
    if (!item.hasAttribute("data-done") || item.querySelector(".tick-error")) {
      land(controlOf(item));
      return;
    }
    let next = item.nextElementSibling;
    while (next && (!next.matches("[data-item]") || next.hasAttribute("data-done"))) {
      next = next.nextElementSibling;
    }
    if (next) {
      land(controlOf(next));
    } else {
      const finish = document.getElementById("finish");
      if (finish) {
        finish.querySelector("#finish-heading").focus({ preventScroll: true });
        finish.scrollIntoView({ block: "nearest" });
      } else {
        land(controlOf(item));
      }
    }
  });
})();
