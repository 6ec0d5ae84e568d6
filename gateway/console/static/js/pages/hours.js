// A campaign's volunteering hours to decide (GET /hours?campaign_id=…&status=…, cursor-paged,
// pending first by default), each approved with one click or declined with a reason in a
// dialog (POST /hours/{id}/decision). The status filter is kept in the address bar.

import { get, idempotencyKey, post } from "../api.js";
import { bi, field, fill, h, statusPill, table } from "../dom.js";
import { act } from "../feedback.js";
import { go } from "../router.js";

export const HOURS_STATUS = {
  pending: ["待审核", "Pending"],
  approved: ["已批准", "Approved"],
  declined: ["未批准", "Declined"],
};

function decide(entry, body, button, done) {
  const key = idempotencyKey();
  const label = body.decision === "approved" ? ["正在批准", "Approving"] : ["正在提交", "Submitting"];
  const said = body.decision === "approved" ? ["时长已批准。", "The hours are approved."] : ["时长未予批准，原因已记录。", "The hours are declined; the reason is recorded."];
  return act(button, label, () => post(`/hours/${entry.hours_id}/decision`, body, { "Idempotency-Key": key }), said).then((result) => {
    if (result !== undefined) done(result.status);
    return result;
  });
}

function declineDialog(entry, done) {
  const reason = h("textarea", { required: true, rows: 3, maxlength: 500 });
  const submit = h("button", { type: "submit" }, bi("不予批准", "Decline"));
  const cancel = h("button", { type: "button", class: "secondary" }, bi("取消", "Cancel"));
  const dialog = h(
    "dialog",
    { "aria-labelledby": "decline-title" },
    h(
      "form",
      { class: "stack" },
      h("h2", { id: "decline-title" }, bi("不予批准时长", "Decline the hours"), ": ", entry.title || ""),
      field("decline-reason", "原因", "Reason", reason),
      h("div", { class: "actions" }, submit, cancel),
    ),
  );
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const result = await decide(entry, { decision: "declined", reason: reason.value.trim() }, submit, done);
    if (result !== undefined) dialog.close();
  });
  document.body.append(dialog);
  dialog.showModal();
}

function actions(entry, cell) {
  if (entry.status !== "pending") return null;
  const shown = (status) => {
    fill(cell(), statusPill(status, HOURS_STATUS));
    buttons.remove();
  };
  const approve = h("button", { type: "button", "data-approve": entry.hours_id }, bi("批准", "Approve"));
  const decline = h("button", { type: "button", class: "secondary", "data-decline": entry.hours_id }, bi("不批准", "Decline"));
  approve.addEventListener("click", () => decide(entry, { decision: "approved" }, approve, shown));
  decline.addEventListener("click", () => declineDialog(entry, shown));
  const buttons = h("div", { class: "actions" }, approve, decline);
  return buttons;
}

function statusFilter(campaignId, current) {
  const status = h(
    "select",
    {},
    Object.entries(HOURS_STATUS).map(([value, [zh, en]]) => h("option", { value, selected: value === current }, `${zh} ${en}`)),
  );
  const form = h("form", { class: "filters", role: "search", "aria-label": "筛选 Filters" }, field("f-hours-status", "状态", "Status", status), h("button", { type: "submit" }, bi("筛选", "Filter")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`/campaigns/${campaignId}/hours?status=${encodeURIComponent(status.value)}`);
  });
  return form;
}

async function render(main, { campaignId }, query) {
  const status = query.get("status") || "pending";
  const page = await get("/hours", { campaign_id: campaignId, status, limit: 50, cursor: query.get("cursor") || undefined });
  const cells = new Map();
  const columns = [
    { zh: "活动", en: "Activity", cell: (e) => e.title || "" },
    { zh: "时长（小时）", en: "Hours", cell: (e) => String(e.hours) },
    { zh: "备注", en: "Note", class: "hide-narrow", cell: (e) => e.note || "" },
    { zh: "登记时间", en: "Logged", class: "hide-narrow", cell: (e) => (e.logged_at || "").slice(0, 16).replace("T", " ") },
    {
      zh: "状态",
      en: "Status",
      cell: (e) => {
        const holder = h("span", { "data-hours-status": e.hours_id }, statusPill(e.status, HOURS_STATUS));
        cells.set(e.hours_id, holder);
        return holder;
      },
    },
    { zh: "操作", en: "Actions", cell: (e) => actions(e, () => cells.get(e.hours_id)) },
  ];
  const next = new URLSearchParams({ status });
  if (page.next_cursor) next.set("cursor", page.next_cursor);
  fill(
    main,
    h("h1", {}, bi("志愿时长审核", "Hours to approve")),
    h("p", {}, h("a", { href: `/campaigns/${campaignId}/dashboard` }, bi("返回看板", "Back to the dashboard"))),
    statusFilter(campaignId, status),
    page.items.length ? table(columns, page.items) : h("p", { class: "muted" }, bi("没有符合条件的时长记录。", "No hours match.")),
    h(
      "div",
      { class: "pager" },
      query.get("cursor") ? h("a", { href: `/campaigns/${campaignId}/hours?status=${status}` }, bi("第一页", "First page")) : null,
      page.next_cursor ? h("a", { href: `/campaigns/${campaignId}/hours?${next}` }, bi("下一页", "Next page")) : null,
    ),
  );
}

export default {
  path: "/campaigns/:campaignId/hours",
  roles: ["operator"],
  title: ["志愿时长审核", "Hours to approve"],
  render,
};
