// What the user is told while and after something happens: a progress indicator for long
// actions (#busy) and a notice (#notice) with an outcome or a refusal in words.

import { bi, fill, h } from "./dom.js";
import { explain } from "./messages.js";

let running = 0;

/** Show the progress indicator with ``[zh, en]`` while ``work`` (a promise) runs. */
export async function withProgress([zh, en], work) {
  const busy = document.getElementById("busy");
  running += 1;
  fill(busy, h("span", { class: "spinner", "aria-hidden": "true" }), h("span", {}, bi(zh, en)));
  busy.hidden = false;
  try {
    return await work;
  } finally {
    running -= 1;
    if (running === 0) busy.hidden = true;
  }
}

/** Say ``[zh, en]`` in the notice; ``kind`` "ok" for a success, otherwise an error. */
export function notify([zh, en], kind = "error") {
  const notice = document.getElementById("notice");
  notice.className = kind === "ok" ? "notice ok" : "notice";
  notice.setAttribute("role", kind === "ok" ? "status" : "alert");
  fill(notice, bi(zh, en));
  notice.hidden = false;
}

export function clearNotice() {
  const notice = document.getElementById("notice");
  notice.hidden = true;
  notice.replaceChildren();
}

/** The refusal of ``failure`` in words (never its raw body), shown in the notice. */
export function showFailure(failure) {
  if (!(failure && failure.code)) console.error(failure); // a bug of ours, not a refusal
  notify(explain(failure));
}

/**
 * Run ``action`` for a button: the button is disabled and the progress indicator shows
 * ``label`` meanwhile; a refusal is shown in words; a success says ``done`` if given.
 * Answers the action's result, or undefined when it failed.
 */
export async function act(button, label, action, done) {
  clearNotice();
  if (button) {
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
  }
  try {
    const result = await withProgress(label, action());
    if (done) notify(done, "ok");
    return result;
  } catch (failure) {
    showFailure(failure);
    return undefined;
  } finally {
    if (button) {
      button.disabled = false;
      button.removeAttribute("aria-busy");
    }
  }
}
