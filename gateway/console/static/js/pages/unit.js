// A host unit's pages: its positions (with links to each one's applicants), the applicants of
// a position ranked best first with up/down buttons (PUT /positions/{id}/applicant-ranking),
// and its offers (to confirm) and placements with their readiness gates and the evaluation of
// a completed one.
// Applicants carry study facts only: the API answers no name, phone or ID number to a unit.
// The readiness gates and the recording of insurance and training are readiness.js's, shared
// with the operator's placements page and the student's.

import { get, idempotencyKey, request, session } from "../api.js";
import { bi, fill, h, table } from "../dom.js";
import { act } from "../feedback.js";
import { readinessCells } from "./readiness.js";

const POSITION_STATUS = { open: ["开放", "Open"], closed: ["已截止", "Closed"], withdrawn: ["已撤回", "Withdrawn"] };
export const PLACEMENT_STATUS = {
  offered: ["待确认", "Offered"],
  agreed: ["已确认", "Agreed"],
  declined: ["已谢绝", "Declined"],
  started: ["实践中", "Started"],
  completed: ["已完成", "Completed"],
  ended: ["已终止", "Ended"],
};

const pill = (names, value) => {
  const [zh, en] = names[value] || [value, value];
  return h("span", { class: `status status-${value}` }, `${zh} ${en}`);
};
const short = (id) => String(id).slice(0, 8);

async function positions(main) {
  const unit = session().subject;
  const campaigns = (await get("/campaigns", { limit: 200 })).campaigns;
  const rows = [];
  for (const campaign of campaigns) {
    const page = await get(`/campaigns/${campaign.campaign_id}/positions`, { host_unit_id: unit, limit: 200 });
    rows.push(...page.items);
  }
  const columns = [
    { zh: "岗位", en: "Position", cell: (p) => p.title },
    { zh: "地点", en: "Place", cell: (p) => p.place },
    { zh: "日期", en: "Dates", cell: (p) => `${p.starts_on} – ${p.ends_on}` },
    { zh: "名额", en: "Seats", cell: (p) => h("span", { "data-testid": `seats-${p.position_id}` }, `${p.seats_held ?? 0} / ${p.capacity}`) },
    { zh: "状态", en: "Status", cell: (p) => pill(POSITION_STATUS, p.status) },
    { zh: "申请人", en: "Applicants", cell: (p) => h("a", { href: `/unit/positions/${p.position_id}` }, bi("排序申请人", "Rank applicants")) },
  ];
  fill(
    main,
    h("h1", {}, bi("本单位岗位", "Our positions")),
    rows.length ? table(columns, rows) : h("p", { class: "muted" }, bi("还没有岗位。", "No positions yet.")),
  );
}

function ordered(answer) {
  const byId = new Map(answer.applicants.map((a) => [a.student_id, a]));
  const ranked = answer.applicant_ranking.filter((id) => byId.has(id)).map((id) => byId.get(id));
  const rest = answer.applicants.filter((a) => !answer.applicant_ranking.includes(a.student_id));
  rest.sort((a, b) => a.choice - b.choice);
  return [...ranked, ...rest];
}

async function applicants(main, { positionId }) {
  const answer = await get(`/positions/${positionId}/applicants`);
  const list = ordered(answer);
  const unacceptable = answer.unacceptable;
  const draw = (focusId, focusDirection) => {
    const items = list.map((a, i) => {
      const move = (by, zh, en, arrow) =>
        h(
          "button",
          {
            type: "button",
            class: "secondary small",
            "aria-label": `${zh} ${en}: ${a.university || ""} ${a.major || ""} ${short(a.student_id)}`,
            "data-move": `${by}`,
            "data-student": a.student_id,
            disabled: i + by < 0 || i + by >= list.length,
            onclick: () => {
              const [moved] = list.splice(i, 1);
              list.splice(i + by, 0, moved);
              draw(a.student_id, by);
            },
          },
          arrow,
        );
      return h(
        "li",
        { class: "ranked", "data-testid": "applicant", "data-student": a.student_id },
        h("span", { class: "rank" }, `${i + 1}.`),
        h(
          "span",
          { class: "facts" },
          `${a.university || "—"} · ${a.major || "—"} · ${a.grade || "—"} · ${a.hometown || "—"}`,
          h("span", { class: "muted" }, ` （第${a.choice}志愿 choice ${a.choice} · ${short(a.student_id)}）`),
        ),
        h("span", { class: "actions" }, move(-1, "上移", "Move up", "↑"), move(1, "下移", "Move down", "↓")),
      );
    });
    const save = h("button", { type: "button" }, bi("保存排序", "Save the ranking"));
    save.addEventListener("click", () =>
      act(
        save,
        ["正在保存", "Saving"],
        () =>
          request("PUT", `/positions/${positionId}/applicant-ranking`, {
            body: { student_ids: list.map((a) => a.student_id), unacceptable: unacceptable.filter((id) => list.some((a) => a.student_id === id)) },
            headers: { "Idempotency-Key": idempotencyKey() }, // each order is a new command
          }),
        ["排序已保存。", "The ranking is saved."],
      ),
    );
    fill(
      main,
      h("h1", {}, bi("申请人排序", "Rank the applicants")),
      h("p", { class: "muted" }, bi("最优先的排在最前；仅显示学习信息。", "Best first; study facts only.")),
      list.length
        ? h("ol", { class: "ranking", "aria-label": "申请人 Applicants" }, items)
        : h("p", { class: "muted" }, bi("还没有申请人。", "No applicants yet.")),
      list.length ? save : null,
      h("p", {}, h("a", { href: "/unit/positions" }, bi("返回岗位", "Back to the positions"))),
    );
    if (focusId) {
      const target = main.querySelector(`button[data-student="${focusId}"][data-move="${focusDirection}"]`);
      const fallback = main.querySelector(`button[data-student="${focusId}"]:not([disabled])`);
      (target && !target.disabled ? target : fallback)?.focus();
    }
  };
  draw();
}

function evaluation(placement, redraw) {
  if (placement.status !== "completed") return placement.evaluation ? String(placement.evaluation.score ?? "") : "—";
  if (placement.evaluation) return h("span", { "data-testid": `evaluation-${placement.placement_id}` }, String(placement.evaluation.score));
  const id = placement.placement_id;
  const score = h("input", { type: "number", min: "0", max: "100", required: true, id: `score-${id}` });
  const comment = h("input", { type: "text", maxlength: "500", id: `comment-${id}` });
  const send = h("button", { type: "submit", class: "small" }, bi("评价", "Evaluate"));
  const key = idempotencyKey();
  return h(
    "form",
    {
      class: "inline",
      onsubmit: async (event) => {
        event.preventDefault();
        const body = { score: Number(score.value), comment: comment.value };
        const done = await act(send, ["正在提交", "Sending"], () => request("POST", `/placements/${id}/evaluation`, { body, headers: { "Idempotency-Key": key } }), ["评价已提交。", "The evaluation is recorded."]);
        if (done !== undefined) redraw();
      },
    },
    h("label", { for: `score-${id}` }, bi("分数", "Score")),
    score,
    h("label", { for: `comment-${id}` }, bi("评语", "Comment")),
    comment,
    send,
  );
}

function confirmOffer(placement, redraw) {
  if (placement.status !== "offered" || (placement.confirmed_by || []).includes("host_unit")) return null;
  const button = h("button", { type: "button", class: "small" }, bi("确认录用", "Confirm the offer"));
  const key = idempotencyKey();
  button.addEventListener("click", async () => {
    const path = `/placements/${placement.placement_id}/confirmation`;
    const done = await act(button, ["正在确认", "Confirming"], () => request("POST", path, { body: {}, headers: { "Idempotency-Key": key } }), ["已确认。", "Confirmed."]);
    if (done !== undefined) redraw();
  });
  return button;
}

async function placements(main) {
  const unit = session().subject;
  const answer = await get(`/host-units/${unit}/placements`);
  const redraw = () => placements(main);
  // Gates recorded here redraw their row from the command's answer (the list lags a moment).
  const rows = answer.placements.map((p) => ({ ...p, ...readinessCells(p, (shown) => confirmOffer(shown, redraw)) }));
  const columns = [
    { zh: "岗位", en: "Position", cell: (p) => p.position_title },
    { zh: "学生编号", en: "Student", cell: (p) => short(p.student_id) },
    { zh: "状态", en: "Status", cell: (p) => pill(PLACEMENT_STATUS, p.status) },
    { zh: "上岗准备", en: "Readiness", cell: (p) => p.gateCell },
    { zh: "服务时长", en: "Served", cell: (p) => (p.hours_served ? `${p.days_served ?? 0} 天 days · ${p.hours_served} 小时 h` : "—") },
    { zh: "评价", en: "Evaluation", cell: (p) => evaluation(p, redraw) },
    { zh: "操作", en: "Actions", cell: (p) => p.actionCell },
  ];
  fill(
    main,
    h("h1", {}, bi("实践安排", "Placements")),
    rows.length ? table(columns, rows) : h("p", { class: "muted" }, bi("还没有实践安排。", "No placements yet.")),
  );
}

export const unitPositions = {
  path: "/unit/positions",
  roles: ["host_unit"],
  title: ["本单位岗位", "Our positions"],
  nav: true,
  render: positions,
};
export const unitApplicants = {
  path: "/unit/positions/:positionId",
  roles: ["host_unit"],
  title: ["申请人排序", "Rank the applicants"],
  render: applicants,
};
export const unitPlacements = {
  path: "/unit/placements",
  roles: ["host_unit"],
  title: ["实践安排", "Placements"],
  nav: true,
  render: placements,
};
