// A season's dashboard: the stages from registration to completed practice, then each
// section's figures (GET /campaigns/{id}/dashboard), and placements by host unit (counted
// from GET /campaigns/{id}/placements, the agreements only). Every figure shown carries
// data-figure="<its key in the dashboard's answer>", so a test can compare it with the API.

import { download, get } from "../api.js";
import { bars } from "../chart.js";
import { bi, fill, h } from "../dom.js";
import { act } from "../feedback.js";
import { ACTIVITY_KIND, named } from "../labels.js";

const STAGES = [
  ["registered", "报名", "Registered"],
  ["approved", "通过筛选", "Approved"],
  ["placed", "达成实践意向", "Placed"],
  ["started", "已上岗", "Started"],
  ["completed", "已完成", "Completed"],
  ["host_units", "机关单位", "Host units"],
  ["positions", "实践岗位", "Positions"],
];

const EXPORTS = [
  ["students", "学生", "Students"],
  ["placements", "实践安排", "Placements"],
  ["hours", "志愿时长", "Hours"],
  ["awards", "荣誉", "Awards"],
  ["appointments", "聘任", "Appointments"],
];

function figure(key, value, zh, en) {
  return h(
    "div",
    { class: "figure" },
    h("span", { class: "value", "data-figure": key }, String(value)),
    h("span", { class: "label" }, bi(zh, en)),
  );
}

function section(zh, en, ...content) {
  return h("section", { class: "card", "aria-label": `${zh} ${en}` }, h("h2", {}, bi(zh, en)), content);
}

function countsBy(block, key, labels) {
  const items = Object.entries(block).map(([name, counts]) => ({
    label: labels ? named(labels, name)[0] : name,
    value: counts[key],
    figure: null,
  }));
  return items.sort((a, b) => b.value - a.value);
}

async function placementsByHostUnit(campaignId) {
  const counts = new Map();
  let cursor;
  do {
    const page = await get(`/campaigns/${campaignId}/placements`, { limit: 200, cursor });
    for (const placement of page.items) {
      if (!placement.agreed_at) continue;
      // Counted by the unit's id (two units may share a name, or a name be missing), shown by name.
      const unit = counts.get(placement.host_unit_id) || { label: placement.host_unit_name || placement.host_unit_id, value: 0 };
      unit.value += 1;
      counts.set(placement.host_unit_id, unit);
    }
    cursor = page.next_cursor;
  } while (cursor);
  return [...counts.values()].sort((a, b) => b.value - a.value || a.label.localeCompare(b.label));
}

function exportsCard(campaignId) {
  const buttons = EXPORTS.flatMap(([name, zh, en]) =>
    ["csv", "xlsx"].map((format) => {
      const button = h("button", { type: "button", class: "secondary", "data-export": `${name}.${format}` }, bi(zh, en), ` .${format}`);
      button.addEventListener("click", () =>
        act(button, ["正在导出", "Exporting"], () => download(`/campaigns/${campaignId}/exports/${name}.${format}`, `${name}.${format}`), ["导出完成。", "Export downloaded."]),
      );
      return button;
    }),
  );
  return section("导出", "Exports", h("div", { class: "actions" }, buttons));
}

async function render(main, { campaignId }) {
  const [dashboard, byUnit] = await Promise.all([get(`/campaigns/${campaignId}/dashboard`), placementsByHostUnit(campaignId)]);
  const { stages, recruitment, placement, volunteering, honors } = dashboard;
  const stageBars = STAGES.map(([key, zh, en]) => ({ label: `${zh} ${en}`, value: stages[key], figure: `stages.${key}` }));
  const kinds = Object.entries(volunteering.by_kind).map(([kind, counts]) => ({
    label: named(ACTIVITY_KIND, kind)[0],
    value: counts.volunteers,
    figure: `volunteering.by_kind.${kind}.volunteers`,
  }));
  fill(
    main,
    h("h1", {}, dashboard.campaign.name, " · ", bi("看板", "Dashboard")),
    h("p", { class: "muted" }, bi(`数据截至日志位置 ${dashboard.as_of_position}`, `as of log position ${dashboard.as_of_position}`)),
    h("div", { class: "figures" }, STAGES.map(([key, zh, en]) => figure(`stages.${key}`, stages[key], zh, en))),
    h(
      "div",
      { class: "grid" },
      section("各阶段", "Stages", bars(stageBars.map((bar) => ({ ...bar, figure: null })), "各阶段 Stages")),
      section(
        "报名与筛选",
        "Registrations",
        h(
          "div",
          { class: "figures" },
          figure("recruitment.registered", recruitment.registered, "报名", "Registered"),
          figure("recruitment.approved", recruitment.approved, "通过", "Approved"),
          figure("recruitment.rejected", recruitment.rejected, "未通过", "Rejected"),
          figure("recruitment.withdrawn", recruitment.withdrawn, "退出", "Withdrawn"),
        ),
        h("h3", {}, bi("按高校", "By university")),
        bars(countsBy(recruitment.by_university, "registered"), "按高校报名 Registrations by university"),
        h("h3", {}, bi("按家乡", "By hometown")),
        bars(countsBy(recruitment.by_hometown, "registered"), "按家乡报名 Registrations by hometown"),
      ),
      section(
        "实践安排",
        "Placements",
        h(
          "div",
          { class: "figures" },
          figure("placement.agreements", placement.agreements, "实践意向", "Agreements"),
          figure("placement.host_units_involved", placement.host_units_involved, "机关单位", "Host units"),
          figure("placement.insured", placement.insured, "已投保", "Insured"),
          figure("placement.trained", placement.trained, "已培训", "Trained"),
        ),
        h("h3", {}, bi("按机关单位", "By host unit")),
        bars(byUnit, "按机关单位的实践意向 Placements by host unit"),
      ),
      section(
        "志愿服务",
        "Volunteering",
        h(
          "div",
          { class: "figures" },
          figure("volunteering.totals.activities", volunteering.totals.activities, "活动", "Activities"),
          figure("volunteering.totals.volunteers", volunteering.totals.volunteers, "志愿者", "Volunteers"),
          figure("volunteering.totals.children", volunteering.totals.children, "受益儿童", "Children"),
          figure("volunteering.totals.residents", volunteering.totals.residents, "影响居民", "Residents"),
          figure("volunteering.totals.approved_hours", volunteering.totals.approved_hours, "时长", "Hours"),
        ),
        h("h3", {}, bi("按类别的志愿者", "Volunteers by kind")),
        bars(kinds, "按类别的志愿者 Volunteers by kind"),
      ),
      section(
        "荣誉",
        "Honours",
        h(
          "div",
          { class: "figures" },
          figure("honors.awards.granted", honors.awards.granted, "先进个人", "Awards"),
          figure("honors.certificates.valid", honors.certificates.valid, "有效证书", "Certificates"),
          figure("honors.appointments.made", honors.appointments.made, "兼职副书记", "Appointments"),
          figure("honors.diaries.featured", honors.diaries.featured, "优秀日志", "Featured diaries"),
          figure("honors.recommendations.sent", honors.recommendations.sent, "推优", "Recommendations"),
        ),
      ),
      exportsCard(campaignId),
    ),
  );
}

export default {
  path: "/campaigns/:campaignId/dashboard",
  roles: ["operator", "auditor"],
  title: ["看板", "Dashboard"],
  render,
};
