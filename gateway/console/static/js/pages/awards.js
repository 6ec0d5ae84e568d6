// A campaign's awards (GET /awards?campaign_id=…, cursor-paged, oldest nomination first): a
// nominated one is granted with one click (POST /awards/{id}/grant: its certificate takes the
// next serial), and a granted one offers its certificate (GET /certificates/{serial}.pdf,
// fetched with the operator's token and handed to the browser as a download).

import { download, get, idempotencyKey, post } from "../api.js";
import { bi, fill, h, statusPill, table } from "../dom.js";
import { act } from "../feedback.js";

export const AWARD_STATUS = {
  nominated: ["已提名", "Nominated"],
  granted: ["已授予", "Granted"],
  revoked: ["已撤销", "Revoked"],
};

function certificate(serial) {
  const path = `/certificates/${encodeURIComponent(serial)}.pdf`;
  const link = h("a", { href: `/api/v1${path}`, "data-certificate": serial }, bi("证书（PDF）", "Certificate (PDF)"));
  link.addEventListener("click", (event) => {
    event.preventDefault(); // the PDF needs the bearer token: fetched, then handed over
    act(null, ["正在生成", "Preparing"], () => download(path, `${serial}.pdf`));
  });
  return link;
}

function actions(award, redraw) {
  if (award.status === "granted" && award.serial) return certificate(award.serial);
  if (award.status !== "nominated") return null;
  const grant = h("button", { type: "button", "data-grant": award.award_id }, bi("授予", "Grant"));
  grant.addEventListener("click", async () => {
    const key = idempotencyKey();
    const said = ["荣誉已授予，证书已编号。", "The award is granted; its certificate has a serial."];
    const result = await act(grant, ["正在授予", "Granting"], () => post(`/awards/${award.award_id}/grant`, {}, { "Idempotency-Key": key }), said);
    if (result !== undefined) redraw({ ...award, ...result });
  });
  return grant;
}

/** A row whose serial, status and actions redraw from a grant's answer (the list lags). */
function row(award) {
  const serial = h("span", { "data-serial": award.award_id });
  const status = h("span", { "data-award-status": award.award_id });
  const holder = h("span", { "data-award": award.award_id });
  const redraw = (shown) => {
    fill(serial, shown.serial || "");
    fill(status, statusPill(shown.status, AWARD_STATUS));
    fill(holder, actions(shown, redraw));
  };
  redraw(award);
  return { ...award, cells: { serial, status, holder } };
}

async function render(main, { campaignId }, query) {
  const page = await get("/awards", { campaign_id: campaignId, limit: 50, cursor: query.get("cursor") || undefined });
  const columns = [
    { zh: "获奖人", en: "Holder", cell: (a) => a.holder_name || "" },
    { zh: "称号", en: "Title", cell: (a) => a.title_name || a.title_code },
    { zh: "事迹", en: "Citation", class: "hide-narrow", cell: (a) => a.citation || "" },
    { zh: "证书编号", en: "Serial", class: "hide-narrow", cell: (a) => a.cells.serial },
    { zh: "状态", en: "Status", cell: (a) => a.cells.status },
    { zh: "操作", en: "Actions", cell: (a) => a.cells.holder },
  ];
  const next = new URLSearchParams();
  if (page.next_cursor) next.set("cursor", page.next_cursor);
  fill(
    main,
    h("h1", {}, bi("荣誉与证书", "Awards and certificates")),
    h("p", {}, h("a", { href: `/campaigns/${campaignId}/dashboard` }, bi("返回看板", "Back to the dashboard"))),
    page.items.length ? table(columns, page.items.map(row)) : h("p", { class: "muted" }, bi("还没有荣誉提名。", "No awards yet.")),
    h(
      "div",
      { class: "pager" },
      query.get("cursor") ? h("a", { href: `/campaigns/${campaignId}/awards` }, bi("第一页", "First page")) : null,
      page.next_cursor ? h("a", { href: `/campaigns/${campaignId}/awards?${next}` }, bi("下一页", "Next page")) : null,
    ),
  );
}

export default {
  path: "/campaigns/:campaignId/awards",
  roles: ["operator"],
  title: ["荣誉与证书", "Awards"],
  render,
};
