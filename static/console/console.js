// The console's one script: the in-page confirm dialog for the Pause Agent Upgrades switch.
// htmx asks before every request (htmx:confirm); for a switch we hold the request, open our
// <dialog>, and send it only on OK. The switch never flips by itself: it shows the server's answer.
(() => {
  "use strict";
  const dialog = document.getElementById("confirm-dialog");
  if (!dialog) return;
  const options = dialog.querySelector("#confirm-pause-options");
  const reason = dialog.querySelector("#confirm-reason");
  const until = dialog.querySelector("#confirm-until");
  let pending = null;

  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    event.preventDefault();
    pending = { detail: event.detail, form };
    dialog.querySelector("#confirm-title").textContent = form.dataset.confirmTitle || "Please confirm";
    dialog.querySelector("#confirm-message").textContent = form.dataset.confirm;
    // A pause may carry a reason and an end (in UTC, as the label says).
    const pausing = "confirmPause" in form.dataset;
    options.hidden = !pausing;
    reason.value = "";
    until.value = "";
    until.min = new Date().toISOString().slice(0, 16);
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  });

  dialog.addEventListener("close", () => {
    const request = pending;
    pending = null;
    if (!request || dialog.returnValue !== "ok") return;
    if (!options.hidden) {
      setField(request.form, "reason", reason.value.trim());
      setField(request.form, "until", until.value);
    }
    focusAfterSwap = request.form.getAttribute("hx-target");
    request.detail.issueRequest(true);
  });

  const setField = (form, name, value) => {
    let input = form.querySelector(`input[type=hidden][name=${name}]`);
    if (!input) {
      input = document.createElement("input");
      input.type = "hidden";
      input.name = name;
      form.append(input);
    }
    input.value = value;
  };

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
