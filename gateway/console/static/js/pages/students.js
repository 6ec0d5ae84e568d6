// A campaign's students (GET /students?campaign_id=…): filters in the address bar (so a
// filtered list can be reloaded or shared), cursor paging, and screening a registered student
// with a decision and a reason (POST /students/{id}/screening) in a dialog.

import { get, idempotencyKey, post } from "../api.js";
import { bi, field, fill, h, statusPill, table } from "../dom.js";
import { act } from "../feedback.js";
import { go } from "../router.js";
import { CHANNEL, STUDENT_STATUS, named } from "../labels.js";

const FILTERS = ["status", "university", "hometown", "channel", "q"];

function options(names, current) {
  return [
    h("option", { value: "" }, "全部 All"),
    ...Object.entries(names).map(([value, [zh, en]]) => h("option", { value, selected: value === current }, `${zh} ${en}`)),
  ];
}

function filterForm(campaignId, query) {
  const status = h("select", {}, options(STUDENT_STATUS, query.get("status") || ""));
  const channel = h("select", {}, options(CHANNEL, query.get("channel") || ""));
  const university = h("input", { value: query.get("university") || "" });
  const hometown = h("input", { value: query.get("hometown") || "" });
  const q = h("input", { type: "search", value: query.get("q") || "" });
  const form = h(
    "form",
    { class: "filters", role: "search", "aria-label": "筛选 Filters" },
    field("f-status", "状态", "Status", status),
    field("f-channel", "渠道", "Channel", channel),
    field("f-university", "高校", "University", university),
    field("f-hometown", "家乡", "Hometown", hometown),
    field("f-q", "姓名", "Name", q),
    h("button", { type: "submit" }, bi("筛选", "Filter")),
  );
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    const chosen = new URLSearchParams();
    for (const [name, control] of Object.entries({ status, channel, university, hometown, q })) {
      if (control.value.trim()) chosen.set(name, control.value.trim());
    }
    go(`/campaigns/${campaignId}/students?${chosen}`);
  });
  return form;
}

function screeningDialog(student, done) {
  const decision = h(
    "select",
    { required: true },
    h("option", { value: "approved" }, "通过 Approve"),
    h("option", { value: "rejected" }, "不通过 Reject"),
  );
  const reason = h("textarea", { required: true, rows: 3, maxlength: 500 });
  const submit = h("button", { type: "submit" }, bi("提交", "Submit"));
  const cancel = h("button", { type: "button", class: "secondary" }, bi("取消", "Cancel"));
  const dialog = h(
    "dialog",
    { "aria-labelledby": "screen-title" },
    h(
      "form",
      { class: "stack" },
      h("h2", { id: "screen-title" }, bi("考察筛选", "Screening"), ": ", student.name),
      field("screen-decision", "结论", "Decision", decision),
      field("screen-reason", "理由", "Reason", reason),
      h("div", { class: "actions" }, submit, cancel),
    ),
  );
  cancel.addEventListener("click", () => dialog.close());
  dialog.addEventListener("close", () => dialog.remove());
  dialog.querySelector("form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const body = { decision: decision.value, reason: reason.value.trim() };
    const key = idempotencyKey();
    const result = await act(submit, ["正在提交", "Submitting"], () => post(`/students/${student.student_id}/screening`, body, { "Idempotency-Key": key }), ["筛选结论已记录。", "The screening is recorded."]);
    if (result !== undefined) {
      dialog.close();
      done(body.decision);
    }
  });
  document.body.append(dialog);
  dialog.showModal();
}

async function render(main, { campaignId }, query) {
  const filters = Object.fromEntries(FILTERS.map((name) => [name, query.get(name) || undefined]));
  const page = await get("/students", { campaign_id: campaignId, limit: 50, cursor: query.get("cursor") || undefined, ...filters });
  const screen = (student, cell) => {
    if (student.status !== "registered") return null;
    const button = h("button", { type: "button", class: "secondary", "data-screen": student.student_id }, bi("筛选", "Screen"));
    button.addEventListener("click", () =>
      screeningDialog(student, (decision) => {
        student.status = decision;
        fill(cell(), statusPill(decision, STUDENT_STATUS));
        button.remove();
      }),
    );
    return button;
  };
  const cells = new Map();
  const columns = [
    { zh: "姓名", en: "Name", cell: (s) => s.name },
    { zh: "高校", en: "University", cell: (s) => s.university },
    { zh: "专业", en: "Major", class: "hide-narrow", cell: (s) => s.major },
    { zh: "家乡", en: "Hometown", class: "hide-narrow", cell: (s) => s.hometown },
    { zh: "渠道", en: "Channel", class: "hide-narrow", cell: (s) => named(CHANNEL, s.channel)[0] },
    {
      zh: "状态",
      en: "Status",
      cell: (s) => {
        const holder = h("span", { "data-status": s.student_id }, statusPill(s.status, STUDENT_STATUS));
        cells.set(s.student_id, holder);
        return holder;
      },
    },
    { zh: "操作", en: "Actions", cell: (s) => screen(s, () => cells.get(s.student_id)) },
  ];
  const next = new URLSearchParams(query);
  if (page.next_cursor) next.set("cursor", page.next_cursor);
  fill(
    main,
    h("h1", {}, bi("学生", "Students")),
    h("p", {}, h("a", { href: `/campaigns/${campaignId}/dashboard` }, bi("返回看板", "Back to the dashboard"))),
    filterForm(campaignId, query),
    page.items.length ? table(columns, page.items) : h("p", { class: "muted" }, bi("没有符合条件的学生。", "No students match.")),
    h(
      "div",
      { class: "pager" },
      query.get("cursor") ? h("a", { href: `/campaigns/${campaignId}/students?${withoutCursor(query)}` }, bi("第一页", "First page")) : null,
      page.next_cursor ? h("a", { href: `/campaigns/${campaignId}/students?${next}` }, bi("下一页", "Next page")) : null,
    ),
  );
}

function withoutCursor(query) {
  const copy = new URLSearchParams(query);
  copy.delete("cursor");
  return copy;
}

export default {
  path: "/campaigns/:campaignId/students",
  roles: ["operator"],
  title: ["学生", "Students"],
  render,
};
