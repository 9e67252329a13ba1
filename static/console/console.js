// The console's one script: the in-page confirm dialog for the Pause Agent Upgrades switch.
// htmx asks before every request (htmx:confirm); for a switch we hold the request, open our
// <dialog>, and send it only on OK. The switch never flips by itself: it shows the server's answer.
// A plain form that asks first (an API key's Revoke, Activate, Delete) uses the same dialog; on
// OK it is sent with confirmed=yes. Without this script the server asks on a page of its own.
// Copy buttons copy the text of the element they name.
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
    ask(form, () => event.detail.issueRequest(true));
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return; // htmx asks
    event.preventDefault();
    ask(form, () => {
      setField(form, "confirmed", "yes");
      form.submit();
    });
  });

  const ask = (form, send) => {
    pending = { form, send };
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
  };

  dialog.addEventListener("close", () => {
    const request = pending;
    pending = null;
    if (!request || dialog.returnValue !== "ok") return;
    if (!options.hidden) {
      setField(request.form, "reason", reason.value.trim());
      setField(request.form, "until", until.value);
    }
    focusAfterSwap = request.form.getAttribute("hx-target");
    request.send();
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

  // Copy buttons: hidden in the page (they need this script), shown here.
  for (const button of document.querySelectorAll("button[data-copy]")) button.hidden = false;
  document.addEventListener("click", async (event) => {
    const button = event.target instanceof Element ? event.target.closest("button[data-copy]") : null;
    if (!button) return;
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const text = "value" in source ? source.value : source.textContent.trim();
    try {
      await navigator.clipboard.writeText(text);
      button.textContent = "Copied";
    } catch {
      // No clipboard here (an insecure origin, a refused permission): select it for Ctrl+C.
      const range = document.createRange();
      range.selectNodeContents(source);
      getSelection().removeAllRanges();
      getSelection().addRange(range);
      report("Copying is not allowed here: the text is selected, press Ctrl+C to copy it.");
    }
  });
})();
