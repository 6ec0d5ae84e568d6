// A student's own page: registration status, position choices (their ranking), offers to
// confirm, documents to sign (signing.js), volunteering sign-ups and hours, the transcript
// (PDF) and consents. The address names the student (/me/:studentId); the API refuses any
// student but the signed-in one, and the page then shows only the refusal in words, nothing
// of the other student.

import { download, get, idempotencyKey, post, request, session } from "../api.js";
import { bi, fill, h, statusPill, table } from "../dom.js";
import { act } from "../feedback.js";
import { documentsToSign } from "./signing.js";
import { go } from "../router.js";
import { ACTIVITY_KIND, STUDENT_STATUS, named } from "../labels.js";
import { gates } from "./readiness.js";
import { PLACEMENT_STATUS } from "./unit.js";

const PURPOSES = {
  university_report: ["向高校报送成绩单", "Send my transcript to my university"],
  showcase: ["展示我的实践日记", "Show my diaries in the showcase"],
};
const SIGN_UP = { signed_up: ["已报名", "Signed up"], withdrawn: ["已退出", "Withdrawn"], no_show: ["未到", "No-show"], released: ["已释放", "Released"] };
const HOURS = { pending: ["待审核", "Pending"], approved: ["已认定", "Approved"], declined: ["未认定", "Declined"] };

const section = (zh, en, ...body) => h("section", { "aria-labelledby": `h-${en.replace(/\W+/g, "-")}` }, h("h2", { id: `h-${en.replace(/\W+/g, "-")}` }, bi(zh, en)), ...body);
const none = (zh, en) => h("p", { class: "muted" }, bi(zh, en));

function offers(student, list, redraw) {
  if (!list.length) return none("还没有录用通知。", "No offers yet.");
  const confirm = (o) => {
    if (o.status !== "offered" || (o.confirmed_by || []).includes("student")) return null;
    const button = h("button", { type: "button", class: "small" }, bi("确认", "Confirm"));
    const key = idempotencyKey();
    button.addEventListener("click", async () => {
      const done = await act(button, ["正在确认", "Confirming"], () => post(`/placements/${o.placement_id}/confirmation`, {}, { "Idempotency-Key": key }), ["已确认。", "Confirmed."]);
      if (done !== undefined) redraw();
    });
    return button;
  };
  return table(
    [
      { zh: "岗位", en: "Position", cell: (o) => `${o.position_title || ""} · ${o.host_unit_name || ""}` },
      { zh: "状态", en: "Status", cell: (o) => statusPill(o.status, PLACEMENT_STATUS) },
      { zh: "上岗准备", en: "Readiness", cell: gates },
      { zh: "操作", en: "Actions", cell: confirm },
    ],
    list,
  );
}

async function choices(student) {
  try {
    const ranking = await get(`/campaigns/${student.campaign_id}/students/${student.student_id}/ranking`);
    if (!ranking.position_ids.length) return none("还没有填报志愿。", "No choices yet.");
    const positions = await get(`/campaigns/${student.campaign_id}/positions`, { limit: 200 });
    const titles = new Map(positions.items.map((p) => [p.position_id, `${p.title} · ${p.host_unit_name || ""}`]));
    return h("ol", { "data-testid": "choices" }, ranking.position_ids.map((id) => h("li", {}, titles.get(id) || id.slice(0, 8))));
  } catch (failure) {
    if (failure.status === 404) return none("还没有填报志愿。", "No choices yet.");
    throw failure;
  }
}

function consents(student, answer, redraw) {
  const given = answer.consents || {};
  return h(
    "ul",
    { class: "consents" },
    Object.entries(PURPOSES).map(([purpose, [zh, en]]) => {
      const on = Boolean(given[purpose] && (given[purpose].given ?? given[purpose]));
      const button = h("button", { type: "button", class: "secondary small" }, on ? bi("撤回", "Withdraw") : bi("同意", "Give"));
      button.addEventListener("click", async () => {
        const body = { given: !on };
        const done = await act(button, ["正在保存", "Saving"], () => request("PUT", `/students/${student.student_id}/consents/${purpose}`, { body, headers: { "Idempotency-Key": idempotencyKey() } }), ["已保存。", "Saved."]);
        if (done !== undefined) redraw();
      });
      return h("li", { "data-testid": `consent-${purpose}` }, bi(zh, en), "： ", on ? bi("已同意", "given") : bi("未同意", "not given"), " ", button);
    }),
  );
}

function volunteering(answer) {
  const activities = answer.activities.length
    ? table(
        [
          { zh: "活动", en: "Activity", cell: (a) => `${a.title} · ${named(ACTIVITY_KIND, a.kind)[0]}` },
          { zh: "时间", en: "When", cell: (a) => (a.starts_at || "").slice(0, 16).replace("T", " ") },
          { zh: "报名", en: "Sign-up", cell: (a) => statusPill(a.sign_up_status, SIGN_UP) },
        ],
        answer.activities,
      )
    : none("还没有报名志愿活动。", "No sign-ups yet.");
  const hours = answer.hours.length
    ? table(
        [
          { zh: "活动", en: "Activity", cell: (x) => x.title || x.activity_id.slice(0, 8) },
          { zh: "时长", en: "Hours", cell: (x) => String(x.hours) },
          { zh: "状态", en: "Status", cell: (x) => statusPill(x.status, HOURS) },
        ],
        answer.hours,
      )
    : none("还没有登记时长。", "No hours logged yet.");
  return [
    activities,
    h("p", {}, bi("已认定时长", "Approved hours"), "： ", h("strong", { "data-testid": "approved-hours" }, String(answer.approved_hours))),
    hours,
  ];
}

// Placements as the student's own commands answered them: the offers list is a read model
// and lags a signature by a moment, so a redraw shows the answer until the list has caught
// up with it (a gate the answer has passed, or its status). The answer lacks the list's names
// (position, host unit) and details: those are kept from the list.
const answered = new Map();
const newer = (listed) => {
  const mine = answered.get(listed.placement_id);
  const behind = mine && (mine.status !== listed.status || Object.entries(mine.gates || {}).some(([gate, passed]) => passed && !(listed.gates || {})[gate]));
  if (!behind) answered.delete(listed.placement_id);
  return behind ? { ...listed, ...mine } : listed;
};

async function overview(main, { studentId }) {
  const student = await get(`/students/${studentId}`);
  const [offerList, volunteer, consent, picks, published] = await Promise.all([
    get(`/students/${studentId}/offers`),
    get(`/students/${studentId}/volunteering`),
    get(`/students/${studentId}/consents`),
    choices(student),
    get("/documents"),
  ]);
  const redraw = () => overview(main, { studentId });
  // The offers, and a placement made directly by an operator (no offer: only the profile's
  // current placement names it).
  const current = student.placement;
  const mine = current && !offerList.offers.some((o) => o.placement_id === current.placement_id) ? [current, ...offerList.offers] : offerList.offers;
  const shown = mine.map(newer);
  const signed = (placement) => {
    answered.set(placement.placement_id, placement);
    redraw();
  };
  const pdf = `/api/v1/students/${studentId}/transcript.pdf`;
  const transcript = h("a", { href: pdf, "data-testid": "transcript-link" }, bi("下载第二课堂成绩单（PDF）", "Download my transcript (PDF)"));
  transcript.addEventListener("click", (event) => {
    event.preventDefault(); // the PDF needs the bearer token: fetched, then handed over
    act(null, ["正在生成", "Preparing"], () => download(`/students/${studentId}/transcript.pdf`, "transcript.pdf"));
  });
  fill(
    main,
    h("h1", {}, bi("我的实践", "My practice")),
    h(
      "p",
      {},
      bi("报名状态", "Registration"),
      "： ",
      h("span", { "data-testid": "student-status" }, statusPill(student.status, STUDENT_STATUS)),
      " · ",
      student.university || "",
      " ",
      student.major || "",
    ),
    section("志愿", "Position choices", picks),
    section("录用与实践", "Offers and placement", offers(student, shown, redraw)),
    section("待签文件", "Documents to sign", documentsToSign(shown, published.documents, signed)),
    section("志愿服务", "Volunteering", volunteering(volunteer)),
    section("成绩单", "Transcript", h("p", {}, transcript)),
    section("授权", "Consents", consents(student, consent, redraw)),
  );
}

/** /me: the signed-in student's own page. */
function mine() {
  go(`/me/${session().subject}`, { replace: true });
}

export const studentHome = {
  path: "/me",
  roles: ["student"],
  title: ["我的实践", "My practice"],
  nav: true,
  render: mine,
};
export const studentOverview = {
  path: "/me/:studentId",
  roles: ["student"],
  title: ["我的实践", "My practice"],
  render: overview,
};
