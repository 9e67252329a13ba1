// The console's one script. Every change asks first: htmx asks before every request
// (htmx:confirm); for a form that asks (data-confirm, or data-confirm-url whose answer the server
// counts first), we hold the request, open our <dialog>, and send it only on OK. The switch never
// flips by itself: it shows the server's answer. A plain form that asks first (an API key's
// Revoke, Activate, Delete) uses the same dialog and is sent with confirmed=yes; without this
// script the server asks on a page of its own. Also: messages that can be closed and that fade
// when they report a success, a note while a long change is under way, Copy buttons, and the
// Main Menu button's state on narrow screens.
// Elements are looked up when used: htmx's history restore (Back) replaces the page's body.
(() => {
  "use strict";
  document.documentElement.classList.add("js");

  const FADE_AFTER_MS = 6000;
  const WORKING_AFTER_MS = 500;
  const WORKING =
    "Still working on this change: one that reaches many clusters takes a few seconds.";
  const reducedMotion = window.matchMedia("(prefers-reduced-motion: reduce)");
  const byId = (id) => document.getElementById(id);
  let pending = null;

  // A hyphenated word in the console's sentences is a name ("prod-east", "tenant-admin"): a
  // line may break at a hyphen, a name must not. As the pages' keep_names filter does.
  const keepNames = (element, text) => {
    element.replaceChildren();
    let last = 0;
    for (const match of text.matchAll(/\w+(?:-\w+)+/g)) {
      element.append(text.slice(last, match.index));
      const name = document.createElement("span");
      name.className = "name";
      name.textContent = match[0];
      element.append(name);
      last = match.index + match[0].length;
    }
    element.append(text.slice(last));
  };

  // The dialog.

  const ask = (request, title, text, pause, warning) => {
    const dialog = byId("confirm-dialog");
    if (!dialog) return;
    const options = byId("confirm-pause-options");
    pending = request;
    keepNames(byId("confirm-title"), title || "Please confirm");
    keepNames(byId("confirm-message"), text);
    showWarning(warning);
    // A pause may carry a reason and an end (in UTC, as the label says).
    options.hidden = !(pause ?? "confirmPause" in request.form.dataset);
    byId("confirm-reason").value = "";
    byId("confirm-until").value = "";
    byId("confirm-until").min = new Date().toISOString().slice(0, 16);
    // What an earlier change reported is not left behind the question.
    byId("messages")?.replaceChildren();
    dialog.returnValue = "";
    dialog.showModal();
    dialog.querySelector("button[value=cancel]").focus();
  };

  document.addEventListener("htmx:confirm", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement)) return;
    // The button that was pressed ("Pause selected" or "Resume selected") says what is asked.
    const submitter = event.detail.triggeringEvent?.submitter ?? null;
    const request = { form, submitter, send: () => event.detail.issueRequest(true) };
    if (form.dataset.confirmUrl) {
      event.preventDefault();
      askWithImpact(request);
    } else if (form.dataset.confirm) {
      event.preventDefault();
      ask(request, form.dataset.confirmTitle, form.dataset.confirm);
    }
  });

  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
    if (form.hasAttribute("hx-post") || form.hasAttribute("hx-get")) return; // htmx asks
    event.preventDefault();
    const send = () => {
      setField(form, "confirmed", "yes");
      form.submit();
    };
    ask({ form, send }, form.dataset.confirmTitle, form.dataset.confirm);
  });

  // Releasing a version: the server counts the impact first, then the dialog asks. A version it
  // would refuse is sent as it is, and the answer says why next to the field.
  const askWithImpact = async (request) => {
    const query = new URLSearchParams(new FormData(request.form, request.submitter));
    let answer;
    try {
      const response = await fetch(`${request.form.dataset.confirmUrl}?${query}`, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
      });
      if (!response.ok) throw new Error(`status ${response.status}`);
      answer = await response.json();
    } catch {
      report("The console could not count what this would change; nothing was changed. Try again in a moment.");
      return;
    }
    if (answer.error) {
      request.send();
      return;
    }
    ask(request, answer.title, answer.text, answer.pause, answer);
  };

  // A warning said apart from the impact (a release that leaves paused gateways behind), with a
  // link to each object it names.
  const showWarning = (answer) => {
    const box = byId("confirm-warning");
    if (!box) return;
    box.hidden = !answer?.warning;
    if (box.hidden) return;
    keepNames(box.querySelector("p"), answer.warning);
    box.querySelector("ul").replaceChildren(
      ...(answer.named ?? []).map(({ label, url, note }) => {
        const item = document.createElement("li");
        const link = document.createElement("a");
        link.href = url;
        keepNames(link, label);
        item.append(link);
        if (note) item.append(` (${note})`);
        return item;
      }),
    );
  };

  document.addEventListener(
    "close",
    (event) => {
      const dialog = event.target;
      if (!(dialog instanceof HTMLDialogElement) || dialog.id !== "confirm-dialog") return;
      const request = pending;
      pending = null;
      if (!request || dialog.returnValue !== "ok") return;
      if (!byId("confirm-pause-options").hidden) {
        setField(request.form, "reason", byId("confirm-reason").value.trim());
        setField(request.form, "until", byId("confirm-until").value);
      }
      // htmx forgets the pressed button while the dialog is open: keep its value in the form.
      if (request.submitter?.name) setField(request.form, request.submitter.name, request.submitter.value);
      focusAfterSwap = request.form.getAttribute("hx-target");
      request.send();
    },
    true, // "close" does not bubble
  );

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

  // Selecting clusters. The selection outlives the page: it is kept for this tab, per scope, as
  // each ticked row's "id:version" (the setting's version the row showed when it was ticked, so
  // that the act still skips a cluster changed since), across pages and filters. The rows ticked
  // on other pages travel in a hidden field of the bulk form; the bar counts them all, and the
  // buttons wait for one. "Select all on this page" ticks the page's rows; once all are ticked,
  // the banner offers every cluster that matches the filters. (Without this script the banner
  // shows, the selection is the page's, and the server says so when nothing is ticked.)
  const SELECTION = "console-selection:";
  const selectionKey = (form) => SELECTION + form.dataset.selectionScope;
  const readSelection = (form) => {
    try {
      const kept = JSON.parse(sessionStorage.getItem(selectionKey(form)));
      return kept && typeof kept === "object" ? kept : {};
    } catch {
      return {};
    }
  };
  const keepSelection = (form, chosen) => {
    if (Object.keys(chosen).length) sessionStorage.setItem(selectionKey(form), JSON.stringify(chosen));
    else sessionStorage.removeItem(selectionKey(form));
  };
  const rowBoxes = (form) => [...form.querySelectorAll("input[type=checkbox][name=cluster]")];
  const rowId = (box) => box.value.split(":")[0];

  // The page as the selection says: its rows ticked, the others carried, the bar and buttons.
  const showSelection = () => {
    const form = byId("bulk-form");
    if (!form) return;
    const chosen = readSelection(form);
    const rows = rowBoxes(form);
    const here = new Set();
    for (const box of rows) {
      const id = rowId(box);
      here.add(id);
      box.dataset.shown ??= box.value; // the version this page shows
      box.checked = id in chosen;
      box.value = box.checked ? `${id}:${chosen[id]}` : box.dataset.shown;
    }
    let carried = form.querySelector("input[data-carried]");
    if (!carried) {
      carried = document.createElement("input");
      carried.type = "hidden";
      carried.name = "cluster";
      carried.dataset.carried = "";
      form.append(carried);
    }
    const elsewhere = Object.entries(chosen).filter(([id]) => !here.has(id));
    carried.value = elsewhere.map(([id, version]) => `${id}:${version}`).join(",");
    carried.disabled = !elsewhere.length; // an empty field would be a malformed selection
    const page = document.querySelector("[data-select-page]");
    if (page) {
      page.checked = rows.length > 0 && rows.every((row) => row.checked);
      page.indeterminate = !page.checked && rows.some((row) => row.checked);
    }
    const offered = Boolean(page?.checked);
    byId("select-matching")?.classList.toggle("is-offered", offered);
    const all = form.querySelector("input[name=all]");
    if (all && !offered) all.checked = false;
    const count = Object.keys(chosen).length;
    const line = form.querySelector("[data-selection]");
    const said = form.querySelector("[data-selection-count]");
    if (line) line.hidden = false;
    if (said) said.textContent = all?.checked ? said.dataset.allSelected : `${count} selected`;
    const clear = form.querySelector("[data-clear-wrap]");
    if (clear) clear.hidden = !count && !all?.checked;
    for (const button of form.querySelectorAll(".bulk-bar button[type=submit]")) {
      button.disabled = !count && !all?.checked;
    }
  };

  document.addEventListener("change", (event) => {
    const box = event.target;
    const form = byId("bulk-form");
    if (!form || !(box instanceof HTMLInputElement) || box.type !== "checkbox") return;
    const page = document.querySelector("[data-select-page]");
    let changed = [];
    if (box === page) {
      changed = rowBoxes(form);
      for (const row of changed) row.checked = page.checked;
    } else if (box.name === "cluster") {
      changed = [box];
    } else if (box.name !== "all") {
      return;
    }
    const chosen = readSelection(form);
    for (const row of changed) {
      const [id, version] = (row.dataset.shown ?? row.value).split(":");
      if (row.checked) chosen[id] = chosen[id] ?? version;
      else delete chosen[id];
    }
    keepSelection(form, chosen);
    showSelection();
  });

  document.addEventListener("click", (event) => {
    if (!event.target.closest?.("[data-clear-selection]")) return;
    const form = byId("bulk-form");
    if (!form) return;
    keepSelection(form, {});
    showSelection();
  });

  // An act done is a selection used: the list it returns to (htmx follows HX-Redirect, and leaves
  // `successful` unset for it) starts with none. A refused one (400) keeps it.
  document.addEventListener("htmx:afterRequest", (event) => {
    const { elt: form, xhr, requestConfig } = event.detail;
    if (form?.id !== "bulk-form" || requestConfig?.verb !== "post") return;
    if (xhr?.status >= 200 && xhr.status < 300) keepSelection(form, {});
  });
  document.addEventListener("htmx:afterSettle", showSelection);
  document.addEventListener("htmx:historyRestore", showSelection);
  showSelection();

  // Paging the Clusters list: the table's top is brought into view (hx-swap's show:), and focus
  // goes to its caption, so that a keyboard or screen reader user starts on the new page.
  let focusCaption = false;
  document.addEventListener("htmx:beforeRequest", (event) => {
    focusCaption = event.detail.elt?.hasAttribute?.("data-focus-caption") ?? false;
  });
  document.addEventListener("htmx:afterSettle", () => {
    if (!focusCaption) return;
    focusCaption = false;
    byId("cluster-caption")?.focus();
  });

  // Messages: each can be closed; a success (or a note) fades after a few seconds, unless the
  // pointer or the focus is on it; errors and conflicts stay until closed.

  const dismiss = (message) => {
    if (!message.isConnected) return;
    if (reducedMotion.matches) {
      message.remove();
      return;
    }
    message.classList.add("is-fading");
    message.addEventListener("transitionend", () => message.remove(), { once: true });
    setTimeout(() => message.remove(), 1000); // should no transition run
  };

  const fadeLater = (message, delay) =>
    setTimeout(() => {
      if (!message.isConnected) return;
      if (message.matches(":hover, :focus-within")) {
        fadeLater(message, 2000);
        return;
      }
      dismiss(message);
    }, delay);

  document.addEventListener("click", (event) => {
    const close = event.target.closest?.(".message-close");
    if (!close) return;
    close.closest(".message")?.remove();
    byId("main")?.focus();
  });

  // A message of this script's own, in place of those shown: an error (it stays until closed),
  // or a change still under way (it stays until the change's answer).
  const say = (text, { working = false } = {}) => {
    const region = byId("messages");
    if (!region) return;
    const message = document.createElement("div");
    message.className = working ? "message message-info" : "message message-error";
    const paragraph = document.createElement("p");
    paragraph.textContent = text;
    message.append(paragraph);
    if (working) {
      message.dataset.working = "";
      message.dataset.fades = ""; // not a success to fade: the answer replaces it
    } else {
      const close = document.createElement("button");
      close.type = "button";
      close.className = "message-close";
      close.setAttribute("aria-label", "Close message");
      message.append(close);
    }
    region.replaceChildren(message);
  };
  const report = (text) => say(text);

  // A change over a large fleet (a push, a bulk act, a release) can take seconds: once it has
  // taken more than a moment, say that it is under way. Its answer replaces the message.
  let working = null;
  document.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.requestConfig?.verb !== "post") return;
    clearTimeout(working);
    working = setTimeout(() => say(WORKING, { working: true }), WORKING_AFTER_MS);
  });
  document.addEventListener("htmx:afterRequest", () => {
    clearTimeout(working);
    document.querySelector("#messages [data-working]")?.remove();
  });
  document.addEventListener("htmx:responseError", () =>
    report("The server could not complete the request; nothing was changed. Try again in a moment."),
  );
  document.addEventListener("htmx:sendError", () =>
    report("The console could not be reached; nothing was changed. Check your connection and try again."),
  );

  // Back and Forward bring back the copy of a page the browser kept, which may show a value
  // changed since. Each history entry remembers how many changes this tab had made when its page
  // was loaded; a page brought back from before the latest change is loaded again, so that its
  // switches and badges show the server's truth.
  const CHANGES = "console-changes";
  const changesMade = () => Number(sessionStorage.getItem(CHANGES)) || 0;
  document.addEventListener("htmx:afterRequest", (event) => {
    const { requestConfig, successful } = event.detail;
    // This page shows the change; the copy of it the browser keeps for Back does not, so its
    // history entry keeps the count it was loaded with.
    if (successful && requestConfig?.verb === "post") {
      sessionStorage.setItem(CHANGES, String(changesMade() + 1));
    }
  });
  const keptFromBefore = () => (history.state?.[CHANGES] ?? -1) < changesMade();
  const [navigation] = performance.getEntriesByType("navigation");
  if (navigation?.type === "back_forward" && keptFromBefore()) {
    location.reload();
  } else {
    history.replaceState({ ...history.state, [CHANGES]: changesMade() }, "");
  }
  window.addEventListener("pageshow", (event) => {
    if (event.persisted && keptFromBefore()) location.reload();
  });

  // Whatever arrives (the page, a change's answer, a page restored by Back): arm the messages
  // that fade, and give the Main Menu button its state.
  const arm = () => {
    const region = byId("messages");
    const delay = Number(region?.dataset.fadeAfter) || FADE_AFTER_MS;
    for (const message of document.querySelectorAll(
      "#messages :is(.message-success, .message-info):not([data-fades])",
    )) {
      message.dataset.fades = "";
      fadeLater(message, delay);
    }
    // Copy buttons need this script: the page hides them, this shows them.
    for (const button of document.querySelectorAll("button[data-copy][hidden]")) button.hidden = false;
    for (const button of document.querySelectorAll(".menu-button:not([aria-expanded])")) {
      const menu = byId(button.getAttribute("popovertarget"));
      button.setAttribute("aria-expanded", String(Boolean(menu?.matches(":popover-open"))));
    }
  };
  document.addEventListener(
    "toggle",
    (event) => {
      if (event.target.id !== "main-menu") return;
      document
        .querySelector(".menu-button")
        ?.setAttribute("aria-expanded", String(event.newState === "open"));
    },
    true, // "toggle" does not bubble
  );
  document.addEventListener("click", async (event) => {
    const button = event.target.closest?.("button[data-copy]");
    if (!button) return;
    const source = byId(button.dataset.copy);
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

  // A freeze window's Add or Edit dialog: the server's answer arrives as a <dialog data-open>,
  // which opens as a modal; Cancel (or Escape) closes it and it is removed. A new window's time
  // zone starts as the browser's own, while the field still holds the console's default.
  const openDialogs = () => {
    for (const dialog of document.querySelectorAll("dialog[data-open]:not([open])")) {
      const zone = dialog.querySelector("input[data-browser-zone]");
      const own = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone && own && zone.value === "UTC") zone.value = own;
      zone?.removeAttribute("data-browser-zone");
      dialog.addEventListener("close", () => dialog.remove(), { once: true });
      dialog.showModal();
      dialog.querySelector("input:not([type=hidden])")?.focus();
    }
  };
  document.addEventListener("htmx:afterSettle", openDialogs);
  // A refused window comes back as the form with what to fix: read that out first.
  document.addEventListener("htmx:afterSettle", (event) => {
    if (event.detail.elt?.id === "window-form") byId("window-form-errors")?.focus();
  });
  document.addEventListener("click", (event) => {
    event.target.closest?.("[data-close-dialog]")?.closest("dialog")?.close();
  });

  new MutationObserver(arm).observe(document.body, { childList: true, subtree: true });
  arm();
})();
