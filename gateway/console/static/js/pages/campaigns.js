// The campaigns (seasons) list, each with its status, a link to its dashboard and students,
// and the operator's open/close actions (POST /campaigns/{id}/open and /close).

import { get, idempotencyKey, post, session } from "../api.js";
import { bi, fill, h, statusPill, table } from "../dom.js";
import { act } from "../feedback.js";
import { CAMPAIGN_STATUS, SEASON, named } from "../labels.js";

// The statuses that commands answered: the list is read from read models, which may lag a
// command by a moment, so a list read right after opening a campaign may still say "draft".
const ORDER = ["draft", "open", "closed"];
const answered = new Map();

function latest(campaign) {
  const known = answered.get(campaign.campaign_id);
  if (known && ORDER.indexOf(known) > ORDER.indexOf(campaign.status)) return { ...campaign, status: known };
  return campaign;
}

function actions(campaign, redraw) {
  if (session().role !== "operator") return null;
  const change = (verb, label, done) => {
    const button = h("button", { type: "button", class: "secondary" }, bi(...label));
    button.addEventListener("click", async () => {
      const key = idempotencyKey();
      const result = await act(button, label, () => post(`/campaigns/${campaign.campaign_id}/${verb}`, {}, { "Idempotency-Key": key }), done);
      if (result !== undefined) {
        answered.set(campaign.campaign_id, result.status);
        redraw();
      }
    });
    return button;
  };
  if (campaign.status === "draft") return change("open", ["开启报名", "Open"], ["活动季已开启。", "The campaign is open."]);
  if (campaign.status === "open") return change("close", ["关闭报名", "Close"], ["活动季已关闭。", "The campaign is closed."]);
  return null;
}

async function render(main) {
  const answer = await get("/campaigns", { limit: 200 });
  const redraw = () => render(main);
  const columns = [
    { zh: "名称", en: "Name", cell: (c) => c.name },
    { zh: "年份", en: "Year", cell: (c) => `${c.year} ${named(SEASON, c.season).join(" ")}` },
    { zh: "状态", en: "Status", cell: (c) => h("span", { "data-testid": `status-${c.campaign_id}` }, statusPill(c.status, CAMPAIGN_STATUS)) },
    {
      zh: "查看",
      en: "Open",
      cell: (c) =>
        h(
          "div",
          { class: "actions" },
          h("a", { href: `/campaigns/${c.campaign_id}/dashboard` }, bi("看板", "Dashboard")),
          h("a", { href: `/campaigns/${c.campaign_id}/students` }, bi("学生", "Students")),
          h("a", { href: `/campaigns/${c.campaign_id}/rounds` }, bi("匹配", "Matching")),
          h("a", { href: `/campaigns/${c.campaign_id}/placements` }, bi("实践安排", "Placements")),
          h("a", { href: `/campaigns/${c.campaign_id}/hours` }, bi("时长审核", "Hours")),
          h("a", { href: `/campaigns/${c.campaign_id}/awards` }, bi("荣誉", "Awards")),
        ),
    },
    { zh: "操作", en: "Actions", cell: (c) => actions(c, redraw) },
  ];
  fill(
    main,
    h("h1", {}, bi("活动季", "Campaigns")),
    answer.campaigns.length
      ? table(columns, answer.campaigns.map(latest))
      : h("p", { class: "muted" }, bi("还没有活动季。", "No campaigns yet.")),
  );
}

export default {
  path: "/campaigns",
  roles: ["operator", "auditor"],
  title: ["活动季", "Campaigns"],
  nav: true,
  render,
};
