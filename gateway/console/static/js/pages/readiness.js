// Recording a placement's readiness gates from the placements views (the operator's and the
// host unit's): the personal accident insurance (POST /placements/{id}/insurance) and the
// pre-job training (POST /placements/{id}/training), each in a dialog. A refusal is told
// inside the dialog, in words and beside the field it is about, since the page's notice sits
// behind the dialog; the dialog stays open so the clerk can correct and send again.

import { get, idempotencyKey, post } from "../api.js";
import { bi, field, fill, h } from "../dom.js";
import { clearNotice, notify, withProgress } from "../feedback.js";
import { explain } from "../messages.js";

export const GATES = [
  ["insurance", "意外保险", "Insurance"],
  ["training", "岗前培训", "Training"],
  ["practice_notice", "实践须知", "Practice notice"],
  ["confidentiality_commitment", "保密承诺", "Confidentiality"],
];

/** Readiness gates as a list of passed/missing marks. */
export function gates(placement) {
  return h(
    "ul",
    { class: "gates", "data-testid": `gates-${placement.placement_id}` },
    GATES.map(([key, zh, en]) => {
      const passed = Boolean(placement.gates && placement.gates[key]);
      return h("li", { class: passed ? "gate passed" : "gate", "data-gate": key, "data-passed": String(passed) }, passed ? "✔ " : "✘ ", bi(zh, en), h("span", { class: "sr-only" }, passed ? " 已完成 done" : " 未完成 missing"));
    }),
  );
}

let dialogs = 0;
const periods = new Map(); // "campaign/host unit" -> a promise of Map(position id -> position)

/** The position's period, to offer as the policy's cover (null when it cannot be read). */
async function periodOf(placement) {
  const key = `${placement.campaign_id}/${placement.host_unit_id}`;
  if (!periods.has(key)) {
    const load = get(`/campaigns/${placement.campaign_id}/positions`, { host_unit_id: placement.host_unit_id, limit: 200 })
      .then((page) => new Map(page.items.map((p) => [p.position_id, p])))
      .catch(() => new Map());
    periods.set(key, load);
  }
  return (await periods.get(key)).get(placement.position_id) || null;
}

/** What a refusal means for this form, in words: the catalogue's sentence, and for some
 * codes what the clerk needs to put it right. */
function explained(failure) {
  const [zh, en] = explain(failure);
  const details = failure.details || {};
  if (failure.code === "INVALID_INSURANCE_COVERAGE" && details.starts_on) {
    const period = `${details.starts_on} – ${details.ends_on}`;
    return [`${zh}实践期为 ${period}，保障期须包含每一天。`, `${en} The placement runs ${period}; the cover must include every day.`];
  }
  if (failure.code === "INSURED_PERSON_MISMATCH" && details.reason === "registered_name_not_known_yet") {
    return ["系统尚未收到该学生的报名姓名，请稍后再试。", "The student's registered name has not arrived yet; try again in a moment."];
  }
  if (failure.code === "OFFER_STATE_CONFLICT") {
    return ["只能为双方已确认、尚未开始的实践记录上岗条件。", "Readiness is recorded on an agreed placement that has not started."];
  }
  return [zh, en];
}

/** The field a refusal is about: VALIDATION_FAILED names fields; the domain's refusals one. */
function fieldsOf(failure) {
  const details = failure.details || {};
  if (details.fields) return Object.keys(details.fields);
  if (details.field) return [details.field];
  if (failure.code === "INVALID_INSURANCE_COVERAGE") return ["covers_from", "covers_until"];
  return [];
}

/**
 * A dialog with ``controls`` ({name: [zh, en, input]}) that sends them to ``path`` and hands
 * the answer (the placement) to ``done``. ``testid`` names the dialog for the tests.
 */
function gateDialog({ title, testid, controls, path, body, doing, said, done }) {
  const id = `gate-${(dialogs += 1)}`;
  const problem = h("p", { class: "problem", role: "alert", id: `${id}-problem`, hidden: true });
  const submit = h("button", { type: "submit" }, bi("保存", "Save"));
  const cancel = h("button", { type: "button", class: "secondary" }, bi("取消", "Cancel"));
  const form = h(
    "form",
    { class: "stack" },
    h("h2", { id: `${id}-title` }, bi(...title)),
    Object.entries(controls).map(([name, [zh, en, control]]) => field(`${id}-${name}`, zh, en, control)),
    problem,
    h("div", { class: "actions" }, submit, cancel),
  );
  const dialog = h("dialog", { "aria-labelledby": `${id}-title`, "data-testid": testid }, form);
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    problem.hidden = true;
    for (const [, [, , control]] of Object.entries(controls)) control.removeAttribute("aria-invalid");
    submit.disabled = true;
    submit.setAttribute("aria-busy", "true");
    fill(submit, h("span", { class: "spinner", "aria-hidden": "true" }), " ", bi(...doing));
    clearNotice();
    try {
      // A new key per attempt: a corrected form is a new command, a double click is not.
      const answer = await withProgress(doing, post(path, body(), { "Idempotency-Key": idempotencyKey() }));
      dialog.close();
      notify(said, "ok");
      done(answer);
    } catch (failure) {
      if (!(failure && failure.code)) console.error(failure); // a bug of ours, not a refusal
      fill(problem, bi(...explained(failure || {})));
      problem.hidden = false;
      for (const name of fieldsOf(failure || {})) {
        const control = controls[name] && controls[name][2];
        if (control) {
          control.setAttribute("aria-invalid", "true");
          control.setAttribute("aria-describedby", problem.id);
        }
      }
    } finally {
      submit.disabled = false;
      submit.removeAttribute("aria-busy");
      fill(submit, bi("保存", "Save"));
    }
  });
  document.body.append(dialog);
  dialog.showModal();
  return dialog;
}

function insuranceDialog(placement, done) {
  const input = (attributes) => h("input", { required: true, ...attributes });
  const controls = {
    insurer: ["保险公司", "Insurer", input({ maxlength: 120, autocomplete: "off" })],
    policy_number: ["保单号", "Policy number", input({ maxlength: 64, autocomplete: "off" })],
    insured_person: ["被保险人（学生报名姓名）", "Insured person (the student's registered name)", input({ maxlength: 50, autocomplete: "off" })],
    covers_from: ["保障起始日", "Covers from", input({ type: "date" })],
    covers_until: ["保障截止日", "Covers until", input({ type: "date" })],
  };
  periodOf(placement).then((position) => {
    if (!position) return;
    if (!controls.covers_from[2].value) controls.covers_from[2].value = position.starts_on;
    if (!controls.covers_until[2].value) controls.covers_until[2].value = position.ends_on;
  });
  const body = () => Object.fromEntries(Object.entries(controls).map(([name, [, , control]]) => [name, control.value.trim()]));
  return gateDialog({
    title: ["记录意外保险", "Record the insurance"],
    testid: "insurance-dialog",
    controls,
    path: `/placements/${placement.placement_id}/insurance`,
    body,
    doing: ["正在记录保险", "Recording the insurance"],
    said: ["保险已记录。", "The insurance is recorded."],
    done,
  });
}

function trainingDialog(placement, done) {
  const today = new Date().toISOString().slice(0, 10);
  const controls = {
    session: ["培训场次", "Training session", h("input", { required: true, maxlength: 200, autocomplete: "off" })],
    attended_on: ["参训日期", "Attended on", h("input", { required: true, type: "date", value: today })],
  };
  const body = () => ({ session: controls.session[2].value.trim(), attended_on: controls.attended_on[2].value });
  return gateDialog({
    title: ["记录岗前培训", "Record the training"],
    testid: "training-dialog",
    controls,
    path: `/placements/${placement.placement_id}/training`,
    body,
    doing: ["正在记录培训", "Recording the training"],
    said: ["培训已记录。", "The training is recorded."],
    done,
  });
}

/**
 * The buttons that record an agreed placement's missing insurance or training; ``done`` gets
 * the placement as the command answered it (the lists are read models and lag a moment).
 */
export function gateActions(placement, done) {
  if (placement.status !== "agreed") return null;
  const gates = placement.gates || {};
  const id = placement.placement_id;
  const buttons = [];
  if (!gates.insurance) {
    const button = h("button", { type: "button", class: "small", "data-record-insurance": id }, bi("记录保险", "Record insurance"));
    button.addEventListener("click", () => insuranceDialog(placement, done));
    buttons.push(button);
  }
  if (!gates.training) {
    const button = h("button", { type: "button", class: "small", "data-record-training": id }, bi("记录培训", "Record training"));
    button.addEventListener("click", () => trainingDialog(placement, done));
    buttons.push(button);
  }
  return buttons.length ? h("div", { class: "actions" }, buttons) : null;
}

/**
 * A placement's readiness gates and the buttons that record the missing ones, as two cells
 * that redraw themselves from the command's answer. ``more`` adds other actions of the row.
 */
export function readinessCells(placement, more = () => null) {
  const gateCell = h("span", {});
  const actionCell = h("span", { class: "actions", "data-actions": placement.placement_id });
  const draw = (shown) => {
    fill(gateCell, gates(shown));
    fill(actionCell, more(shown), gateActions(shown, draw));
  };
  draw(placement);
  return { gateCell, actionCell };
}
