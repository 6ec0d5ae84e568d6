// A campaign's matching rounds (GET /campaigns/{id}/matching-rounds, newest first), each with
// its stability report as the round answers it: assignments, unmatched students, unfilled
// seats and the blocking pairs (none when stable). The operator runs a new round (POST
// /campaigns/{id}/matching-rounds) and publishes a proposed one (POST
// /matching-rounds/{id}/publication: each assignment becomes an offer to both sides).

import { get, idempotencyKey, post } from "../api.js";
import { bi, fill, h, statusPill, table } from "../dom.js";
import { act } from "../feedback.js";

const ROUND_STATUS = {
  proposed: ["待发布", "Proposed"],
  published: ["已发布", "Published"],
};

// Rounds answered by commands: the list is a read model and may lag a command by a moment.
const answered = new Map();

function stability(round) {
  const unfilled = Object.values(round.unfilled || {}).reduce((sum, seats) => sum + seats, 0);
  return h(
    "span",
    { "data-stability": round.round_id },
    round.stable ? h("span", { class: "status status-approved" }, "稳定 Stable") : h("span", { class: "status status-rejected" }, `不稳定 Unstable: ${round.blocking_pairs.length}`),
    h("span", { class: "muted" }, ` · ${round.assignments.length} 配对 matched · ${round.unmatched.length} 未匹配 unmatched · ${unfilled} 空缺 unfilled`),
  );
}

function publish(round, redraw) {
  if (round.status !== "proposed") return null;
  const button = h("button", { type: "button", "data-publish": round.round_id }, bi("发布", "Publish"));
  button.addEventListener("click", async () => {
    const key = idempotencyKey();
    const said = ["匹配结果已发布，录用通知已发出。", "The round is published; the offers are sent."];
    const result = await act(button, ["正在发布", "Publishing"], () => post(`/matching-rounds/${round.round_id}/publication`, {}, { "Idempotency-Key": key }), said);
    if (result !== undefined) {
      answered.set(round.round_id, { ...round, status: "published" });
      redraw();
    }
  });
  return button;
}

async function render(main, { campaignId }) {
  const page = await get(`/campaigns/${campaignId}/matching-rounds`, { limit: 50 });
  const redraw = () => render(main, { campaignId });
  const listed = new Set(page.items.map((r) => r.round_id));
  const rounds = [
    ...[...answered.values()].filter((r) => r.campaign_id === campaignId && !listed.has(r.round_id)),
    ...page.items.map((r) => (answered.get(r.round_id)?.status === "published" ? { ...r, status: "published" } : r)),
  ];
  const run = h("button", { type: "button", "data-run-round": campaignId }, bi("运行匹配", "Run a matching round"));
  run.addEventListener("click", async () => {
    const key = idempotencyKey();
    const said = ["匹配已完成，请查看稳定性报告后发布。", "The round is proposed; read its stability report, then publish."];
    const result = await act(run, ["正在匹配", "Matching"], () => post(`/campaigns/${campaignId}/matching-rounds`, {}, { "Idempotency-Key": key }), said);
    if (result !== undefined) {
      answered.set(result.round_id, result);
      redraw();
    }
  });
  const columns = [
    { zh: "提出时间", en: "Proposed", cell: (r) => (r.proposed_at || "").slice(0, 16).replace("T", " ") },
    { zh: "状态", en: "Status", cell: (r) => statusPill(r.status, ROUND_STATUS) },
    { zh: "稳定性报告", en: "Stability report", cell: stability },
    { zh: "操作", en: "Actions", cell: (r) => publish(r, redraw) },
  ];
  fill(
    main,
    h("h1", {}, bi("双向选择匹配", "Matching rounds")),
    h("p", {}, h("a", { href: `/campaigns/${campaignId}/dashboard` }, bi("返回看板", "Back to the dashboard"))),
    h("div", { class: "actions" }, run),
    rounds.length ? table(columns, rounds) : h("p", { class: "muted" }, bi("还没有匹配轮次。", "No rounds yet.")),
  );
}

export default {
  path: "/campaigns/:campaignId/rounds",
  roles: ["operator"],
  title: ["双向选择匹配", "Matching rounds"],
  render,
};
