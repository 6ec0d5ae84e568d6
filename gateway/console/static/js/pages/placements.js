// A campaign's offers and placements for the operator (GET /campaigns/{id}/placements,
// cursor-paged, filtered by status in the address), with their readiness gates; an agreed
// placement's missing insurance or training is recorded from here (pages/readiness.js), and
// the row then shows the placement as the command answered it (the list lags a moment).

import { get } from "../api.js";
import { bi, field, fill, h, statusPill, table } from "../dom.js";
import { go } from "../router.js";
import { readinessCells } from "./readiness.js";
import { PLACEMENT_STATUS } from "./unit.js";

const short = (id) => String(id).slice(0, 8);

function statusFilter(campaignId, current) {
  const status = h(
    "select",
    {},
    h("option", { value: "" }, "全部 All"),
    Object.entries(PLACEMENT_STATUS).map(([value, [zh, en]]) => h("option", { value, selected: value === current }, `${zh} ${en}`)),
  );
  const form = h("form", { class: "filters", role: "search", "aria-label": "筛选 Filters" }, field("f-placement-status", "状态", "Status", status), h("button", { type: "submit" }, bi("筛选", "Filter")));
  form.addEventListener("submit", (event) => {
    event.preventDefault();
    go(`/campaigns/${campaignId}/placements${status.value ? `?status=${encodeURIComponent(status.value)}` : ""}`);
  });
  return form;
}

const row = (placement) => ({ ...placement, ...readinessCells(placement) });

async function render(main, { campaignId }, query) {
  const status = query.get("status") || "";
  const page = await get(`/campaigns/${campaignId}/placements`, { status, limit: 50, cursor: query.get("cursor") || undefined });
  const columns = [
    { zh: "岗位", en: "Position", cell: (p) => `${p.position_title || ""} · ${p.host_unit_name || ""}` },
    { zh: "学生编号", en: "Student", class: "hide-narrow", cell: (p) => h("code", {}, short(p.student_id)) },
    { zh: "状态", en: "Status", cell: (p) => statusPill(p.status, PLACEMENT_STATUS) },
    { zh: "上岗准备", en: "Readiness", cell: (p) => p.gateCell },
    { zh: "操作", en: "Actions", cell: (p) => p.actionCell },
  ];
  const next = new URLSearchParams(status ? { status } : {});
  if (page.next_cursor) next.set("cursor", page.next_cursor);
  fill(
    main,
    h("h1", {}, bi("实践安排与上岗准备", "Placements and readiness")),
    h("p", {}, h("a", { href: `/campaigns/${campaignId}/dashboard` }, bi("返回看板", "Back to the dashboard"))),
    statusFilter(campaignId, status),
    page.items.length ? table(columns, page.items.map(row)) : h("p", { class: "muted" }, bi("没有符合条件的实践安排。", "No placements match.")),
    h(
      "div",
      { class: "pager" },
      query.get("cursor") ? h("a", { href: `/campaigns/${campaignId}/placements${status ? `?status=${status}` : ""}` }, bi("第一页", "First page")) : null,
      page.next_cursor ? h("a", { href: `/campaigns/${campaignId}/placements?${next}` }, bi("下一页", "Next page")) : null,
    ),
  );
}

export default {
  path: "/campaigns/:campaignId/placements",
  roles: ["operator"],
  title: ["实践安排", "Placements"],
  render,
};
