// The console's one script: the in-page confirm dialog for the Pause Agent Upgrades switch.
// htmx asks before every request (htmx:confirm); for a switch we hold the request, open our
// <dialog>, and send it only on OK. The switch never flips by itself: it shows the server's answer.
(() => {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  let pending = null;

  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!dialog || !(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    event.preventDefault();
    pending = { detail: event.detail, target: form.getAttribute("hx-target") };
    dialog.querySelector("#confirm-title").textContent = form.dataset.confirmTitle || "Please confirm";
    dialog.querySelector("#confirm-message").textContent = form.dataset.confirm;
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  });

  dialog?.addEventListener("close", () => {
    const request = pending;
    pending = null;
    if (request && dialog.returnValue === "ok") {
      focusAfterSwap = request.target;
      request.detail.issueRequest(true);
    }
  });

  // The answer replaces the switch; keep keyboard focus on the new one.
  let focusAfterSwap = null;
  document.addEventListener("htmx:afterSettle", () => {
    if (!focusAfterSwap) return;
    document.querySelector(`${focusAfterSwap} [role=switch]:not([disabled])`)?.focus();
    focusAfterSwap = null;
  });

  // Answers htmx does not swap (a server error, no connection) still get a message.
  const report = (text) => {
    const region = document.getElementById("messages");
    if (!region) return;
    const message = document.createElement("p");
    message.className = "message message-error";
    message.textContent = text;
    region.replaceChildren(message);
  };
  document.addEventListener("htmx:responseError", () =>
    report("The server could not complete the request; nothing was changed. Try again in a moment."),
  );
  document.addEventListener("htmx:sendError", () =>
    report("The console could not be reached; nothing was changed. Check your connection and try again."),
  );
})();
